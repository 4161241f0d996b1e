"""An office's own rule tables beside its config win over the bundled ones in every command."""

from __future__ import annotations

from datetime import timedelta

import yaml
from click.testing import CliRunner
from conftest import AS_OF, write_config
from sites import config_for, html, list_page

from monitor.cli import cli
from monitor.demo.server import Route, SiteServer
from monitor.store import Store

OFFICE_LABEL = "错链断链"  # the bundled rules.yaml says 链接不可用


def _office_config(tmp_path, base: str):
    config = write_config(tmp_path, config_for(base, [("通知公告", "/tzgg/")]))
    rules_path = tmp_path / "rules.yaml"
    rules = yaml.safe_load(rules_path.read_text(encoding="utf-8"))
    rules["problem_types"]["broken_link"] = OFFICE_LABEL
    rules["probe"]["timeout_seconds"] = 0.5  # the bundled table allows 15 s
    rules_path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    return config


def _site() -> dict[str, Route]:
    return {
        "/": list_page("测试局", [("工作动态一", "/a/1.html", AS_OF - timedelta(days=1))]),
        "/a/1.html": html("工作动态一", '<a href="/files/gone.pdf">附件</a>'),
        "/tzgg/": list_page("通知公告", [("通知", "/tzgg/1.html", AS_OF - timedelta(days=3))]),
        "/tzgg/1.html": html("通知", "<p>通知</p>"),
    }


def test_every_command_speaks_with_the_offices_labels(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "g.db")
    with SiteServer(_site()) as server:
        config = _office_config(tmp_path, server.base)
        crawled = runner.invoke(cli, ["crawl", "-c", str(config), "--db", db, "--as-of", AS_OF.isoformat()])
    assert crawled.exit_code == 0, crawled.output
    outputs = {"crawl": crawled.output}
    for name, args in {
        "problems": ["problems", "--db", db],
        "check": ["check", "--db", db],
        "diff": ["diff", "--db", db, "1", "1"],
        "report": ["report", "--db", db, "--format", "md"],
    }.items():
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
        outputs[name] = result.output
    for name, output in outputs.items():
        assert OFFICE_LABEL in output, name
        assert "链接不可用" not in output, name


def test_probes_keep_the_offices_timeout(tmp_path):
    routes = {"/": Route(html("测试局", "<p>首页</p>").body, delay=1.0)}
    with SiteServer(routes) as server:
        config = _office_config(tmp_path, server.base)
        result = CliRunner().invoke(cli, ["probe", "-c", str(config), "--db", str(tmp_path / "g.db")])
    assert result.exit_code == 0, result.output
    store = Store(tmp_path / "g.db")
    stored = store.db.execute("select ok from probes").fetchall()
    store.close()
    assert stored == [(0,)]  # a second's wait fails the office's half-second limit

"""A broken config is reported with file, line and key, exits 2, and crawls nothing."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from monitor.cli import cli
from monitor.demo.server import Route, SiteServer

GOOD = """timezone: Asia/Shanghai
departments:
  - id: jyj
    name: 县教育局
    site: {site}
  - id: wjw
    name: 县卫健委
    site: {site}wjw/
"""


@pytest.fixture
def site():
    with SiteServer({"/": Route("<html><body>ok</body></html>")}) as server:
        yield server


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (
            ("    site: {site}\n", "    site: {site}\n    colums: []\n"),
            "sites.yaml:6: departments[0].colums: unknown key",
        ),
        (("site: {site}wjw/", "site: htp//wjw"), "sites.yaml:8: departments[1].site: not an http(s) URL: 'htp//wjw'"),
        (("  - id: wjw", "  - id: jyj"), "sites.yaml:6: departments[1].id: duplicate id 'jyj' (also departments[0])"),
        (
            ("timezone: Asia/Shanghai", 'timezone: Asia/Shanghai\nschedule: "0 2 * *"'),
            "sites.yaml:2: schedule: bad cron",
        ),
        (
            ("departments:", "thresholds: {newz: 3}\ndepartments:"),
            "sites.yaml:2: thresholds.newz: unknown category 'newz'",
        ),
        (("name: 县卫健委", "name: [县卫健委"), "while parsing a flow sequence at line 7)"),
    ],
    ids=["typo-key", "bad-url", "duplicate-id", "bad-cron", "unknown-category", "bad-yaml"],
)
def test_broken_config_names_the_problem_and_crawls_nothing(tmp_path, site, broken, expected):
    good = GOOD.replace("{site}", site.base)
    old, new = (part.replace("{site}", site.base) for part in broken)
    text = good.replace(old, new, 1)
    assert text != good
    config = tmp_path / "sites.yaml"
    config.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["crawl", "-c", str(config), "--db", str(tmp_path / "g.db")])
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert site.log == []
    assert not (tmp_path / "g.db").exists()


def test_unknown_only_id_is_a_config_error(tmp_path, site):
    config = tmp_path / "sites.yaml"
    config.write_text(GOOD.replace("{site}", site.base), encoding="utf-8")
    result = CliRunner().invoke(cli, ["crawl", "-c", str(config), "--db", str(tmp_path / "g.db"), "--only", "gaj"])
    assert result.exit_code == 2
    assert "--only: no department with id 'gaj'" in result.output
    assert site.log == []


def test_missing_config_file_is_named(tmp_path):
    result = CliRunner().invoke(cli, ["crawl", "-c", str(tmp_path / "nope.yaml")])
    assert result.exit_code == 2
    assert "nope.yaml: no such config file" in result.output


def test_shipped_example_config_is_valid():
    from monitor.config import load_config
    from monitor.tables import defaults_dir

    config = load_config(defaults_dir() / "sites.yaml")
    assert [d.id for d in config.departments] == ["jyj", "wjw"]

"""Week after week: problem lifecycle, --only, re-evaluation, the lock, and the CLI for the routine."""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

from click.testing import CliRunner
from conftest import AS_OF, crawl, write_config
from sites import config_for, html, list_page

from monitor.cli import cli
from monitor.demo.server import Route, SiteServer
from monitor.lock import StoreLock
from monitor.reports import report_data
from monitor.store import Store


def _site() -> dict[str, Route]:
    return {
        "/": list_page("测试局", [("动态", "/a.html", AS_OF)]),
        "/xxgk/": html("信息公开", '<a href="/gzdt/">工作动态</a>'),
        "/gzdt/": list_page("工作动态", [("旧动态", "/gzdt/1.html", AS_OF - timedelta(days=20))]),
        "/gzdt/1.html": html("旧动态", "<p>正文</p>"),
        "/a.html": html("动态", '<a href="/files/a.pdf">附件A</a> <a href="/files/b.pdf">附件B</a>'),
        "/files/b.pdf": Route(b"%PDF", content_type="application/pdf"),
    }


def _states(db, run_id) -> dict[tuple[str, str], tuple[str, str]]:
    store = Store(db)
    rows = report_data(store, run_id)["problems"]
    store.close()
    return {(p["type"], urlsplit(p["column_url"] or p["url"]).path): (p["state"], p["first_seen"]) for p in rows}


def test_three_weeks_of_fixes_and_new_problems(tmp_path):
    week2, week3 = AS_OF + timedelta(days=7), AS_OF + timedelta(days=14)
    with SiteServer(_site()) as site:
        config = write_config(tmp_path, config_for(site.base, [("工作动态", "/gzdt/")]))
        db = tmp_path / "g.db"
        first = crawl(config, db, as_of=AS_OF)
        # Week 2: the column is updated; the broken attachment stays broken.
        site.routes["/gzdt/"] = list_page("工作动态", [("新动态", "/gzdt/2.html", week2 - timedelta(days=1))])
        site.routes["/gzdt/2.html"] = html("新动态", "<p>正文</p>")
        second = crawl(config, db, as_of=week2)
        # Week 3: the attachment is fixed, another one breaks.
        site.routes["/files/a.pdf"] = Route(b"%PDF", content_type="application/pdf")
        del site.routes["/files/b.pdf"]
        third = crawl(config, db, as_of=week3)
    assert _states(db, first.run_id) == {
        ("column_stale", "/gzdt/"): ("new", "2026-11-22"),
        ("broken_link", "/files/a.pdf"): ("new", "2026-11-22"),
    }
    assert _states(db, second.run_id) == {
        ("column_stale", "/gzdt/"): ("resolved", "2026-11-22"),
        ("broken_link", "/files/a.pdf"): ("persisting", "2026-11-22"),
    }
    assert _states(db, third.run_id) == {
        ("broken_link", "/files/a.pdf"): ("resolved", "2026-11-22"),
        ("broken_link", "/files/b.pdf"): ("new", "2026-12-06"),
    }


def test_a_department_left_out_with_only_keeps_its_problems(tmp_path):
    with SiteServer(_site()) as one, SiteServer(_site()) as two:
        text = (
            config_for(one.base, [("工作动态", "/gzdt/")], "one")
            + config_for(two.base, [("工作动态", "/gzdt/")], "two").split("departments:\n", 1)[1]
        )
        config = write_config(tmp_path, text)
        db = tmp_path / "g.db"
        crawl(config, db)
        crawl(config, db, only=("one",))
        third = crawl(config, db, only=("two",))
    states = {p["department"]: p["state"] for p in _problems(db, third.run_id)}
    assert states == {"two": "persisting"}  # two's problems are still open; nothing of it looks resolved


def _problems(db, run_id):
    store = Store(db)
    rows = report_data(store, run_id)["problems"]
    store.close()
    return rows


def test_crawl_refuses_to_start_while_another_holds_the_store(tmp_path):
    with SiteServer(_site()) as site:
        config = write_config(tmp_path, config_for(site.base, [("工作动态", "/gzdt/")]))
        db = tmp_path / "g.db"
        with StoreLock(db):
            result = CliRunner().invoke(cli, ["crawl", "-c", str(config), "--db", str(db)])
            assert result.exit_code == 1
            assert "is in use by gongkai pid" in result.output
            assert site.log == []
        result = CliRunner().invoke(cli, ["crawl", "-c", str(config), "--db", str(db)])  # released: it runs
        assert result.exit_code == 0, result.output


def test_runs_problems_and_diff_commands(tmp_path):
    with SiteServer(_site()) as site:
        config = write_config(tmp_path, config_for(site.base, [("工作动态", "/gzdt/")]))
        db = tmp_path / "g.db"
        crawl(config, db, as_of=AS_OF)
        site.routes["/files/a.pdf"] = Route(b"%PDF", content_type="application/pdf")
        crawl(config, db, as_of=AS_OF)
    runner = CliRunner()
    runs = runner.invoke(cli, ["runs", "--db", str(db)])
    assert runs.exit_code == 0 and runs.output.count("已完成") == 2
    listed = runner.invoke(
        cli, ["problems", "--db", str(db), "--run", "1", "--type", "broken_link"], terminal_width=200
    )
    assert listed.exit_code == 0 and "/files/a.pdf" in listed.output and "栏目不更新" not in listed.output
    changed = runner.invoke(cli, ["diff", "--db", str(db), "1", "2"])
    assert changed.exit_code == 0
    assert "第 2 次检查已整改 1 个问题：" in changed.output and "/files/a.pdf" in changed.output
    assert "第 2 次检查仍未整改 1 个问题：" in changed.output


def test_json_report_gives_each_department_its_score_and_veto(tmp_path):
    with SiteServer(_site()) as site:
        config = write_config(tmp_path, config_for(site.base, [("工作动态", "/gzdt/")]))
        crawl(config, tmp_path / "g.db")
    data = json.loads(CliRunner().invoke(cli, ["report", "--db", str(tmp_path / "g.db")]).stdout)
    dept = data["departments"][0]
    # a stale news column (-3) and a broken attachment off the homepage (-0.1); no veto
    assert (dept["score"], dept["veto"], dept["passed"]) == (96.9, [], True)

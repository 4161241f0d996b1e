"""Runs keep their own snapshot; problems are new, persisting or resolved; `check` re-judges without crawling."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

from click.testing import CliRunner
from conftest import AS_OF, crawl, write_config
from sites import config_for, html, list_page

from monitor.cli import cli
from monitor.demo.server import Route, SiteServer
from monitor.reports import report_data
from monitor.store import Store


def _site(as_of: date) -> dict[str, Route]:
    old = as_of - timedelta(days=200)
    return {
        "/": list_page("测试局", [("工作动态一", "/a/1.html", as_of - timedelta(days=1))]),
        "/a/1.html": html("工作动态一", '<a href="/files/gone.pdf">附件</a> <a href="/files/later.pdf">附件二</a>'),
        "/tzgg/": list_page("通知公告", [("旧通知", "/tzgg/1.html", old)]),
        "/tzgg/1.html": html("旧通知", "<p>旧通知</p>"),
        "/xxgk/": html("信息公开", '<a href="/tzgg/">通知公告</a>'),
        "/files/later.pdf": Route(b"%PDF", content_type="application/pdf"),
    }


def _problems(db, run_id):
    store = Store(db)
    data = report_data(store, run_id)
    store.close()
    return {
        (p["type"], urlsplit(p["column_url"] or p["url"]).path): (p["state"], p["first_seen"]) for p in data["problems"]
    }


def test_second_run_tracks_fixed_and_new_problems_and_keeps_the_first(tmp_path):
    with SiteServer(_site(AS_OF)) as server:
        config = write_config(tmp_path, config_for(server.base, [("通知公告", "/tzgg/")]))
        db = tmp_path / "g.db"
        first = crawl(config, db, as_of=AS_OF)
        assert _problems(db, first.run_id) == {
            ("column_stale", "/tzgg/"): ("new", "2026-11-22"),
            ("broken_link", "/files/gone.pdf"): ("new", "2026-11-22"),
        }
        # A week later the attachment is back, but another one has gone.
        server.routes["/files/gone.pdf"] = Route(b"%PDF", content_type="application/pdf")
        del server.routes["/files/later.pdf"]
        second = crawl(config, db, as_of=AS_OF + timedelta(days=7))

    assert second.run_id == first.run_id + 1
    assert _problems(db, second.run_id) == {
        ("column_stale", "/tzgg/"): ("persisting", "2026-11-22"),
        ("broken_link", "/files/gone.pdf"): ("resolved", "2026-11-22"),
        ("broken_link", "/files/later.pdf"): ("new", "2026-11-29"),
    }
    # The first run is untouched by the second.
    assert _problems(db, first.run_id) == {
        ("column_stale", "/tzgg/"): ("new", "2026-11-22"),
        ("broken_link", "/files/gone.pdf"): ("new", "2026-11-22"),
    }
    store = Store(db)
    assert [r["status"] for r in store.runs()] == ["complete", "complete"]
    store.close()


def test_check_applies_changed_thresholds_without_crawling(tmp_path):
    with SiteServer(_site(AS_OF)) as server:
        config = write_config(tmp_path, config_for(server.base, [("通知公告", "/tzgg/")]))
        db = tmp_path / "g.db"
        run = crawl(config, db, as_of=AS_OF)
        requests_after_crawl = len(server.log)
        assert ("column_stale", "/tzgg/") in _problems(db, run.run_id)

        config.write_text(config.read_text(encoding="utf-8") + "thresholds: {notice: 365}\n", encoding="utf-8")
        result = CliRunner().invoke(cli, ["check", "--db", str(db), "--run", str(run.run_id)])
        assert result.exit_code == 0, result.output
        assert "- 不再是问题：csj 栏目不更新" in result.output
        assert ("column_stale", "/tzgg/") not in _problems(db, run.run_id)

        result = CliRunner().invoke(cli, ["check", "--db", str(db), "--as-of", "2027-06-01"])
        assert result.exit_code == 0, result.output
        assert "+ 新增问题：csj 栏目不更新" in result.output
        assert "+ 新增问题：csj 首页不更新" in result.output
        assert len(server.log) == requests_after_crawl


def test_check_refuses_a_store_that_does_not_exist(tmp_path):
    result = CliRunner().invoke(cli, ["check", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "数据库不存在" in result.output
    assert not (tmp_path / "none.db").exists()


def test_check_with_another_config_is_a_what_if_that_changes_nothing(tmp_path):
    with SiteServer(_site(AS_OF)) as server:
        config = write_config(tmp_path, config_for(server.base, [("通知公告", "/tzgg/")]))
        db = tmp_path / "g.db"
        run = crawl(config, db, as_of=AS_OF)
    before = _problems(db, run.run_id)
    other = tmp_path / "other" / "sites.yaml"
    write_config(other.parent, config.read_text(encoding="utf-8") + "thresholds: {notice: 365}\n")
    result = CliRunner().invoke(cli, ["check", "--db", str(db), "-c", str(other)])
    assert result.exit_code == 0, result.output
    assert "结果不保存" in result.output
    assert "- 不再是问题：csj 栏目不更新" in result.output
    assert _problems(db, run.run_id) == before  # the stored run, and so every notice, is as it was

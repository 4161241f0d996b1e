"""人工核查: a finding a person dismisses stays dismissed while its evidence holds, and counts nowhere.

A local site (synthetic) with a dead attachment and a stale column. A
supervisor lists the findings, dismisses the dead link as 误报 and records the
department's reply to the stale column; the next crawl keeps the dismissal,
until the link fails differently.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner
from conftest import AS_OF, crawl, write_config
from sites import config_for, html, list_page

from monitor.cli import cli
from monitor.demo.server import Route, SiteServer
from monitor.reports import report_data
from monitor.store import Store

COLUMNS = [("通知公告", "/tzgg/"), ("工作动态", "/gzdt/"), ("人事信息", "/rsxx/")]
KINDS = sorted(["broken_link", "column_stale", "column_empty"])  # the order `gongkai review list` numbers them in
STALE = [("旧通知", "/tzgg/1.html", AS_OF - timedelta(days=400))]
FRESH = [("新动态", "/gzdt/1.html", AS_OF - timedelta(days=1))]


def _site(dead_status: int) -> dict[str, Route]:
    return {
        "/": list_page("测试局", FRESH),
        "/tzgg/": list_page("通知公告", STALE),
        "/gzdt/": list_page("工作动态", FRESH),
        "/gzdt/1.html": html("新动态", '<p>附件：<a href="/files/plan.pdf">实施方案</a></p>'),
        "/files/plan.pdf": Route("gone", status=dead_status, content_type="text/plain"),
        "/rsxx/": html("人事信息", '<ul class="list"></ul>'),
    }


def _gongkai(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def _findings(db, run_id: int) -> dict[str, dict]:
    store = Store(db)
    data = report_data(store, run_id)
    store.close()
    return {p["type"]: p for p in data["problems"] if p["state"] != "resolved"} | {
        "_score": data["departments"][0]["score"]
    }


@pytest.fixture
def reviewed(tmp_path):
    db = tmp_path / "g.db"
    server = SiteServer(_site(404), fallback=html("文章", "<p>正文</p>")).start()
    try:
        config = write_config(tmp_path, config_for(server.base, COLUMNS))
        first = crawl(config, db).run_id
        yield {"db": db, "config": config, "server": server, "first": first}
    finally:
        server.stop()


def test_a_dismissed_finding_counts_nowhere_and_stays_dismissed_until_its_evidence_changes(reviewed):
    db, server = reviewed["db"], reviewed["server"]
    before = _findings(db, reviewed["first"])
    assert set(before) == {*KINDS, "_score"}
    listing = _gongkai("review", "list", "--db", str(db))
    assert "链接不可用" in listing and "栏目不更新" in listing
    number = 1 + KINDS.index("broken_link")

    said = _gongkai("review", "decide", str(number), "不予认定", "--reason", "误报", "--by", "张三", "--db", str(db))
    assert "不予认定" in said and "张三" in said
    after = _findings(db, reviewed["first"])
    assert "broken_link" not in after  # out of the problem list, the notices and the score at once
    assert after["_score"] > before["_score"]

    second = crawl(reviewed["config"], db).run_id
    kept = _findings(db, second)
    assert "broken_link" not in kept and "column_stale" in kept
    assert kept["_score"] == after["_score"]
    store = Store(db)
    log = [(r["by"], r["source"], r["decision"], r["reason"]) for r in store.review_log()]
    store.close()
    assert log == [("张三", "cli", "dismissed", "误报")]

    server.routes["/files/plan.pdf"] = Route("gone", status=410, content_type="text/plain")
    third = crawl(reviewed["config"], db).run_id
    assert "broken_link" in _findings(db, third)  # it fails differently now: a finding again
    store = Store(db)
    ended = next(iter(store.reviews().values()))
    store.close()
    assert (ended["decision"], ended["reason"]) == (None, "evidence_changed")  # and the dismissal is over
    server.routes["/files/plan.pdf"] = Route("gone", status=404, content_type="text/plain")
    assert "broken_link" in _findings(db, crawl(reviewed["config"], db).run_id)  # not dismissed again by itself


def test_a_dismissed_empty_column_stays_dismissed_in_the_next_crawl(reviewed):
    db = reviewed["db"]
    number = 1 + KINDS.index("column_empty")
    _gongkai("review", "decide", str(number), "不予认定", "--reason", "网站改版中", "--by", "张三", "--db", str(db))
    assert "column_empty" not in _findings(db, reviewed["first"])
    assert "column_empty" not in _findings(db, crawl(reviewed["config"], db).run_id)


def test_fixed_pending_lasts_until_the_next_crawl_finds_the_problem_again(reviewed):
    db = reviewed["db"]
    number = 1 + KINDS.index("column_stale")
    _gongkai("review", "decide", str(number), "已整改待复核", "--by", "李四", "--db", str(db))
    assert _findings(db, reviewed["first"])["column_stale"]["review"] == "fixed_pending"
    second = crawl(reviewed["config"], db).run_id
    assert _findings(db, second)["column_stale"]["review"] is None
    store = Store(db)
    log = [(r["by"], r["source"], r["reason"]) for r in store.review_log()]
    store.close()
    assert log[-1] == ("gongkai", "evaluation", "found_again")


def test_a_dismissal_needs_one_of_the_reasons(reviewed):
    result = CliRunner().invoke(cli, ["review", "decide", "1", "不予认定", "--by", "张三", "--db", str(reviewed["db"])])
    assert result.exit_code == 2
    assert "误报、已知例外、网站改版中、其他" in result.output


def test_a_departments_reply_is_kept_and_shown(reviewed):
    db = reviewed["db"]
    number = 1 + KINDS.index("column_stale")
    args = ("review", "reply", str(number), "--text", "已安排专人更新", "--date", "2026-11-25", "--by", "李四")
    said = _gongkai(*args, "--db", str(db))
    assert "2026-11-25" in said
    listing = _gongkai("review", "list", "--db", str(db))
    assert "已安排专人更新" in listing


def test_an_unknown_decision_names_the_ones_there_are(reviewed):
    result = CliRunner().invoke(cli, ["review", "decide", "1", "作废", "--by", "张三", "--db", str(reviewed["db"])])
    assert result.exit_code == 2
    assert "确认、不予认定、已整改待复核" in result.output


def test_an_office_that_sends_confirmed_findings_only_counts_a_finding_once_confirmed(tmp_path):
    db = tmp_path / "g.db"
    with SiteServer(_site(404), fallback=html("文章", "<p>正文</p>")) as server:
        text = config_for(server.base, COLUMNS)
        config = write_config(tmp_path, text + "review: {require_confirmation: true}\n")
        run_id = crawl(config, db).run_id
    held = _findings(db, run_id)
    assert set(held) == {"_score"}  # nothing goes out unconfirmed
    listing = _gongkai("review", "list", "--db", str(db))
    assert "链接不可用" in listing and "栏目不更新" in listing and "空白栏目" in listing  # the reviewer sees them all
    number = 1 + KINDS.index("column_stale")
    _gongkai("review", "decide", str(number), "确认", "--by", "张三", "--db", str(db))
    confirmed = _findings(db, run_id)
    assert set(confirmed) == {"column_stale", "_score"}
    assert confirmed["column_stale"]["review"] == "confirmed"
    assert confirmed["_score"] < held["_score"]

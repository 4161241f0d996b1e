"""Availability probes over a week, the early warnings, and the inspection score."""

from __future__ import annotations

from conftest import write_config
from sites import html, list_page

from common.categories import Categorizer
from common.tables import load_tables
from monitor.config import load_config
from monitor.crawl import run_crawl
from monitor.demo.server import Route, SiteServer
from monitor.facts import ColumnFacts, DepartmentFacts
from monitor.probes import probe_all
from monitor.reports import report_data
from monitor.rules import Problem, RuleSettings, evaluate_department
from monitor.scoring import score_department
from monitor.store import Store

RULES = load_tables().rules


def _homepage(fail_every: int, today) -> dict[str, Route]:
    page = list_page("测试局", [("动态", "/a.html", today)])
    return {
        "/": Route(page.body, fail_every=fail_every),
        "/a.html": html("动态", "<p>正文</p>"),
        "/xxgk/": html("信息公开", '<a href="/xxgk/tzgg/">通知公告</a>'),  # one column: the site can be judged
        "/xxgk/tzgg/": list_page("通知公告", [("通知", "/a.html", today)]),
    }


def test_probe_failure_ratio_is_stored_and_vetoes_at_five_percent(tmp_path):
    from datetime import date

    today = date.today()
    with (
        SiteServer(_homepage(20, today)) as a,
        SiteServer(_homepage(25, today)) as b,
        SiteServer(_homepage(50, today)) as c,
    ):
        config_path = write_config(
            tmp_path,
            "departments:\n"
            + "".join(
                f"  - {{id: {i}, name: 局{i}, site: '{s.base}'}}\n" for i, s in zip("abc", (a, b, c), strict=True)
            ),
        )
        config = load_config(config_path)
        db = tmp_path / "g.db"
        store = Store(db, config.timezone)
        for _ in range(100):
            probe_all(config, store)
        store.close()
        run = run_crawl(config, config_path, db)  # judged as of today, over the last 7 days
    store = Store(db)
    failed = dict(store.db.execute("select department, sum(1 - ok) from probes group by department").fetchall())
    data = report_data(store, run.run_id)
    store.close()
    assert failed == {"a": 5, "b": 4, "c": 2}
    ratios = {d["id"]: d["probe_failure_ratio"] for d in data["departments"]}
    assert ratios == {"a": 0.05, "b": 0.04, "c": 0.02}
    unreachable = [(p["department"], p["status"]) for p in data["problems"] if p["type"] == "site_unreachable"]
    assert unreachable == [("a", "probe_failures")]  # 5% is a veto (≥, as the national text says)
    assert [w["department"] for w in data["warnings"] if w["kind"] == "probe_failures"] == ["b"]  # 3% ≤ 4% < 5%
    verdicts = {d["id"]: (d["passed"], d["veto"]) for d in data["departments"]}
    assert verdicts == {"a": (False, ["site_unreachable"]), "b": (True, []), "c": (True, [])}


def _problem(kind: str, category: str | None = None, on_homepage: bool | None = None) -> Problem:
    return Problem("x", kind, category=category, on_homepage=on_homepage)


def test_score_follows_the_vendor_deductions():
    # 龙讯 defaults: homepage link -1, other link -0.1; stale 动态要闻 -3, 通知政策 -4, 人事规划 -5.
    problems = (
        [_problem("broken_link", on_homepage=True)] * 2
        + [_problem("broken_link", on_homepage=False)] * 5
        + [_problem("column_stale", "news"), _problem("column_stale", "policy"), _problem("column_stale", "personnel")]
    )
    score = score_department(problems, RULES)
    assert (score.score, score.veto, score.passed) == (85.5, [], True)


def test_deductions_are_capped_per_indicator_and_the_pass_mark_applies():
    problems = [_problem("column_stale", "planning")] * 9 + [_problem("broken_link", on_homepage=True)] * 30
    score = score_department(problems, RULES)  # 45 capped to 40, 30 capped to 20
    assert (score.score, score.veto, score.passed) == (40.0, [], False)


def test_a_single_veto_fails_the_site_and_nothing_else_is_scored():
    five_blank = [_problem("column_empty")] * 5
    assert (score_department(five_blank, RULES).passed, score_department(five_blank, RULES).veto) == (
        False,
        ["empty_columns"],
    )
    assert score_department(five_blank, RULES).score is None
    key = [_problem("column_stale", c) for c in ("news", "news", "notice", "policy", "policy")]
    assert score_department(key, RULES).veto == ["stale_key_columns"]
    ten = [_problem("column_stale", "personnel")] * 10
    assert score_department(ten, RULES).veto == ["stale_columns"]
    assert score_department([_problem("homepage_stale")], RULES).veto == ["homepage_stale"]
    assert score_department([_problem("column_empty")] * 4, RULES).passed is True


def _settings() -> RuleSettings:
    tables = load_tables()
    return RuleSettings(14, dict(RULES["thresholds"]), Categorizer(tables.categories), RULES)


def test_early_warnings_come_before_the_veto_and_are_not_problems():
    from datetime import date

    as_of = date(2026, 11, 22)
    facts = DepartmentFacts(
        "x",
        "http://x/",
        "ok",
        homepage_dates=["2026-11-20"],
        columns=[
            ColumnFacts("http://x/gzdt/", "工作动态", "list", item_dates=[("2026-11-11", "list")]),  # 11 days: 14 - 4
            ColumnFacts("http://x/bmdt/", "部门动态", "list", item_dates=[("2026-11-13", "list")]),  # 9 days: fine
            *[ColumnFacts(f"http://x/k{i}/", f"空{i}", "empty") for i in range(4)],  # one short of 5
        ],
    )
    verdict = evaluate_department(facts, _settings(), as_of)
    assert sorted(p.type for p in verdict.problems) == ["column_empty"] * 4
    warnings = sorted((w.kind, w.url) for w in verdict.warnings)
    assert warnings == [("column_near_stale", "http://x/gzdt/"), ("near_veto", "http://x/")]


def test_a_site_not_fully_inspected_still_fails_on_what_was_seen():
    # No veto (4 stale personnel columns, 4 blank ones), but -20 -8 -20 (links capped): 52, under the pass mark.
    stale = [_problem("column_stale", "personnel") for _ in range(4)] + [_problem("column_empty") for _ in range(4)]
    links = [_problem("broken_link", on_homepage=True) for _ in range(25)]
    failing = score_department(stale + links, RULES, unassessed="the homepage answered with a firewall page")
    assert (failing.passed, failing.score, failing.veto) == (False, 52, [])
    fine = score_department([_problem("broken_link", on_homepage=False)], RULES, unassessed={"code": "no_columns"})
    assert (fine.passed, fine.score, fine.unassessed) == (None, None, {"code": "no_columns"})

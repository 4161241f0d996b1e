"""The item register across runs: exact counts for the annual report, and 突击更新, 旧稿重发 and 日期倒签 suspected.

A local site (synthetic) is crawled twice, a month apart. Between the runs its
ordinary column (工作动态, an item every three days) goes on as before and loses
one item (撤稿); 通知公告, idle since February, receives six items in four days;
政策文件 receives an old document again under a new address and date, shows an
old page with a new date, and lists two items whose dates are far later than
their address or their own page says.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
import sqlite_utils
from click.testing import CliRunner
from conftest import crawl, write_config
from docx import Document
from lxml import html as lxml_html
from sites import StaticSite, wait_until_serving

from common.table_models import FakeFreshness
from common.tables import load_tables
from monitor import freshness
from monitor.cli import cli
from monitor.register import update
from monitor.reviews import evidence_of, open_findings, review_rules, set_aside
from monitor.store import Store

FIRST, SECOND = date(2026, 9, 30), date(2026, 10, 31)
Item = tuple[str, str, date]  # title, path, the date the list shows


def frame(title: str, main: str) -> str:
    """A page of the site: navigation, then its own content."""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        '<ul class="nav"><li><a href="/">首页</a></li><li><a href="/gzdt/">工作动态</a></li>'
        '<li><a href="/tzgg/">通知公告</a></li><li><a href="/zcwj/">政策文件</a></li></ul>'
        f'<div class="main">{main}</div><div class="footer"><p>主办：测试局</p></div></body></html>'
    )


def body(title: str) -> str:
    """An article's own text: no two titles share it."""
    return f"{title}：按照有关工作安排，本单位认真组织开展{title}相关工作，现将具体情况公布如下，请社会各界监督。"


def article(title: str, shown: date, text: str | None = None) -> str:
    return frame(
        title,
        f"<h1>{title}</h1><p>发布时间：{shown.isoformat()}</p><div class='content'><p>{text or body(title)}</p></div>",
    )


def column(title: str, items: list[Item]) -> str:
    rows = "".join(f'<li><a href="{p}">{t}</a><span>{d.isoformat()}</span></li>' for t, p, d in items)
    return frame(title, f'<ul class="list">{rows}</ul>')


def news(start: date, end: date) -> list[Item]:
    """工作动态: an item every three days, its address dated like TRS writes it."""
    found, day, n = [], start, 0
    while day <= end:
        n += 1
        found.append((f"第{n}期工作动态简报发布", f"/gzdt/t{day:%Y%m%d}_{n}.html", day))
        day += timedelta(days=3)
    return sorted(found, key=lambda i: i[2], reverse=True)


NEWS_1 = news(date(2026, 7, 1), date(2026, 9, 29))
WITHDRAWN = next(i for i in NEWS_1 if i[2] == date(2026, 9, 20))
NEWS_2 = [i for i in news(date(2026, 7, 1), date(2026, 10, 30)) if i != WITHDRAWN]
NOTICES_1 = [
    ("关于做好2026年春季防火工作的通知", "/tzgg/t20260220_31.html", date(2026, 2, 20)),
    ("关于开展年度安全生产大检查的通知", "/tzgg/t20260115_30.html", date(2026, 1, 15)),
    ("关于做好2026年元旦春节期间有关工作的通知", "/tzgg/t20251210_29.html", date(2025, 12, 10)),
]
BURST = [
    (f"关于做好第{n}批重点项目申报工作的通知", f"/tzgg/t{d:%Y%m%d}_{40 + n}.html", d)
    for n, d in enumerate([date(2026, 10, 25)] * 2 + [date(2026, 10, 26), date(2026, 10, 27)] * 2, start=1)
]
NOTICES_2 = sorted(BURST, key=lambda i: i[2], reverse=True) + NOTICES_1
OLD_POLICY = ("关于印发县级政务公开工作规范的通知", "/zcwj/t20260305_50.html", date(2026, 3, 5))
REDATED_PATH = "/zcwj/content_88.html"
POLICIES_1 = [
    ("关于进一步规范行政执法公示工作的意见", REDATED_PATH, date(2026, 4, 10)),
    OLD_POLICY,
]
REPOST = (OLD_POLICY[0], "/zcwj/t20261020_61.html", date(2026, 10, 20))
REDATED = (POLICIES_1[0][0], REDATED_PATH, date(2026, 10, 18))
BACKDATED_URL = ("县政务服务中心窗口调整方案", "/zcwj/t20250610_7.html", date(2026, 10, 22))
BACKDATED_PAGE = ("县公共资源交易管理暂行办法", "/zcwj/content_90.html", date(2026, 10, 15))
POLICIES_2 = [BACKDATED_URL, REPOST, REDATED, BACKDATED_PAGE, OLD_POLICY]


def publish(site: StaticSite, news_items: list[Item], notices: list[Item], policies: list[Item], mtime: float) -> None:
    """Write the site as it stands on one inspection day."""
    site.write("/index.html", frame("测试局", "<p>测试局门户网站</p>"), mtime)
    for path, title, items in (("/gzdt/", "工作动态", news_items), ("/tzgg/", "通知公告", notices)):
        site.write(f"{path}index.html", column(title, items), mtime)
        for name, item_path, shown in items:
            site.write(item_path, article(name, shown), mtime)
    site.write("/zcwj/index.html", column("政策文件", policies), mtime)
    for name, item_path, shown in policies:
        if item_path == BACKDATED_PAGE[1]:
            shown = date(2026, 5, 8)  # its own page says when it was really published
        text = body(OLD_POLICY[0]) if name == OLD_POLICY[0] else None  # the re-post is the old text again
        site.write(item_path, article(name, shown, text), mtime)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """Two inspections a month apart; the site changes in between."""
    root = tmp_path_factory.mktemp("register")
    site = StaticSite(root / "www")
    publish(site, NEWS_1, NOTICES_1, POLICIES_1, 1_780_000_000.0)
    base = site.base
    config = write_config(
        root / "cfg",
        "timezone: Asia/Shanghai\ncrawl: {download_timeout: 3}\ndepartments:\n"
        f"  - id: csj\n    name: 测试局\n    site: {base}\n    columns:\n"
        f'      - {{name: 工作动态, url: "{base}gzdt/"}}\n'
        f'      - {{name: 通知公告, url: "{base}tzgg/"}}\n'
        f'      - {{name: 政策文件, url: "{base}zcwj/"}}\n',
    )
    db = root / "g.db"
    first = crawl(config, db, as_of=FIRST)
    publish(site, NEWS_2, NOTICES_2, POLICIES_2, 1_782_000_000.0)
    second = crawl(config, db, as_of=SECOND)
    yield {"base": base, "db": db, "first": first.run_id, "second": second.run_id, "root": root}
    site.server.shutdown()


def suspicions(db: Path, run_id: int) -> dict[tuple[str, str], dict]:
    """The run's suspected 虚假更新 warnings, by (kind, url), with their stored evidence."""
    rows = sqlite_utils.Database(db)["warnings"].rows_where("run_id = ?", [run_id])
    kinds = ("sudden_update", "repost", "backdated")
    return {(r["kind"], r["url"]): json.loads(r["detail"]) for r in rows if r["kind"] in kinds}


def stats(db: Path, *args: str) -> dict:
    result = CliRunner().invoke(cli, ["stats", "--db", str(db), *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_each_item_counts_once_by_category_and_period(runs):
    expected = Counter()
    seen = {i[1]: i for i in [*NEWS_1, *NEWS_2]}
    for _, _, day in seen.values():
        expected[("news", f"{day.year}-Q{(day.month - 1) // 3 + 1}")] += 1
    for _, _, day in NOTICES_2:
        expected[("notice", f"{day.year}-Q{(day.month - 1) // 3 + 1}")] += 1
    # 政策文件: each address once, by the date it was first shown with (the re-dated page stays in April)
    for day in (date(2026, 3, 5), date(2026, 4, 10), date(2026, 10, 20), date(2026, 10, 22), date(2026, 10, 15)):
        expected[("policy", f"2026-Q{(day.month - 1) // 3 + 1}")] += 1
    del expected[("notice", "2025-Q4")]  # outside the year

    numbers = stats(runs["db"], "--year", "2026", "--by", "quarter")
    counted = Counter({(c["category"], c["period"]): c["count"] for c in numbers["cells"]})
    assert counted == expected
    assert numbers["by_category"] == {"news": 41, "notice": 8, "policy": 5}  # 42 briefs, one of them withdrawn
    assert numbers["total"] == 54
    (department,) = numbers["departments"]
    assert (department["name"], department["total"], department["withdrawn"]) == ("测试局", 54, 1)
    assert numbers["runs"] == [FIRST.isoformat(), SECOND.isoformat()]

    october = stats(runs["db"], "--from", "2026-10-01", "--to", "2026-10-31", "--by", "month")
    assert october["by_period"] == {"2026-10": 10 + 6 + 3}  # ten briefs, the burst, three new policy items
    assert october["paragraphs"][0] == (
        "2026年10月，各部门网站共主动公开政府信息 19 条。其中，动态要闻类信息 10 条，"
        "通知公告类信息 6 条，政策文件类信息 3 条。按单位分，测试局 19 条。"
    )
    late = stats(runs["db"], "--from", "2026-10-20", "--to", "2026-10-31")
    assert late["paragraphs"][0].startswith("2026年10月20日至2026年10月31日，各部门网站共主动公开政府信息 ")


def test_a_withdrawn_item_is_marked_with_the_run_that_last_saw_it(runs):
    register = sqlite_utils.Database(runs["db"])["register"]
    (row,) = register.rows_where("url = ?", [runs["base"] + WITHDRAWN[1].lstrip("/")])
    assert (row["last_run"], row["withdrawn_run"], row["withdrawn_seen"]) == (
        runs["first"],
        runs["second"],
        SECOND.isoformat(),
    )
    # items older than the list's shown range are never withdrawn; nothing else was
    assert [r["url"] for r in register.rows_where("withdrawn_run is not null")] == [row["url"]]
    assert register.count == len({i[1] for i in [*NEWS_1, *NEWS_2, *NOTICES_2, *POLICIES_2]})


def test_each_planted_case_is_one_suspicion_with_its_evidence(runs):
    base = runs["base"]
    found = suspicions(runs["db"], runs["second"])
    assert set(found) == {
        ("sudden_update", base + "tzgg/"),
        ("repost", base + REPOST[1].lstrip("/")),
        ("repost", base + REDATED_PATH.lstrip("/")),
        ("backdated", base + BACKDATED_URL[1].lstrip("/")),
        ("backdated", base + BACKDATED_PAGE[1].lstrip("/")),
    }
    burst = found[("sudden_update", base + "tzgg/")]
    assert (burst["before"], burst["start"], burst["end"], burst["count"]) == (
        "2026-02-20",
        "2026-10-25",
        "2026-10-27",
        6,
    )
    assert sorted(i["url"] for i in burst["items"]) == sorted(base + p.lstrip("/") for _, p, _ in BURST)

    repost = found[("repost", base + REPOST[1].lstrip("/"))]
    assert repost["match"] == "title+body"
    assert (repost["item"]["date"], repost["earlier"]["date"]) == ("2026-10-20", "2026-03-05")
    assert repost["earlier"]["url"] == base + OLD_POLICY[1].lstrip("/")
    redated = found[("repost", base + REDATED_PATH.lstrip("/"))]
    assert (redated["match"], redated["earlier"]["date"], redated["item"]["date"]) == (
        "redated",
        "2026-04-10",
        "2026-10-18",
    )

    by_url = found[("backdated", base + BACKDATED_URL[1].lstrip("/"))]
    assert (by_url["source"], by_url["other"], by_url["item"]["date"]) == ("url", "2025-06-10", "2026-10-22")
    by_page = found[("backdated", base + BACKDATED_PAGE[1].lstrip("/"))]
    assert (by_page["source"], by_page["other"], by_page["days"]) == ("page", "2026-05-08", 160)


def test_the_first_run_and_the_ordinary_column_are_suspected_of_nothing(runs):
    assert suspicions(runs["db"], runs["first"]) == {}
    assert not [key for key in suspicions(runs["db"], runs["second"]) if "/gzdt/" in key[1]]


def test_suspicions_are_neither_problems_nor_deductions_until_confirmed(runs):
    db = sqlite_utils.Database(runs["db"])
    types = {r["type"] for r in db["problems"].rows_where("run_id = ?", [runs["second"]])}
    assert not types & {"sudden_update", "repost", "backdated"}
    (score,) = db["scores"].rows_where("run_id = ?", [runs["second"]])
    assert (score["score"], score["passed"]) == (100, 1)


def test_the_bulletin_lists_them_under_early_warnings_with_both_links(runs, tmp_path):
    out = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["report", "--db", str(runs["db"]), "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = lxml_html.fromstring(out.read_bytes())
    headings = [h.text_content() for h in page.iter("h2")]
    assert headings[2] == "三、预警提示"
    text = page.text_content()
    assert "技术监测发现以下 5 处疑似突击更新、旧稿重发、日期倒签或严重表述错误的情况，尚待人工核查" in text
    assert "“通知公告”栏目在2026年2月20日之后 247 天未发布信息，2026年10月25日至2026年10月27日集中发布 6 条信息" in text
    assert (
        "“关于印发县级政务公开工作规范的通知”（发布日期2026年10月20日）与2026年3月5日发布的"
        "“关于印发县级政务公开工作规范的通知”标题和正文均相同"
    ) in text
    assert (
        "“县公共资源交易管理暂行办法”在列表中的发布日期为2026年10月15日，但其文章页显示的发布时间为2026年5月8日，相差 160 天"
        in text
    )
    links = {a.get("href") for a in page.iter("a")}
    base = runs["base"]
    assert {base + REPOST[1].lstrip("/"), base + OLD_POLICY[1].lstrip("/")} <= links  # both items of a re-post


def test_stats_on_the_demo_store_open_in_excel_with_a_chart(demo_run, tmp_path):
    out = tmp_path / "stats.xlsx"
    result = CliRunner().invoke(
        cli, ["stats", "--db", str(demo_run["db"]), "--year", "2026", "--format", "xlsx", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    summary = book.worksheets[0]
    assert summary.title == "按部门和类别"
    header = [c.value for c in summary[1]]
    assert header[0] == "部门" and header[-2:] == ["合计", "其中撤稿"]
    assert "动态要闻类" in header and "通知公告类" in header
    rows = {r[0]: r for r in summary.iter_rows(min_row=2, values_only=True)}
    totals = rows.pop("合计")
    assert totals[header.index("合计")] == sum(r[header.index("合计")] for r in rows.values()) > 0
    assert len(summary._charts) == 1
    assert "县交通运输局" not in rows  # its site never opened: not a department that published nothing
    assert [s.title for s in book.worksheets] == [
        "按部门和类别",
        "按期间",
        "明细",
        "栏目更新节奏",
        "政务咨询回复情况",
        "统计说明",
    ]

    md = CliRunner().invoke(cli, ["stats", "--db", str(demo_run["db"]), "--year", "2026", "--format", "md"])
    paragraph = md.stdout.splitlines()[2]
    assert paragraph.startswith(
        f"2026年，各部门网站共主动公开政府信息 {totals[header.index('合计')]} 条。其中，动态要闻类信息 "
    )
    assert "按单位分，" in paragraph and paragraph.endswith("条。")
    assert "县交通运输局网站的栏目列表未能读取，未统计在内（不是没有发布信息）。" in md.stdout
    docx = tmp_path / "stats.docx"
    args = ["stats", "--db", str(demo_run["db"]), "--year", "2026", "--format", "docx", "-o", str(docx)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    assert paragraph in [p.text for p in Document(str(docx)).paragraphs]  # the same prose, ready for the report


def test_a_confirmed_suspicion_is_a_problem_and_a_dismissed_one_is_gone(runs, tmp_path):
    db = tmp_path / "reviewed.db"
    with sqlite3.connect(runs["db"]) as source, sqlite3.connect(db) as copy:
        source.backup(copy)
    store = Store(db)
    findings = [
        (f["type"], f.get("url") or f.get("column_url"), f.get("set_aside"))
        for f in open_findings(store, runs["second"])
    ]
    store.close()
    assert {why for *_, why in findings} == {"unconfirmed"}  # listed for review, counted nowhere yet
    base = runs["base"]
    backdated = findings.index(("backdated", base + BACKDATED_URL[1].lstrip("/"), "unconfirmed")) + 1
    burst = findings.index(("sudden_update", base + "tzgg/", "unconfirmed")) + 1
    runner = CliRunner()
    for number, decision, *reason in ((backdated, "确认"), (burst, "不予认定", "--reason", "已知例外")):
        result = runner.invoke(
            cli, ["review", "decide", "--db", str(db), str(number), decision, *reason, "--by", "李四"]
        )
        assert result.exit_code == 0, result.output

    data = json.loads(runner.invoke(cli, ["report", "--db", str(db), "--format", "json"]).stdout)
    (problem,) = [p for p in data["problems"] if p["type"] == "backdated"]
    assert problem["url"] == base + BACKDATED_URL[1].lstrip("/") and problem["state"] == "new"
    assert problem["detail"].startswith("“县政务服务中心窗口调整方案”在列表中的发布日期为2026年10月22日")
    (department,) = data["departments"]
    assert (department["passed"], department["veto"]) == (False, ["faked"])  # 伪造发稿日期: a veto once confirmed
    kinds = Counter(w["kind"] for w in data["warnings"] if w["kind"] in ("sudden_update", "repost", "backdated"))
    assert kinds == {"repost": 2, "backdated": 1}  # the dismissed burst and the confirmed one left the 预警

    notices = tmp_path / "notices"
    for fmt in ("html", "xlsx"):
        args = [
            "report",
            "--db",
            str(db),
            "--format",
            fmt,
            "-o",
            str(tmp_path / f"r.{fmt}"),
            "--per-department",
            str(notices),
        ]
        result = runner.invoke(cli, args)
        assert result.exit_code == 0, result.output
    notice = lxml_html.fromstring((notices / "csj.html").read_bytes())
    text = notice.text_content()
    assert "（一）日期倒签（1）" in text and "整改要求：请核实并更正信息的发布日期" in text
    assert base + BACKDATED_URL[1].lstrip("/") in {a.get("href") for a in notice.iter("a")}
    assert "旧稿重发" not in text and "突击更新" not in text  # unconfirmed or dismissed: not the department's to fix
    sheets = openpyxl.load_workbook(tmp_path / "r.xlsx").sheetnames
    assert "日期倒签" in sheets


def test_a_site_cut_short_by_the_page_limit_is_counted_as_far_as_read_and_said_so(tmp_path):
    site = StaticSite(tmp_path / "www")
    try:
        publish(site, NEWS_1, NOTICES_1, POLICIES_1, 1_780_000_000.0)
        config = write_config(
            tmp_path / "cfg",
            "timezone: Asia/Shanghai\ncrawl: {download_timeout: 3, max_pages_per_site: 8}\ndepartments:\n"
            f"  - id: csj\n    name: 测试局\n    site: {site.base}\n    columns:\n"
            f'      - {{name: 工作动态, url: "{site.base}gzdt/"}}\n',
        )
        crawl(config, tmp_path / "g.db", as_of=FIRST)
    finally:
        site.server.shutdown()
    numbers = stats(tmp_path / "g.db", "--year", "2026")
    assert numbers["truncated"] == ["csj"]
    assert "测试局网站的检查达到抓取页数上限，部分栏目只统计到已读取的页面，实际数字可能更多。" in numbers["paragraphs"]
    assert numbers["total"] == len(NEWS_1)  # the column's list was read whole; its articles were not all fetched


def _listed(url: str, date_raw: str | None, source: str | None) -> dict:
    """An item row as a run stores it, without a page of its own."""
    row = dict.fromkeys(("page_raw", "page_source", "written_raw", "fingerprint"))
    return {
        **row,
        "url": url,
        "column_url": "http://x/zcwj/",
        "title": "某某办法",
        "date_raw": date_raw,
        "date_source": source,
    }


def _seen(rows: list[list[dict]], days: list[date]) -> dict:
    """The register after each run of ``rows`` read on ``days``."""
    books: dict = {}
    columns = {"http://x/zcwj/": ("政策文件", "policy")}
    for run_id, (listed, day) in enumerate(zip(rows, days, strict=True), start=1):
        changed = update("csj", books, listed, columns, set(columns), (run_id, day.isoformat()), day)
        books |= {r["url"]: r for r in changed}
    return books


def test_a_date_read_from_a_better_place_or_a_year_less_date_read_again_is_no_re_dating():
    url = "http://x/zcwj/t20260110_1.html"
    moved = _seen(
        [
            [_listed(url, None, None) | {"date_raw": "2026-01-10", "date_source": "url"}],
            [_listed(url, "2026-03-02", "list")],
        ],
        [date(2026, 3, 5), date(2026, 3, 12)],
    )[url]
    assert (moved["first_date"], moved["date"]) == ("2026-03-02", "2026-03-02")  # the list's date, not a re-date
    plain = "http://x/zcwj/content_1.html"
    yearless = _seen(
        [[_listed(plain, "12-28", "list")], [_listed(plain, "12-28", "list")]], [date(2026, 12, 30), date(2027, 1, 6)]
    )[plain]
    assert (yearless["first_date"], yearless["date"]) == ("2026-12-28", "2026-12-28")
    old = "http://x/zcwj/t20241220_3.html"  # first read two years on: its address says which 12-20
    placed = _seen([[_listed(old, "12-20", "list")]], [date(2026, 12, 25)])[old]
    assert (placed["date"], placed["list_date"]) == ("2024-12-20", None)  # never compared for 日期倒签
    redated = _seen(
        [[_listed(url, "2026-01-10", "list")], [_listed(url, "2026-03-02", "list")]],
        [date(2026, 3, 1), date(2026, 3, 8)],
    )[url]
    assert (redated["first_date"], redated["date"]) == ("2026-01-10", "2026-03-02")  # the list shows a new date


RULES = FakeFreshness.model_validate(load_tables().rules["fake_freshness"])


def _item(n: int, day: str, title: str, category: str = "notice", body: str | None = None) -> dict:
    """A register row of column 通知公告, first seen on its own date."""
    return {
        "url": f"http://x/tzgg/{n}.html",
        "column_url": "http://x/tzgg/",
        "column": "通知公告",
        "category": category,
        "title": title,
        "date": day,
        "first_date": day,
        "first_seen": day,
        "fingerprint": body,
        "list_date": day,
        "url_date": None,
        "page_date": None,
    }


def test_a_monthly_series_of_one_title_and_a_yearly_budget_batch_are_suspected_of_nothing():
    as_of = date(2026, 11, 30)
    series = [_item(n, f"2026-{n:02d}-05", "全县行政许可事项办理情况公示", body=f"第{n}月") for n in range(7, 12)]
    assert freshness.suspicions("csj", series, {"http://x/tzgg/": 182}, RULES, as_of) == []
    unread = [{**row, "fingerprint": None} for row in series]  # bodies unknown: a title shared by five is a series
    assert freshness.reposts("csj", unread, RULES, as_of) == []
    budget = [_item(1, "2025-10-20", "2025年部门预算公开", "finance")] + [
        _item(n, "2026-10-25", f"2026年第{n}项部门预算公开说明", "finance") for n in range(2, 8)
    ]
    assert freshness.sudden_updates("csj", budget, {"http://x/tzgg/": 365}, RULES, as_of) == []
    notices = [{**row, "category": "notice"} for row in budget]  # the same burst where it is not seasonal
    assert [p.type for p in freshness.sudden_updates("csj", notices, {"http://x/tzgg/": 182}, RULES, as_of)] == [
        "sudden_update"
    ]


def test_pinned_old_items_do_not_make_a_shorter_read_withdraw_anything():
    pinned = [_listed(f"http://x/zcwj/top{n}.html", f"2019-0{n}-01", "list") for n in (1, 2, 3)]
    dated = [_listed(f"http://x/zcwj/t{n}.html", f"2026-{n:02d}-10", "list") for n in range(1, 11)]
    books = _seen([pinned + dated, pinned + dated[-4:]], [date(2026, 11, 1), date(2026, 11, 8)])
    withdrawn = sorted(url for url, row in books.items() if row["withdrawn_run"])
    assert withdrawn == []  # the second read reaches back to 07-10 at most: nothing older is gone
    books = _seen([pinned + dated, pinned + dated[:5] + dated[6:]], [date(2026, 11, 1), date(2026, 11, 8)])
    assert [url for url, row in books.items() if row["withdrawn_run"]] == ["http://x/zcwj/t6.html"]


def test_a_confirmed_burst_does_not_confirm_a_later_one_in_its_column():
    rules = review_rules(load_tables().rules)
    burst = freshness.sudden_updates(
        "csj",
        [_item(1, "2026-01-05", "关于春节值班安排的通知")]
        + [_item(n, "2026-10-25", f"关于第{n}批项目申报的通知") for n in range(2, 8)],
        {"http://x/tzgg/": 182},
        RULES,
        date(2026, 11, 30),
    )[0]
    finding = asdict(burst)
    confirmed = {"decision": "confirmed", "evidence": evidence_of(rules, finding)}
    assert set_aside(rules, finding, confirmed, False) is None  # confirmed: a problem
    later = {**finding, "last_updated": "2027-06-01"}
    assert set_aside(rules, later, confirmed, False) == "unconfirmed"  # another burst waits for its own review


def test_the_dashboard_lists_the_suspicions_and_the_same_numbers(runs, tmp_path):
    db = tmp_path / "served.db"
    with sqlite3.connect(runs["db"]) as source, sqlite3.connect(db) as copy:
        source.backup(copy)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gongkai = str(Path(sys.executable).with_name("gongkai"))
    server = subprocess.Popen([gongkai, "serve", "--db", str(db), "--port", str(port)], stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(base)
        front = lxml_html.fromstring(urllib.request.urlopen(base + "/", timeout=10).read())
        table = front.get_element_by_id("suspicions")
        assert len(table.findall(".//tr")) == 1 + 5  # the header and the five planted cases
        links = {a.get("href") for a in table.iter("a")}
        assert {runs["base"] + REPOST[1].lstrip("/"), runs["base"] + OLD_POLICY[1].lstrip("/")} <= links
        page = lxml_html.fromstring(
            urllib.request.urlopen(base + "/-/gongkai/stats?year=2026&by=quarter", timeout=10).read()
        )
        shown = [p.text_content() for p in page.get_element_by_id("paragraph").iter("p")]
        assert shown == stats(db, "--year", "2026", "--by", "quarter")["paragraphs"]
    finally:
        server.terminate()
        server.wait(timeout=30)

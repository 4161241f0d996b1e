"""A real crawl of the demo sites finds every planted problem and nothing else."""

from __future__ import annotations

from click.testing import CliRunner
from lxml import html as lxml_html

from monitor.cli import cli
from monitor.store import Store


def test_every_planted_problem_is_reported_and_nothing_else(demo_run):
    problems = demo_run["data"]["problems"]
    found = {
        (p["department"], p["type"], p["column"], _path(p["column_url"] or p["url"]), _path(p["source_url"]))
        for p in problems
    }
    assert found == {
        ("jyj", "column_stale", "通知公告", "/xxgk/tzgg/", None),
        ("jyj", "column_empty", "人事信息", "/xxgk/rsxx/", None),
        ("jyj", "broken_link", None, "/xxgk/tzgg/P020260301_1.pdf", "/xxgk/tzgg/202603/t20260317_1000.html"),
        ("wjw", "homepage_stale", None, "/", None),
        ("wjw", "column_stale", "卫生动态", "/zwgk/wsdt/", None),
        ("wjw", "column_empty", "财政资金", "/zwgk/czzj/", None),
        ("wjw", "interaction_unanswered", "在线咨询", "/zwgk/zxzx/", None),
        ("wjw", "broken_link", None, "http://archive.gongkai-demo.invalid/old-policy.html", "/"),
        ("wjw", "broken_link", None, "/zwgk/tzgg/2019/notice.html", "/zwgk/tzgg/202610/t20261018_1003.html"),
        ("jtj", "site_unreachable", None, "/", None),
    }
    assert len(problems) == len(found)
    assert all(p["state"] == "new" and p["first_seen"] == "2026-11-22" for p in problems)


def _path(url: str | None) -> str | None:
    if url is None or not url.startswith("http://127.0.0.1"):
        return url
    return "/" + url.split("/", 3)[3]


def _one(demo_run, **match) -> dict:
    rows = [p for p in demo_run["data"]["problems"] if all(p[k] == v for k, v in match.items())]
    assert len(rows) == 1, rows
    return rows[0]


def test_stale_column_row_says_how_old_and_what_limit(demo_run):
    row = _one(demo_run, type="column_stale", column="通知公告")
    assert (row["category"], row["last_updated"], row["age_days"], row["threshold_days"]) == (
        "notice",
        "2026-03-17",
        250,
        182,
    )
    news = _one(demo_run, type="column_stale", column="卫生动态")
    assert (news["category"], news["age_days"], news["threshold_days"]) == ("news", 30, 14)


def test_broken_attachment_row_names_page_and_link_text(demo_run):
    row = _one(demo_run, type="broken_link", department="jyj")
    assert row["status"] == "404"
    assert row["anchor_text"] == "附件1：报名表.pdf"
    assert row["on_homepage"] is False
    assert "3 次检测均失败" in row["detail"]
    assert row["source_place"] == "body:4"  # in the article's text, the page's fourth link


def test_a_dead_link_says_where_on_its_page_it_is(demo_run, tmp_path):
    row = _one(demo_run, type="broken_link", url="http://archive.gongkai-demo.invalid/old-policy.html")
    assert row["source_place"].startswith("footer:")  # the homepage's 友情链接 block
    folder = tmp_path / "notices"
    result = CliRunner().invoke(
        cli,
        [
            "report",
            "--db",
            str(demo_run["db"]),
            "--format",
            "html",
            "--per-department",
            str(folder),
            "-o",
            str(tmp_path / "s.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    notice = lxml_html.fromstring((folder / "wjw.html").read_bytes()).text_content()
    assert f"页脚第 {row['source_place'].split(':')[1]} 个链接" in notice


def test_dead_external_link_on_homepage_is_a_dns_failure(demo_run):
    row = _one(demo_run, type="broken_link", url="http://archive.gongkai-demo.invalid/old-policy.html")
    assert (row["status"], row["on_homepage"], row["anchor_text"]) == ("dns", True, "县政策文件库（旧）")


def test_page_that_says_it_does_not_exist_is_a_soft_404(demo_run):
    row = _one(demo_run, type="broken_link", status="soft_404")
    assert row["url"].endswith("/zwgk/tzgg/2019/notice.html")


def test_unreachable_site_is_reported_with_the_failure(demo_run):
    row = _one(demo_run, type="site_unreachable")
    assert row["status"] == "connection_refused"


def test_script_rendered_column_is_a_warning_not_an_empty_column(demo_run):
    warnings = demo_run["data"]["warnings"]
    assert [(w["department"], w["kind"], _path(w["url"])) for w in warnings] == [
        ("wjw", "unparsed_column", "/zwgk/zcjd/"),
        ("wjw", "suspect_wording", "/zwgk/tzgg/202610/t20261028_1001.html"),  # 截止目前: for a reviewer
    ]
    states = {c["name"]: c["state"] for c in demo_run["data"]["columns"] if c["department"] == "wjw"}
    assert states["政策解读"] == "unparsed"


def test_column_inventory_counts_items_across_all_list_pages(demo_run):
    columns = {(c["department"], c["name"]): (c["items"], c["state"]) for c in demo_run["data"]["columns"]}
    assert columns == {
        ("jyj", "工作动态"): (60, "ok"),  # index.html, index_1.html, index_2.html
        ("jyj", "通知公告"): (12, "stale"),
        ("jyj", "政策文件"): (20, "ok"),
        ("jyj", "人事信息"): (0, "empty"),
        ("wjw", "通知公告"): (30, "ok"),  # discovered; page 2 through 下一页
        ("wjw", "卫生动态"): (25, "stale"),
        ("wjw", "规划计划"): (6, "ok"),
        ("wjw", "财政资金"): (0, "empty"),
        ("wjw", "政策解读"): (0, "unparsed"),
        ("wjw", "在线咨询"): (3, "ok"),  # a 政务咨询 channel: only checked for emptiness and its replies
    }


def test_links_that_recover_or_redirect_are_not_broken(demo_run):
    store = Store(demo_run["db"])
    checks = {_path(r["url"]): r for r in store.rows("checks", demo_run["run_id"])}
    store.close()
    flaky = checks["/xxgk/jdhy.html"]  # answers 503 once, then 200
    assert (flaky["outcome"], flaky["attempts"]) == ("ok", 2)
    moved = checks["/old/zcwj.html"]  # 301 to the policy column
    assert moved["outcome"] == "ok" and moved["final_url"].endswith("/xxgk/zcwj/")
    assert checks["/xxgk/zcwj/P020260302_1.pdf"]["outcome"] == "ok"


def test_javascript_mailto_and_anchor_links_are_never_requested(demo_run):
    store = Store(demo_run["db"])
    urls = [r["url"] for r in store.rows("checks", demo_run["run_id"])]
    linked = [r["url"] for r in store.rows("links", demo_run["run_id"])]
    store.close()
    for url in urls + linked:
        assert url.startswith("http"), url
        assert "#" not in url
    logged = [path for site in demo_run["sites"] for _, path in site.server.log]
    assert not any("mailto" in p or "javascript" in p or "#" in p for p in logged)

"""The list reader and page classifier on real saved government pages and small synthetic ones.

Real pages are read in place from tests/fixtures/real/ (see its README for provenance).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from common.tables import load_tables
from crawler.pages import Answer, PageMarkers, PageView, empty_marker, is_challenge, judge, soft_404_reason
from crawler.readers import list_stem, read_column, read_homepage

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
MARKERS = PageMarkers.from_table(load_tables().markers)


def _view(body: bytes | str, url: str = "https://www.example.gov.cn/xxgk/tzgg/") -> PageView:
    data = body.encode("utf-8") if isinstance(body, str) else body
    return PageView.of(HtmlResponse(url, body=data, headers={"Content-Type": "text/html"}))


def _real(name: str) -> PageView:
    return _view((REAL / name).read_bytes(), "https://scjg.hubei.gov.cn/")


def test_real_trs_homepage_yields_its_dated_items():
    view = _real("trs/hubei-scjg-homepage-2023.html")
    entries = read_homepage(view)
    assert len(entries) >= 40
    assert all(e.date_raw for e in entries)
    first = entries[0]
    assert first.url == "https://scjg.hubei.gov.cn/bmdt/zjyw/202307/t20230721_4762393.shtml"
    assert first.title.startswith("锂电池、充电宝")  # the full @title, not the truncated text
    # The newest date sits in a <span> inside the link itself.
    assert max(e.date_raw for e in entries) == "2023-07-31"


@pytest.mark.parametrize("status", [200, 202, 412])
@pytest.mark.parametrize("name", sorted(p.name for p in (REAL / "antibot").iterdir()))
def test_real_challenge_pages_are_recognised_whatever_their_status(name, status):
    view = _view((REAL / "antibot" / name).read_bytes())
    assert is_challenge(view, status, MARKERS)


# Synthetic, shaped like the real 瑞数 pages above: the variant written with single
# quotes, whose $_ts loader is an external script, answered with HTTP 202.
RUISHU_SINGLE_QUOTED = (
    "<!DOCTYPE html><html><head><meta http-equiv='Content-Type' content='text/html; charset=utf-8'>"
    "<meta content='q0Xn7YfB1rPTvJ6Gm2c9' r='m'><script type='text/javascript' r='m'></script>"
    "<script type='text/javascript' charset='utf-8' src='/4QbVtADbnLVI/c.FxJzG50F.dfe1675.js' r='m'></script>"
    "</head><body></body></html>"
)


def test_a_single_quoted_ruishu_challenge_answered_with_202_is_blocked():
    view = _view(RUISHU_SINGLE_QUOTED.encode())
    answer = Answer("https://example.gov.cn/col/", "https://example.gov.cn/col/", 202, "column", view)
    assert judge(answer, MARKERS, "https://example.gov.cn/").outcome == "blocked"


# Synthetic, shaped like 加速乐's answer: HTTP 521, a script that spells out the
# __jsl_clearance cookie and loads the page again, no text at all.
JIASULE_521 = (
    "<html><body><script>document.cookie=('_')+('_')+('j')+('s')+('l')+('_')+('c')+('l')+('e')+('a')+('r')"
    "+('a')+('n')+('c')+('e')+('_')+('s')+('=')+(-~[]+'')+('|')+(+[]+'')+('|');"
    "location.href=location.pathname+location.search</script></body></html>"
)


@pytest.mark.parametrize("role", ["column", "check"])
def test_a_jiasule_cookie_script_answered_with_521_is_blocked_not_broken(role):
    view = _view(JIASULE_521.encode())
    answer = Answer("https://example.gov.cn/col/", "https://example.gov.cn/col/", 521, role, view)
    assert judge(answer, MARKERS, "https://example.gov.cn/").outcome == "blocked"


def test_a_short_page_that_sets_a_cookie_and_moves_on_is_the_sites_own():
    stub = _view(
        "<html><body><p>正在跳转到中文版……</p><script>document.cookie='lang=zh';"
        "window.location.href='/zh/';</script></body></html>".encode()
    )
    answer = Answer("https://example.gov.cn/", "https://example.gov.cn/", 200, "homepage", stub)
    assert judge(answer, MARKERS, "https://example.gov.cn/").outcome == "ok"


def test_a_challenge_known_only_by_its_status_and_loader_is_blocked():
    # No signature at all: a 412 whose page is nothing but an external script.
    bare = b"<html><head><script src='/a1b2c3.js'></script></head><body></body></html>"
    answer = Answer("https://example.gov.cn/col/", "https://example.gov.cn/col/", 412, "column", _view(bare))
    assert judge(answer, MARKERS, "https://example.gov.cn/").outcome == "blocked"
    # The same status with a page that says something is the site's answer, not a challenge.
    said = _view("<html><body><p>请求的参数不正确，请返回上一页重新提交。</p><script></script></body></html>".encode())
    said_answer = Answer("https://example.gov.cn/col/", "https://example.gov.cn/col/", 412, "column", said)
    assert judge(said_answer, MARKERS, "https://example.gov.cn/").outcome == "broken"


@pytest.mark.parametrize(
    "name",
    [
        "ucap/gansu-scjg-detail-2022.shtml.html",
        "ucap/gansu-jyt-zwgklist-commented-list.html",
        "ucap/gansu-scjg-guestweb4-search-results.html",
        "trs/hubei-scjg-homepage-2023.html",
        "hanweb/lishui-szfwj-detail-jcms-2023.html",
    ],
)
def test_real_content_pages_behind_the_same_firewall_are_not_challenges(name):
    # Pages fetched through a Ruishu cookie carry the same injected script, but show content.
    view = _real(name)
    assert not is_challenge(view, 200, MARKERS)
    assert soft_404_reason(view.title, view.text, MARKERS) is None


def test_list_is_the_dated_group_not_the_menu():
    view = _view(
        """<html><body><ul class="menu"><li><a href="/a/">通知公告</a></li><li><a href="/b/">政策文件</a></li>
        <li><a href="/c/">人事信息</a></li></ul>
        <ul class="list"><li><a href="./202603/t20260301_1.html" title="关于开展检查的通知（全文）">关于开展检查的通知</a>
        <span>2026-03-01</span></li><li><a href="./202602/t20260210_2.html">二月通知</a><span>[02-10]</span></li>
        <li><a href="./202601/t20260105_3.html">一月通知</a></li></ul></body></html>"""
    )
    reading = read_column(view, MARKERS, list_stem(view.url))
    assert [(e.title, e.date_raw, e.date_source) for e in reading.entries] == [
        ("关于开展检查的通知（全文）", "2026-03-01", "list"),
        ("二月通知", "02-10", "list"),
        ("一月通知", "2026-01-05", "url"),  # only the URL carries a date: a recorded fallback
    ]
    assert reading.entries[0].url == "https://www.example.gov.cn/xxgk/tzgg/202603/t20260301_1.html"


def test_later_pages_come_from_pager_links_trs_script_and_next_links():
    view = _view(
        """<html><body><ul><li><a href="1.html">一</a><span>2026-03-01</span></li></ul>
        <a href="index_1.html">2</a> <a href="index_2.html">3</a> <a href="../other/index_1.html">x</a>
        <a href="list.jsp?page=2">下一页</a>
        <script>createPageHTML(5, 0, "index", "html");</script></body></html>""",
        "https://www.example.gov.cn/xxgk/tzgg/index.html",
    )
    reading = read_column(view, MARKERS, list_stem(view.url))
    base = "https://www.example.gov.cn/xxgk/tzgg/"
    assert {p.url for p in reading.next_pages} == {
        base + "list.jsp?page=2",
        base + "index_1.html",
        base + "index_2.html",
        base + "index_3.html",
        base + "index_4.html",
    }


def test_channel_suffixed_trs_index_is_not_read_as_a_page_number():
    url = "https://www.example.gov.cn/zfwj/index_11287.shtml"
    view = _view(
        '<html><body><ul><li><a href="a.html">一</a><span>2026-03-01</span></li></ul>'
        '<script>createPageHTML(3, 0, "index_11287", "shtml");</script></body></html>',
        url,
    )
    reading = read_column(view, MARKERS, list_stem(url))
    assert [p.url for p in reading.next_pages] == [
        "https://www.example.gov.cn/zfwj/index_11287_1.shtml",
        "https://www.example.gov.cn/zfwj/index_11287_2.shtml",
    ]


def test_empty_marker_and_soft_404_phrases_come_from_config():
    empty = _view("<html><body><h2>人事信息</h2><ul></ul><p>暂无信息</p></body></html>")
    assert empty_marker(empty.text, MARKERS) == "暂无信息"
    gone = _view("<html><head><title>页面不存在</title></head><body>对不起</body></html>")
    assert soft_404_reason(gone.title, gone.text, MARKERS) == "页面不存在"
    error = _view("<html><head><title>404</title></head><body>对不起，出错了</body></html>")
    assert soft_404_reason(error.title, error.text, MARKERS) == "404"  # a bare 404 title on an empty page
    article = _view("<html><head><title>第404号公告</title></head><body>" + "正文" * 400 + "</body></html>")
    assert soft_404_reason(article.title, article.text, MARKERS) is None  # an article numbered 404 is content
    numbered = _view("<html><head><title>工作动态1404</title></head><body>短</body></html>")
    assert soft_404_reason(numbered.title, numbered.text, MARKERS) is None  # 404 inside a longer number
    long_page = _view("<html><head><title>通知</title></head><body>" + "页面不存在" + "正文" * 400 + "</body></html>")
    assert soft_404_reason(long_page.title, long_page.text, MARKERS) is None


def test_gbk_page_declared_in_meta_reads_as_chinese():
    body = '<html><head><meta charset="gbk"><title>通知公告</title></head><body>暂无数据</body></html>'.encode("gbk")
    view = PageView.of(HtmlResponse("https://www.example.gov.cn/", body=body))
    assert view.title == "通知公告"
    assert empty_marker(view.text, MARKERS) == "暂无数据"

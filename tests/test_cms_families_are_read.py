"""Lists of the CMS families real government sites run on are read in full.

Real saved pages (tests/fixtures/real/, provenance in its README) test the readers directly; a local site
serving one column per family tests the crawl: every item, date and later page.
Pages of the local site are synthetic, written in each family's style.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from conftest import AS_OF, crawl, write_config
from lxml import html as lxml_html
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from sites import html

from common.tables import load_tables
from common.wording import wording
from crawler.links import Regions
from crawler.pages import PageMarkers, PageView
from crawler.readers import detail_date, list_stem, read_article, read_column
from crawler.readers.detail import Article
from monitor.demo.server import Route, SiteServer
from monitor.store import Store

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
MARKERS = PageMarkers.from_table(load_tables().markers)
DATAPROXY = "https://gxt.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp"
FORM = (("col", "1"), ("columnid", "80179"), ("unitid", "415046"), ("webid", "23"))


def _read(name: str, url: str, kind: type = HtmlResponse, form=None):
    content_type = {XmlResponse: "text/xml", TextResponse: "application/json"}.get(kind, "text/html")
    view = PageView.of(kind(url, body=(REAL / name).read_bytes(), headers={"Content-Type": content_type}))
    return read_column(view, MARKERS, list_stem(url), form)


# Real pages ---------------------------------------------------------------------------


def test_real_hanweb_dataproxy_group_gives_every_record_and_the_next_post():
    reading = _read(
        "hanweb/jiangsu-gxt-dataproxy-page1.xml",
        f"{DATAPROXY}?startrecord=1&endrecord=75&perpage=25",
        XmlResponse,
        FORM,
    )
    assert reading.reader == "hanweb-dataproxy"
    assert len(reading.entries) == 76 and reading.dated == 76
    first = reading.entries[0]
    assert first.url == "https://gxt.jiangsu.gov.cn/art/2025/10/29/art_80179_11664839.html"
    assert first.title == "省政府办公厅印发关于进一步支持专精特新中小企业高质量发展若干政策措施的通知"
    assert first.date_raw == "2025-10-29"
    assert [(p.url, p.formdata) for p in reading.next_pages] == [
        (f"{DATAPROXY}?startrecord=76&endrecord=150&perpage=25", tuple(sorted(FORM)))
    ]


def test_real_hanweb_later_group_and_last_group():
    reading = _read(
        "hanweb/jiangsu-gxt-dataproxy-page5.xml",
        f"{DATAPROXY}?startrecord=301&endrecord=375&perpage=25",
        XmlResponse,
        FORM,
    )
    assert (reading.entries[0].date_raw, reading.entries[-1].date_raw) == ("2022-03-10", "2020-09-27")
    last = _read(
        "hanweb/jiangsu-gxt-dataproxy-page5.xml",
        f"{DATAPROXY}?startrecord=751&endrecord=825&perpage=25",
        XmlResponse,
        FORM,
    )
    assert last.next_pages == []  # totalrecord is 756


def test_real_commented_out_list_and_its_pager_are_read():
    reading = _read(
        "ucap/gansu-jyt-zwgklist-commented-list.html", "https://jyt.gansu.gov.cn/jyt/c110634/zwgklist.shtml"
    )
    assert reading.reader == "commented"
    assert len(reading.entries) == 20 and reading.dated == 20
    assert reading.entries[0].url == "https://jyt.gansu.gov.cn/jyt/c110634/202511/174240943.shtml"
    assert reading.entries[0].date_raw == "2025-11-17"
    # createPageHTML('page_div',10, 1,'zwgklist','shtml',200): ten pages, counted from 1.
    assert [p.url.rsplit("/", 1)[1] for p in reading.next_pages] == [f"zwgklist_{k}.shtml" for k in range(2, 11)]


def test_real_list_in_a_script_variable_is_read():
    reading = _read(
        "ucap/jiangxi-sthjt-col-listData-handlebars.html",
        "https://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/index.html",
    )
    assert reading.reader == "script-data"
    assert len(reading.entries) == 50 and reading.dated == 50
    first = reading.entries[0]
    assert first.url == ("https://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/content/content_1951206363677671424.html")
    assert first.title == "《江西省生态环境分类执法监管办法》政策解读"
    assert first.date_raw == "2025-07-29 16:59"


def test_real_trs_json_feed_uses_the_publication_date_not_the_url_date():
    reading = _read(
        "trs/hubei-scjg-zcwj-list-zcwj.json", "https://scjg.hubei.gov.cn/zfxxgk/zcwj/qtwj/zcwj.json", TextResponse
    )
    assert reading.reader == "json-feed"
    assert len(reading.entries) == 429 and reading.dated == 429
    row = next(e for e in reading.entries if e.url.endswith("t20230908_4831205.shtml"))
    assert row.date_raw.startswith("2023-09-05")  # PUBDATE; DOCRELTIME and the URL say 09-08


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("ucap/gansu-scjg-detail-2022.shtml.html", ("2022-05-06", "detail")),  # the PubDate meta says 2023-04-18
        ("hanweb/lishui-szfwj-detail-jcms-2023.html", ("2023-10-23", "detail")),  # 成文日期 is 2023-10-16
        ("hanweb/zj-fgw-detail-jcms-2016.html", ("2016-11-22", "detail")),  # Maketime is 2019-03-22
        ("trs/shanxi-gov-detail-2019.html", ("2019-09-18", "detail")),
        ("trs/cmse-detail-2021.html", ("2021-01-05", "detail")),
        ("trs/hubei-scjg-zcwj-detail-2023.shtml.html", ("2023-08-28", "detail")),
        ("spa/nfra-xzcf-detail-rendered.html", ("2024-07-12", "detail")),  # not a sidebar's 留言时间
        ("ucap/govcn-gongbao-detail.html", ("2007-08-20", "meta")),  # only firstpublishedtime
    ],
)
def test_real_detail_pages_give_their_publication_date(name, expected):
    view = PageView.of(HtmlResponse("https://www.example.gov.cn/a.html", body=(REAL / name).read_bytes()))
    raw, source = detail_date(view.root, view.text)
    assert (raw[:10], source) == expected


DETAILS = [
    "ucap/gansu-scjg-detail-2022.shtml.html",
    "hanweb/lishui-szfwj-detail-jcms-2023.html",
    "hanweb/zj-fgw-detail-jcms-2016.html",
    "trs/shanxi-gov-detail-2019.html",
    "trs/cmse-detail-2021.html",
    "trs/hubei-scjg-zcwj-detail-2023.shtml.html",
]


def _article(source: bytes, url: str = "https://www.example.gov.cn/a.html") -> Article | None:
    view = PageView.of(HtmlResponse(url, body=source))
    return read_article(view.root, view.text, Regions(MARKERS.link_regions))


def test_real_articles_each_have_a_fingerprint_of_their_own_body():
    articles = {name: _article((REAL / name).read_bytes()) for name in DETAILS}
    prints = {name: a.fingerprint for name, a in articles.items() if a is not None}
    assert set(prints) == set(DETAILS) and None not in prints.values()
    assert len(set(prints.values())) == len(DETAILS)  # no two articles alike
    assert articles["hanweb/lishui-szfwj-detail-jcms-2023.html"].written_raw.startswith("2023-10-16")  # 成文日期


def test_a_fingerprint_ignores_the_navigation_and_follows_the_body():
    name = "trs/shanxi-gov-detail-2019.html"
    source = (REAL / name).read_bytes()
    page = lxml_html.fromstring(source)
    before = _article(source).fingerprint
    nav = page.makeelement("div", {"class": "nav"})
    nav.append(page.makeelement("p"))
    nav[0].text = "新增的导航栏目：政务服务、互动交流、数据开放、专题专栏、政府信息公开目录" * 2
    page.body.insert(0, nav)
    assert _article(lxml_html.tostring(page, encoding="utf-8")).fingerprint == before  # site furniture changed
    body = max(page.iter("p"), key=lambda p: len(p.text_content()))
    body.text = (body.text or "") + "（本文有改动）"
    assert _article(lxml_html.tostring(page, encoding="utf-8")).fingerprint != before


# A local site with one column per family -------------------------------------------------

ENCODED_TITLE = "关于张喆同志任职的通知"  # 喆 is in GBK but not in GB2312


def _li(path: str, title: str, day: date | None, tag: str = "span") -> str:
    when = f"<{tag}>{day.isoformat()}</{tag}>" if day else ""
    return f'<li><a href="{path}" title="{title}">{title}</a>{when}</li>'


def _trs(routes: dict[str, Route]) -> None:
    """通知公告: 45 items on index.html, index_1.html, index_2.html, announced only by the pager script."""
    days = [AS_OF - timedelta(days=i) for i in range(45)]
    for page, chunk in enumerate([days[:20], days[20:40], days[40:]]):
        rows = "".join(_li(f"./{d:%Y%m}/t{d:%Y%m%d}_{1000 + i}.html", f"通知{d}", d) for i, d in enumerate(chunk))
        script = f'<script>createPageHTML(3, {page}, "index", "html");</script>'
        path = "/xxgk/tzgg/" if page == 0 else f"/xxgk/tzgg/index_{page}.html"
        routes[path] = html("通知公告", f'<ul class="list">{rows}</ul><div id="page"></div>{script}')
    # 政府文件: a channel-suffixed index (index_11287.shtml, page 2 index_11287_1.shtml).
    for page, count in enumerate([10, 4]):
        rows = "".join(_li(f"./2026{page}{i}.html", f"文件{page}-{i}", AS_OF - timedelta(days=3)) for i in range(count))
        script = f'<script>createPageHTML(2, {page}, "index_11287", "shtml");</script>'
        path = "/zfwj/index_11287.shtml" if page == 0 else "/zfwj/index_11287_1.shtml"
        routes[path] = html("政府文件", f"<ul>{rows}</ul>{script}")


def _record(i: int) -> str:
    day = AS_OF - timedelta(days=i)
    link = f"/art/{day.year}/{day.month}/{day.day}/art_1234_{5000 + i}.html"
    return f"<record><![CDATA[{_li(link, f'工作信息{i}', day, 'b')}]]></record>"


def _hanweb(routes: dict[str, Route]) -> None:
    """工作信息: 15 records embedded, 25 more in two dataproxy groups (perPage 5, 40 in all)."""
    nextgroup = (
        '<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/'
        '&columnid=1234&unitid=5678&webname=测试局&permissiontype=0"></a>]]></nextgroup>'
    )
    records = "".join(_record(i) for i in range(15))
    routes["/col/col1234/index.html"] = html(
        "工作信息",
        f'<div id="5678"><script type="text/xml"><datastore>{nextgroup}<recordset>{records}</recordset>'
        "</datastore></script></div><script>$('#5678').jpage({totalRecord:40,perPage:5});</script>",
    )
    for start, stop in ((16, 30), (31, 45)):
        body = "".join(_record(i - 1) for i in range(start, min(stop, 40) + 1))
        xml = f"<datastore><totalrecord>40</totalrecord><recordset>{body}</recordset></datastore>"
        path = f"/module/web/jpage/dataproxy.jsp?startrecord={start}&endrecord={stop}&perpage=5"
        routes[path] = Route(xml, content_type="text/xml;charset=UTF-8")


def _dates_elsewhere(routes: dict[str, Route]) -> None:
    """公示公告: no dates in the list, only on each item's page; 统计数据: dates only in the item URLs."""
    rows = "".join(f'<li><a href="/zwgk/gsgg/content_{100 + i}.html">公示{i}</a></li>' for i in range(6))
    routes["/zwgk/gsgg/"] = html("公示公告", f'<ul class="news">{rows}</ul>')
    for i in range(6):
        published = date(2026, 5, 1) - timedelta(days=30 * i)
        routes[f"/zwgk/gsgg/content_{100 + i}.html"] = html(
            f"公示{i}", f"<p>发布时间：{published} 09:00</p><p>正文</p>"
        )
    rows = "".join(f'<li><a href="./202611/t2026111{i}_{i}.html">统计{i}</a></li>' for i in range(3))
    routes["/zwgk/tjsj/"] = html("统计数据", f"<ul>{rows}</ul>")
    for i in range(3):
        routes[f"/zwgk/tjsj/202611/t2026111{i}_{i}.html"] = html(f"统计{i}", "<p>正文，没有日期。</p>")


def _json_feed(routes: dict[str, Route]) -> None:
    """规范性文件: an empty page whose script loads the list from zcwj.json (TRS style)."""
    routes["/zfxxgk/zcwj/"] = html(
        "规范性文件", "<ul id='list'></ul><script>$.getJSON('./zcwj.json', render);</script>"
    )
    rows = [
        {
            "FILENAME": f"规范性文件{i}",
            "URL": f"./2026{i:02d}/t20260{i + 1}01_{i}.shtml",
            "PUBDATE": f"2026-0{i + 1}-01 10:00:00",
            "DOCRELTIME": f"2026-0{i + 1}-03 10:00:00",
        }
        for i in range(7)
    ]
    routes["/zfxxgk/zcwj/zcwj.json"] = Route(
        json.dumps({"data": rows}, ensure_ascii=False), content_type="application/json"
    )


def _commented_and_empty(routes: dict[str, Route]) -> None:
    """文件通知: the list and its pager commented out (Gansu style); 人事任免: an empty list."""
    for page, count in ((1, 20), (2, 5)):
        rows = "".join(
            _li(f"/jyt/c1/202611/{page}{i:02d}.shtml", f"文件通知{page}-{i}", AS_OF - timedelta(days=page), "b")
            for i in range(count)
        )
        pager = "<script>createPageHTML('page_div',2, 1,'zwgklist','shtml',25);</script>" if page == 1 else ""
        path = "/jyt/c1/zwgklist.shtml" if page == 1 else "/jyt/c1/zwgklist_2.shtml"
        routes[path] = html("文件通知", f'<ul class="jytxxgklist"><!-- {rows} {pager} --></ul>')
    routes["/zwgk/rsrm/"] = html("人事任免", '<h2>人事任免</h2><ul class="list"></ul>')


def _encodings(routes: dict[str, Route]) -> None:
    """One list per way a Chinese page declares (or does not declare) its encoding."""

    def page(meta: str) -> str:
        return (
            f"<html><head>{meta}<title>任免信息</title></head><body><ul>"
            f"{_li('/enc/a.html', ENCODED_TITLE, AS_OF)}</ul></body></html>"
        )

    routes["/enc/gbk-meta/"] = Route(page('<meta charset="gbk">').encode("gbk"), content_type="text/html")
    routes["/enc/gbk-header/"] = Route(page("").encode("gbk"), content_type="text/html; charset=GBK")
    routes["/enc/gb2312-wrong/"] = Route(
        page('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').encode("gbk"),
        content_type="text/html",
    )
    routes["/enc/undeclared/"] = Route(page("").encode("gb18030"), content_type="text/html")
    routes["/enc/utf8-bom/"] = Route(b"\xef\xbb\xbf" + page("").encode("utf-8"), content_type="text/html")


COLUMNS = [
    ("通知公告", "/xxgk/tzgg/"),
    ("政府文件", "/zfwj/index_11287.shtml"),
    ("工作信息", "/col/col1234/index.html"),
    ("公示公告", "/zwgk/gsgg/"),
    ("统计数据", "/zwgk/tjsj/"),
    ("文件通知", "/jyt/c1/zwgklist.shtml"),
    ("人事任免", "/zwgk/rsrm/"),
    ("规范性文件", "/zfxxgk/zcwj/"),
    ("任免gbk-meta", "/enc/gbk-meta/"),
    ("任免gbk-header", "/enc/gbk-header/"),
    ("任免gb2312-wrong", "/enc/gb2312-wrong/"),
    ("任免undeclared", "/enc/undeclared/"),
    ("任免utf8-bom", "/enc/utf8-bom/"),
]


@pytest.fixture(scope="module")
def families(tmp_path_factory):
    routes: dict[str, Route] = {"/": html("测试局", _li("/xxgk/tzgg/", "通知", AS_OF))}
    for build in (_trs, _hanweb, _dates_elsewhere, _json_feed, _commented_and_empty, _encodings):
        build(routes)
    directory = tmp_path_factory.mktemp("families")
    article = html("文章", "<p>正文</p>")  # every item page not listed above
    with SiteServer(routes, fallback=article) as site:
        lines = [
            "timezone: Asia/Shanghai",
            "crawl: {download_timeout: 5}",
            "departments:",
            "  - id: csj",
            "    name: 测试局",
            f"    site: {site.base}",
            "    columns:",
        ]
        lines += [f'      - {{name: {n}, url: "{site.url(p)}"}}' for n, p in COLUMNS]
        config = write_config(directory, "\n".join(lines) + "\n")
        run = crawl(config, directory / "g.db")
        store = Store(directory / "g.db")
        columns = {r["name"]: r for r in store.rows("column_states", run.run_id)}
        items = list(store.rows("items", run.run_id, "column_url is not null"))
        problems = list(store.rows("problems", run.run_id))
        warnings = list(store.rows("warnings", run.run_id))
        store.close()
        yield {"site": site, "columns": columns, "items": items, "problems": problems, "warnings": warnings}


def _items(families, name: str) -> list[dict]:
    url = next(families["site"].url(p) for n, p in COLUMNS if n == name)
    return [i for i in families["items"] if i["column_url"] == url]


def test_trs_pages_announced_only_by_the_pager_script_are_crawled(families):
    assert families["columns"]["通知公告"]["items"] == 45
    assert families["columns"]["政府文件"]["items"] == 14
    requested = {path for _, path in families["site"].log}
    assert {"/xxgk/tzgg/index_1.html", "/xxgk/tzgg/index_2.html", "/zfwj/index_11287_1.shtml"} <= requested
    assert not any(p.startswith("/xxgk/tzgg/index_3") or "11287_11287" in p for p in requested)


def test_hanweb_later_groups_come_from_dataproxy_posts_with_the_declared_form(families):
    assert families["columns"]["工作信息"]["items"] == 40
    posts = families["site"].forms
    assert [path for path, _ in posts] == [
        "/module/web/jpage/dataproxy.jsp?startrecord=16&endrecord=30&perpage=5",
        "/module/web/jpage/dataproxy.jsp?startrecord=31&endrecord=45&perpage=5",
    ]
    form = parse_qs(posts[0][1])
    assert {k: form[k][0] for k in ("columnid", "unitid", "webid", "webname", "col")} == {
        "columnid": "1234",
        "unitid": "5678",
        "webid": "3",
        "webname": "测试局",
        "col": "1",
    }
    dates = {i["date_raw"] for i in _items(families, "工作信息")}
    assert len(dates) == 40 and all(i["date_source"] == "list" for i in _items(families, "工作信息"))


def test_dates_found_only_on_item_pages_judge_the_column(families):
    column = families["columns"]["公示公告"]
    assert (column["items"], column["last_updated"], column["date_source"], column["state"]) == (
        6,
        "2026-05-01",
        "detail",
        "stale",
    )
    stale = next(p for p in families["problems"] if p["column"] == "公示公告")
    assert "（日期取自文章页的发布时间）" in wording().problem(stale)


def test_dates_only_in_item_urls_are_a_recorded_fallback(families):
    column = families["columns"]["统计数据"]
    assert (column["last_updated"], column["date_source"], column["state"]) == ("2026-11-12", "url", "ok")


def test_list_loaded_from_a_json_feed_is_read_from_the_feed(families):
    column = families["columns"]["规范性文件"]
    assert (column["items"], column["last_updated"], column["state"]) == (7, "2026-07-01", "ok")  # PUBDATE


def test_commented_out_list_and_its_later_page_are_read(families):
    assert families["columns"]["文件通知"]["items"] == 25
    assert ("GET", "/jyt/c1/zwgklist_2.shtml") in families["site"].log


def test_empty_list_container_is_an_empty_column(families):
    assert families["columns"]["人事任免"]["state"] == "empty"
    empty = [p for p in families["problems"] if p["type"] == "column_empty"]
    assert [(p["column"], json.loads(p["detail"])) for p in empty] == [("人事任免", {"code": "list_empty"})]
    assert wording().problem(empty[0]) == "“人事任免”栏目为空白栏目：栏目列表中没有任何信息"


@pytest.mark.parametrize("variant", ["gbk-meta", "gbk-header", "gb2312-wrong", "undeclared", "utf8-bom"])
def test_chinese_titles_survive_every_encoding(families, variant):
    titles = [i["title"] for i in _items(families, f"任免{variant}")]
    assert titles == [ENCODED_TITLE]


def test_nothing_else_is_reported(families):
    assert sorted((p["type"], p["column"]) for p in families["problems"]) == [
        ("column_empty", "人事任免"),
        ("column_stale", "公示公告"),
    ]
    assert families["warnings"] == []


# Paging variants, on synthetic pages -----------------------------------------------------


def _html_view(body: str, url: str) -> PageView:
    return PageView.of(HtmlResponse(url, body=body.encode("utf-8"), headers={"Content-Type": "text/html"}))


def test_hanweb_without_jpage_totals_pages_by_get_until_the_last_page():
    base = "https://www.example.gov.cn/col/col99/index.html"
    body = (
        "<html><body><script type='text/xml'><datastore><nextgroup><![CDATA[<a href=\"/module/web/jpage/dataproxy.jsp?"
        'page=1&webid=2&path=/&columnid=99&unitid=7&permissiontype=0"></a>]]></nextgroup><recordset>'
        + _record(1)
        + "</recordset></datastore></script></body></html>"
    )
    reading = read_column(_html_view(body, base), MARKERS, "index")
    page2 = "https://www.example.gov.cn/module/web/jpage/dataproxy.jsp?page=2&webid=2&path=%2F&columnid=99&unitid=7&permissiontype=0"
    assert [(p.url, p.formdata) for p in reading.next_pages] == [(page2, None)]
    xml = f"<datastore><totalpage>3</totalpage><recordset>{_record(2)}</recordset></datastore>"
    answer = PageView.of(XmlResponse(page2, body=xml.encode(), headers={"Content-Type": "text/xml"}))
    assert [p.url for p in read_column(answer, MARKERS, None).next_pages] == [page2.replace("page=2", "page=3")]
    last = PageView.of(
        XmlResponse(page2.replace("page=2", "page=3"), body=xml.encode(), headers={"Content-Type": "text/xml"})
    )
    assert read_column(last, MARKERS, None).next_pages == []


def test_hanweb_group_that_comes_back_empty_ends_the_column():
    url = f"{DATAPROXY}?startrecord=46&endrecord=90&perpage=15"
    empty = PageView.of(XmlResponse(url, body=b"<datastore><totalrecord>300</totalrecord></datastore>"))
    assert read_column(empty, MARKERS, None, FORM).next_pages == []


def test_page_number_query_links_are_followed():
    base = "https://sthjt.example.gov.cn/col/col42150/index.html"
    body = _html_view(
        f"<ul>{_li('/a.html', '一', AS_OF)}</ul><a href='index.html?uid=380055&pageNum=2'>下一页</a>", base
    )
    assert [p.url for p in read_column(body, MARKERS, "index").next_pages] == [base + "?uid=380055&pageNum=2"]


def test_trs_count_page_variable_numbers_like_the_pager_script():
    base = "https://www.example.gov.cn/xxgk/gfxwj/index.shtml"
    body = _html_view(f"<ul>{_li('./a.shtml', '一', AS_OF)}</ul><script>var countPage = 3;</script>", base)
    pages = [p.url.rsplit("/", 1)[1] for p in read_column(body, MARKERS, "index").next_pages]
    assert pages == ["index_1.shtml", "index_2.shtml"]


def test_list_loaded_from_a_json_file_is_followed_to_the_feed():
    base = "https://scjg.example.gov.cn/zfxxgk/zcwj/qtwj/"
    page = _html_view("<div id='list'></div><script>$.getJSON('./zcwj.json', render);</script>", base)
    assert [p.url for p in read_column(page, MARKERS, "index").next_pages] == [base + "zcwj.json"]


def test_table_list_takes_the_publication_date_column_not_the_writing_date():
    page = _html_view(
        "<table><tr><th>序号</th><th>标题</th><th>索引号</th><th>成文日期</th><th>发布日期</th></tr>"
        "<tr><td>1</td><td><a href='/a.html'>关于印发办法的通知</a></td><td>113325/2026-00001</td>"
        "<td>2026-02-20</td><td>2026-03-01</td></tr>"
        "<tr><td>2</td><td><a href='/b.html'>关于开展检查的通知</a></td><td>113325/2026-00002</td>"
        "<td>2026-01-05</td><td>2026-01-12</td></tr></table>",
        "https://www.example.gov.cn/xxgk/gkml/",
    )
    reading = read_column(page, MARKERS, "index")
    assert [(e.title, e.date_raw) for e in reading.entries] == [
        ("关于印发办法的通知", "2026-03-01"),
        ("关于开展检查的通知", "2026-01-12"),
    ]

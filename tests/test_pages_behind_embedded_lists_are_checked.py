"""The pages a list links to are pages of the site, wherever the list lives.

Synthetic pages shaped like the real families of ``tests/fixtures/real/``: a
Hanweb column whose records sit in a ``<datastore>`` and in a later
``dataproxy.jsp`` group, a Ucap column whose items are a ``var listData``
array, and a TRS new-generation list split into four ``$showStatic(N)`` blocks
of 5/5/5/4 items. None of their item links is an ``<a>`` of the column page's
own HTML except the TRS blocks; each has one item page with a dead attachment.
"""

from __future__ import annotations

import json
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from conftest import AS_OF, crawl, write_config
from sites import config_for, html

from monitor.demo.server import NOT_FOUND, Route, SiteServer
from monitor.store import Store


def _article(title: str, attachment: str) -> Route:
    return html(title, f'<p>正文</p><p>附件：<a href="{attachment}">{title}.pdf</a></p>')


def _li(path: str, title: str, days_ago: int) -> str:
    return f'<li><a href="{path}">{title}</a><span>{AS_OF - timedelta(days=days_ago)}</span></li>'


def _hanweb(routes: dict[str, Route]) -> None:
    """人事信息: 3 records embedded, 2 more in the dataproxy group the browser POSTs for."""
    records = "".join(
        f"<record><![CDATA[{_li(f'/art/2026/11/{20 - i}/art_1301_{i}.html', f'人事{i}', 2 + i)}]]></record>"
        for i in range(3)
    )
    routes["/col/col1301/index.html"] = html(
        "人事信息",
        '<div id="5678"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/'
        'dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=1301&unitid=5678&permissiontype=0"></a>]]>'
        f"</nextgroup><recordset>{records}</recordset></datastore></script></div>"
        "<script>$('#5678').jpage({totalRecord:5,perPage:1});</script>",
    )
    later = "".join(
        f"<record><![CDATA[{_li(f'/art/2026/10/{20 - i}/art_1301_{i}.html', f'人事{i}', 30 + i)}]]></record>"
        for i in (3, 4)
    )
    routes["/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=6&perpage=1"] = Route(
        f"<datastore><totalrecord>5</totalrecord><recordset>{later}</recordset></datastore>",
        content_type="text/xml;charset=UTF-8",
    )
    routes["/art/2026/11/20/art_1301_0.html"] = _article("人事0", "/module/download/rs0.pdf")
    routes["/art/2026/10/16/art_1301_4.html"] = _article("人事4", "/module/download/rs4.pdf")


def _list_data(routes: dict[str, Route]) -> None:
    """财政资金: a listData variable drawn by a Handlebars template."""
    articles = [
        {
            "title": f"预算{i}",
            "pubDate": f"{AS_OF - timedelta(days=3 + i)} 09:00",
            "urls": json.dumps({"pc": f"/col/col1302/art/2026/{i}.html"}),
        }
        for i in range(3)
    ]
    routes["/col/col1302/index.html"] = html(
        "财政资金",
        "<div id='app'></div><script>var listData = "
        + json.dumps({"articleList": articles, "total": 3}, ensure_ascii=False)
        + ";</script>",
    )
    routes["/col/col1302/art/2026/1.html"] = _article("预算1", "/uploadfiles/ys1.pdf")


def _trs_blocks(routes: dict[str, Route]) -> None:
    """规划计划: 19 items in four blocks; the newest is in the last block."""
    blocks = []
    for block, count in enumerate((5, 5, 5, 4), start=1):
        rows = "".join(
            _li(f"./202611/t2026110{block}_{i}.html", f"规划{block}-{i}", 400 - 10 * block - i if block < 4 else i + 1)
            for i in range(count)
        )
        blocks.append(f'<div ms-visible="$showStatic({block})"><ul>{rows}</ul></div>')
    routes["/zwgk/ghjh/"] = html("规划计划", f'<div class="list">{"".join(blocks)}</div>')
    routes["/zwgk/ghjh/202611/t20261104_3.html"] = _article("规划4-3", "/zwgk/ghjh/202611/P020261104.pdf")


COLUMNS = [
    ("人事信息", "/col/col1301/index.html"),
    ("财政资金", "/col/col1302/index.html"),
    ("规划计划", "/zwgk/ghjh/"),
]
DEAD = {
    "/module/download/rs0.pdf": "/art/2026/11/20/art_1301_0.html",
    "/module/download/rs4.pdf": "/art/2026/10/16/art_1301_4.html",
    "/uploadfiles/ys1.pdf": "/col/col1302/art/2026/1.html",
    "/zwgk/ghjh/202611/P020261104.pdf": "/zwgk/ghjh/202611/t20261104_3.html",
}


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    routes = {"/": html("测试局", _li("/zwgk/ghjh/", "规划", 1))}
    for build in (_hanweb, _list_data, _trs_blocks):
        build(routes)
    routes.update(dict.fromkeys(DEAD, NOT_FOUND))
    directory = tmp_path_factory.mktemp("embedded")
    with SiteServer(routes, fallback=html("文章", "<p>正文</p>")) as site:
        config = write_config(directory, config_for(site.base, COLUMNS))
        run = crawl(config, directory / "g.db")
    store = Store(directory / "g.db")
    yield {
        "columns": {r["name"]: r for r in store.rows("column_states", run.run_id)},
        "problems": list(store.rows("problems", run.run_id)),
        "warnings": list(store.rows("warnings", run.run_id)),
    }
    store.close()


def _path(url: str | None) -> str | None:
    return urlsplit(url).path if url else None


def test_dead_links_on_pages_reached_only_through_embedded_lists_are_reported(embedded):
    dead = {(_path(p["url"]), _path(p["source_url"])) for p in embedded["problems"] if p["type"] == "broken_link"}
    assert dead == set(DEAD.items())


def test_every_block_of_a_static_list_is_one_list(embedded):
    trs = embedded["columns"]["规划计划"]
    assert trs["items"] == 19
    assert trs["state"] == "ok"  # its newest item is in the last block


def test_embedded_lists_are_read_and_nothing_else_is_reported(embedded):
    states = {name: (row["state"], row["items"]) for name, row in embedded["columns"].items()}
    assert states == {"人事信息": ("ok", 5), "财政资金": ("ok", 3), "规划计划": ("ok", 19)}
    assert {p["type"] for p in embedded["problems"]} == {"broken_link"}
    assert embedded["warnings"] == []

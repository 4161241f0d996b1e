"""A list that holds nothing is an empty column wherever it lives: in a Hanweb datastore or a listData variable.

Synthetic pages shaped like the real families (the Hanweb datastore and Ucap's
``var listData`` of ``tests/fixtures/real/``): their data says, in so many
words, that there are no records. A datastore or a script whose data gongkai
cannot read stays a warning.
"""

from __future__ import annotations

import json
from datetime import timedelta

from conftest import AS_OF, crawl, write_config
from sites import config_for, html, list_page

from monitor.demo.server import SiteServer
from monitor.store import Store

HANWEB_EMPTY = (
    '<div id="5678"><script type="text/xml"><datastore>'
    '<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&columnid=1301"></a>]]>'
    "</nextgroup><recordset></recordset><totalrecord>0</totalrecord></datastore></script></div>"
    "<script>$('#5678').jpage({totalRecord:0,perPage:15});</script>"
)
LISTDATA_EMPTY = (
    "<div id='app'></div><script>var listData = " + json.dumps({"articleList": [], "total": 0}) + ";</script>"
)
# Records gongkai cannot read (no link in them): not known to be empty.
HANWEB_UNREADABLE = (
    '<div id="9"><script type="text/xml"><datastore><recordset><record><![CDATA[<li>内容由脚本加载</li>]]>'
    "</record></recordset><totalrecord>12</totalrecord></datastore></script></div>"
)

COLUMNS = {
    "人事信息": ("/col/col1301/index.html", HANWEB_EMPTY),
    "财政资金": ("/col/col1302/index.html", LISTDATA_EMPTY),
    "规划计划": ("/col/col1303/index.html", HANWEB_UNREADABLE),
}


def test_zero_records_in_a_datastore_or_a_listdata_variable_make_an_empty_column(tmp_path):
    routes = {"/": list_page("测试局", [("工作动态一", "/a/1.html", AS_OF - timedelta(days=1))])}
    routes.update({path: html(name, body) for name, (path, body) in COLUMNS.items()})
    with SiteServer(routes, fallback=html("文章", "<p>正文</p>")) as site:
        configured = [(name, path) for name, (path, _) in COLUMNS.items()]
        run = crawl(write_config(tmp_path, config_for(site.base, configured)), tmp_path / "g.db")
    store = Store(tmp_path / "g.db")
    states = {r["name"]: r["state"] for r in store.rows("column_states", run.run_id)}
    problems = sorted((p["type"], p["column"]) for p in store.rows("problems", run.run_id))
    store.close()
    assert states == {"人事信息": "empty", "财政资金": "empty", "规划计划": "unparsed"}
    assert problems == [("column_empty", "人事信息"), ("column_empty", "财政资金")]

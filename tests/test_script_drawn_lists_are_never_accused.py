"""A list drawn by the page's own script is never judged empty or stale from the bare HTML.

The pages are synthetic, shaped like real disclosure sites: a list written by
``document.write`` inside its box, one fetched by XMLHttpRequest from an
endpoint with the site's own field names, one decoded from data in the page
and drawn into a table, and one whose script draws 暂无信息 into an empty box.
Without a browser gongkai cannot know what a citizen sees there: each is a
warning about the tool, never a problem of the department. A static empty list
beside them is still an empty column.
"""

from __future__ import annotations

import json
from datetime import timedelta

from conftest import AS_OF, crawl, write_config
from sites import html, list_page

from monitor.demo.server import Route, SiteServer
from monitor.store import Store

RECENT = (AS_OF - timedelta(days=7)).isoformat()

DOCUMENT_WRITE = f"""<div class="list"><script>
var items = [["/dw/1.html", "关于开展安全检查的通知", "{RECENT}"], ["/dw/2.html", "工作动态二", "{RECENT}"]];
for (var i = 0; i < items.length; i++) {{
  document.write('<p><a href="' + items[i][0] + '">' + items[i][1] + '</a> [' + items[i][2] + ']</p>');
}}
</script></div>"""

XHR = """<ul class="list" id="newsList"></ul><script>
var x = new XMLHttpRequest();
x.open("GET", "/api/news?col=12");
x.onload = function () {
  var rows = JSON.parse(x.responseText).rows, h = "";
  for (var i = 0; i < rows.length; i++) { h += "<li><a href='" + rows[i].lj + "'>" + rows[i].bt + "</a>" + rows[i].fbsj + "</li>"; }
  document.getElementById("newsList").innerHTML = h;
};
x.send();
</script>"""

DECODED = """<table class="list-table"></table><script>
var data = JSON.parse(decodeURIComponent(escape(atob("W3sidSI6Ii9kYXRhLzEuaHRtbCIsInQiOiLlhazlkYoiLCJkIjoiMjAyNi0xMS0xOCJ9XQ=="))));
var h = "";
data.forEach(function (r) { h += "<tr><td><a href='" + r.u + "'>" + r.t + "</a></td><td>" + r.d + "</td></tr>"; });
document.querySelector("table").innerHTML = h;
</script>"""

DRAWN_EMPTY = """<div class="list" id="box"></div><script>
var rows = window.rows || [];
if (rows.length === 0) { document.getElementById("box").innerHTML = "<p>暂无信息</p>"; }
</script>"""

COLUMNS = {
    "工作动态": ("/dw/", DOCUMENT_WRITE),
    "通知公告": ("/xhr/", XHR),
    "政策文件": ("/data/", DECODED),
    "人事信息": ("/drawn/", DRAWN_EMPTY),
}


def test_script_drawn_lists_are_warnings_and_a_static_empty_list_is_still_empty(tmp_path):
    routes = {
        "/": list_page("测试局", [("工作动态一", "/dw/1.html", AS_OF - timedelta(days=1))]),
        "/api/news": Route(
            json.dumps({"rows": [{"bt": "通知", "fbsj": RECENT, "lj": "/xhr/1.html"}]}), content_type="application/json"
        ),
        "/rsrm/": html("人事任免", '<h2>人事任免</h2><ul class="list"></ul>'),
    }
    routes.update({path: html(name, body) for name, (path, body) in COLUMNS.items()})
    with SiteServer(routes, fallback=html("文章", "<p>正文</p>")) as site:
        config_text = (
            "timezone: Asia/Shanghai\ndepartments:\n  - id: csj\n    name: 测试局\n"
            f"    site: {site.base}\n    columns:\n"
            + "".join(f'      - {{name: {n}, url: "{site.url(p)}"}}\n' for n, (p, _) in COLUMNS.items())
            + f'      - {{name: 人事任免, url: "{site.url("/rsrm/")}"}}\n'
        )
        run = crawl(write_config(tmp_path, config_text), tmp_path / "g.db")
    store = Store(tmp_path / "g.db")
    states = {r["name"]: r["state"] for r in store.rows("column_states", run.run_id)}
    problems = [(p["type"], p["column"]) for p in store.rows("problems", run.run_id)]
    warned = {w["url"] for w in store.rows("warnings", run.run_id) if w["kind"] == "unparsed_column"}
    store.close()
    assert problems == [("column_empty", "人事任免")]
    assert {name: states[name] for name in COLUMNS} == dict.fromkeys(COLUMNS, "unparsed")
    assert warned == {site.url(path) for path, _ in COLUMNS.values()}

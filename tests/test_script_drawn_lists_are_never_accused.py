"""A list drawn by the page's own script is read as a browser shows it, and never judged from the bare HTML.

The pages are synthetic, shaped like real disclosure sites: a list written by
``document.write`` inside its box, one fetched by XMLHttpRequest from an
endpoint with the site's own field names, one decoded from data in the page
and drawn into a table, and one whose script draws 暂无信息 into an empty box.
With Chromium, gongkai renders them and judges what a citizen sees; without
it, it cannot know: each is a warning about the tool, never a problem of the
department. A static empty list beside them is an empty column either way.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import AS_OF, crawl, write_config
from sites import config_for, html, list_page

from monitor.demo.server import Route, SiteServer
from monitor.store import Store

RECENT = (AS_OF - timedelta(days=7)).isoformat()
OLD = (AS_OF - timedelta(days=400)).isoformat()
needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian's chromium is installed by .ci/run"
)

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


def _crawl_columns(tmp_path, tracker: SiteServer | None = None):
    """Crawl the site of the script-drawn columns and a static empty one: (site, states, problems, warnings, pages).

    With a ``tracker`` (another site), two pages' scripts also call it: one whose
    list is drawn anyway, and one that then draws 暂无信息 as the empty one does.
    """
    columns = dict(COLUMNS)
    if tracker:
        beacon = f"<script>fetch('{tracker.url('/beacon')}').catch(function () {{}});</script>"
        columns["工作动态"] = ("/dw/", DOCUMENT_WRITE + beacon)
        columns["财政信息"] = ("/drawn-after-call/", beacon + DRAWN_EMPTY)
    routes = {
        "/": list_page("测试局", [("工作动态一", "/dw/1.html", AS_OF - timedelta(days=1))]),
        "/api/news?col=12": Route(
            json.dumps({"rows": [{"bt": "通知", "fbsj": OLD, "lj": "/xhr/1.html"}]}), content_type="application/json"
        ),
        "/rsrm/": html("人事任免", '<h2>人事任免</h2><ul class="list"></ul>'),
    }
    routes.update({path: html(name, body) for name, (path, body) in columns.items()})
    with SiteServer(routes, fallback=html("文章", "<p>正文</p>")) as site:
        configured = [(name, path) for name, (path, _) in columns.items()] + [("人事任免", "/rsrm/")]
        run = crawl(write_config(tmp_path, config_for(site.base, configured)), tmp_path / "g.db")
    store = Store(tmp_path / "g.db")
    states = {r["name"]: r["state"] for r in store.rows("column_states", run.run_id)}
    problems = sorted((p["type"], p["column"]) for p in store.rows("problems", run.run_id))
    warnings = {w["url"]: w for w in store.rows("warnings", run.run_id) if w["kind"] == "unparsed_column"}
    pages = {p["url"]: p["reading"] for p in store.rows("pages", run.run_id)}
    store.close()
    return site, states, problems, warnings, pages


def test_without_chromium_script_drawn_lists_are_warnings_and_a_static_empty_list_is_still_empty(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_CHROMIUM", str(tmp_path / "no-such-chromium"))
    site, states, problems, warnings, pages = _crawl_columns(tmp_path)
    assert problems == [("column_empty", "人事任免")]
    assert {name: states[name] for name in COLUMNS} == dict.fromkeys(COLUMNS, "unparsed")
    assert set(warnings) == {site.url(path) for path, _ in COLUMNS.values()}
    assert "rendered" not in pages.values()


@needs_chromium
def test_with_chromium_script_drawn_lists_are_judged_as_a_browser_shows_them(tmp_path):
    with SiteServer({"/beacon": Route("ok")}) as tracker:
        site, states, problems, warnings, pages = _crawl_columns(tmp_path, tracker)
    assert states == {
        "工作动态": "ok",  # document.write: two items a week old
        "通知公告": "stale",  # XMLHttpRequest: one item 400 days old
        "政策文件": "ok",  # decoded from base64 in the page: 2026-11-18
        "人事信息": "empty",  # the script draws 暂无信息
        "人事任免": "empty",  # a static empty list
        "财政信息": "unparsed",  # 暂无信息 drawn after a call gongkai refused: maybe the call's failure, not the list
    }
    assert problems == [("column_empty", "人事任免"), ("column_empty", "人事信息"), ("column_stale", "通知公告")]
    assert [json.loads(w["detail"])["code"] for w in warnings.values()] == ["render_aborted"]
    assert {url for url, reading in pages.items() if reading == "rendered"} == {
        site.url(path) for path in ("/dw/", "/xhr/", "/data/", "/drawn/", "/drawn-after-call/")
    }
    assert tracker.log == []  # the pages' scripts reached no other site


@needs_chromium
def test_a_render_that_runs_out_of_time_leaves_a_warning_not_a_problem(tmp_path):
    # The list's data never arrives within render_timeout: the browser cannot show it either.
    hanging = XHR.replace("/api/news?col=12", "/api/slow")
    routes = {
        "/": list_page("测试局", [("工作动态一", "/dw/1.html", AS_OF - timedelta(days=1))]),
        "/xhr/": html("通知公告", hanging),
        "/api/slow": Route("{}", content_type="application/json", delay=4),
    }
    with SiteServer(routes, fallback=html("文章", "<p>正文</p>")) as site:
        config_text = config_for(site.base, [("通知公告", "/xhr/")], crawl="render_timeout: 1")
        run = crawl(write_config(tmp_path, config_text), tmp_path / "g.db")
    store = Store(tmp_path / "g.db")
    states = {r["name"]: r["state"] for r in store.rows("column_states", run.run_id)}
    warnings = [(w["kind"], json.loads(w["detail"])["code"]) for w in store.rows("warnings", run.run_id)]
    problems = list(store.rows("problems", run.run_id))
    store.close()
    assert states == {"通知公告": "unparsed"}
    assert warnings == [("unparsed_column", "render_failed")]
    assert problems == []


def test_without_chromium_the_crawl_says_so_once_before_it_starts(tmp_path):
    config = write_config(
        tmp_path,
        "timezone: Asia/Shanghai\ndepartments:\n"
        "  - {id: a, name: 甲局, site: 'http://a.gongkai-test.invalid/'}\n"
        "  - {id: b, name: 乙局, site: 'http://b.gongkai-test.invalid/'}\n",
    )
    script = Path(sys.executable).with_name("gongkai")
    env = {**os.environ, "GONGKAI_CHROMIUM": str(tmp_path / "no-such-chromium")}
    command = [str(script), "crawl", "-c", str(config), "--db", str(tmp_path / "g.db"), "--offline"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("未找到 Chromium 浏览器：由网页脚本生成的栏目列表将无法渲染读取") == 1


@needs_chromium
def test_a_site_renders_no_more_pages_than_its_budget_in_every_run(tmp_path, monkeypatch):
    routes = {
        "/": list_page("测试局", [("工作动态一", "/dw/1.html", AS_OF - timedelta(days=1))]),
        **{f"/dw{n}/": html(f"工作动态{n}", DOCUMENT_WRITE) for n in range(3)},
    }
    with SiteServer(routes, fallback=html("文章", "<p>正文</p>")) as site:
        columns = [(f"动态{n}", f"/dw{n}/") for n in range(3)]
        config = write_config(tmp_path, config_for(site.base, columns, crawl="render_max_pages: 2"))
        # The second run finds the column pages unchanged and replays what the first read of them.
        runs = [crawl(config, tmp_path / "g.db").run_id for _ in range(2)]
        monkeypatch.setenv("GONGKAI_CHROMIUM", str(tmp_path / "no-such-chromium"))
        without = crawl(config, tmp_path / "g.db").run_id  # Chromium gone: nothing replays a render
    store = Store(tmp_path / "g.db")
    assert sorted(r["state"] for r in store.rows("column_states", without)) == ["unparsed"] * 3
    assert list(store.rows("pages", without, "reading = 'rendered'")) == []
    for run_id in runs:
        states = sorted(r["state"] for r in store.rows("column_states", run_id))
        warnings = [json.loads(w["detail"]) for w in store.rows("warnings", run_id)]
        rendered = [p["url"] for p in store.rows("pages", run_id, "reading = 'rendered'")]
        assert states == ["ok", "ok", "unparsed"]
        assert len(rendered) == 2
        assert [(w["code"], w["arg"]) for w in warnings] == [("render_budget", "2")]
    store.close()


@needs_chromium
def test_a_browser_turned_away_by_the_server_accuses_no_one(tmp_path):
    # The server answers the page once, then 503 to the browser's visit: the page is fine, its list unread.
    routes = {
        "/": list_page("测试局", [("工作动态一", "/dw/1.html", AS_OF - timedelta(days=1))]),
        "/dw/": Route(html("工作动态", DOCUMENT_WRITE).body, fail_every=2),
    }
    with SiteServer(routes, fallback=html("文章", "<p>正文</p>")) as site:
        run = crawl(write_config(tmp_path, config_for(site.base, [("工作动态", "/dw/")])), tmp_path / "g.db")
        visits = site.hits["/dw/"]
    store = Store(tmp_path / "g.db")
    check = next(store.rows("checks", run.run_id, "url = ?", [site.url("/dw/")]))
    states = {r["name"]: r["state"] for r in store.rows("column_states", run.run_id)}
    warnings = [json.loads(w["detail"])["code"] for w in store.rows("warnings", run.run_id)]
    problems = list(store.rows("problems", run.run_id))
    store.close()
    assert visits == 2  # the crawl's, then the browser's
    assert (check["status"], check["outcome"]) == (200, "ok")
    assert states == {"工作动态": "unparsed"}
    assert warnings == ["render_failed"]
    assert problems == []

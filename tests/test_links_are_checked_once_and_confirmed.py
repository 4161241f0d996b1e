"""Every distinct link is requested once per run (plus confirmations); failures are confirmed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

from conftest import AS_OF, crawl, write_config
from sites import config_for, html, list_page

from monitor.demo.server import Route, SiteServer
from monitor.store import Store

NEWS = [(f"动态{i}", f"/gzdt/{i}.html", AS_OF - timedelta(days=i)) for i in range(1, 6)]


def _sites():
    external = SiteServer(
        {
            "/": html("外站", '<a href="/deeper.html">更深</a>'),
            "/deeper.html": html("更深", "<p>不应被抓取</p>"),
        }
    ).start()
    shared = (
        f'<a href="/files/a.pdf">附件A</a> <a href="{external.base}">外站</a> '
        '<a href="/busy.html">繁忙</a> <a href="/down.html">故障</a> <a href="/limited.html">限流</a> <a href="/slow.html">慢</a> <a href="/files/a.pdf#page=2">附件A第2页</a>'
    )
    routes = {
        "/": list_page("测试局", NEWS),
        "/xxgk/": html("信息公开", '<a href="/gzdt/">工作动态</a>'),
        "/gzdt/": list_page("工作动态", NEWS),
        "/files/a.pdf": Route(b"%PDF-1.4", content_type="application/pdf"),
        "/busy.html": Route(html("繁忙", "<p>ok</p>").body, fail_first=2),  # 503, 503, then 200
        "/down.html": Route("<html><body>error</body></html>", status=500),
        "/limited.html": Route("slow down", status=429, headers={"Retry-After": "0"}),
        "/slow.html": Route(html("慢", "<p>ok</p>").body, delay=1.0),  # slow, but within the 3 s timeout
    }
    for _, path, _ in NEWS:
        routes[path] = html("动态", shared)
    return SiteServer(routes).start(), external


def test_each_url_is_requested_once_however_many_pages_link_to_it(tmp_path):
    site, external = _sites()
    try:
        config = write_config(tmp_path, config_for(site.base, [("工作动态", "/gzdt/")]))
        result = crawl(config, tmp_path / "g.db")
    finally:
        site.stop()
        external.stop()
    requests = Counter(site.log)
    del requests["GET", "/robots.txt"]  # read once by each page spider (one per core by default)
    assert requests[("GET", "/gzdt/1.html")] == 1
    assert requests[("HEAD", "/files/a.pdf")] == 1  # linked from five pages, once with a #fragment
    assert requests[("GET", "/files/a.pdf")] == 0  # HEAD answered: no body downloaded
    assert requests[("GET", "/busy.html")] == 3  # failed twice, confirmed fine on the third try
    assert requests[("GET", "/down.html")] == 3  # failed three times: broken
    assert requests[("GET", "/slow.html")] == 1
    assert requests[("GET", "/limited.html")] == 3  # 429 is retried too, honouring Retry-After
    assert {p for (m, p), n in requests.items() if n > 1 and m == "GET"} == {
        "/busy.html",
        "/down.html",
        "/limited.html",
    }
    # The external site is checked, not crawled.
    assert Counter(external.log) == Counter({("GET", "/"): 1})

    store = Store(tmp_path / "g.db")
    problems = list(store.rows("problems", result.run_id))
    warnings = [(w["kind"], w["url"].rsplit("/", 1)[-1]) for w in store.rows("warnings", result.run_id)]
    links = list(store.rows("links", result.run_id, "url like ?", ["%/down.html"]))
    store.close()
    assert [(p["type"], p["url"].rsplit("/", 1)[-1], p["status"], p["source_count"]) for p in problems] == [
        ("broken_link", "down.html", "500", 5)
    ]
    assert problems[0]["source_url"].endswith("/gzdt/1.html")
    # A server that keeps rate-limiting gongkai is a warning about the tool, not a broken link.
    assert warnings == [("blocked", "limited.html")]
    assert len(links) == 5  # the store keeps every page that links to it


def test_crawl_that_makes_no_request_fails_the_run(tmp_path):
    # --offline refuses a public site before any request is made: nothing leaves this machine.
    config = write_config(tmp_path, "departments:\n  - {id: csj, name: 测试局, site: 'https://www.jyj.gov.cn/'}\n")
    db = tmp_path / "g.db"
    gongkai = str(Path(sys.executable).with_name("gongkai"))
    proc = subprocess.run(
        [gongkai, "crawl", "-c", str(config), "--db", str(db), "--offline"], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode != 0
    with sqlite3.connect(db) as conn:
        status, error, requests = conn.execute("select status, error, requests from runs").fetchone()
    assert (status, error, requests) == ("failed", "the crawl made no request", 0)

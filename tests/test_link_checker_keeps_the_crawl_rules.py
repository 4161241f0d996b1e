"""The link checker, which checks without Scrapy, keeps the rules the page spiders keep."""

from __future__ import annotations

from itertools import pairwise

from conftest import AS_OF, write_config
from sites import html, list_page

from monitor.config import load_config
from monitor.crawl import run_crawl
from monitor.demo.server import Route, SiteServer
from monitor.store import Store

PDF = Route(b"%PDF-1.4", content_type="application/pdf")


def _crawl(tmp_path, site: SiteServer, crawl_keys: str = "", request_log=None):
    config = write_config(
        tmp_path, f"crawl: {{{crawl_keys}}}\ndepartments:\n  - {{id: csj, name: 测试局, site: '{site.base}'}}\n"
    )
    run = run_crawl(load_config(config), config, tmp_path / "g.db", as_of=AS_OF, request_log=request_log)
    store = Store(tmp_path / "g.db")
    checks = {r["url"]: r for r in store.rows("checks", run.run_id)}
    problems = {p["url"]: p for p in store.rows("problems", run.run_id)}
    store.close()
    return checks, problems


def test_checks_keep_the_sites_delay(tmp_path):
    files = [f"/files/{i}.pdf" for i in range(6)]
    routes = {
        "/": list_page("测试局", [("附件", "/files.html", AS_OF)]),
        "/xxgk/": html("信息公开", "<p>ok</p>"),
        "/files.html": html("附件", "".join(f'<a href="{f}">附件{i}</a> ' for i, f in enumerate(files))),
        **dict.fromkeys(files, PDF),
    }
    with SiteServer(routes) as site:
        # One page spider and the checker: each waits 2 × 0.25 s between its requests to the site.
        checks, problems = _crawl(tmp_path, site, "concurrency_per_site: 2, delay: 0.25")
        arrivals = [t for t, path in site.times if path.startswith("/files/")]
    assert [checks[site.url(f)]["outcome"] for f in files] == ["ok"] * 6
    assert problems == {}
    assert len(arrivals) == 6  # one HEAD each
    gaps = [b - a for a, b in pairwise(arrivals)]
    assert min(gaps) >= 0.45, gaps


def test_a_busy_attachment_is_asked_again_after_retry_after(tmp_path):
    routes = {
        "/": list_page("测试局", [("附件", "/files.html", AS_OF)]),
        "/xxgk/": html("信息公开", "<p>ok</p>"),
        "/files.html": html("附件", '<a href="/files/busy.pdf">附件</a>'),
        # HEAD: 503; the GET that confirms it: 503 with Retry-After: 1; then 200
        "/files/busy.pdf": Route(b"%PDF-1.4", content_type="application/pdf", fail_first=2, retry_after=1),
    }
    with SiteServer(routes) as site:
        checks, problems = _crawl(tmp_path, site)
        asked = [(method, t) for (method, path), (t, _) in zip(site.log, site.times, strict=True) if "busy" in path]
    check = checks[site.url("/files/busy.pdf")]
    assert (check["outcome"], check["status"], check["attempts"]) == ("ok", 200, 2)
    assert problems == {}
    assert [method for method, _ in asked] == ["HEAD", "GET", "GET"]
    assert asked[2][1] - asked[1][1] >= 0.95  # the server said Retry-After: 1


def test_redirects_and_meta_refresh_are_followed_and_logged(tmp_path):
    elsewhere = SiteServer(
        {
            "/old.html": Route('<html><head><meta http-equiv="refresh" content="0; url=/gone.html"></head></html>'),
            "/moved.html": Route(redirect="/new.html"),
            "/new.html": html("新", "<p>新的页面</p>"),
        }
    ).start()
    links = f'<a href="{elsewhere.url("/old.html")}">旧</a> <a href="{elsewhere.url("/moved.html")}">移</a>'
    routes = {
        "/": list_page("测试局", [("外链", "/links.html", AS_OF)]),
        "/xxgk/": html("信息公开", "<p>ok</p>"),
        "/links.html": html("外链", links),
    }
    log = tmp_path / "requests.log"
    try:
        with SiteServer(routes) as site:
            checks, problems = _crawl(tmp_path, site, request_log=log)
    finally:
        elsewhere.stop()
    old, moved = checks[elsewhere.url("/old.html")], checks[elsewhere.url("/moved.html")]
    assert (old["outcome"], old["error"], old["status"]) == ("broken", "http", 404)
    assert old["final_url"] == elsewhere.url("/gone.html")
    assert problems[elsewhere.url("/old.html")]["type"] == "broken_link"
    assert (moved["outcome"], moved["status"], moved["final_url"]) == ("ok", 200, elsewhere.url("/new.html"))
    lines = log.read_text(encoding="utf-8").splitlines()
    assert all(line.split(" ")[0] in ("GET", "HEAD", "POST") and " http" in line for line in lines)
    assert {f"GET {elsewhere.url(p)}" for p in ("/old.html", "/gone.html", "/moved.html", "/new.html")} <= set(lines)


def test_adaptive_delay_paces_a_site_unless_the_config_turns_it_off(tmp_path):
    files = [f"/files/{i}.pdf" for i in range(6)]
    pages = [f"/xxgk/{i}.html" for i in range(6)]
    links = "".join(f'<a href="{u}">链接{i}</a> ' for i, u in enumerate(files + pages))
    routes = {
        "/": list_page("测试局", [("附件", "/links.html", AS_OF)]),
        "/xxgk/": html("信息公开", "<p>ok</p>"),
        "/links.html": html("链接", links),
        **dict.fromkeys(files, PDF),
        **{page: html("页面", "<p>ok</p>") for page in pages},
    }
    spans = {}
    for adaptive in ("true", "false"):
        with SiteServer(routes) as site:
            run_dir = tmp_path / adaptive
            run_dir.mkdir()
            checks, _ = _crawl(run_dir, site, f"concurrency_per_site: 2, adaptive_delay: {adaptive}")
            for name, is_check in (("checks", True), ("pages", False)):
                arrivals = [t for t, path in site.times if path.startswith("/files/") == is_check]
                spans[adaptive, name] = arrivals[-1] - arrivals[0]
        assert [checks[site.url(f)]["outcome"] for f in files] == ["ok"] * 6
    # Adaptive pacing starts half a second apart and halves the gap with each quick answer:
    # ten pages or six checks take most of a second; without it, they follow each other at once.
    assert spans["true", "checks"] >= 0.75 and spans["true", "pages"] >= 0.75, spans
    assert spans["false", "checks"] < 0.5 and spans["false", "pages"] < 0.5, spans

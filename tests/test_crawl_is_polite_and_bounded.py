"""The crawl never probes the supervisor's network, respects servers, and always ends."""

from __future__ import annotations

import gzip
import json
import re
import time
from datetime import date, timedelta
from urllib.parse import urljoin

import pytest
import yaml
from conftest import AS_OF, crawl, write_config
from sites import html, list_page

from crawler.links import LinkBase, canonical, trap_reason
from monitor.demo.server import Route, SiteServer
from monitor.store import Store

PRIVATE = [
    "http://10.0.0.1/intranet/",
    "http://172.16.0.5/oa/",
    "http://192.168.1.1/admin/",
    "http://169.254.169.254/latest/meta-data/",
    "http://[fc00::1]/",
    "http://[fe80::1]/",
    "http://0.0.0.0:8080/",
]


def _request_log_urls(path) -> list[str]:
    return [line.split(" ", 1)[1] for line in path.read_text(encoding="utf-8").splitlines()]


def test_links_into_private_networks_are_warnings_and_never_scheduled(tmp_path):
    links = "".join(f'<a href="{u}">内网{i}</a> ' for i, u in enumerate(PRIVATE))
    routes = {
        "/": list_page("测试局", [("链接", "/links.html", AS_OF)]),
        "/links.html": html("链接", links),
        "/xxgk/": html("信息公开", "<p>ok</p>"),
    }
    with SiteServer(routes) as site:
        config = write_config(tmp_path, f"departments:\n  - {{id: csj, name: 测试局, site: '{site.base}'}}\n")
        from monitor.config import load_config
        from monitor.crawl import run_crawl

        log = tmp_path / "requests.log"
        run = run_crawl(load_config(config), config, tmp_path / "g.db", as_of=AS_OF, request_log=log)
    scheduled = _request_log_urls(log)
    assert scheduled and all(u.startswith(site.base) for u in scheduled)  # nothing but the site itself
    store = Store(tmp_path / "g.db")
    warnings = sorted(w["url"] for w in store.rows("warnings", run.run_id) if w["kind"] == "private_target")
    problems = list(store.rows("problems", run.run_id))
    stored_links = {r["url"] for r in store.rows("links", run.run_id)}
    store.close()
    assert warnings == sorted(PRIVATE)
    assert problems == []
    assert set(PRIVATE) <= stored_links  # the links are kept; they are just not requested


def test_retry_after_and_backoff_space_out_the_retries(tmp_path):
    routes = {
        "/": list_page("测试局", [("链接", "/links.html", AS_OF)]),
        "/xxgk/": html("信息公开", "<p>ok</p>"),
        "/links.html": html("链接", '<a href="/asked.html">一</a> <a href="/backoff.html">二</a>'),
        "/asked.html": Route(html("一", "<p>ok</p>").body, fail_first=1, retry_after=2),
        "/backoff.html": Route(html("二", "<p>ok</p>").body, fail_first=2),
    }
    with SiteServer(routes) as site:
        config = write_config(tmp_path, f"departments:\n  - {{id: csj, name: 测试局, site: '{site.base}'}}\n")
        rules = yaml.safe_load((tmp_path / "rules.yaml").read_text(encoding="utf-8"))
        rules["link_check"]["backoff_seconds"] = 0.5
        (tmp_path / "rules.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
        run = crawl(config, tmp_path / "g.db")
        times = {path: [t for t, p in site.times if p == path] for path in ("/asked.html", "/backoff.html")}
    asked, backoff = times["/asked.html"], times["/backoff.html"]
    assert len(asked) == 2 and asked[1] - asked[0] >= 1.9  # the server said Retry-After: 2
    assert len(backoff) == 3
    assert backoff[1] - backoff[0] >= 0.45 and backoff[2] - backoff[1] >= 0.95  # 0.5 s, then doubled
    store = Store(tmp_path / "g.db")
    assert list(store.rows("problems", run.run_id)) == []
    store.close()


def _trap(path: str) -> Route | None:
    """An endless calendar, an endless list, session ids that never repeat, ever-deeper folders."""
    if match := re.fullmatch(r"/cal\?date=(\d{4}-\d{2}-\d{2})", path):
        day = date.fromisoformat(match.group(1))  # a month grid: every day, and the next month
        days = [day.replace(day=1) + timedelta(days=i) for i in range(28)] + [day.replace(day=28) + timedelta(days=7)]
        return html(f"日历{day}", " ".join(f'<a href="/cal?date={d}">{d.day}</a>' for d in days))
    if match := re.fullmatch(r"/list\?page=(\d+)", path):
        rows = "".join(f'<li><a href="/art/{i}.html">同样的文章{i}</a><span>{AS_OF}</span></li>' for i in range(5))
        return html("列表", f'<ul>{rows}</ul><a href="/list?page={int(match.group(1)) + 1}">下一页</a>')
    if path.startswith("/deep/"):
        return html("深", '<a href="sub/">下级</a>')
    if path.startswith("/session"):
        token = time.monotonic_ns()
        return html(
            "会话",
            f'<a href="/session.jsp;jsessionid={token}">刷新</a> <a href="/session.jsp?sid={token}&sort=asc">排序</a>',
        )
    return None


def test_a_trap_site_is_crawled_to_the_end_in_bounded_time_and_pages(tmp_path):
    routes = {
        "/": html(
            "陷阱局",
            '<a href="/cal?date=2026-11-22">日历</a> <a href="/deep/">目录</a> <a href="/session.jsp">会话</a>'
            ' <a href="/xxgk/">信息公开</a>',
        ),
        "/xxgk/": html("信息公开", '<a href="/list?page=1">列表</a>'),
    }
    with SiteServer(routes, dynamic=_trap, fallback=html("文章", "<p>正文</p>")) as site:
        config = write_config(
            tmp_path,
            f"departments:\n  - id: xjj\n    name: 陷阱局\n    site: '{site.base}'\n    columns:\n"
            f"      - {{name: 列表, url: '{site.url('/list?page=1')}'}}\n",
        )
        started = time.monotonic()
        run = crawl(config, tmp_path / "g.db")
        elapsed = time.monotonic() - started
        requests = len(site.log)
    assert elapsed < 60
    assert requests < 120
    store = Store(tmp_path / "g.db")
    warnings = [json.loads(w["detail"]) for w in store.rows("warnings", run.run_id) if w["kind"] == "crawl_truncated"]
    column = next(store.rows("column_states", run.run_id))
    store.close()
    assert {"code": "trap_query", "arg": "/cal"} in warnings
    assert any(w["code"] == "trap_path" for w in warnings)
    assert column["items"] == 5  # the same five articles on every page of the endless list
    assert sum(1 for _, p in site.log if p.startswith("/list")) == 2  # it stops when a page repeats the one before
    assert sum(1 for _, p in site.log if p.startswith("/session")) <= 3  # session ids do not make new pages


def test_urls_differing_only_in_session_or_sort_are_one_page():
    assert canonical("http://a.gov.cn/x.jsp;jsessionid=ABC?b=2&a=1&sort=asc", frozenset({"sort"})) == (
        "http://a.gov.cn/x.jsp?a=1&b=2"
    )
    assert trap_reason("http://a.gov.cn/deep/sub/sub/sub/", 3) == "a path segment repeats 3 times"
    assert trap_reason("http://a.gov.cn/xxgk/tzgg/202611/t1.html", 3) is None


@pytest.mark.parametrize(
    "base",
    [
        "http://a.gov.cn/xxgk/tzgg/index_1.html",
        "http://a.gov.cn",
        "http://a.gov.cn/list/?page=3#top",
        "https://a.gov.cn:8443/x/y.jsp?id=1",
    ],
)
def test_links_resolved_per_folder_resolve_as_on_the_page_itself(base):
    hrefs = [
        "index_3.html",
        "../x.html",
        "./",
        "?page=2",
        "#top",
        "/xxgk/",
        "//cdn.example.cn/a.js",
        "http://b.gov.cn/",
        "mailto:a@b.cn",
        "javascript:void(0)",
        "",
        "..",
        "附件.pdf",
        "c.html?y=2",
    ]
    assert [LinkBase(base).join(h) for h in hrefs] == [urljoin(base, h) for h in hrefs]


def test_huge_pages_gzip_bombs_and_endless_bodies_are_cut_off_with_a_warning(tmp_path):
    bomb = gzip.compress(b"<html><body>" + b" " * (40 * 1024 * 1024) + b"</body></html>")
    routes = {
        "/": list_page("测试局", [("链接", "/links.html", AS_OF)]),
        "/xxgk/": html("信息公开", "<p>ok</p>"),
        "/links.html": html(
            "链接",
            '<a href="/big.html">大</a> <a href="/bomb.html">炸</a> <a href="/drip.html">慢</a>'
            ' <a href="/ok.html">好</a>',
        ),
        "/big.html": Route(b"<html><body>" + b"x" * (3 * 1024 * 1024) + b"</body></html>"),
        "/bomb.html": Route(bomb, headers={"Content-Encoding": "gzip"}),
        "/drip.html": Route(drip=True),
        "/ok.html": html("好", "<p>ok</p>"),
    }
    with SiteServer(routes) as site:
        config = write_config(
            tmp_path,
            f"crawl: {{max_page_mb: 1, download_timeout: 2}}\ndepartments:\n  - {{id: csj, name: 测试局, site: '{site.base}'}}\n",
        )
        run = crawl(config, tmp_path / "g.db")
    store = Store(tmp_path / "g.db")
    checks = {r["url"].rsplit("/", 1)[1]: (r["outcome"], r["error"]) for r in store.rows("checks", run.run_id)}
    warnings = sorted(
        w["url"].rsplit("/", 1)[1] for w in store.rows("warnings", run.run_id) if w["kind"] == "page_cut_off"
    )
    problems = list(store.rows("problems", run.run_id))
    store.close()
    assert checks["big.html"] == ("skipped", "too_large")
    assert checks["bomb.html"] == ("skipped", "too_large")
    assert checks["drip.html"] == ("skipped", "too_slow")
    assert checks["ok.html"] == ("ok", None)  # the crawl went on
    assert warnings == ["big.html", "bomb.html", "drip.html"]
    assert problems == []


def test_robots_txt_is_obeyed_unless_the_config_says_otherwise_and_the_agent_is_honest(tmp_path):
    def site_routes() -> dict[str, Route]:
        return {
            "/robots.txt": Route("User-agent: *\nDisallow: /private/\n", content_type="text/plain"),
            "/": html("局", '<a href="/private/a.html">内部</a> <a href="/xxgk/">信息公开</a>'),
            "/xxgk/": html("信息公开", "<p>ok</p>"),
            "/private/a.html": html("内部", "<p>ok</p>"),
        }

    with SiteServer(site_routes()) as polite, SiteServer(site_routes()) as ignored:
        config = write_config(
            tmp_path,
            f"""crawl: {{contact_url: "https://county.example.gov.cn/gongkai"}}
departments:
  - {{id: a, name: 甲局, site: '{polite.base}'}}
  - {{id: b, name: 乙局, site: '{ignored.base}', obey_robots: false}}
""",
        )
        run = crawl(config, tmp_path / "g.db")
    assert polite.agents == {"gongkai/0.1 (+https://county.example.gov.cn/gongkai)"}
    assert ("GET", "/private/a.html") not in polite.log
    assert ("GET", "/private/a.html") in ignored.log
    store = Store(tmp_path / "g.db")
    assert list(store.rows("problems", run.run_id)) == []  # a page gongkai may not read is nobody's fault
    store.close()


def test_link_checks_stop_at_the_sites_cap(tmp_path):
    attachments = "".join(f'<a href="/files/{i}.pdf">附件{i}</a> ' for i in range(300))
    routes = {
        "/": list_page("测试局", [("附件", "/files.html", AS_OF)]),
        "/xxgk/": html("信息公开", "<p>ok</p>"),
        "/files.html": html("附件", attachments),
    }
    with SiteServer(routes) as site:
        config = write_config(
            tmp_path,
            f"crawl: {{max_links_per_site: 40}}\ndepartments:\n  - {{id: csj, name: 测试局, site: '{site.base}'}}\n",
        )
        run = crawl(config, tmp_path / "g.db")
        asked = [path for _, path in site.log if path.startswith("/files/")]
    store = Store(tmp_path / "g.db")
    notes = [json.loads(w["detail"]) for w in store.rows("warnings", run.run_id) if w["kind"] == "crawl_truncated"]
    links = sum(1 for link in store.rows("links", run.run_id) if "/files/" in link["url"])
    store.close()
    assert 0 < len(set(asked)) <= 40
    assert {"code": "max_links", "arg": "40"} in notes
    assert links == 300  # every link is still recorded on its page


def test_endless_response_headers_are_cut_off_by_both_clients(tmp_path):
    from sites import HeaderBombServer

    bomb = HeaderBombServer()
    routes = {
        "/": list_page("测试局", [("链接", "/links.html", AS_OF)]),
        "/xxgk/": html("信息公开", "<p>ok</p>"),
        "/links.html": html("链接", f'<a href="/bomb.html">站内</a> <a href="{bomb.base}page.html">站外</a>'),
        "/bomb.html": Route(redirect=f"{bomb.base}inner.html"),  # followed by the page spider
    }
    try:
        with SiteServer(routes) as site:
            config = write_config(tmp_path, f"departments:\n  - {{id: csj, name: 测试局, site: '{site.base}'}}\n")
            run = crawl(config, tmp_path / "g.db")
    finally:
        bomb.stop()
    store = Store(tmp_path / "g.db")
    checks = {c["url"]: (c["outcome"], c["error"]) for c in store.rows("checks", run.run_id)}
    problems = [p["url"] for p in store.rows("problems", run.run_id)]
    cut = {w["url"] for w in store.rows("warnings", run.run_id) if w["kind"] == "page_cut_off"}
    store.close()
    assert bomb.sent < 8 * 1024 * 1024  # both clients hung up long before the 64 MiB the server had to send
    assert checks[site.url("/bomb.html")] == ("skipped", "too_large")
    assert checks[f"{bomb.base}page.html"] == ("skipped", "too_large")
    assert problems == []  # a hostile server is the tool's warning, never the department's broken link
    assert cut == {site.url("/bomb.html"), f"{bomb.base}page.html"}

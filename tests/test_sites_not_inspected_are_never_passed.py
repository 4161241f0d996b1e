"""A site gongkai could not inspect is 无法评估 with the reason, never 合格; a site that moved is inspected where it went."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import trustme
from conftest import AS_OF, crawl, write_config
from sites import html, list_page, tls_context

from monitor.demo.server import Route, SiteServer
from monitor.reports import report_data
from monitor.store import Store

REAL = Path(__file__).resolve().parent / "fixtures" / "real"


def _site() -> dict[str, Route]:
    """A small site with one dated column, its links relative so that it works under any name."""
    return {
        "/": list_page("测试局", [("通知", "xxgk/tzgg/a.html", AS_OF)]),
        "/xxgk/": html("信息公开", '<a href="tzgg/">通知公告</a>'),
        "/xxgk/tzgg/": list_page("通知公告", [("通知", "a.html", AS_OF)]),
        "/xxgk/tzgg/a.html": html("通知", "<p>正文</p>"),
    }


def _judged(tmp_path: Path, site: str, extra: str = "") -> dict:
    config = write_config(tmp_path, f"{extra}departments:\n  - {{id: csj, name: 测试局, site: '{site}'}}\n")
    run = crawl(config, tmp_path / "g.db")
    store = Store(tmp_path / "g.db")
    data = report_data(store, run.run_id)
    store.close()
    return data["departments"][0]


def test_an_inspected_site_passes(tmp_path):
    with SiteServer(_site()) as site:
        dept = _judged(tmp_path, site.base)
    assert (dept["assessed"], dept["passed"], dept["columns"]) == (True, True, 1)


@pytest.mark.parametrize(
    ("shape", "reason"),
    [
        ("robots", "首页无法读取（网站的爬虫协议（robots.txt）禁止抓取）"),
        ("challenge", "首页返回了防火墙或反爬虫验证页面"),
        ("no-columns", "未找到政务公开栏目"),
        ("homepage-404", "首页无法读取（HTTP 404，页面不存在）"),
        ("homepage-never-ends", "首页无法读取（页面下载时间超过时限，工具未读完）"),
    ],
)
def test_a_site_that_was_not_inspected_is_never_passed(tmp_path, shape, reason):
    routes = _site()
    if shape == "robots":
        routes["/robots.txt"] = Route("User-agent: *\nDisallow: /\n", content_type="text/plain")
    elif shape == "challenge":
        routes["/"] = Route((REAL / "antibot" / "hubei-scjg-ruishu-challenge.html").read_bytes(), status=412)
    elif shape == "no-columns":
        routes["/xxgk/"] = html("信息公开", "<p>建设中</p>")
    elif shape == "homepage-404":
        routes["/"] = Route("<html><body>Not Found</body></html>", status=404)
    else:
        routes["/"] = Route(routes["/"].body, drip=True)  # its body keeps coming, a byte at a time
    with SiteServer(routes) as site:
        dept = _judged(tmp_path, site.base, "crawl: {download_timeout: 2}\n")
    assert dept["assessed"] is False
    assert dept["passed"] is None and dept["score"] is None
    assert dept["unassessed_reason"] == reason


def test_a_homepage_that_moved_to_its_other_name_is_inspected_there(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_HOSTS", json.dumps({"www.csj.test": "127.0.0.1", "csj.test": "127.0.0.1"}))
    with SiteServer(_site()) as bare:
        port = bare.base.rstrip("/").rsplit(":", 1)[1]
        with SiteServer(fallback=Route(redirect=f"http://csj.test:{port}/")) as www:
            www_port = www.base.rstrip("/").rsplit(":", 1)[1]
            config = write_config(
                tmp_path,
                f"departments:\n  - {{id: csj, name: 测试局, site: 'http://www.csj.test:{www_port}/', intranet: true}}\n",
            )
            run = crawl(config, tmp_path / "g.db")
    store = Store(tmp_path / "g.db")
    dept = report_data(store, run.run_id)["departments"][0]
    store.close()
    assert (dept["assessed"], dept["passed"], dept["columns"]) == (True, True, 1)
    assert ("GET", "/xxgk/tzgg/a.html") in bare.log


def test_a_homepage_that_moved_to_https_is_inspected_there(tmp_path):
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    secure = SiteServer(_site(), tls=tls_context(ca.issue_cert("127.0.0.1")))
    with secure, SiteServer(fallback=Route(redirect=secure.base)) as plain:
        dept = _judged(tmp_path, plain.base, f'crawl: {{ca_bundle: "{bundle}"}}\n')
    assert (dept["assessed"], dept["passed"], dept["columns"]) == (True, True, 1)

"""Each way a link can fail is stored as such; what is not a department's fault is never broken_link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme
from conftest import AS_OF, crawl, write_config
from sites import ResetServer, html, list_page, tls_context

from common.wording import wording
from monitor.demo.server import Route, SiteServer, closed_port_url
from monitor.store import Store

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """One crawl of a page that links to every kind of failure, and to what must not be reported."""
    ca, stranger = trustme.CA(), trustme.CA()  # the bundle trusts `ca` only
    https = {
        "https-ok": SiteServer({"/": html("好", "<p>ok</p>")}, tls=tls_context(ca.issue_cert("127.0.0.1"))),
        "https-expired": SiteServer(
            {"/": html("旧", "<p>ok</p>")},
            tls=tls_context(
                ca.issue_cert("127.0.0.1", not_before=NOW - timedelta(days=400), not_after=NOW - timedelta(days=2))
            ),
        ),
        "https-self-signed": SiteServer({"/": html("自", "<p>ok</p>")}, tls=tls_context(ca=stranger)),
        "https-wrong-host": SiteServer(
            {"/": html("错", "<p>ok</p>")}, tls=tls_context(ca.issue_cert("other.example.invalid"))
        ),
        "https-unknown-issuer": SiteServer(
            {"/": html("陌", "<p>ok</p>")}, tls=tls_context(stranger.issue_cert("127.0.0.1"))
        ),
    }
    reset = ResetServer()
    targets = {
        "404": "/gone-404.html",
        "410": "/gone-410.html",
        "500": "/error-500.html",
        "refused": closed_port_url(),
        "reset": reset.url,
        "timeout": "/hangs.html",
        "dns": "http://nowhere.gongkai-test.invalid/a.html",
        "loop": "/loop-a.html",
        "to-error": "/moved-to-404.html",
        "soft-404": "/soft.html",
        "empty": "/empty.html",
        "to-home": "/old/removed.html",
        "missing-pdf": "/files/missing.pdf",
        # must not be reported:
        "flaky": "/flaky.html",
        "slow": "/slow.html",
        "moved-ok": "/moved-ok.html",
        "waf": "/waf.html",
        "challenge": "/challenge.html",
        "head-refused": "/files/head-refused.pdf",
        "head-lies": "/files/head-lies.pdf",
        "notice-about-404": "/notice-404.html",
        **{name: server.base for name, server in https.items()},
    }
    links = "".join(f'<a href="{url}">{name}</a> ' for name, url in targets.items())
    links += (
        '<a href="mailto:ban@example.gov.cn">信箱</a> <a href="javascript:void(0)">打印</a> <a href="#top">顶部</a>'
    )
    ok = html("正常", "<p>正常页面</p>")
    routes = {
        "/": list_page("测试局", [("链接", "/links.html", AS_OF)]),  # dated on the day judged
        "/xxgk/": ok,
        "/ok.html": ok,
        "/links.html": html("链接", links),
        "/gone-404.html": Route("<html><body>Not Found</body></html>", status=404),
        "/gone-410.html": Route("<html><body>Gone</body></html>", status=410),
        "/error-500.html": Route("<html><body>Error</body></html>", status=500),
        "/hangs.html": Route(ok.body, delay=3),
        "/loop-a.html": Route(redirect="/loop-b.html"),
        "/loop-b.html": Route(redirect="/loop-a.html"),
        "/moved-to-404.html": Route(redirect="/gone-elsewhere.html"),  # the fallback answers 404
        "/soft.html": html("页面不存在", "<p>对不起，您访问的页面不存在。</p>"),
        "/notice-404.html": html(  # a notice about broken pages is not a broken page
            '关于开展政府网站"页面不存在"等问题专项整治的通知',
            "<p>" + "各单位：为切实解决政府网站“页面不存在”、链接失效等问题，现就专项整治工作通知如下。" * 40 + "</p>",
        ),
        "/empty.html": Route("<html><body></body></html>"),
        "/old/removed.html": Route(redirect="/"),
        "/flaky.html": Route(ok.body, fail_first=1),
        "/slow.html": Route(ok.body, delay=0.5),
        "/moved-ok.html": Route(redirect="/ok.html"),
        "/waf.html": Route("<html><body><h1>您的访问被拦截</h1><p>网站防火墙</p></body></html>", status=403),
        "/challenge.html": Route((REAL / "antibot" / "hubei-scjg-ruishu-challenge.html").read_bytes(), status=412),
        "/files/head-refused.pdf": Route(b"%PDF-1.4", content_type="application/pdf", head_status=405),
        "/files/head-lies.pdf": Route(b"%PDF-1.4", content_type="application/pdf", head_status=404),
    }
    directory = tmp_path_factory.mktemp("failures")
    bundle = directory / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    servers = [SiteServer(routes).start(), *(s.start() for s in https.values())]
    try:
        site = servers[0]
        config = write_config(
            directory,
            f"""crawl: {{download_timeout: 2, ca_bundle: "{bundle}"}}
departments:
  - id: csj
    name: 测试局
    site: {site.base}
""",
        )
        run = crawl(config, directory / "g.db")
    finally:
        reset.stop()
        for server in servers:
            server.stop()
    store = Store(directory / "g.db")
    by_url = {r["url"]: r for r in store.rows("checks", run.run_id)}
    absolute = {name: url if url.startswith("http") else site.url(url) for name, url in targets.items()}
    result = {
        "checks": {name: by_url.get(url) for name, url in absolute.items()},
        "problems": {p["url"]: p for p in store.rows("problems", run.run_id)},
        "warnings": sorted((w["kind"], w["url"]) for w in store.rows("warnings", run.run_id)),
        "urls": absolute,
        "log": servers[0].log,
    }
    store.close()
    return result


@pytest.mark.parametrize(
    ("name", "error", "status"),
    [
        ("404", "http", 404),
        ("410", "http", 410),
        ("500", "http", 500),
        ("refused", "connection_refused", None),
        ("reset", "connection_reset", None),
        ("timeout", "timeout", None),
        ("dns", "dns", None),
        ("loop", "too_many_redirects", None),
        ("to-error", "http", 404),
        ("soft-404", "soft_404", 200),
        ("empty", "soft_404", 200),
        ("to-home", "soft_404", 200),
        ("missing-pdf", "http", 404),
        ("https-expired", "tls", 200),
        ("https-self-signed", "tls", 200),
        ("https-wrong-host", "tls", 200),
    ],
)
def test_each_failure_kind_is_stored_and_reported(checked, name, error, status):
    check = checked["checks"][name]
    assert (check["outcome"], check["error"], check["status"]) == ("broken", error, status)
    problem = checked["problems"][checked["urls"][name]]
    assert problem["type"] == "broken_link"
    assert problem["status"] == (str(status) if error == "http" else error)
    assert problem["source_url"].endswith("/links.html")
    assert problem["anchor_text"] == name
    assert problem["on_homepage"] == 0


def test_failures_are_confirmed_before_they_count(checked):
    assert checked["checks"]["404"]["attempts"] == 3
    assert checked["problems"][checked["urls"]["404"]]["attempts"] == 3
    assert checked["log"].count(("GET", "/gone-404.html")) == 3


def test_certificate_problems_are_named(checked):
    details = {
        name: checked["checks"][name]["detail"] for name in ("https-expired", "https-self-signed", "https-wrong-host")
    }
    assert details == {
        "https-expired": "cert:expired",
        "https-self-signed": "cert:self_signed",
        "https-wrong-host": "cert:wrong_host",
    }
    said = {name: wording().problem(checked["problems"][checked["urls"][name]]) for name in details}
    assert "网站安全证书已过期" in said["https-expired"]
    assert "网站使用自签名证书" in said["https-self-signed"]
    assert "网站安全证书与域名不符" in said["https-wrong-host"]


@pytest.mark.parametrize(
    "name",
    [
        "flaky",
        "slow",
        "moved-ok",
        "waf",
        "challenge",
        "head-refused",
        "head-lies",
        "https-ok",
        "https-unknown-issuer",
        "notice-about-404",
    ],
)
def test_what_is_not_the_departments_fault_is_never_a_broken_link(checked, name):
    assert checked["urls"][name] not in checked["problems"]
    assert checked["checks"][name]["outcome"] in ("ok", "blocked")


def test_firewall_answers_and_unknown_issuers_are_warnings(checked):
    assert checked["checks"]["waf"]["outcome"] == "blocked"
    assert checked["checks"]["challenge"]["outcome"] == "blocked"
    kinds = [kind for kind, _ in checked["warnings"]]
    assert kinds == ["blocked", "tls_unverified"]


def test_attachment_is_checked_with_head_then_get(checked):
    log = checked["log"]
    assert ("HEAD", "/files/head-refused.pdf") in log and ("GET", "/files/head-refused.pdf") in log
    assert ("HEAD", "/files/head-lies.pdf") in log and ("GET", "/files/head-lies.pdf") in log


def test_only_the_expected_problems_are_reported(checked):
    assert len(checked["problems"]) == 16

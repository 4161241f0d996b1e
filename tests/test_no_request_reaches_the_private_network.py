"""No page can make gongkai reach the supervisor's own network: not by a link, a redirect, a refresh or a name.

127.0.0.2 stands for another machine of that network (a server of the tests
listens there); the departments live on 127.0.0.1, which their config names.
"""

from __future__ import annotations

import json
import sys
import textwrap

import pytest
from conftest import AS_OF, crawl, write_config
from sites import html, list_page

from common.transport.targets import NameLookupError, TargetPolicy, TargetRefusedError, address_class
from monitor.demo.server import Route, SiteServer
from monitor.store import Store


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("http://127.0.0.1:8080/", "loopback"),
        ("http://localhost/", "loopback"),
        ("http://[::1]/", "loopback"),
        ("http://10.1.2.3/", "private"),
        ("http://172.31.0.1/", "private"),
        ("http://192.168.0.1/", "private"),
        ("http://[fd12::1]/", "private"),
        ("http://169.254.169.254/", "link_local"),
        ("http://[::ffff:10.0.0.1]/", "private"),
        ("http://0.0.0.0/", "unspecified"),
        ("http://100.64.0.1/", "reserved"),
        # the old numeric spellings every resolver still accepts
        ("http://0x7f000001/", "loopback"),
        ("http://2130706433/", "loopback"),
        ("http://017700000001/", "loopback"),
        ("http://0177.0.0.1/", "loopback"),
        ("http://127.1/", "loopback"),
        ("http://0xa.1/", "private"),
        ("http://0xA9FEA9FE/", "link_local"),
        # IPv6 addresses that lead to an IPv4 one: compatible, NAT64, 6to4; and old site-local
        ("http://[::127.0.0.1]/", "loopback"),
        ("http://[64:ff9b::a9fe:a9fe]/", "link_local"),
        ("http://[2002:7f00:1::]/", "loopback"),
        ("http://[fec0::1]/", "private"),
        ("https://www.gov.cn/", None),
        ("http://172.32.0.1/", None),
        ("http://8.8.8.8/", None),
        ("http://cafe.example/", None),
    ],
)
def test_every_spelling_of_a_non_public_address_is_known(url, kind):
    assert address_class(url) == kind


def test_permission_covers_the_departments_own_hosts_only():
    literal = TargetPolicy.for_departments([{"id": "a", "site": "http://10.8.0.20/"}], offline=False)
    assert literal.refusal("http://10.8.0.20:8080/oa/") is None  # the address the config names
    assert literal.refusal("http://10.8.0.21/").kind == "private_target"  # not the rest of its network
    assert literal.refusal("http://169.254.169.254/latest/").kind == "private_target"

    named = TargetPolicy.for_departments(
        [{"id": "a", "site": "http://oa.county.test/", "intranet": True}, {"id": "b", "site": "http://b.test/"}],
        offline=True,
    )
    named.table.update({"oa.county.test": "127.0.0.5", "www.oa.county.test": "127.0.0.5", "b.test": "127.0.0.6"})
    assert named.resolve("oa.county.test") == "127.0.0.5"
    assert named.resolve("www.oa.county.test") == "127.0.0.5"  # the www twin is the same site
    with pytest.raises(TargetRefusedError) as refused:
        named.resolve("b.test")  # no intranet: true, and its name resolves to this network
    assert refused.value.kind == "private_target" and "127.0.0.6" in str(refused.value)
    with pytest.raises(NameLookupError):
        named.resolve("gone.example.invalid")
    with pytest.raises(TargetRefusedError) as offline:
        named.resolve("www.gov.cn")  # offline: no DNS server is asked
    assert offline.value.kind == "offline"


@pytest.fixture(scope="module")
def walled(tmp_path_factory):
    """A department whose pages try every way into 127.0.0.2, where a server logs what reaches it."""
    secret = SiteServer({"/secret.html": html("内部", "<p>内部</p>")}, address="127.0.0.2").start()
    inside = secret.base.rstrip("/")
    port = inside.rsplit(":", 1)[1]
    refresh = SiteServer(  # another host of the same machine, whose page refreshes into the network
        {"/refresh.html": Route(f'<html><head><meta http-equiv="refresh" content="0; url={inside}/secret.html">')}
    ).start()
    targets = {
        "redirect": "/redirect.html",  # a page of the site: the page spider follows it
        "redirect-pdf": "/files/redirect.pdf",  # an attachment: the link checker follows it
        "refresh": "/refresh.html",
        "refresh-elsewhere": refresh.url("/refresh.html"),
        "name": f"http://intranet.test:{port}/secret.html",
        "hex": f"http://0x7f000002:{port}/secret.html",
        "decimal": f"http://2130706434:{port}/secret.html",
        "octal": f"http://0177.0.0.2:{port}/secret.html",
        "short": f"http://127.2:{port}/secret.html",
        "literal": f"{inside}/secret.html",
    }
    links = "".join(f'<a href="{url}">{name}</a> ' for name, url in targets.items())
    routes = {
        "/": list_page("测试局", [("链接", "/links.html", AS_OF)]),
        "/xxgk/": html("信息公开", "<p>ok</p>"),
        "/links.html": html("链接", links),
        "/redirect.html": Route(redirect=f"{inside}/secret.html"),
        "/files/redirect.pdf": Route(redirect=f"http://intranet.test:{port}/secret.html"),
        "/refresh.html": Route(f'<html><head><meta http-equiv="refresh" content="0; url={inside}/secret.html">'),
    }
    directory = tmp_path_factory.mktemp("walled")
    patch = pytest.MonkeyPatch()
    patch.setenv("GONGKAI_HOSTS", json.dumps({"intranet.test": "127.0.0.2"}))
    try:
        with SiteServer(routes) as site:
            config = write_config(directory, f"departments:\n  - {{id: csj, name: 测试局, site: '{site.base}'}}\n")
            run = crawl(config, directory / "g.db")
    finally:
        patch.undo()
        secret.stop()
        refresh.stop()
    store = Store(directory / "g.db")
    result = {
        "secret_log": secret.log,
        "warnings": {w["url"]: w for w in store.rows("warnings", run.run_id) if w["kind"] == "private_target"},
        "problems": list(store.rows("problems", run.run_id)),
        "urls": {name: url if url.startswith("http") else site.url(url) for name, url in targets.items()},
        "refresh_log": refresh.log,
    }
    store.close()
    return result


def test_nothing_reaches_the_network_by_any_way(walled):
    assert walled["secret_log"] == []
    assert walled["refresh_log"] == [("GET", "/refresh.html")]  # that host is the department's own address


@pytest.mark.parametrize(
    "name", ["redirect", "redirect-pdf", "refresh", "refresh-elsewhere", "name", "hex", "decimal", "octal", "short"]
)
def test_each_way_in_is_a_warning_naming_the_link(walled, name):
    warning = walled["warnings"].get(walled["urls"][name])
    assert warning is not None, sorted(walled["warnings"])
    assert "127.0.0.2" in warning["detail"] or "intranet.test" in warning["detail"]


def test_a_refused_link_is_never_a_problem_of_the_department(walled):
    assert [p for p in walled["problems"] if p["type"] == "broken_link"] == []


def _department_on_a_name(tmp_path, intranet: bool):
    routes = {"/": list_page("内网局", [("通知", "/a.html", AS_OF)]), "/xxgk/": html("信息公开", "<p>ok</p>")}
    with SiteServer(routes) as site:
        port = site.base.rstrip("/").rsplit(":", 1)[1]
        flag = ", intranet: true" if intranet else ""
        config = write_config(
            tmp_path,
            f"departments:\n  - {{id: nw, name: 内网局, site: 'http://oa.county.test:{port}/'{flag}}}\n"
            f"  - {{id: csj, name: 测试局, site: '{site.base}'}}\n",
        )
        run = crawl(config, tmp_path / "g.db")
    store = Store(tmp_path / "g.db")
    pages = {p["url"]: p["reading"] for p in store.rows("pages", run.run_id, "department = 'nw'")}
    warnings = [w["kind"] for w in store.rows("warnings", run.run_id, "department = 'nw'")]
    store.close()
    asked = [entry for entry, host in zip(site.log, site.hosts, strict=True) if host.startswith("oa.county.test")]
    return asked, pages, warnings


def test_an_intranet_site_is_inspected_only_when_the_config_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_HOSTS", json.dumps({"oa.county.test": "127.0.0.1"}))
    log, pages, warnings = _department_on_a_name(tmp_path / "without", intranet=False)
    assert log == []
    assert "private_target" in warnings
    log, pages, warnings = _department_on_a_name(tmp_path / "with", intranet=True)
    assert ("GET", "/") in log
    assert any(reading == "content" for reading in pages.values())
    assert "private_target" not in warnings


AUDIT = """
import os, sys

def _hook(event, args):
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
        _log(f"lookup {args[0]!r}")
    elif event == "socket.connect" and isinstance(args[1], tuple):
        _log(f"connect {args[1][0]}")

def _log(line):
    with open(os.environ["GONGKAI_TEST_DNS_LOG"], "a", encoding="utf-8") as log:
        log.write(line + "\\n")

sys.addaudithook(_hook)
"""


def test_offline_crawls_ask_no_dns_server(tmp_path, monkeypatch):
    """Every process of an offline crawl resolves names from its own table; none calls the system's resolver."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(textwrap.dedent(AUDIT), encoding="utf-8")
    log = tmp_path / "dns.log"
    log.touch()
    monkeypatch.setenv("PYTHONPATH", f"{hook}:{':'.join(sys.path)}")
    monkeypatch.setenv("GONGKAI_TEST_DNS_LOG", str(log))
    monkeypatch.setenv("GONGKAI_HOSTS", json.dumps({"intranet.test": "127.0.0.2"}))
    links = (
        '<a href="http://gone.example.invalid/a.html">失效</a> <a href="http://www.gov.cn/">国务院</a>'
        ' <a href="http://intranet.test/x.html">内网</a> <a href="/files/a.pdf">附件</a>'
    )
    routes = {
        "/": list_page("测试局", [("链接", "/links.html", AS_OF)]),
        "/xxgk/": html("信息公开", "<p>ok</p>"),
        "/links.html": html("链接", links),
        "/files/a.pdf": Route(b"%PDF-1.4", content_type="application/pdf"),
    }
    with SiteServer(routes) as site:
        config = write_config(tmp_path, f"departments:\n  - {{id: csj, name: 测试局, site: '{site.base}'}}\n")
        run = crawl(config, tmp_path / "g.db")
    store = Store(tmp_path / "g.db")
    checks = {c["url"]: (c["outcome"], c["error"]) for c in store.rows("checks", run.run_id)}
    store.close()
    assert checks["http://gone.example.invalid/a.html"] == ("broken", "dns")
    assert checks["http://www.gov.cn/"] == ("skipped", "offline")
    assert checks["http://intranet.test/x.html"] == ("skipped", "private_target")
    seen = log.read_text(encoding="utf-8").splitlines()
    lookups = [line for line in seen if line.startswith("lookup ")]
    connected = {line.split(" ", 1)[1] for line in seen if line.startswith("connect ")}
    assert connected, "the audit hook saw no connection at all: it was not installed"
    assert connected == {"127.0.0.1"}
    assert all(line.split(" ", 1)[1].strip("b'") == "127.0.0.1" for line in lookups), lookups

"""Availability probes are requests like any other: the target policy on every hop, the office's CAs trusted."""

from __future__ import annotations

import trustme
from conftest import write_config
from sites import html, tls_context

from monitor.config import load_config
from monitor.demo.server import Route, SiteServer
from monitor.probes import probe_all
from monitor.store import Store


def _probe(tmp_path, departments: str, crawl: str = "") -> tuple[dict[str, dict], list[tuple]]:
    config = load_config(write_config(tmp_path, f"{crawl}departments:\n{departments}"))
    store = Store(tmp_path / "g.db", config.timezone)
    rows = {row["department"]: row for row in probe_all(config, store)}
    stored = store.db.execute("select department, ok from probes order by department").fetchall()
    store.close()
    return rows, stored


def test_a_site_trusted_through_the_offices_ca_bundle_is_probed_as_up(tmp_path):
    ca = trustme.CA()
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    secure = SiteServer({"/": html("测试局", "<p>ok</p>")}, tls=tls_context(ca.issue_cert("127.0.0.1")))
    with secure, SiteServer(fallback=Route(redirect=secure.base)) as plain:
        rows, stored = _probe(
            tmp_path,
            f"  - {{id: a, name: 甲, site: '{secure.base}'}}\n  - {{id: b, name: 乙, site: '{plain.base}'}}\n",
            f'crawl: {{ca_bundle: "{bundle}"}}\n',
        )
    assert {d: (row["ok"], row["status"]) for d, row in rows.items()} == {"a": (True, 200), "b": (True, 200)}
    assert stored == [("a", 1), ("b", 1)]


def test_a_probe_is_refused_a_private_hop_and_proves_nothing(tmp_path):
    secret = SiteServer({"/": html("内部", "<p>内部</p>")}, address="127.0.0.2").start()
    try:
        with SiteServer(fallback=Route(redirect=secret.base)) as site:
            rows, stored = _probe(
                tmp_path,
                f"  - {{id: a, name: 甲, site: '{site.base}'}}\n  - {{id: b, name: 乙, site: 'https://www.gov.cn/'}}\n",
            )
    finally:
        secret.stop()
    assert secret.log == []
    assert rows["a"]["ok"] is None and "127.0.0.2" in rows["a"]["error"]
    assert rows["b"]["ok"] is None and "offline" in rows["b"]["error"]  # the suite runs offline: no DNS, no traffic
    assert stored == []  # neither counts for or against the site's availability

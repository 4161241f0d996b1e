"""A page or link gongkai fails to read is a warning about the tool; the run goes on, and fails only past a share.

The fault is injected into the real crawl processes (a ``sitecustomize`` on their
path makes judging an answer raise for URLs containing ``crash``, in the page
spiders and the link checker alike):
the pages themselves are ordinary.
"""

from __future__ import annotations

import sys
import textwrap

import pytest
from conftest import AS_OF, crawl, write_config
from sites import html, list_page

from monitor.crawl import CrawlError
from monitor.demo.server import Route, SiteServer
from monitor.store import Store

FAULT = """
import crawler.pages

_judge = crawler.pages.judge


def judge(answer, markers, site):
    if "crash" in answer.target:
        raise RuntimeError("injected fault")
    return _judge(answer, markers, site)


crawler.pages.judge = judge  # before the spiders and the checker import it
"""


@pytest.fixture
def faulty(tmp_path, monkeypatch):
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(textwrap.dedent(FAULT), encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", ":".join([str(hook), *sys.path]))
    return tmp_path


def test_a_page_that_cannot_be_read_is_a_warning_and_the_rest_is_judged(faulty):
    notices = [(f"通知{i}", f"/xxgk/tzgg/{i}.html", AS_OF) for i in range(30)]  # a site of some size
    routes = {
        "/": list_page("测试局", [("通知", "/xxgk/tzgg/a.html", AS_OF)]),
        "/xxgk/": html("信息公开", '<a href="/xxgk/tzgg/">通知公告</a> <a href="/xxgk/crash/">人事信息</a>'),
        "/xxgk/tzgg/": list_page("通知公告", [("通知", "/xxgk/tzgg/a.html", AS_OF), *notices]),
        **{path: html(title, "<p>正文</p>") for title, path, _ in notices},
        "/xxgk/tzgg/a.html": html("通知", '<a href="/files/crash.pdf">附件</a> <a href="/files/gone.pdf">附件二</a>'),
        "/xxgk/crash/": list_page("人事信息", [("任免", "/xxgk/tzgg/a.html", AS_OF)]),
        "/files/crash.pdf": Route(b"%PDF-1.4", content_type="application/pdf"),
    }
    with SiteServer(routes) as site:
        config = write_config(
            faulty,
            f"departments:\n  - {{id: csj, name: 测试局, site: '{site.base}', columns: ["
            f"{{name: 通知公告, url: '{site.base}xxgk/tzgg/'}}, {{name: 人事信息, url: '{site.base}xxgk/crash/'}}]}}\n",
        )
        run = crawl(config, faulty / "g.db")
    store = Store(faulty / "g.db")
    status = store.run(run.run_id)["status"]
    errors = sorted(w["url"] for w in store.rows("warnings", run.run_id) if w["kind"] == "internal_error")
    columns = {c["name"]: c["state"] for c in store.rows("column_states", run.run_id)}
    broken = [p["url"] for p in store.rows("problems", run.run_id) if p["type"] == "broken_link"]
    store.close()
    assert status == "complete"
    assert errors == [site.url("/files/crash.pdf"), site.url("/xxgk/crash/")]
    assert columns == {"通知公告": "ok", "人事信息": "unchecked"}  # never called empty, never dropped
    assert broken == [site.url("/files/gone.pdf")]  # the rest of the site was still checked


def test_a_run_whose_pages_mostly_cannot_be_read_fails(faulty):
    routes = {
        "/crash/": list_page("测试局", [(f"通知{i}", f"/crash/{i}.html", AS_OF) for i in range(5)]),
        **{f"/crash/{i}.html": html("通知", "<p>正文</p>") for i in range(5)},
    }
    with SiteServer(routes) as site:
        config = write_config(faulty, f"departments:\n  - {{id: csj, name: 测试局, site: '{site.base}crash/'}}\n")
        with pytest.raises(CrawlError, match="internal errors"):
            crawl(config, faulty / "g.db")
    store = Store(faulty / "g.db")
    assert store.run(1)["status"] == "failed"
    store.close()

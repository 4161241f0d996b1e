"""Columns of a department without `columns:` are found from its menus; challenges are warnings."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from conftest import AS_OF, crawl, write_config
from sites import html, list_page

from monitor.demo.server import Route, SiteServer
from monitor.store import Store

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
NEWS = [(f"通知{i}", f"/xxgk/tzgg/202611/t2026111{i}_{i}.html", AS_OF - timedelta(days=i)) for i in range(5)]
FILES = [(f"文件{i}", f"/xxgk/zcwj/202610/t2026101{i}_{i}.html", AS_OF - timedelta(days=30 + i)) for i in range(4)]


def _discovery_site(external: str) -> dict[str, Route]:
    menu = (
        '<li><a href="/xxgk/tzgg/">通知公告</a></li>'
        '<li><a href="/xxgk/202611/t20261101_9.html">机构职能</a></li>'  # an article, not a column
        '<li><a href="/search?keyword=通知">站内搜索</a></li>'
        f'<li><a href="{external}">省政府门户</a></li>'
    )
    rows = "".join(f'<li><a href="{p}">{t}</a><span>{d}</span></li>' for t, p, d in FILES)
    return {
        "/": html(
            "测试局",
            '<a href="/xxgk/">信息公开</a> <a href="/xxgk/tzgg/index.html">通知公告</a>'
            ' <a href="/xxgk/zcwj/">更多&gt;&gt;</a>',
        ),
        "/xxgk/": html("信息公开", f'<div class="menu"><ul>{menu}</ul></div>'),
        "/xxgk/tzgg/": list_page("通知公告", NEWS),
        "/xxgk/tzgg/index.html": list_page("通知公告", NEWS),
        "/xxgk/zcwj/": html("测试局", f"<div>当前位置：首页 &gt; 信息公开 &gt; 政策文件</div><ul>{rows}</ul>"),
        "/xxgk/202611/t20261101_9.html": html("机构职能", "<p>发布时间：2026-11-01</p><p>本局主要职责……</p>"),
        "/search?keyword=%E9%80%9A%E7%9F%A5": list_page("搜索结果", NEWS),
    }


def _challenge_site() -> dict[str, Route]:
    ruishu = (REAL / "antibot" / "gansu-scjg-ruishu-challenge.html").read_bytes()
    knownsec = (REAL / "antibot" / "knownsec-yunaq-browser-check.html").read_bytes()
    return {
        "/": list_page("测试局二", [("动态", "/a.html", AS_OF)]),
        "/a.html": html("动态", "<p>正文</p>"),
        "/xxgk/": html("信息公开", '<a href="/xxgk/tzgg/">通知公告</a>'),
        "/xxgk/tzgg/": Route(ruishu, status=412),
        "/xxgk/zcwj/": Route(knownsec),
    }


def test_columns_are_discovered_named_and_merged_and_challenges_are_warnings(tmp_path):
    external = SiteServer({"/": html("省政府", "<p>门户</p>")}).start()
    site = SiteServer(_discovery_site(external.base), fallback=html("文章", "<p>正文</p>")).start()
    guarded = SiteServer(_challenge_site()).start()
    try:
        config = write_config(
            tmp_path,
            f"""departments:
  - id: csj
    name: 测试局
    site: {site.base}
    disclosure: {site.url("/xxgk/")}
  - id: fhq
    name: 测试局二
    site: {guarded.base}
    columns:
      - {{name: 通知公告, url: "{guarded.url("/xxgk/tzgg/")}"}}
      - {{name: 政策文件, url: "{guarded.url("/xxgk/zcwj/")}"}}
""",
        )
        run = crawl(config, tmp_path / "g.db")
    finally:
        for server in (site, guarded, external):
            server.stop()
    store = Store(tmp_path / "g.db")
    columns = {
        (r["department"], r["name"]): (r["url"].split("/", 3)[3], r["items"], r["state"])
        for r in store.rows("column_states", run.run_id)
    }
    problems = list(store.rows("problems", run.run_id))
    warnings = sorted((w["department"], w["kind"]) for w in store.rows("warnings", run.run_id))
    store.close()
    assert columns == {
        ("csj", "通知公告"): ("xxgk/tzgg/", 5, "ok"),  # reached as /xxgk/tzgg/ and /xxgk/tzgg/index.html
        ("csj", "政策文件"): ("xxgk/zcwj/", 4, "ok"),  # linked as 更多>>: named from its breadcrumb
        ("fhq", "通知公告"): ("xxgk/tzgg/", 0, "blocked"),
        ("fhq", "政策文件"): ("xxgk/zcwj/", 0, "blocked"),
    }
    assert problems == []  # a firewall's challenge is never the department's fault
    assert warnings == [("fhq", "blocked")]
    assert external.log == [("GET", "/")]  # checked, not crawled

"""The column inventory holds columns only, and every configured column, once, under its configured name.

Synthetic sites shaped like real ones: a discovering department whose menus
also lead to site furniture (联系我们, 网站地图, English), to the disclosure
section's own landing page by another spelling, and whose list has a pager
(首页 / 2 / 尾页 → ``?pageNum=N&uid=…``); each of those pages carries a sign of a
script-drawn list, which made it an unreadable "column" before. A configured
department names a column at the homepage's own URL and two columns whose URLs
normalise to one page.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from conftest import AS_OF, crawl, write_config
from sites import html, list_page

from monitor.demo.server import SiteServer
from monitor.store import Store

NEWS = [(f"通知{i}", f"/zwgk/tzgg/202611/t2026111{i}_{i}.html", AS_OF - timedelta(days=i)) for i in range(3)]
FILES = [(f"文件{i}", f"/zwgk/zcwj/202610/t2026101{i}_{i}.html", AS_OF - timedelta(days=20 + i)) for i in range(3)]
SCRIPTED = "<div class='list'></div><script>$.ajax({url: '/api/x.json'});</script>"


def _discovering_site():
    menu = (
        '<li><a href="/">首页</a></li><li><a href="/zwgk/index.html">政务公开</a></li>'
        '<li><a href="/lxwm/">联系我们</a></li><li><a href="/wzdt/">网站地图</a></li>'
        '<li><a href="/en/">English</a></li>'
    )
    pager = "".join(
        f'<a href="/zwgk/tzgg/?pageNum={n}&uid=4815">{text}</a>' for n, text in ((1, "首页"), (2, "2"), (3, "尾页"))
    )
    rows = "".join(f'<li><a href="{p}">{t}</a><span>{d}</span></li>' for t, p, d in NEWS)
    return {
        "/": html("测试局", f'<div class="nav"><ul>{menu}</ul></div>'),
        "/zwgk/": html(
            "政务公开",
            '<div class="menu"><ul><li><a href="/zwgk/tzgg/">通知公告</a></li>'
            '<li><a href="/zwgk/zcwj/">政策文件</a></li></ul></div>' + SCRIPTED,
        ),
        "/zwgk/tzgg/": html("通知公告", f'<ul class="list">{rows}</ul><div class="page">{pager}</div>'),
        **{f"/zwgk/tzgg/?pageNum={n}&uid=4815": html("通知公告", SCRIPTED) for n in (1, 2, 3)},
        "/zwgk/zcwj/": list_page("政策文件", FILES),
        "/lxwm/": html("联系我们", "<p>地址：某某路 1 号</p>" + SCRIPTED),
        "/wzdt/": html("网站地图", SCRIPTED),
        "/en/": html("English", SCRIPTED),
    }


@pytest.fixture(scope="module")
def inventory(tmp_path_factory):
    directory = tmp_path_factory.mktemp("inventory")
    home = list_page("测试局二", [("要闻", "/yw/1.html", AS_OF - timedelta(days=2))])
    plans = list_page("科技规划", [("规划", "/kjgh/1.html", AS_OF - timedelta(days=3))])
    configured = {"/": home, "/index.html": home, "/kjgh/": plans, "/kjgh/index.htm": plans}
    with (
        SiteServer(_discovering_site(), fallback=html("文章", "<p>正文</p>")) as site,
        SiteServer(configured, fallback=html("文章", "<p>正文</p>")) as other,
    ):
        config = write_config(
            directory,
            f"""departments:
  - id: csj
    name: 测试局
    site: {site.base}
    disclosure: {site.url("/zwgk/")}
  - id: fhq
    name: 测试局二
    site: {other.base}
    columns:
      - {{name: 首页要闻, url: "{other.url("/index.html")}"}}
      - {{name: 科技规划, url: "{other.url("/kjgh/index.htm")}"}}
      - {{name: 规划计划, url: "{other.url("/kjgh/")}"}}
""",
        )
        run = crawl(config, directory / "g.db")
    store = Store(directory / "g.db")
    yield {
        "columns": [(r["department"], r["name"], r["state"]) for r in store.rows("column_states", run.run_id)],
        "warnings": [(w["department"], w["kind"], w["url"]) for w in store.rows("warnings", run.run_id)],
        "problems": list(store.rows("problems", run.run_id)),
    }
    store.close()


def test_furniture_landing_pages_and_pager_links_are_not_columns(inventory):
    discovered = sorted(name for dept, name, _ in inventory["columns"] if dept == "csj")
    assert discovered == sorted(["通知公告", "政策文件"])
    assert [w for w in inventory["warnings"] if w[0] == "csj"] == []


def test_every_configured_column_appears_once_with_its_configured_name(inventory):
    configured = sorted((name, state) for dept, name, state in inventory["columns"] if dept == "fhq")
    assert configured == sorted([("首页要闻", "ok"), ("科技规划", "ok"), ("规划计划", "ok")])
    assert inventory["problems"] == []

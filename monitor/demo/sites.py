"""The bundled demo departments: small local sites with planted problems.

Three departments of an imaginary county, built relative to the inspection day
so that what is planted is found on any day:

* 县教育局 (jyj): columns named in the config, TRS-style ``index_N.html``
  paging. Planted: 通知公告 not updated for 250 days, 人事信息 empty, a dead
  attachment. Not problems: a link that fails once then works, a 301 to a good
  page, mailto:/javascript: links.
* 县卫生健康委员会 (wjw): columns discovered from the disclosure menu, "下一页"
  paging beside 首页 and 尾页 links. Planted: homepage not updated for 30 days,
  卫生动态 stale, 财政资金 empty, a dead external link on the homepage, a soft-404
  page, a message of its 在线咨询 unanswered for 130 days (互动回应差). 政策解读 is
  drawn by JavaScript whose data never comes, even in a browser: gongkai must
  warn, not accuse. A notice writes 截止目前 for 截至目前: suspected, for a reviewer
  to confirm. 联系我们 and 网站地图 in its menu are not columns.
* 县交通运输局 (jtj): the site does not answer at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape

from monitor.demo.server import Route, SiteServer, closed_port_url

DEAD_EXTERNAL = "http://archive.gongkai-demo.invalid/old-policy.html"


def page(title: str, nav: str, main: str, site_name: str) -> str:
    """A full page in the usual government-site frame."""
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{escape(title)}</title></head>
<body>
<div class="header"><h1>{escape(site_name)}</h1></div>
<div class="nav"><ul>{nav}</ul></div>
<div class="main">{main}</div>
<div class="footer"><p>主办：{escape(site_name)}
<a href="mailto:webmaster@example.gov.cn">联系我们</a>
<a href="javascript:void(0)" onclick="window.print()">打印本页</a>
<a href="#top">返回顶部</a></p></div>
</body></html>"""


@dataclass
class Article:
    """One item of a column."""

    title: str
    path: str
    published: date
    extra: str = ""


@dataclass
class DemoSite:
    """A demo department: its routes and the config entry that points at it."""

    id: str
    name: str
    routes: dict[str, Route] = field(default_factory=dict)
    server: SiteServer | None = None

    def serve(self) -> SiteServer:
        """Start this site's server."""
        self.server = SiteServer(self.routes).start()
        return self.server


def _items(articles: list[Article]) -> str:
    return "\n".join(
        f'<li><a href="{a.path}" title="{escape(a.title)}">{escape(a.title)}</a>'
        f"<span>{a.published.isoformat()}</span></li>"
        for a in articles
    )


def _furniture(site: DemoSite, nav: str) -> None:
    """The pages every government site links from its footer: 联系我们 and a site map (never columns)."""
    contact = "<h2>联系我们</h2><p>地址：某县人民路 1 号　邮箱：webmaster@example.gov.cn</p>"
    site.routes["/lxwm/"] = Route(page(f"联系我们_{site.name}", nav, contact, site.name))
    sitemap = f'<h2>网站地图</h2><ul class="list">{nav}</ul>'
    site.routes["/wzdt/"] = Route(page(f"网站地图_{site.name}", nav, sitemap, site.name))


def _article_page(article: Article, nav: str, site_name: str) -> Route:
    main = f"""<h2>{escape(article.title)}</h2>
<div class="info">发布时间：{article.published.isoformat()} 10:00</div>
<div class="content"><p>{escape(article.title)}。根据有关规定，现将有关事项公布如下。</p>{article.extra}</div>"""
    return Route(page(article.title, nav, main, site_name))


def _articles(prefix: str, topic: str, count: int, newest: date, step_days: int) -> list[Article]:
    return [
        Article(
            f"{topic}（第{count - i}期）",
            f"{prefix}{(newest - timedelta(days=i * step_days)).strftime('%Y%m')}/"
            f"t{(newest - timedelta(days=i * step_days)).strftime('%Y%m%d')}_{1000 + i}.html",
            newest - timedelta(days=i * step_days),
        )
        for i in range(count)
    ]


def education_bureau(as_of: date) -> DemoSite:
    """县教育局: configured columns, TRS-style paging."""
    site = DemoSite("jyj", "县教育局")
    nav = (
        '<li><a href="/">首页</a></li><li><a href="/xwzx/gzdt/">工作动态</a></li><li><a href="/xxgk/">信息公开</a></li>'
    )
    name = site.name
    news = _articles("/xwzx/gzdt/", "教育工作动态", 60, as_of - timedelta(days=2), 3)
    notices = _articles("/xxgk/tzgg/", "关于做好招生工作的通知", 12, as_of - timedelta(days=250), 20)
    policies = _articles("/xxgk/zcwj/", "县教育局规范性文件", 20, as_of - timedelta(days=40), 15)
    notices[0].extra = '<p>附件：<a href="/xxgk/tzgg/P020260301_1.pdf">附件1：报名表.pdf</a></p>'
    policies[0].extra = (
        '<p><a href="/xxgk/zcwj/P020260302_1.pdf">附件：实施细则.pdf</a> '
        '<a href="/old/zcwj.html">旧版政策文件</a> <a href="/xxgk/jdhy.html">解读回应</a></p>'
    )
    routes = site.routes
    for article in news + notices + policies:
        routes[article.path] = _article_page(article, nav, name)
    routes["/xxgk/zcwj/P020260302_1.pdf"] = Route(b"%PDF-1.4 demo", content_type="application/pdf")
    routes["/old/zcwj.html"] = Route(redirect="/xxgk/zcwj/")
    routes["/xxgk/jdhy.html"] = Route(page("解读回应", nav, "<p>政策解读与回应。</p>", name), fail_first=1)

    pages = [news[i : i + 20] for i in range(0, len(news), 20)]
    for number, chunk in enumerate(pages):
        path = "/xwzx/gzdt/" if number == 0 else f"/xwzx/gzdt/index_{number}.html"
        pager = " ".join(f'<a href="{"index" if k == 0 else f"index_{k}"}.html">{k + 1}</a>' for k in range(len(pages)))
        script = f'<script>createPageHTML({len(pages)}, {number}, "index", "html");</script>'
        main = f'<h2>工作动态</h2><ul class="list">{_items(chunk)}</ul><div class="page">{pager}</div>{script}'
        routes[path] = Route(page("工作动态-县教育局", nav, main, name))
    for path, title, articles in (("/xxgk/tzgg/", "通知公告", notices), ("/xxgk/zcwj/", "政策文件", policies)):
        main = f'<h2>{title}</h2><ul class="list">{_items(articles)}</ul>'
        routes[path] = Route(page(f"{title}-县教育局", nav, main, name))
    routes["/xxgk/rsxx/"] = Route(
        page("人事信息-县教育局", nav, '<h2>人事信息</h2><ul class="list"></ul><p>暂无信息</p>', name)
    )
    menu = "".join(
        f'<li><a href="{p}">{t}</a></li>'
        for p, t in (("/xxgk/tzgg/", "通知公告"), ("/xxgk/zcwj/", "政策文件"), ("/xxgk/rsxx/", "人事信息"))
    )
    routes["/xxgk/"] = Route(page("信息公开-县教育局", nav, f'<div class="menu"><ul>{menu}</ul></div>', name))
    home = f'<div class="block"><h3>工作动态</h3><ul>{_items(news[:6])}</ul><a href="/xwzx/gzdt/">更多</a></div>'
    routes["/"] = Route(page("县教育局", nav, home, name))
    return site


def health_commission(as_of: date) -> DemoSite:
    """县卫生健康委员会: discovered columns, "下一页" paging beside 首页/尾页, a stale homepage, site furniture."""
    site = DemoSite("wjw", "县卫生健康委员会")
    name = site.name
    nav = (
        '<li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>'
        '<li><a href="/lxwm/">联系我们</a></li><li><a href="/wzdt/">网站地图</a></li>'
    )
    notices = _articles("/zwgk/tzgg/", "卫生健康通知公告", 30, as_of - timedelta(days=20), 5)
    news = _articles("/zwgk/wsdt/", "卫生健康工作动态", 25, as_of - timedelta(days=30), 4)
    plans = _articles("/zwgk/ghjh/", "卫生健康事业发展规划", 6, as_of - timedelta(days=100), 60)
    notices[3].extra = '<p>相关链接：<a href="/zwgk/tzgg/2019/notice.html">2019年通知</a></p>'
    notices[1].extra = "<p>截止目前，全县已完成家庭医生签约服务。</p>"
    routes = site.routes
    for article in notices + news + plans:
        routes[article.path] = _article_page(article, nav, name)
    routes["/zwgk/tzgg/2019/notice.html"] = Route(
        page("页面不存在", nav, "<p>您访问的页面不存在或已被删除。</p>", name)
    )
    for base, title, articles in (("/zwgk/tzgg/", "通知公告", notices), ("/zwgk/wsdt/", "卫生动态", news)):
        chunks = [articles[i : i + 15] for i in range(0, len(articles), 15)]
        for number, chunk in enumerate(chunks, start=1):
            path = base if number == 1 else f"{base}?page={number}"
            more = f'<a href="{base}">首页</a> ' + (
                f'<a href="{base}?page={number + 1}">下一页</a>' if number < len(chunks) else ""
            )
            more += f' <a href="{base}?page={len(chunks)}">尾页</a>'
            main = f'<h2>{title}</h2><ul class="list">{_items(chunk)}</ul><div class="pager">{more}</div>'
            routes[path] = Route(page(f"{title}_{name}", nav, main, name))
    routes["/zwgk/ghjh/"] = Route(
        page(f"规划计划_{name}", nav, f'<h2>规划计划</h2><ul class="list">{_items(plans)}</ul>', name)
    )
    routes["/zwgk/czzj/"] = Route(
        page(f"财政资金_{name}", nav, "<h2>财政资金</h2><div class='list'>暂无数据</div>", name)
    )
    routes["/zwgk/zcjd/"] = Route(
        page(
            f"政策解读_{name}",
            nav,
            '<h2>政策解读</h2><div id="list"></div><script src="/js/list.js"></script>'
            "<script>loadList('#list', '/api/zcjd.json');</script>",
            name,
        )
    )
    routes["/js/list.js"] = Route("function loadList(){}", content_type="application/javascript")
    _consultations(site, nav, as_of)
    menu = "".join(
        f'<li><a href="{p}">{t}</a></li>'
        for p, t in (
            ("/zwgk/tzgg/", "通知公告"),
            ("/zwgk/wsdt/", "卫生动态"),
            ("/zwgk/ghjh/", "规划计划"),
            ("/zwgk/czzj/", "财政资金"),
            ("/zwgk/zcjd/", "政策解读"),
            ("/zwgk/zxzx/", "在线咨询"),
        )
    )
    routes["/zwgk/"] = Route(page(f"政务公开_{name}", nav, f'<div class="menu"><ul>{menu}</ul></div>', name))
    home = (
        f'<div class="block"><h3>卫生动态</h3><ul>{_items(news[:5])}</ul></div>'
        f'<div class="yqlj"><p>友情链接：<a href="{DEAD_EXTERNAL}">县政策文件库（旧）</a></p></div>'
    )
    routes["/"] = Route(page(name, nav, home, name))
    _furniture(site, nav)
    return site


def _consultations(site: DemoSite, nav: str, as_of: date) -> None:
    """在线咨询: a table of messages (留言时间, 办理状态, 回复时间) and their pages; one unanswered for 130 days."""
    messages = [
        ("/zwgk/zxzx/m1.html", "关于新生儿疫苗接种时间的咨询", as_of - timedelta(days=60), as_of - timedelta(days=55)),
        ("/zwgk/zxzx/m2.html", "关于村卫生室药品配备的咨询", as_of - timedelta(days=130), None),
        ("/zwgk/zxzx/m3.html", "关于医保报销比例的咨询", as_of - timedelta(days=10), None),
    ]
    rows = "".join(
        f'<tr><td><a href="{path}">{title}</a></td><td>{left.isoformat()}</td>'
        f"<td>{'已回复' if replied else '未回复'}</td><td>{replied.isoformat() if replied else ''}</td></tr>"
        for path, title, left, replied in messages
    )
    head = "<tr><th>留言标题</th><th>留言时间</th><th>办理状态</th><th>回复时间</th></tr>"
    main = f"<h2>在线咨询</h2><table class='list'>{head}{rows}</table>"
    site.routes["/zwgk/zxzx/"] = Route(page(f"在线咨询_{site.name}", nav, main, site.name))
    for path, title, left, replied in messages:
        answer = (
            f"<p>回复内容：您好，具体安排请咨询所在乡镇卫生院。</p><p>回复时间：{replied.isoformat()}</p>"
            if replied
            else "<p>回复内容：尚未回复</p>"
        )
        body = f"<h2>{title}</h2><p>留言时间：{left.isoformat()}</p><p>留言内容：请问具体如何办理？</p>{answer}"
        site.routes[path] = Route(page(title, nav, body, site.name))


def demo_sites(as_of: date) -> list[DemoSite]:
    """The served demo departments (the unreachable one has no site)."""
    return [education_bureau(as_of), health_commission(as_of)]


def demo_config(sites: list[DemoSite]) -> str:
    """The sites.yaml text for the served demo sites plus one unreachable department."""
    edu, health = sites
    assert edu.server and health.server
    e, h = edu.server.url, health.server.url
    return f"""# The gongkai demo: three departments of an imaginary county, served on 127.0.0.1.
timezone: Asia/Shanghai
schedule: "0 2 * * 1"
crawl:
  concurrency_per_site: 8
  download_timeout: 5
  obey_robots: true
notice:
  issuer: 某县人民政府办公室
  number: 某政办〔{{year}}〕{{issue}}号
  addressees: 各乡镇人民政府，县直各单位
  contact: 县政务公开办公室（联系电话：0000-1234567）
  deadline_days: 10
departments:
  - id: jyj
    name: 县教育局
    contact: {{person: 张三, email: jyj@example.gov.cn}}
    site: {e("/")}
    disclosure: {e("/xxgk/")}
    columns:
      - {{name: 工作动态, url: "{e("/xwzx/gzdt/")}"}}
      - {{name: 通知公告, url: "{e("/xxgk/tzgg/")}"}}
      - {{name: 政策文件, url: "{e("/xxgk/zcwj/")}"}}
      - {{name: 人事信息, url: "{e("/xxgk/rsxx/")}"}}
  - id: wjw
    name: 县卫生健康委员会
    contact: {{person: 李四, email: wjw@example.gov.cn}}
    site: {h("/")}
    disclosure: {h("/zwgk/")}
  - id: jtj
    name: 县交通运输局
    contact: {{person: 王五, email: jtj@example.gov.cn}}
    site: {closed_port_url()}
"""

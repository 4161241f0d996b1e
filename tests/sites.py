"""Small local sites for tests, in the usual government-site frame."""

from __future__ import annotations

from datetime import date

from monitor.demo.server import Route
from monitor.demo.sites import page

NAV = '<li><a href="/">首页</a></li><li><a href="/xxgk/">信息公开</a></li>'


def html(title: str, main: str) -> Route:
    """A page of the test site."""
    return Route(page(title, NAV, main, "测试局"))


def list_page(title: str, items: list[tuple[str, str, date]]) -> Route:
    """A column list page of (title, path, date) items."""
    rows = "".join(f'<li><a href="{p}">{t}</a><span>{d.isoformat()}</span></li>' for t, p, d in items)
    return html(title, f'<ul class="list">{rows}</ul>')


def config_for(base: str, columns: list[tuple[str, str]], dept_id: str = "csj") -> str:
    """A sites.yaml with one department and configured columns."""
    lines = [
        "timezone: Asia/Shanghai",
        "crawl: {download_timeout: 3}",
        "departments:",
        f"  - id: {dept_id}",
        "    name: 测试局",
        f"    site: {base}",
        "    columns:",
    ]
    lines += [f'      - {{name: {name}, url: "{base}{path.lstrip("/")}"}}' for name, path in columns]
    return "\n".join(lines) + "\n"

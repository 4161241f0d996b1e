"""What rendering script-drawn lists in Chromium costs: one site crawled with ``render`` on and off.

    python bench/render_cost.py [--columns 8]

Serves one department on 127.0.0.1 whose ``--columns`` columns draw their lists by
script, in turn each of four ways (``document.write``, XMLHttpRequest, data decoded
in the page, 暂无信息 drawn into an empty box), beside as many static columns, and
runs ``gongkai crawl --offline`` on it twice: with ``render: false`` and with
``render: true``. Prints both runs' wall and CPU seconds, the pages rendered, and
the cost of one rendered page (the difference over the pages rendered; the first
one includes starting Chromium).
"""

from __future__ import annotations

import argparse
import base64
import json
import sqlite3
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BIN, timed  # beside this script

from monitor.demo.server import Route, SiteServer

AS_OF = date(2026, 11, 22)
DAY = (AS_OF - timedelta(days=3)).isoformat()


def _page(title: str, main: str) -> Route:
    return Route(f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>{main}</body></html>")


def _drawn(n: int) -> dict[str, Route]:
    """Column ``n`` and what its script needs, in the ``n % 4``-th way."""
    base = f"/c{n}/"
    link = f"{base}1.html"
    shape = n % 4
    if shape == 0:
        script = f"document.write('<li><a href=\"{link}\">条目</a> {DAY}</li>');"
        return {base: _page(f"栏目{n}", f"<ul class='list'><script>{script}</script></ul>")}
    if shape == 1:
        script = (
            f"var x = new XMLHttpRequest(); x.open('GET', '{base}data'); x.onload = function () {{"
            " var r = JSON.parse(x.responseText).rows[0];"
            " document.getElementById('l').innerHTML ="
            " '<li><a href=\"' + r.lj + '\">' + r.bt + '</a>' + r.rq + '</li>';"
            " }; x.send();"
        )
        feed = Route(json.dumps({"rows": [{"bt": "条目", "lj": link, "rq": DAY}]}), content_type="application/json")
        return {base: _page(f"栏目{n}", f"<ul id='l' class='list'></ul><script>{script}</script>"), f"{base}data": feed}
    if shape == 2:
        data = base64.b64encode(json.dumps([{"u": link, "d": DAY}]).encode()).decode()
        script = (
            f"var d = JSON.parse(atob('{data}'))[0];"
            " document.querySelector('table').innerHTML = '<tr><td><a href=\"' + d.u + '\">条目</a></td><td>' + d.d"
            " + '</td></tr>';"
        )
        return {base: _page(f"栏目{n}", f"<table class='list-table'></table><script>{script}</script>")}
    script = "document.getElementById('b').innerHTML = '<p>暂无信息</p>';"
    return {base: _page(f"栏目{n}", f"<div class='list' id='b'></div><script>{script}</script>")}


def _site(columns: int) -> dict[str, Route]:
    routes = {"/": _page("测试局", f"<ul><li><a href='/s0/1.html'>动态</a>{DAY}</li></ul>")}
    for n in range(columns):
        routes.update(_drawn(n))
        routes[f"/s{n}/"] = _page(f"静态{n}", f"<ul class='list'><li><a href='/s{n}/1.html'>条目</a>{DAY}</li></ul>")
    return routes


def _crawl(site: SiteServer, columns: int, work: Path, render: bool) -> tuple[dict[str, float], int]:
    folder = work / ("on" if render else "off")
    folder.mkdir()
    paths = [f"/c{n}/" for n in range(columns)] + [f"/s{n}/" for n in range(columns)]
    entries = "".join(f'      - {{name: 栏目{i}, url: "{site.url(p)}"}}\n' for i, p in enumerate(paths))
    config = folder / "sites.yaml"
    config.write_text(
        f"crawl: {{render: {str(render).lower()}, obey_robots: false}}\n"
        f"departments:\n  - id: csj\n    name: 测试局\n    site: {site.base}\n    columns:\n{entries}",
        encoding="utf-8",
    )
    db = folder / "g.db"
    command = [str(BIN / "gongkai"), "crawl", "-c", str(config), "--db", str(db), "--offline"]
    usage = timed([*command, "--as-of", AS_OF.isoformat()])
    if usage["status"] != 0:
        raise SystemExit(f"gongkai crawl failed (exit status {usage['status']})")
    with sqlite3.connect(db) as conn:
        rendered = conn.execute("select count(*) from pages where reading = 'rendered'").fetchone()[0]
    return usage, rendered


def main() -> None:
    """Serve the site, crawl it with rendering off and on, print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--columns", type=int, default=8, help="script-drawn columns (and as many static ones)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="gongkai-render-"))
    with SiteServer(_site(args.columns), fallback=_page("文章", "<p>正文</p>")) as site:
        off, _ = _crawl(site, args.columns, work, render=False)
        on, rendered = _crawl(site, args.columns, work, render=True)
    print(f"site: {args.columns} script-drawn and {args.columns} static columns")
    print("| render | wall s | CPU s | peak RSS MiB | peak PSS MiB | pages rendered |")
    print("|---|---|---|---|---|---|")
    print(f"| off | {off['wall']:.1f} | {off['cpu']:.1f} | {off['rss']:.0f} | {off['pss']:.0f} | 0 |")
    print(f"| on | {on['wall']:.1f} | {on['cpu']:.1f} | {on['rss']:.0f} | {on['pss']:.0f} | {rendered} |")
    if rendered:
        print(f"per rendered page: {(on['wall'] - off['wall']) / rendered:.2f} s wall")


if __name__ == "__main__":
    main()

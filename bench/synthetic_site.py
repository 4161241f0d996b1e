"""A synthetic disclosure site of N pages, written as static files for nginx.

Columns with paginated lists (TRS-style ``index_N.html``), articles of 8–16 KB
with an attachment each (some with Chinese file names), the navigation and
footer links every real page repeats, and about 1% of articles linking to a
missing attachment: the known set of broken links, returned.

Two shapes: ``dense`` (every page repeats a navigation of twelve links and a
footer of seven: about 24 links a page, 1.65 requests a page) and ``sparse`` (a
page links only to the homepage, its column and its attachment, and three
articles in five have one: about 1.6 requests a page, few links to see again).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path

PER_PAGE = 20
COLUMNS = [
    "工作动态",
    "通知公告",
    "政策文件",
    "政策解读",
    "人事信息",
    "规划计划",
    "财政资金",
    "统计数据",
    "重点领域",
    "公开指南",
]
BODY = "根据有关规定，现将有关事项公布如下。请各单位认真贯彻落实，确保各项工作落到实处。" * 10


def _frame(title: str, main: str, columns: list[str], sparse: bool = False) -> str:
    if sparse:  # a page of the sparse shape: its own content and the way home
        return (
            f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="nav"><a href="/">首页</a></div><div class="main">{main}</div></body></html>'
        )
    nav = "".join(f'<li><a href="/xxgk/c{i:02d}/">{name}</a></li>' for i, name in enumerate(columns))
    footer = "".join(f'<a href="/about/{k}.html">关于{k}</a> ' for k in range(6))
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/xxgk/">信息公开</a></li>{nav}</ul></div>'
        f'<div class="main">{main}</div>'
        f'<div class="footer">{footer}<a href="mailto:a@example.gov.cn">联系</a></div>'
        "</body></html>"
    )


def generate(root: Path, pages: int, seed: int = 7, shape: str = "dense") -> set[str]:
    """Write the site of ``shape`` under ``root``; return the paths of the planted broken links."""
    sparse = shape == "sparse"
    rng = random.Random(seed)
    today = date(2026, 11, 22)
    articles_per_column = max(1, (pages - 2 - len(COLUMNS)) * PER_PAGE // (PER_PAGE + 1) // len(COLUMNS))
    broken: set[str] = set()
    (root / "files").mkdir(parents=True, exist_ok=True)
    for k in range(6):
        (root / "about").mkdir(exist_ok=True)
        (root / "about" / f"{k}.html").write_text(
            _frame(f"关于{k}", "<p>关于本站</p>", COLUMNS, sparse), encoding="utf-8"
        )
    latest = []
    for c, name in enumerate(COLUMNS):
        folder = root / "xxgk" / f"c{c:02d}"
        items = []
        for i in range(articles_per_column):
            day = today - timedelta(days=i * 3 + c)
            doc_id = c * 100_000 + i
            path = f"/xxgk/c{c:02d}/{day:%Y%m}/t{day:%Y%m%d}_{doc_id}.html"
            attachment = f"/files/附件{doc_id}.pdf" if doc_id % 5 == 0 else f"/files/P0{doc_id}.pdf"
            if rng.random() < 0.01:
                attachment = f"/files/missing-{doc_id}.pdf"
                broken.add(attachment)
            else:
                (root / attachment.lstrip("/")).write_bytes(b"%PDF-1.4 bench")
            body = BODY * rng.randint(1, 2)
            linked = not sparse or attachment in broken or doc_id % 5 < 3
            main = (
                f'<h1>{name}{i}</h1><div>发布时间：{day} 09:00</div><div class="content"><p>{body}</p>'
                + (f'<p><a href="{attachment}">附件：{name}{i}.pdf</a></p>' if linked else "")
                + (f'<p><a href="/xxgk/c{c:02d}/">返回{name}</a></p>' if sparse else "")
                + "</div>"
            )
            target = root / path.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(_frame(f"{name}{i}", main, COLUMNS, sparse), encoding="utf-8")
            items.append((f"{name}{i}", path, day))
        latest += items[:1]
        chunks = [items[k : k + PER_PAGE] for k in range(0, len(items), PER_PAGE)] or [[]]
        for n, chunk in enumerate(chunks):
            rows = "".join(f'<li><a href="{p}">{t}</a><span>{d}</span></li>' for t, p, d in chunk)
            script = f'<script>createPageHTML({len(chunks)}, {n}, "index", "html");</script>'
            # The pager as a browser renders it, so that link-following tools reach every page too.
            script += " ".join(
                f'<a href="{"index" if k == 0 else f"index_{k}"}.html">{k + 1}</a>' for k in range(len(chunks))
            )
            file = folder / ("index.html" if n == 0 else f"index_{n}.html")
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_text(_frame(name, f'<ul class="list">{rows}</ul>{script}', COLUMNS, sparse), encoding="utf-8")
    menu = "".join(f'<li><a href="/xxgk/c{i:02d}/">{n}</a></li>' for i, n in enumerate(COLUMNS))
    (root / "xxgk").mkdir(exist_ok=True)
    (root / "xxgk" / "index.html").write_text(_frame("信息公开", f"<ul>{menu}</ul>", COLUMNS, sparse), encoding="utf-8")
    rows = "".join(f'<li><a href="{p}">{t}</a><span>{d}</span></li>' for t, p, d in latest)
    home = f"<ul>{rows}</ul>" + (f'<a href="/xxgk/">信息公开</a>{menu}' if sparse else "")
    (root / "index.html").write_text(_frame("测试局", home, COLUMNS, sparse), encoding="utf-8")
    return broken

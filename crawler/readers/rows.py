"""The row reader: ``<li>``/``<tr>`` rows (or, on a column page, ``<p>`` rows) holding a link and a date.

A page carries many link lists (menus, footers, sidebars); a column's own list
is the one whose rows carry dates. Rows are grouped by their parent element
(the toggled blocks of one list together) and the group with the most dated
rows wins. On the homepage every dated row counts.

Table lists (序号/标题/发布日期, and 信息公开目录 rows with 索引号/发布机构/成文日期/
发布日期) take the date from the column whose header says it is the publication date.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urljoin

from lxml import html as lxml_html

from common.dates import date_text_from_url, find_date_text
from crawler.readers.base import Entry

ROW_TAGS = frozenset({"li", "tr", "dd", "dt"})
SKIP_HREF = ("javascript:", "mailto:", "tel:", "#")
_ROW_SEARCH_DEPTH = 4
_BLOCK_LEVELS = 2  # how far above a row group's parent its toggled block may be
# Attributes of a block that a script shows or hides.
TOGGLE_ATTRIBUTES = ("ms-visible", "v-show", "x-show", "hidden")
# Table headers naming the publication date, best first; 成文日期 is the date of writing.
PUBLISHED_HEADERS = ("发布日期", "发布时间", "公开日期", "信息提供日期", "日期", "时间")


def row_of(anchor: lxml_html.HtmlElement, paragraphs: bool = True) -> lxml_html.HtmlElement | None:
    """The list row (li/tr/dd/dt) an anchor sits in, if it is close enough; else its ``<p>`` (with ``paragraphs``).

    A list written as paragraphs (``document.write('<p><a …>…</a> [2026-11-15]</p>')``)
    has ``<p>`` rows; a ``<p>`` inside a list's ``<li>`` or table cell is not one.
    """
    node = anchor.getparent()
    paragraph = None
    for _ in range(_ROW_SEARCH_DEPTH):
        if node is None:
            break
        if node.tag in ROW_TAGS:
            return node
        if node.tag == "p" and paragraph is None:
            paragraph = node
        node = node.getparent()
    return paragraph if paragraphs else None


def _published_column(table: lxml_html.HtmlElement) -> int | None:
    """Index of the publication-date column of a table, from its header row."""
    for header_row in table.iter("tr"):
        cells = [" ".join(c.text_content().split()) for c in header_row if c.tag in ("th", "td")]
        if not cells or any(c.tag == "a" for c in header_row.iter("a")):
            return None
        for name in PUBLISHED_HEADERS:
            for index, cell in enumerate(cells):
                if cell == name or (name in cell and "成文" not in cell):
                    return index
        return None
    return None


def entry_of(anchor: lxml_html.HtmlElement, row: lxml_html.HtmlElement, base: str, date_cell: int | None) -> Entry:
    """Read one row: the link's full title and the date beside it."""
    url = urljoin(base, anchor.get("href").strip())
    text = " ".join(anchor.text_content().split())
    title = (anchor.get("title") or "").strip() or text
    raw = None
    if date_cell is not None and row.tag == "tr":
        cells = [c for c in row if c.tag in ("td", "th")]
        if date_cell < len(cells):
            raw = find_date_text(cells[date_cell].text_content())
    if raw is None:
        # The date beside the link wins; a date inside the link (after its title) next.
        row_text = " ".join(row.text_content().split())
        raw = find_date_text(row_text.replace(text, " ", 1) if text else row_text)
    if raw is None and title != text:
        raw = find_date_text(text.replace(title, " ", 1))
    if raw is not None:
        return Entry(url, title, raw, "list")
    url_date = date_text_from_url(url)
    return Entry(url, title, url_date, "url" if url_date else None)


def row_groups(root: lxml_html.HtmlElement, base: str, paragraphs: bool = True) -> list[list[Entry]]:
    """Every group of list rows on a page, in page order (``paragraphs``: ``<p>`` rows too)."""
    groups: dict[lxml_html.HtmlElement, list[Entry]] = {}
    seen_rows: set[lxml_html.HtmlElement] = set()
    date_cells: dict[lxml_html.HtmlElement, int | None] = {}
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(SKIP_HREF) or not anchor.text_content().strip():
            continue
        row = row_of(anchor, paragraphs)
        if row is None or row in seen_rows:
            continue
        seen_rows.add(row)
        parent = row.getparent()
        if row.tag == "tr" and parent not in date_cells:
            table = next((a for a in row.iterancestors("table")), None)
            date_cells[parent] = _published_column(table) if table is not None else None
        groups.setdefault(parent, []).append(entry_of(anchor, row, base, date_cells.get(parent)))
    return _joined_blocks(groups)


def _toggled(element: lxml_html.HtmlElement) -> bool:
    """True for a block the browser shows or hides by script (avalon's ``ms-visible``, ``v-show``, ``display:none``)."""
    style = (element.get("style") or "").replace(" ", "").lower()
    return any(name in element.attrib for name in TOGGLE_ATTRIBUTES) or "display:none" in style


def _joined_blocks(groups: dict[lxml_html.HtmlElement, list[Entry]]) -> list[list[Entry]]:
    """Groups of rows that are blocks of one list, joined in page order.

    A list the browser pages through by showing one block at a time (TRS's
    ``<div ms-visible="$showStatic(N)"><ul>`` of five rows each) is one list:
    the rows of every toggled block under one container. Other groups stay
    apart, so that two sidebar boxes never outnumber the column's own list.
    """
    joined: dict[object, list[Entry]] = {}
    for parent, entries in groups.items():
        key: object = parent
        node: lxml_html.HtmlElement | None = parent
        for _ in range(_BLOCK_LEVELS):
            if node is None:
                break
            if _toggled(node):
                key = (node.getparent(), "toggled")
                break
            node = node.getparent()
        joined.setdefault(key, []).extend(entries)
    return list(joined.values())


def best_group(groups: list[list[Entry]]) -> list[Entry]:
    """The column's own list: the group with the most dated rows (then the longest)."""
    best = max(groups, key=lambda es: (sum(1 for e in es if e.date_raw), len(es)), default=[])
    return best if any(e.date_raw for e in best) else []


def read_rows(root: lxml_html.HtmlElement, base: str, everywhere: bool = False) -> list[Entry]:
    """The list rows of a page: the best group, or every dated row (``everywhere``, the homepage).

    On the homepage a paragraph is not a row: its header's 今天是… beside a link is no item.
    """
    groups = row_groups(root, base, paragraphs=not everywhere)
    if everywhere:
        return [e for entries in groups for e in entries if e.date_raw]
    return best_group(groups)


def read_undated_rows(root: lxml_html.HtmlElement, base: str, is_item_url: Callable[[str], bool]) -> list[Entry]:
    """The list of a page whose rows carry no dates (dates only on the detail pages).

    The largest group of at least two rows that link to article-like URLs.
    """
    best: list[Entry] = []
    for group in row_groups(root, base):
        items = [e for e in group if is_item_url(e.url)]
        if len(items) >= 2 and len(items) > len(best):
            best = items
    return best

"""The generic list reader: ``<li>``/``<tr>`` rows holding a link and a date.

A column page carries many link lists (menus, footers, sidebars); the column's
own list is the one whose rows carry dates. Rows are grouped by their parent
element and the group with the most dated rows wins. On the homepage every dated
row counts, wherever it sits.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from lxml import html as lxml_html

from crawler.pages import PageMarkers
from monitor.dates import date_text_from_url, find_date_text

ROW_TAGS = frozenset({"li", "tr", "dd", "dt"})
_ROW_SEARCH_DEPTH = 4
_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([\w-]+)[\"']\s*,\s*[\"'](s?html?)[\"']\s*\)"
)
_SKIP_HREF = ("javascript:", "mailto:", "tel:", "#")


@dataclass
class Entry:
    """One row of a list."""

    url: str
    title: str
    date_raw: str | None
    date_source: str | None


@dataclass
class ListReading:
    """What a page's list holds."""

    entries: list[Entry] = field(default_factory=list)
    next_pages: list[str] = field(default_factory=list)

    @property
    def dated(self) -> int:
        """How many entries carry a date."""
        return sum(1 for e in self.entries if e.date_raw)


def _row_of(anchor: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    node = anchor.getparent()
    for _ in range(_ROW_SEARCH_DEPTH):
        if node is None:
            return None
        if node.tag in ROW_TAGS:
            return node
        node = node.getparent()
    return None


def _entry(anchor: lxml_html.HtmlElement, row: lxml_html.HtmlElement, base: str) -> Entry:
    url = urljoin(base, anchor.get("href").strip())
    text = " ".join(anchor.text_content().split())
    title = (anchor.get("title") or "").strip() or text
    # The date beside the link wins; a date inside the link's text (not its title) next.
    row_text = " ".join(row.text_content().split())
    outside = row_text.replace(text, " ", 1) if text else row_text
    raw = find_date_text(outside)
    if raw is None:
        raw = find_date_text(text.replace(title, " ", 1)) if title != text else None
    if raw is not None:
        return Entry(url, title, raw, "list")
    url_date = date_text_from_url(url)
    return Entry(url, title, url_date, "url" if url_date else None)


def _pager_pages(root: lxml_html.HtmlElement, base: str, stem: str) -> list[str]:
    """Pages of the same list: ``{stem}_N.html`` links and the TRS ``createPageHTML`` call."""
    directory = base.rsplit("/", 1)[0] + "/"
    pages: list[str] = []
    pattern = re.compile(rf"^{re.escape(stem)}_\d+\.s?html?$")
    for href in root.xpath("//a/@href"):
        url = urljoin(base, href.strip())
        path = urlsplit(url).path
        if url.startswith(directory) and pattern.match(posixpath.basename(path)):
            pages.append(url.split("#")[0])
    for script in root.xpath("//script[not(@src)]/text()"):
        for match in _CREATE_PAGE.finditer(script):
            count, name, ext = int(match.group(1)), match.group(3), match.group(4)
            if name == stem:
                pages.extend(f"{directory}{name}_{k}.{ext}" for k in range(1, count))
    return pages


def list_stem(url: str) -> str:
    """The file stem of a list's first page: ``index`` for ``…/tzgg/`` and ``…/tzgg/index.html``."""
    name = posixpath.basename(urlsplit(url).path)
    return name.rsplit(".", 1)[0] if name else "index"


def read_list(
    root: lxml_html.HtmlElement, base: str, markers: PageMarkers, stem: str | None = None, everywhere: bool = False
) -> ListReading:
    """Read the list of a page.

    ``everywhere`` collects every dated row of the page (the homepage); otherwise
    only the largest dated group is the list. ``stem`` names the list's first page
    so that its later pages can be recognised (None: do not look for pages).
    """
    groups: dict[lxml_html.HtmlElement, list[Entry]] = {}
    seen_rows: set[lxml_html.HtmlElement] = set()
    next_pages: list[str] = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_HREF):
            continue
        label = " ".join(anchor.text_content().split())
        if label in markers.next_page_text:
            next_pages.append(urljoin(base, href))
            continue
        row = _row_of(anchor)
        if row is None or row in seen_rows or not label:
            continue
        seen_rows.add(row)
        groups.setdefault(row.getparent(), []).append(_entry(anchor, row, base))

    reading = ListReading()
    if everywhere:
        reading.entries = [e for entries in groups.values() for e in entries if e.date_raw]
    else:
        best = max(groups.values(), key=lambda es: (sum(1 for e in es if e.date_raw), len(es)), default=[])
        if any(e.date_raw for e in best):
            reading.entries = best
    if stem is not None:
        pages = next_pages + _pager_pages(root, base, stem)
        reading.next_pages = list(dict.fromkeys(u.split("#")[0] for u in pages if u.split("#")[0] != base))
    return reading

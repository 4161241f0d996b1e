"""Later pages of an HTML list: "下一页" links, pager links and the TRS pager script.

TRS numbering differs by site, so it is read from the page's own script call:
``createPageHTML(count, current, name, ext)`` counts its current page from 0
(page k+1 is ``name_k.ext``); the six-argument form ``createPageHTML(div, count,
current, name, ext, total)`` counts from 1 (page k is ``name_k.ext``). ``var
countPage = N`` alone numbers like the four-argument form. Pager links
``{stem}_N.ext`` in the same folder are followed as they are.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import urlsplit

from lxml import html as lxml_html

from crawler.links import LinkBase
from crawler.readers.base import NextPage
from crawler.readers.rows import SKIP_HREF

_NUMBER = r"\s*(\d+)\s*"
_NAME = r"\s*[\"']([\w-]+)[\"']\s*"
_EXT = r"\s*[\"'](s?html?)[\"']\s*"
_PAGER_ZERO_BASED = re.compile(rf"createPageHTML\({_NUMBER},{_NUMBER},{_NAME},{_EXT}\)")
_PAGER_ONE_BASED = re.compile(rf"createPageHTML\(\s*[\"'][\w-]*[\"']\s*,{_NUMBER},{_NUMBER},{_NAME},{_EXT},{_NUMBER}\)")
_COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*(\d+)")
_PAGE_FILE = re.compile(r"^(.+?)_(\d+)\.(s?html?)$")


def list_stem(url: str) -> str:
    """The file stem of a list's first page: ``index`` for ``…/tzgg/`` and ``…/tzgg/index.html``."""
    name = posixpath.basename(urlsplit(url).path)
    return name.rsplit(".", 1)[0] if name else "index"


def script_pages(source: str, url: str) -> list[str]:
    """Pages announced by the TRS pager script of a page (including a commented-out one)."""
    folder = LinkBase(url).folder
    pages: list[str] = []
    for match in _PAGER_ZERO_BASED.finditer(source):
        count, name, ext = int(match.group(1)), match.group(3), match.group(4)
        pages += [f"{folder}{name}_{k}.{ext}" for k in range(1, count)]
    for match in _PAGER_ONE_BASED.finditer(source):
        count, name, ext = int(match.group(1)), match.group(3), match.group(4)
        pages += [f"{folder}{name}_{k}.{ext}" for k in range(2, count + 1)]
    if not pages and (match := _COUNT_PAGE.search(source)):
        name = posixpath.basename(urlsplit(url).path) or "index.html"
        stem, _, ext = name.partition(".")
        if found := _PAGE_FILE.match(name):  # a later page names the first page's stem
            stem, ext = found.group(1), found.group(3)
        pages += [f"{folder}{stem}_{k}.{ext or 'html'}" for k in range(1, int(match.group(1)))]
    return pages


def link_pages(root: lxml_html.HtmlElement, url: str, stem: str, next_texts: tuple[str, ...]) -> list[str]:
    """Pages linked by "下一页"-style links and by ``{stem}_N`` pager links in the same folder."""
    base = LinkBase(url)
    folder = base.folder
    pattern = re.compile(rf"^{re.escape(stem)}_\d+\.s?html?$")
    pages: list[str] = []
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not href or href.lower().startswith(SKIP_HREF):
            continue
        target = base.join(href).split("#", 1)[0]
        label = " ".join(anchor.text_content().split())
        in_pager = target.startswith(folder) and pattern.match(posixpath.basename(urlsplit(target).path))
        if label in next_texts or in_pager:
            pages.append(target)
    return pages


def html_pages(
    root: lxml_html.HtmlElement, source: str, url: str, stem: str, next_texts: tuple[str, ...]
) -> list[NextPage]:
    """Every later page an HTML list announces, once each, never the page itself."""
    here = url.split("#", 1)[0]
    urls = link_pages(root, url, stem, next_texts) + script_pages(source, url)
    return [NextPage(u) for u in dict.fromkeys(urls) if u != here]

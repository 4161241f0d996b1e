"""Column discovery: which page reached through a site's navigation is a column (栏目), and its name.

A department whose config names no columns has them discovered: the page
spider reads every page reached through the menus (``nav_depth``) as a
possible list, and this module says whether it is one.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import parse_qsl, urlsplit

from crawler.pages import PageMarkers, PageView, breadcrumb_leaf, no_list_reason
from crawler.readers import ListReading, list_stem, read_column

_MORE = re.compile(r"^(更多|more|查看更多|>>|»)", re.IGNORECASE)
_TITLE_SEPARATORS = re.compile(r"\s*[-_|—–]\s*")
_NOT_IN_NAMES = re.compile(r"[\s\[\]【】<>《》«»]+")
# A menu link's text longer than this is a headline, not a column's name.
MAX_NAME_LENGTH = 20


def discovered_column(view: PageView, url: str, markers: PageMarkers, anchor: str | None) -> ListReading | None:
    """The list of a page reached through the navigation (by a link reading ``anchor``), when the page is a column.

    A column holds a list that is readable, marked empty (暂无信息), or visibly
    there but not readable (drawn by a script): the last becomes an
    ``unparsed`` column, so the tool's blind spot is a warning, not an accusation.
    Site furniture and pager links are never columns, nor is a page named like
    the disclosure section's landing page unless it shows a dated list
    (``markers.yaml`` ``not_columns``): by its link's text or its breadcrumb,
    never its title, which may name the site rather than the page.
    """
    if view.root is None or markers.is_detail_url(url) or markers.is_search_url(url):
        return None
    names = [name for name in (anchor, breadcrumb_leaf(view.text, markers)) if name]
    if _later_page(url, markers) or any(_word(name) in _words(markers.not_column_names) for name in names):
        return None
    if any(_is_number(name) for name in names):  # a pager's 2, 3 …
        return None
    reading = read_column(view, markers, list_stem(url))
    if any(_word(name) in _words(markers.landing_names) for name in names) and not reading.dated:
        return None  # the disclosure section's landing page, by another spelling
    if reading.entries or reading.empty:
        return reading
    if any(signal in view.source for signal in markers.list_signals):
        return reading
    return reading if no_list_reason(view, markers)[0] == "empty" else None


def _word(text: str) -> str:
    """A name as the vocabulary compares it: no spaces or brackets, Latin letters in lower case."""
    return _NOT_IN_NAMES.sub("", text).lower()


@functools.cache
def _words(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_word(n) for n in names)


def _is_number(name: str) -> bool:
    """A pager's page number (2, 3 … 999), not a year's sub-column (2023)."""
    word = _word(name)
    return word.isdigit() and len(word) <= 3


def _later_page(url: str, markers: PageMarkers) -> bool:
    """True when the URL numbers a later page of a list (``?pageNum=3``; page 1 is the list itself)."""
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    params = markers.paging_query_params
    return any(key.lower() in params and value.isdigit() and int(value) > 1 for key, value in query)


def column_name(view: PageView, anchor: str | None, markers: PageMarkers) -> str:
    """A discovered column's name: the menu link's text, else the breadcrumb's last element, else the page title."""
    anchor = (anchor or "").strip()
    if anchor and not _MORE.match(anchor) and len(anchor) <= MAX_NAME_LENGTH:
        return anchor
    if leaf := breadcrumb_leaf(view.text, markers):
        return leaf
    return _TITLE_SEPARATORS.split(view.title)[0] if view.title else view.url

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
    Site furniture, the disclosure landing page and pager links are never
    columns (``markers.yaml`` ``not_columns``), whatever they hold.
    """
    if view.root is None or markers.is_detail_url(url) or markers.is_search_url(url):
        return None
    if never_a_column(url, anchor, markers) or never_a_column(url, column_name(view, anchor, markers), markers):
        return None
    reading = read_column(view, markers, list_stem(url))
    if reading.entries or reading.empty:
        return reading
    if any(signal in view.source for signal in markers.list_signals):
        return reading
    return reading if no_list_reason(view, markers)[0] == "empty" else None


def _word(text: str) -> str:
    """A name as the vocabulary compares it: no spaces or brackets, Latin letters in lower case."""
    return _NOT_IN_NAMES.sub("", text).lower()


@functools.cache
def _not_columns(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(_word(n) for n in names)


def never_a_column(url: str, name: str | None, markers: PageMarkers) -> bool:
    """True for a page reached through the navigation that is not a column.

    Its link or its name is site furniture (联系我们), the disclosure section's
    landing page (政务公开) or a pager's (尾页, a page number), or its URL numbers
    a later page of a list (``?pageNum=3``).
    """
    word = _word(name or "")
    if word in _not_columns(markers.not_column_names) or word.isdigit():
        return True
    query = parse_qsl(urlsplit(url).query, keep_blank_values=True)
    return any(key.lower() in markers.paging_query_params for key, _ in query)


def column_name(view: PageView, anchor: str | None, markers: PageMarkers) -> str:
    """A discovered column's name: the menu link's text, else the breadcrumb's last element, else the page title."""
    anchor = (anchor or "").strip()
    if anchor and not _MORE.match(anchor) and len(anchor) <= MAX_NAME_LENGTH:
        return anchor
    if leaf := breadcrumb_leaf(view.text, markers):
        return leaf
    return _TITLE_SEPARATORS.split(view.title)[0] if view.title else view.url

"""Which links are requested, and how: crawled, checked, or never touched."""

from __future__ import annotations

import functools
import posixpath
import re
import zlib
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from lxml import html as lxml_html
from w3lib.html import strip_html5_whitespace
from w3lib.url import safe_url_string

_INDEX_FILES = frozenset({"index.html", "index.htm", "index.shtml", "default.html", "default.htm"})


_PATH_PARAMS = re.compile(r";(jsessionid|sessionid|sid)=[^/?#]*", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def canonical(url: str, ignored_params: frozenset[str] = frozenset()) -> str:
    """The key under which a URL is requested once per run.

    Drops the fragment, session ids (``;jsessionid=…``) and the ``ignored_params``
    (sessions, sort order, print views), sorts the rest of the query, and treats
    ``…/dir/index.html`` as ``…/dir/``: one page reached by several spellings is
    requested once.
    """
    parts = urlsplit(url)
    path = _PATH_PARAMS.sub("", parts.path) or "/"
    if posixpath.basename(path) in _INDEX_FILES:
        path = path.rsplit("/", 1)[0] + "/"
    query = sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k.lower() not in ignored_params)
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, urlencode(query), ""))


def trap_reason(url: str, max_repeated_segment: int) -> str | None:
    """Why a URL looks like a crawler trap (an ever-deeper path), or None."""
    segments = [s for s in urlsplit(url).path.split("/") if s]
    repeated = max((segments.count(s) for s in set(segments)), default=0)
    if repeated >= max_repeated_segment:
        return f"a path segment repeats {repeated} times"
    return None


_DOCUMENT = re.compile(r"\.(s?html?|jsp|aspx?|php|pdf|docx?|xlsx?|wps|ofd|zip|rar)$", re.IGNORECASE)


def removed_document(target: str, final: str, site: str) -> str | None:
    """Why a redirect means the document is gone: it lands on the homepage or a parent folder.

    Many CMSs answer a removed document this way instead of with a 404. The reason code: ``moved_home`` or
    ``moved_parent``.
    """
    if final == target:
        return None
    before, after = urlsplit(target), urlsplit(final)
    if not _DOCUMENT.search(before.path) or before.netloc != after.netloc:
        return None
    if after.path in ("", "/", urlsplit(site).path or "/") and not after.query:
        return "moved_home"
    folder = after.path if after.path.endswith("/") else None
    if folder and before.path.startswith(folder) and before.path != folder:
        return "moved_parent"
    return None


# Where links are: anchors and image-map areas by href, images and frames by src.
_LINK_ATTRS = {"a": "href", "area": "href", "img": "src", "iframe": "src"}


@functools.lru_cache(maxsize=4096)
def _absolute(base: str, href: str, encoding: str) -> str:
    return safe_url_string(urljoin(base, href), encoding=encoding).split("#", 1)[0]


@functools.lru_cache(maxsize=4096)
def _joined(base: str, href: str) -> str:
    return urljoin(base, href)


class LinkBase:
    """A page's base URL, and the part of it that a given link actually depends on.

    ``/xxgk/`` and ``http://…`` resolve the same on every page of a site, and
    ``index_3.html`` or ``../a.html`` the same on every page of a folder; only
    ``?page=2`` and ``#top`` need the page's own URL. Resolving against that part
    lets the pages of a site share one cache of resolved links.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        parts = urlsplit(base)
        self.origin = f"{parts.scheme}://{parts.netloc}/"
        self.folder = urlunsplit((parts.scheme, parts.netloc, parts.path[: parts.path.rfind("/") + 1] or "/", "", ""))

    def for_href(self, href: str) -> str:
        """The base to resolve ``href`` against (same result as the page's own URL)."""
        if href.startswith("/") or "://" in href[:12]:
            return self.origin
        if not href or href.startswith(("?", "#")):
            return self.base
        return self.folder

    def join(self, href: str) -> str:
        """``urljoin(base, href)``, cached per folder."""
        return _joined(self.for_href(href), href)


_WORDS = re.compile(r"[\s_\-]+")


class Regions:
    """Which region of a page an element is in (nav, footer, body …), each ancestor judged once per page."""

    def __init__(self, hints: tuple[tuple[str, tuple[str, ...]], ...]) -> None:
        """``hints``: (region, hints) in the order they are tried (``link_regions`` of markers.yaml)."""
        self.hints = hints
        self.known: dict[lxml_html.HtmlElement, str] = {}

    def _own(self, element: lxml_html.HtmlElement) -> str | None:
        tag = element.tag if isinstance(element.tag, str) else ""
        words = [w for w in _WORDS.split(f"{element.get('class', '')} {element.get('id', '')}".lower()) if w]
        for region, hints in self.hints:
            if tag in hints or any(word.startswith(hint) for word in words for hint in hints):
                return region
        return None

    def of(self, element: lxml_html.HtmlElement) -> str:
        """The region of an element: its own, or its nearest ancestor's; ``page`` when none says."""
        path = []
        node: lxml_html.HtmlElement | None = element
        region = None
        while node is not None:
            if node in self.known:
                region = self.known[node]
                break
            path.append(node)
            if (own := self._own(node)) is not None:
                region = own
                break
            node = node.getparent()
        region = region or "page"
        for visited in path:
            self.known[visited] = region
        return region


def page_links(
    root: lxml_html.HtmlElement, page_url: str, encoding: str, regions: Regions | None = None
) -> Iterator[tuple[str, str, str]]:
    """Every web link of a parsed page, once, as (absolute URL without fragment, anchor text, place).

    The place says where the link is: its region and its number among the page's
    links (``footer:37``), so a department finds a dead link it is told about.

    Scrapy's LinkExtractor would resolve and re-encode the navigation and footer
    links again on every page of a site; here a link is resolved once per site or
    folder (``LinkBase``), not once per page. Non-ASCII is percent-encoded like
    the browser does (the path as UTF-8, the query in the page's encoding).
    """
    declared = next(root.iter("base"), None)
    href = declared.get("href") if declared is not None else None
    base = LinkBase(urljoin(page_url, strip_html5_whitespace(href)) if href else page_url)
    seen: set[str] = set()
    regions = regions or Regions(())
    for number, element in enumerate(root.iter(*_LINK_ATTRS), start=1):
        href = element.get(_LINK_ATTRS[element.tag])
        if not href:
            continue
        href = strip_html5_whitespace(href)
        url = _absolute(base.for_href(href), href, encoding)
        if url in seen or not url.startswith(("http://", "https://")):
            continue
        seen.add(url)
        text = element.text_content() if element.tag in ("a", "area") else ""
        yield url, " ".join(text.split()), f"{regions.of(element)}:{number}"


def page_owner(url: str, workers: int) -> int:
    """Which of ``workers`` page spiders crawls ``url`` (0 … workers-1).

    Decided by host and path only, so every query variant of a path goes to one
    spider (which counts them for the trap rule); the pages of a list go by their
    column's URL, so one spider sees the whole pagination (and its loops). The
    path is the canonical one: ``…/dir/`` and ``…/dir/index.html`` go to the same
    spider, which requests them once, as one spider alone would.
    """
    if workers <= 1:
        return 0
    parts = urlsplit(canonical(url))
    return zlib.crc32(f"{parts.netloc.lower()}{parts.path}".encode()) % workers

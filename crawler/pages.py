"""What kind of page a 200 response really is: content, a challenge, or a soft 404."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from lxml import html as lxml_html
from parsel import Selector

from common.reasons import reason
from common.table_models import MarkersTable, MessageMarkers
from common.transport.failures import CUT_OFF, REFUSED
from crawler.items import CheckResult, Note
from crawler.links import removed_document

if TYPE_CHECKING:
    from scrapy.http import TextResponse


@functools.cache
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


_INVISIBLE = "//body//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]"


@dataclass(frozen=True)
class PageMarkers:
    """The phrases of ``markers.yaml`` that classify pages."""

    empty_column: tuple[str, ...]
    soft_404: tuple[str, ...]
    soft_404_short_text: int
    challenge: tuple[str, ...]
    challenge_max_text: int
    challenge_statuses: frozenset[int]
    challenge_cookie: tuple[str, ...]
    challenge_reload: tuple[str, ...]
    next_page_text: tuple[str, ...]
    detail_url_patterns: tuple[str, ...]
    list_signals: tuple[str, ...]
    drawing_signals: tuple[str, ...]
    list_container_hints: tuple[str, ...]
    search_url_patterns: tuple[str, ...]
    breadcrumb_labels: tuple[str, ...]
    waf_block: tuple[str, ...]
    waf_block_max_text: int
    ignored_query_params: frozenset[str]
    max_query_variants: int
    max_repeated_segment: int
    messages: MessageMarkers  # how a 政务咨询 message is read
    not_column_names: tuple[str, ...] = ()
    landing_names: tuple[str, ...] = ()
    paging_query_params: frozenset[str] = frozenset()
    link_regions: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def is_detail_url(self, url: str) -> bool:
        """True for URLs shaped like article pages (``t20260301_1.html``, ``/art/…``)."""
        return any(p.search(url) for p in _compiled(self.detail_url_patterns))

    def is_search_url(self, url: str) -> bool:
        """True for site-search pages."""
        return any(p.search(url) for p in _compiled(self.search_url_patterns))

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> PageMarkers:
        """Build from the loaded ``markers.yaml`` (``common.table_models.MarkersTable``)."""
        m = MarkersTable.model_validate(table)
        return cls(
            empty_column=tuple(m.empty_column),
            soft_404=tuple(m.soft_404),
            soft_404_short_text=m.soft_404_short_text,
            challenge=tuple(m.challenge),
            challenge_max_text=m.challenge_max_text,
            challenge_statuses=frozenset(m.challenge_structure.statuses),
            challenge_cookie=tuple(m.challenge_structure.sets_cookie),
            challenge_reload=tuple(m.challenge_structure.reloads),
            next_page_text=tuple(m.next_page_text),
            detail_url_patterns=tuple(m.detail_url_patterns),
            list_signals=tuple(m.list_signals),
            drawing_signals=tuple(m.drawing_signals),
            list_container_hints=tuple(m.list_container_hints),
            search_url_patterns=tuple(m.search_url_patterns),
            breadcrumb_labels=tuple(m.breadcrumb_labels),
            waf_block=tuple(m.waf_block),
            waf_block_max_text=m.waf_block_max_text,
            ignored_query_params=frozenset(p.lower() for p in m.ignored_query_params),
            max_query_variants=m.max_query_variants,
            max_repeated_segment=m.max_repeated_segment,
            not_column_names=(*m.not_columns.furniture, *m.not_columns.pager),
            landing_names=tuple(m.not_columns.landing),
            paging_query_params=frozenset(p.lower() for p in m.paging_query_params),
            link_regions=tuple((name, tuple(hints)) for name, hints in m.link_regions.items()),
            messages=m.messages,
        )


def is_challenge(page: PageView, status: int, markers: PageMarkers) -> bool:
    """True when a page is an anti-bot challenge, not content: next to no text, and a challenge's signature or build.

    Its build, on a page with no text at all or answered with a challenge status
    (``challenge_structure``): a script that sets a cookie and loads the page
    again; or, with such a status, scripts and no text at all.
    """
    if len(page.text) >= markers.challenge_max_text:
        return False
    if any(sig in page.source[:8192] for sig in markers.challenge):
        return True
    if page.text and status not in markers.challenge_statuses:
        return False  # a short page that says something, answered as content: the site's own
    code = " ".join(page.scripts)
    if any(c in code for c in markers.challenge_cookie) and any(r in code for r in markers.challenge_reload):
        return True
    scripts_only = not page.text and page.root is not None and bool(page.root.xpath("//script"))
    return status in markers.challenge_statuses and scripts_only


def waf_block_reason(text: str, markers: PageMarkers) -> str | None:
    """The phrase showing that a web application firewall blocked the request, or None."""
    if len(text) > markers.waf_block_max_text:
        return None
    return next((phrase for phrase in markers.waf_block if phrase in text), None)


def empty_page(page: PageView) -> bool:
    """True for an HTML page with nothing at all to show: no text, no media, no script."""
    if page.root is None or page.text:
        return False
    return not page.root.xpath("//img | //iframe | //embed | //object | //video | //script")


def visible_text(root: lxml_html.HtmlElement) -> str:
    """Return the text a reader sees in the body, whitespace-collapsed."""
    return " ".join(" ".join(t.split()) for t in root.xpath(_INVISIBLE) if t.strip())


_BARE_404 = re.compile(r"(?<![0-9０-９])404(?![0-9０-９])")
_TITLE_PARTS = re.compile(r"\s*[-_|—–:：·，,！!。]\s*|\s{2,}")
# What an error page's title may add to the phrase in its own part of the title (页面不存在！, 404 错误).
_TITLE_SLACK = 4


def _title_says(title: str, phrase: str) -> bool:
    """The phrase is what a part of the title says (页面不存在 - 某某局), not words quoted in a longer title."""
    return any(phrase in part and len(part) <= len(phrase) + _TITLE_SLACK for part in _TITLE_PARTS.split(title))


def soft_404_reason(title: str, text: str, markers: PageMarkers) -> str | None:
    """Return the phrase that makes a 200 page a "page does not exist" page, or None.

    The title counts when the phrase is what one part of it says (页面不存在 - 某某局);
    a longer title that quotes the phrase (关于开展"页面不存在"等问题专项整治的通知)
    is an article about it. The bare number 404 counts only on a page with next to
    no text, and never as part of a longer number (第404号, t20230729_1404).
    """
    short = len(text) < markers.soft_404_short_text
    for phrase in markers.soft_404:
        if phrase == "404":
            if short and _BARE_404.search(title):
                return phrase
        elif _title_says(title, phrase):
            return phrase
    if short:
        for phrase in markers.soft_404:
            if phrase != "404" and phrase in text:
                return phrase
    return None


def empty_marker(text: str, markers: PageMarkers) -> str | None:
    """Return the "nothing here" phrase (暂无信息 …) found in a page's text, or None."""
    return next((phrase for phrase in markers.empty_column if phrase in text), None)


class PageView:
    """A text answer read once: its source, and for HTML its tree, title and visible text."""

    def __init__(self, url: str, source: str, selector: Selector | None = None) -> None:
        """``selector`` is the HTML tree of ``source``; without one the answer is text, not a page."""
        self.url = url
        self.source = source
        self.root: lxml_html.HtmlElement | None = None
        self.title = ""
        self.text = ""
        if selector is not None:
            self.root = selector.root
            self.title = " ".join((selector.xpath("//title/text()").get() or "").split())
            self.text = visible_text(self.root)

    @classmethod
    def of(cls, response: TextResponse) -> PageView:
        """The view of a Scrapy text response (HTML gets its tree)."""
        # Imported here: the link checker reads answers without loading Scrapy.
        from scrapy.http import HtmlResponse

        selector = response.selector if isinstance(response, HtmlResponse) else None
        return cls(response.url, response.text, selector)

    @classmethod
    def html(cls, url: str, source: str) -> PageView:
        """The view of an HTML page's decoded source."""
        return cls(url, source, Selector(text=source, type="html"))

    @functools.cached_property
    def scripts(self) -> list[str]:
        """The text of the page's inline scripts."""
        return [] if self.root is None else self.root.xpath("//script[not(@src)]/text()")


@dataclass(frozen=True)
class Verdict:
    """What a response means for the link that led to it."""

    outcome: str  # ok, broken, blocked
    error: str | None = None  # http, soft_404, challenge
    detail: str | None = None  # the reason code (``common.reasons.reason``)
    page: PageView | None = None  # the page, when it is HTML content


@dataclass(frozen=True)
class Answer:
    """An HTTP answer as the judge sees it, whichever client fetched it."""

    target: str  # the URL asked for
    url: str  # where the answer came from, after redirects
    status: int
    role: str  # the request's role: homepage, column, list_page, page, check
    view: PageView | None = None  # the decoded text, for a text answer
    certificate: tuple[str, str] | None = None  # (tls or tls_unverified, what is wrong), for HTTPS


def judge(answer: Answer, markers: PageMarkers, site: str) -> Verdict:
    """What an answer means for the link that led to it, and the page when it is content.

    ``site`` is the department's homepage, against which a redirect to it reads
    as a removed document.
    """
    view = answer.view
    if answer.status == 429:
        # Still "slow down" after the confirmations honoured Retry-After: the
        # server is limiting gongkai, which says nothing about the link.
        return Verdict("blocked", "rate_limited", "rate_limited")
    is_html = view is not None and view.root is not None
    if is_html:
        if is_challenge(view, answer.status, markers):
            return Verdict("blocked", "challenge", "challenge")
        if phrase := waf_block_reason(view.text, markers):
            return Verdict("blocked", "waf", reason("waf", phrase))
    if answer.status >= 400:
        return Verdict("broken", "http", reason("http", answer.status))
    kind, problem = answer.certificate or (None, None)
    content = view if view is not None and (is_html or answer.role != "check") else None
    if kind == "tls":
        return Verdict("broken", "tls", reason("cert", problem), page=content)  # the page is still read
    if is_html and (phrase := soft_404_reason(view.title, view.text, markers)):
        return Verdict("broken", "soft_404", reason("says", phrase))
    if is_html and empty_page(view):
        return Verdict("broken", "soft_404", "empty_page")
    if moved := removed_document(answer.target, answer.url, site):
        return Verdict("broken", "soft_404", moved)
    return Verdict("ok", page=content)


def side_notes(department: str, answer: Answer, verdict: Verdict) -> list[Note]:
    """The warnings an answer raises besides its verdict: a block page, an unverifiable certificate."""
    notes = []
    if verdict.outcome == "blocked":
        notes.append(Note(department, "blocked", answer.target, verdict.detail))
    kind, problem = answer.certificate or (None, None)
    if kind == "tls_unverified":
        host = urlsplit(answer.target).netloc
        notes.append(Note(department, "tls_unverified", answer.target, reason("cert", problem), host))
    return notes


def _empty_container(page: PageView, hints: tuple[str, ...]) -> lxml_html.HtmlElement | None:
    """A list container (by class or id) that holds no links at all."""
    assert page.root is not None
    for element in page.root.iter("ul", "ol", "table", "tbody", "div"):
        names = f"{element.get('class', '')} {element.get('id', '')}".lower()
        if any(hint in names for hint in hints) and not element.xpath(".//a[@href]"):
            return element
    return None


def no_list_reason(page: PageView, markers: PageMarkers) -> tuple[str, str]:
    """Why a column page shows no rows, and the reason code: ``empty`` (it says so) or ``unparsed`` (cannot tell)."""
    if marker := empty_marker(page.text, markers):
        return "empty", reason("says", marker)
    if page.root is None:
        return "unparsed", "no_records"
    if signal := next((s for s in markers.list_signals if s in page.source), None):
        return "unparsed", reason("script", signal)
    container = _empty_container(page, markers.list_container_hints)
    if container is not None:
        if container.xpath(".//script"):  # it writes where it stands: into the list
            return "unparsed", reason("script", "<script>")
        if drawing := next((s for s in markers.drawing_signals for script in page.scripts if s in script), None):
            return "unparsed", reason("script", drawing)
        names = [n for n in (container.get("id"), *(container.get("class") or "").split()) if n]
        if not any(name in script for name in names for script in page.scripts):
            return "empty", "list_empty"
    return "unparsed", "no_list"


_CRUMB_SEPARATORS = re.compile(r"\s*(?:>|›|»|/|＞|→)\s*")


def breadcrumb_leaf(text: str, markers: PageMarkers) -> str | None:
    """The last element of a page's breadcrumb (当前位置：首页 > 信息公开 > 通知公告 → 通知公告)."""
    for label in markers.breadcrumb_labels:
        start = text.find(label)
        if start < 0:
            continue
        crumbs: list[str] = []
        for part in _CRUMB_SEPARATORS.split(text[start + len(label) :].lstrip(" ：:")[:80]):
            word, space, _ = part.strip().partition(" ")
            if word:
                crumbs.append(word)
            if space:  # the page's own text begins after the last crumb
                break
        if len(crumbs) >= 2:
            return crumbs[-1]
    return None


def failed_check(dept_id: str, target: str, kind: str, detail: str | None, attempts: int) -> list[Any]:
    """The rows of a request that failed for good, whichever client made it: its warning, if any, then its check.

    gongkai refused it (a private target, a warning; offline, skipped) or did not
    ask (robots.txt); or it stopped reading (too large, too slow: a warning,
    never a broken link); otherwise the link is broken.
    """
    if kind in REFUSED or kind in ("robots", "ignored"):
        notes = [Note(dept_id, "private_target", target, detail, target)] if kind == "private_target" else []
        return [*notes, CheckResult(target, None, kind, "skipped", attempts, None, detail)]
    if kind in CUT_OFF:
        return [
            Note(dept_id, "page_cut_off", target, kind, target),
            CheckResult(target, None, kind, "skipped", attempts, None, kind),
        ]
    return [CheckResult(target, None, kind, "broken", attempts, None, kind)]

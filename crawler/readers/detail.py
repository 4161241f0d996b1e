"""What an article (detail) page says of itself: its publication date, its 成文日期, its body's fingerprint.

The visible 发布时间/发布日期 line wins; 成文日期 (the date the document was
written) comes next; the ``PubDate``-style metas are a last resort, because
CMSs often fill them with the page's build time (Maketime, 页面生成时间).

The fingerprint is a hash of the article's body text (its paragraphs outside
the navigation, header, footer, sidebar and lists), so the same text posted
again under another address or date is recognised (旧稿重发).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from common.dates import find_date_text
from common.urls import is_attachment
from crawler.links import Regions

# A bare 时间/日期 label counts only on its own: 留言时间 (a message's time) is not it.
_PUBLISHED = re.compile(
    r"(发布时间|发布日期|发文时间|公开日期|信息提供日期|(?<![\u4e00-\u9fff])(?:时\s*间|日\s*期))\s*[:：]\s*"
)
_WRITTEN = re.compile(r"(成文日期|发文日期|印发日期)\s*[:：]?\s*")
_HINT = re.compile(r"pub|publish|fbsj|fbrq|release", re.I)
META_NAMES = ("pubdate", "firstpublishedtime", "publishdate", "article:published_time", "maketime")


def _after(pattern: re.Pattern[str], text: str) -> str | None:
    for match in pattern.finditer(text):
        if raw := find_date_text(text[match.end() : match.end() + 40]):
            return raw
    return None


def detail_date(root: lxml_html.HtmlElement, text: str) -> tuple[str, str] | None:
    """The raw publication date of a detail page and where it came from (detail, written, meta)."""
    if raw := _after(_PUBLISHED, text):
        return raw, "detail"
    for element in root.iter(etree.Element):
        hint = f"{element.get('id', '')} {element.get('class', '')}"
        if _HINT.search(hint) and (raw := find_date_text(element.text_content()[:60])):
            return raw, "detail"
    if raw := _after(_WRITTEN, text):
        return raw, "written"
    metas = {(m.get("name") or m.get("property") or "").lower(): m.get("content") or "" for m in root.iter("meta")}
    for name in META_NAMES:
        if raw := find_date_text(metas.get(name, "")):
            return raw, "meta"
    return None


# Body text shorter than this says too little to tell one article from another
# (详见附件, a caption): such a page gets no fingerprint.
MIN_BODY_CHARS = 60
# The regions whose text is the page's furniture (or its lists), never its article or message.
FURNITURE = frozenset({"nav", "footer", "sidebar", "header", "list"})
_PARAGRAPHS = etree.XPath("//p | //div[not(.//div or .//p or .//table or .//ul or .//ol)]")


@dataclass
class Article:
    """What an article page says of itself."""

    date_raw: str | None  # its publication date (``detail_date``)
    date_source: str | None  # detail, written, meta
    written_raw: str | None  # its 成文日期, where it shows one
    fingerprint: str | None  # the hash of its body text, when it has enough


def article_body(root: lxml_html.HtmlElement, regions: Regions) -> list[lxml_html.HtmlElement]:
    """An article's body: the largest group of sibling paragraphs outside the furniture.

    A paragraph is a ``<p>``, or a ``<div>`` holding no other block (editors write
    either); the group whose text is longest (whitespace ignored) is the article.
    """
    groups: dict[lxml_html.HtmlElement, list[lxml_html.HtmlElement]] = {}
    sizes: dict[lxml_html.HtmlElement, int] = {}
    for paragraph in _PARAGRAPHS(root):
        if regions.of(paragraph) in FURNITURE:
            continue
        size = len("".join(paragraph.text_content().split()))
        if size:
            parent = paragraph.getparent()
            groups.setdefault(parent, []).append(paragraph)
            sizes[parent] = sizes.get(parent, 0) + size
    return groups[max(sizes, key=sizes.__getitem__)] if sizes else []


def body_fingerprint(body: list[lxml_html.HtmlElement]) -> str | None:
    """The hash of an article's body (``article_body``); digits count, so two monthly reports of one template differ."""
    text = "".join("".join(p.text_content().split()) for p in body)
    if len(text) < MIN_BODY_CHARS:
        return None
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


# Where an article's title is, best first: a heading, else an element whose class says so.
_HEADLINES = (etree.XPath("//h1"), etree.XPath("//h2"), etree.XPath("//*[contains(@class, 'title')]"))
_HEADLINE_CHARS = (4, 200)  # shorter or longer text is a label or a block, not the article's title


def _headlines(root: lxml_html.HtmlElement, regions: Regions) -> Iterator[str]:
    """The texts that may be an article's title, outside the furniture, best first."""
    for headlines in _HEADLINES:
        for element in headlines(root):
            text = " ".join(element.text_content().split())
            if _HEADLINE_CHARS[0] <= len(text) <= _HEADLINE_CHARS[1] and regions.of(element) not in FURNITURE:
                yield text


def article_words(
    root: lxml_html.HtmlElement, regions: Regions, body: list[lxml_html.HtmlElement]
) -> list[tuple[str, str]]:
    """What an article itself says, as (place, text): its title, its body's paragraphs, its attachments' names.

    Never the navigation, header, footer or sidebar: those are the site's, read on every page.
    """
    title = next(_headlines(root, regions), None)
    words = [("title", title)] if title else []
    words += [("body", text) for p in body if (text := " ".join(p.text_content().split()))]
    for anchor in root.iter("a"):
        href = anchor.get("href") or ""
        name = " ".join(anchor.text_content().split())
        if name and is_attachment(href) and regions.of(anchor) not in FURNITURE:
            words.append(("attachment", name))
    return words


def read_article(
    root: lxml_html.HtmlElement, text: str, regions: Regions, body: list[lxml_html.HtmlElement] | None = None
) -> Article | None:
    """What an article page says of itself; None when it shows neither a date nor a body (``article_body``)."""
    date_raw, date_source = detail_date(root, text) or (None, None)
    written = _after(_WRITTEN, text)
    fingerprint = body_fingerprint(article_body(root, regions) if body is None else body)
    if date_raw is None and written is None and fingerprint is None:
        return None
    return Article(date_raw, date_source, written, fingerprint)

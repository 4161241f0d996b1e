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
from dataclasses import dataclass

from lxml import etree
from lxml import html as lxml_html

from common.dates import find_date_text
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
# The regions whose paragraphs are the page's furniture, never its article.
_FURNITURE = frozenset({"nav", "footer", "sidebar", "header", "list"})
_PARAGRAPHS = etree.XPath("//p | //div[not(.//div or .//p or .//table or .//ul or .//ol)]")


@dataclass
class Article:
    """What an article page says of itself."""

    date_raw: str | None  # its publication date (``detail_date``)
    date_source: str | None  # detail, written, meta
    written_raw: str | None  # its 成文日期, where it shows one
    fingerprint: str | None  # the hash of its body text, when it has enough


def body_fingerprint(root: lxml_html.HtmlElement, regions: Regions) -> str | None:
    """The hash of an article's body: the text of the largest group of sibling paragraphs outside the furniture.

    A paragraph is a ``<p>``, or a ``<div>`` holding no other block (editors write
    either). Whitespace is ignored; digits are not, so two monthly reports built
    from one template stay apart.
    """
    groups: dict[lxml_html.HtmlElement, list[str]] = {}
    for paragraph in _PARAGRAPHS(root):
        if regions.of(paragraph) in _FURNITURE:
            continue
        text = "".join(paragraph.text_content().split())
        if text:
            groups.setdefault(paragraph.getparent(), []).append(text)
    body = max(("".join(texts) for texts in groups.values()), key=len, default="")
    if len(body) < MIN_BODY_CHARS:
        return None
    return hashlib.blake2b(body.encode("utf-8"), digest_size=8).hexdigest()


def read_article(root: lxml_html.HtmlElement, text: str, regions: Regions) -> Article | None:
    """What an article page says of itself; None when it shows neither a date nor a body."""
    date_raw, date_source = detail_date(root, text) or (None, None)
    written = _after(_WRITTEN, text)
    fingerprint = body_fingerprint(root, regions)
    if date_raw is None and written is None and fingerprint is None:
        return None
    return Article(date_raw, date_source, written, fingerprint)

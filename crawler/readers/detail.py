"""The publication date of an article (detail) page.

The visible 发布时间/发布日期 line wins; 成文日期 (the date the document was
written) comes next; the ``PubDate``-style metas are a last resort, because
CMSs often fill them with the page's build time (Maketime, 页面生成时间).
"""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from common.dates import find_date_text

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

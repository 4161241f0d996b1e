"""Lists kept inside HTML comments.

Some Ucap/TRS templates ship the static list commented out and load the visible
list by script: ``<ul class="list"><!-- <li><a …>…</a><b>2025-11-17</b></li> … -->``.
Selectors ignore comments; this reader parses their text.
"""

from __future__ import annotations

from lxml import etree
from lxml import html as lxml_html

from crawler.readers.base import Entry
from crawler.readers.rows import best_group, row_groups


def read_commented(root: lxml_html.HtmlElement, base: str) -> list[Entry]:
    """The best dated list found inside the page's comments."""
    groups: list[list[Entry]] = []
    for comment in root.iter(etree.Comment):
        text = comment.text or ""
        if "<li" not in text.lower() and "<tr" not in text.lower():
            continue
        try:
            fragment = lxml_html.fragment_fromstring(text, create_parent="div")
        except etree.ParserError:
            continue
        groups += row_groups(fragment, base)
    return best_group(groups)

"""What kind of page a 200 response really is: content, a challenge, or a soft 404."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import html as lxml_html

_INVISIBLE = "//body//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]"


@dataclass(frozen=True)
class PageMarkers:
    """The phrases of ``markers.yaml`` that classify pages."""

    empty_column: tuple[str, ...]
    soft_404: tuple[str, ...]
    soft_404_short_text: int
    challenge: tuple[str, ...]
    next_page_text: tuple[str, ...]
    detail_url_patterns: tuple[str, ...]
    list_signals: tuple[str, ...]

    @classmethod
    def from_table(cls, table: dict[str, Any]) -> PageMarkers:
        """Build from the loaded ``markers.yaml``."""
        return cls(
            empty_column=tuple(table.get("empty_column", [])),
            soft_404=tuple(table.get("soft_404", [])),
            soft_404_short_text=int(table.get("soft_404_short_text", 400)),
            challenge=tuple(table.get("challenge", [])),
            next_page_text=tuple(table.get("next_page_text", [])),
            detail_url_patterns=tuple(table.get("detail_url_patterns", [])),
            list_signals=tuple(table.get("list_signals", [])),
        )


def is_challenge(body_head: str, markers: PageMarkers) -> bool:
    """True when the start of a body is an anti-bot/WAF challenge, not content."""
    return any(sig in body_head for sig in markers.challenge)


def visible_text(root: lxml_html.HtmlElement) -> str:
    """Return the text a reader sees in the body, whitespace-collapsed."""
    return " ".join(" ".join(t.split()) for t in root.xpath(_INVISIBLE) if t.strip())


def soft_404_reason(title: str, text: str, markers: PageMarkers) -> str | None:
    """Return the phrase that makes a 200 page a "page does not exist" page, or None."""
    for phrase in markers.soft_404:
        if phrase in title:
            return phrase
    if len(text) < markers.soft_404_short_text:
        for phrase in markers.soft_404:
            if phrase != "404" and phrase in text:
                return phrase
    return None


def empty_marker(text: str, markers: PageMarkers) -> str | None:
    """Return the "nothing here" phrase (暂无信息 …) found in a page's text, or None."""
    return next((phrase for phrase in markers.empty_column if phrase in text), None)

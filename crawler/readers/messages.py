"""政务咨询 messages (留言, 来信, 咨询): when each was left, whether it was answered, and when.

A column's list shows them as a table (标题 | 留言时间 | 状态 | 回复时间) or as rows
that say 已回复 / 未回复 beside the date; a message's own page (the 领导信箱 and
网上咨询 layouts) labels its times (留言时间：…, 回复时间：…) and shows its answer
(回复内容：…) or says there is none (尚未回复). What a page does not say stays
unknown: a message is unanswered only where a page says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin

from lxml import html as lxml_html

from common.dates import find_date_text
from common.table_models import MessageMarkers
from crawler.links import Regions
from crawler.readers.detail import FURNITURE
from crawler.readers.rows import SKIP_HREF, row_of

_LABEL_GAP = 40  # how far after its label a time may stand
_STATUS_GAP = 12  # how far after its label a status may stand
REPLY_MIN_CHARS = 4  # an answer shorter than this (a dash, 无) is no answer


@dataclass
class MessageSeen:
    """One message as a list row or its own page shows it."""

    url: str
    title: str | None
    asked_raw: str | None
    answered: bool | None  # None: the page does not say
    replied_raw: str | None


def _cells(row: lxml_html.HtmlElement) -> list[str]:
    return [" ".join(cell.text_content().split()) for cell in row if cell.tag in ("td", "th")]


def _column(cells: list[str], labels: list[str]) -> int | None:
    return next((i for i, cell in enumerate(cells) for label in labels if label in cell), None)


def _status(text: str, markers: MessageMarkers) -> bool | None:
    """Answered (True), not answered (False) or unknown, by the words of a status."""
    if any(word in text for word in markers.unanswered):
        return False
    if any(word in text for word in markers.answered):
        return True
    return None


def _after(labels: list[str], text: str) -> str | None:
    """The date written just after one of ``labels``."""
    for label in labels:
        for match in re.finditer(re.escape(label), text):
            if raw := find_date_text(text[match.end() : match.end() + _LABEL_GAP]):
                return raw
    return None


def _table_messages(table: lxml_html.HtmlElement, base: str, markers: MessageMarkers) -> list[MessageSeen]:
    """The messages of a table whose header names when they were left and their status or reply time.

    Only the table's own rows, and none that holds a table: a layout table's cells are no message.
    """
    rows = [r for r in table.iter("tr") if next(r.iterancestors("table")) is table and not r.findall(".//table")]
    header = next((r for r in rows if _cells(r) and not list(r.iter("a"))), None)
    if header is None:
        return []
    cells = _cells(header)
    asked, status, replied = (_column(cells, labels) for labels in (markers.asked, markers.status, markers.replied))
    if asked is None or (status is None and replied is None):
        return []
    found = []
    for row in rows:
        anchor = next((a for a in row.iter("a") if _is_link(a)), None)
        if anchor is None:
            continue
        values = _cells(row)
        if max(i for i in (asked, status, replied) if i is not None) >= len(values):
            continue
        replied_raw = find_date_text(values[replied]) if replied is not None else None
        answered = True if replied_raw else _status(values[status], markers) if status is not None else None
        found.append(
            MessageSeen(_url(anchor, base), _title(anchor), find_date_text(values[asked]), answered, replied_raw)
        )
    return found


def _row_messages(root: lxml_html.HtmlElement, base: str, markers: MessageMarkers) -> list[MessageSeen]:
    """The messages of ``<li>`` (or ``<dd>``, ``<p>``) rows that say their status or reply time beside the link."""
    found = []
    for anchor in root.iter("a"):
        row = row_of(anchor) if _is_link(anchor) else None
        if row is None or row.tag == "tr":
            continue
        title = _title(anchor)
        text = " ".join(row.text_content().split()).replace(" ".join(anchor.text_content().split()), " ", 1)
        replied_raw = _after(markers.replied, text)
        answered = True if replied_raw else _status(text, markers)
        if answered is None:
            continue  # a row that says nothing of an answer is no message row
        asked_raw = _after(markers.asked, text) or find_date_text(text)
        found.append(MessageSeen(_url(anchor, base), title, asked_raw, answered, replied_raw))
    return found


def says_messages(text: str, markers: MessageMarkers) -> bool:
    """True when a page's text holds a word of a message's time or status: only then is it read for messages."""
    return any(word in text for word in (*markers.asked, *markers.replied, *markers.unanswered, *markers.answered))


def read_message_list(root: lxml_html.HtmlElement, base: str, markers: MessageMarkers) -> list[MessageSeen]:
    """The messages a column's list shows, with their times and status (none when it is no message list)."""
    found: dict[str, MessageSeen] = {}
    for table in root.iter("table"):
        for message in _table_messages(table, base, markers):
            found.setdefault(message.url, message)
    if not found:
        for message in _row_messages(root, base, markers):
            found.setdefault(message.url, message)
    return list(found.values())


def read_message_page(
    root: lxml_html.HtmlElement, text: str, regions: Regions, markers: MessageMarkers
) -> MessageSeen | None:
    """A message's own page: when it was left, and its answer (its time, or its text), or that it has none.

    A message page labels both when the message was left and its answer or status
    (``text``, the page's whole text, is asked first); else None. Only the page's
    own text counts then, never its navigation, header, sidebar, footer or lists
    (a tab 未回复留言, other messages' times). An answer's time or text wins; a status
    counts only right after a label (回复内容：尚未回复, 办理状态：已办结): the message
    itself may say 至今未回复.
    """
    answer_labels = (*markers.replied, *markers.reply_text, *markers.status)
    if not any(label in text for label in markers.asked) or not any(label in text for label in answer_labels):
        return None
    own = own_text(root, regions)
    asked_raw = _after(markers.asked, own)
    if asked_raw is None:
        return None
    replied_raw = _after(markers.replied, own)
    if replied_raw or _has_reply_text(own, markers):
        answered: bool | None = True
    else:
        answered = _labelled_status(own, markers)
    return MessageSeen("", None, asked_raw, answered, replied_raw)


# Elements whose text stands apart from the next (a cell, a paragraph); inline ones run on (<b>留言</b>时间).
_BLOCKS = frozenset({"p", "div", "td", "th", "tr", "li", "dd", "dt", "br", "table", "h1", "h2", "h3", "h4", "section"})


def own_text(root: lxml_html.HtmlElement, regions: Regions) -> str:
    """A page's text outside its furniture and lists (other messages'), and its scripts, block by block."""
    pieces: list[str] = []

    def walk(element: lxml_html.HtmlElement) -> None:
        if element.tag in ("script", "style") or regions.of(element) in FURNITURE:
            return
        block = " " if element.tag in _BLOCKS else ""
        pieces.append(block + (element.text or ""))
        for child in element:
            if isinstance(child.tag, str):
                walk(child)
            pieces.append(child.tail or "")
        pieces.append(block)

    walk(root)
    return " ".join("".join(pieces).split())


def _labelled_status(text: str, markers: MessageMarkers) -> bool | None:
    """What the status beside an answer's or a status's label says: not answered, answered, or nothing."""
    for label in (*markers.status, *markers.reply_text, *markers.replied):
        for match in re.finditer(re.escape(label), text):
            said = text[match.end() : match.end() + _STATUS_GAP].lstrip(" ：:")
            if any(said.startswith(word) for word in markers.unanswered):
                return False
            if any(said.startswith(word) for word in markers.answered):
                return True
    return None


def _has_reply_text(text: str, markers: MessageMarkers) -> bool:
    """True when an answer's label (回复内容：) is followed by an answer, not by nothing or the next label."""
    labels = [*markers.asked, *markers.replied, *markers.reply_text]
    for label in markers.reply_text:
        at = text.find(label)
        if at < 0:
            continue
        rest = text[at + len(label) :].lstrip(" ：:")
        ends = [i for other in labels if (i := rest.find(other)) >= 0]
        answer = rest[: min(ends, default=len(rest))]
        said_none = any(answer.startswith(word) for word in markers.unanswered)
        if not said_none and len("".join(answer.split())) >= REPLY_MIN_CHARS:
            return True
    return False


def _is_link(anchor: lxml_html.HtmlElement) -> bool:
    href = (anchor.get("href") or "").strip()
    return bool(href) and not href.lower().startswith(SKIP_HREF) and bool(anchor.text_content().strip())


def _url(anchor: lxml_html.HtmlElement, base: str) -> str:
    return urljoin(base, (anchor.get("href") or "").strip())


def _title(anchor: lxml_html.HtmlElement) -> str:
    return (anchor.get("title") or "").strip() or " ".join(anchor.text_content().split())

"""A document as blocks (title, headings, paragraphs, tables, signature), whatever it is printed as.

The 通报 and each 整改通知 are built once as a ``Document``; ``render_html``
lays it out as a page (which Chromium prints as the PDF) and
``monitor.reports.word`` as a DOCX, so every format says the same thing.
"""

from __future__ import annotations

import base64
import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2 import Environment


@dataclass(frozen=True)
class Line:
    """One line of a table cell: text, a link it points to, a style (muted, overdue, strong)."""

    text: str
    href: str | None = None
    style: str | None = None


Cell = list[Line]


@dataclass
class Table:
    """A table: its header and rows; ``kinds`` names each column's kind (text, date, kind, url, number)."""

    headers: list[str]
    rows: list[list[Cell]]
    kinds: list[str] = field(default_factory=list)

    def kind(self, column: int) -> str:
        """The kind of a column (``text`` when not given)."""
        return self.kinds[column] if column < len(self.kinds) else "text"


@dataclass
class Block:
    """One block of a document, in reading order.

    Kinds: ``office`` (the issuing office, in red), ``number`` (文号), ``rule`` (the red line),
    ``title``, ``to`` (主送), ``heading`` (一、), ``subheading`` (（一）), ``para``, ``item``
    (a paragraph without indent), ``table``, ``sign`` (落款: lines right-aligned), ``label``
    (附件), ``image`` (a PNG with ``text`` as its caption), ``break`` (a new page).
    """

    kind: str
    text: str = ""
    table: Table | None = None
    lines: list[str] = field(default_factory=list)
    image: bytes | None = None

    @property
    def image_base64(self) -> str:
        """The image as base64, for a self-contained page."""
        return base64.b64encode(self.image or b"").decode("ascii")


@dataclass
class Document:
    """A titled list of blocks."""

    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(
        self,
        kind: str,
        text: str = "",
        table: Table | None = None,
        lines: list[str] | None = None,
        image: bytes | None = None,
    ) -> None:
        """Append a block."""
        self.blocks.append(Block(kind, text, table, lines or [], image))


def text_cell(text: object, style: str | None = None) -> Cell:
    """A cell of one line of text (empty for None)."""
    return [Line("" if text is None else str(text), style=style)]


def link_cell(text: str | None, href: str | None) -> Cell:
    """A cell of one link (its URL as the text when there is no other)."""
    return [Line(text or href or "", href=href)] if href else text_cell(text)


@functools.cache
def _templates() -> Environment:
    from jinja2 import Environment, PackageLoader, select_autoescape

    loader = PackageLoader("monitor.reports", "templates")
    return Environment(loader=loader, autoescape=select_autoescape(["html", "j2"]))


def render_document_html(document: Document) -> bytes:
    """A document as one self-contained HTML page laid out as a 公文, for screens and A4 print."""
    return _templates().get_template("document.html.j2").render(doc=document).encode("utf-8")

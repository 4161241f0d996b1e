"""Documents as DOCX (python-docx), laid out as a 公文 that opens in Word and WPS.

A4 with the standard margins, the title centred in 小标宋, the body in 仿宋,
headings in 黑体 and 楷体, page numbers "— 1 —" at the bottom, tables with
borders and a header row repeated on every page. The fonts are named as Word
and WPS know them; where they are missing the reader substitutes its own.
"""

from __future__ import annotations

import io

import docx as python_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from monitor.reports.layout import Block, Document, Table

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
RED = RGBColor(0xCC, 0x00, 0x00)
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
TABLE_SIZE = Pt(10.5)  # 五号


def _font(run_or_style: object, name: str, size: Pt | None = None, bold: bool | None = None) -> None:
    """Name a font for Latin and East Asian text alike (Word reads the East Asian one from w:eastAsia)."""
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = name
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    properties = run_or_style._element.get_or_add_rPr()  # type: ignore[attr-defined]
    fonts = properties.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        properties.append(fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _page_number(paragraph: Paragraph) -> None:
    """The page number, "— 1 —", as a field Word and WPS fill in."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(paragraph.add_run("— "), "宋体", Pt(14))
    run = paragraph.add_run()
    _font(run, "宋体", Pt(14))
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)
    _font(paragraph.add_run(" —"), "宋体", Pt(14))


def _repeat_header(row: object) -> None:
    properties = row._tr.get_or_add_trPr()  # type: ignore[attr-defined]
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _table(docx: object, table: Table) -> None:
    grid = docx.add_table(rows=1, cols=len(table.headers))  # type: ignore[attr-defined]
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    _repeat_header(grid.rows[0])
    for cell, header in zip(grid.rows[0].cells, table.headers, strict=True):
        run = cell.paragraphs[0].add_run(header)
        _font(run, HEADING_FONT, TABLE_SIZE)
    for values in table.rows:
        cells = grid.add_row().cells
        for cell, lines in zip(cells, values, strict=True):
            paragraph = cell.paragraphs[0]
            for index, line in enumerate(lines):
                if index:
                    paragraph = cell.add_paragraph()
                text = f"{line.text}（{line.href}）" if line.href and line.href != line.text else line.text
                run = paragraph.add_run(text)
                _font(run, BODY_FONT, TABLE_SIZE, bold=line.style in ("overdue", "strong"))
                if line.style in ("overdue", "fail"):
                    run.font.color.rgb = RED
                elif line.href or line.style == "muted":
                    run.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    docx.add_paragraph()  # type: ignore[attr-defined]


def _block(docx: object, block: Block) -> None:
    add = docx.add_paragraph  # type: ignore[attr-defined]
    if block.kind == "table" and block.table is not None:
        _table(docx, block.table)
        return
    if block.kind == "break":
        add().add_run().add_break(WD_BREAK.PAGE)
        return
    if block.kind == "image" and block.image is not None:
        docx.add_picture(io.BytesIO(block.image), width=Mm(150))  # type: ignore[attr-defined]
        docx.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER  # type: ignore[attr-defined]
        caption = add().add_run(block.text)
        _font(caption, BODY_FONT, TABLE_SIZE)
        docx.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER  # type: ignore[attr-defined]
        return
    if block.kind == "rule":
        paragraph = add()
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "1"), ("w:color", "CC0000")):
            bottom.set(qn(key), value)
        border.append(bottom)
        paragraph._p.get_or_add_pPr().append(border)
        return
    paragraph = add()
    text = "\n".join(block.lines) if block.kind == "sign" else block.text
    run = paragraph.add_run(text)
    style = {
        "office": (TITLE_FONT, Pt(26), True, WD_ALIGN_PARAGRAPH.CENTER),
        "number": (BODY_FONT, BODY_SIZE, None, WD_ALIGN_PARAGRAPH.CENTER),
        "title": (TITLE_FONT, TITLE_SIZE, True, WD_ALIGN_PARAGRAPH.CENTER),
        "heading": (HEADING_FONT, BODY_SIZE, None, None),
        "subheading": (SUBHEADING_FONT, BODY_SIZE, None, None),
        "sign": (BODY_FONT, BODY_SIZE, None, WD_ALIGN_PARAGRAPH.RIGHT),
        "label": (HEADING_FONT, BODY_SIZE, None, None),
    }
    font, size, bold, align = style.get(block.kind, (BODY_FONT, BODY_SIZE, None, WD_ALIGN_PARAGRAPH.JUSTIFY))
    _font(run, font, size, bold)
    if block.kind == "office":
        run.font.color.rgb = RED
    if align is not None:
        paragraph.alignment = align
    if block.kind in ("para", "heading", "subheading"):
        paragraph.paragraph_format.first_line_indent = Pt(32)  # two characters
    elif block.kind == "item":
        paragraph.paragraph_format.left_indent = Pt(32)


def render_docx(document: Document) -> bytes:
    """A document as a DOCX file."""
    docx = python_docx.Document()
    docx.core_properties.title = document.title
    section = docx.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    normal = docx.styles["Normal"]
    _font(normal, BODY_FONT, BODY_SIZE)
    normal.paragraph_format.space_after = Pt(0)
    _page_number(section.footer.paragraphs[0])
    for block in document.blocks:
        _block(docx, block)
    buffer = io.BytesIO()
    docx.save(buffer)
    return buffer.getvalue()

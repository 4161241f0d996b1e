"""The 通报 and the 整改通知 in every format, the people's CSV, the e-mail and the command line speak Chinese.

Checked on the demo's two weekly runs: no English word of three letters or more
in any text a person reads, except URLs, file names, acronyms such as HTTP and
PDF, and the department ids the office chose. DOCX opens with python-docx and
PDF reads with pdftotext, as an office's tools would open them.
"""

from __future__ import annotations

import email
import json
import re
import shutil
import subprocess
from datetime import timedelta
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import AS_OF, crawl, write_config
from docx import Document
from lxml import html as lxml_html
from openpyxl import load_workbook
from sites import BULLETIN_HEADINGS

from monitor.cli import cli
from monitor.demo.sites import demo_config

ACRONYMS = {"HTTP", "HTTPS", "PDF", "DOCX", "XLSX", "CSV", "URL"}
IDS = {"jyj", "wjw", "jtj"}
_URL = re.compile(r"(?:https?|file)://[^\s\"'<>）)，。；、]+|[\w.+-]+@[\w.-]+")
_FILE = re.compile(r"[\w.-]+\.(?:pdf|html?|docx?|xlsx?|txt|json|csv|eml|db|yaml)\b", re.IGNORECASE)
_PATH = re.compile(r"(?:/[\w.-]+){2,}/?")
_WORD = re.compile(r"[A-Za-z]{3,}")
needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian's chromium is installed by .ci/run"
)
needs_pdftotext = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is installed by .ci/run")


def english_words(text: str, urls: tuple[str, ...] = ()) -> list[str]:
    """The English words of a text a person reads, URLs, file names, acronyms and department ids left aside.

    ``urls`` are the URLs the text shows, for a format that breaks them across lines (a PDF's table cells).
    """
    text = _PATH.sub(" ", _FILE.sub(" ", _URL.sub(" ", text)))
    words = {w for w in _WORD.findall(text) if w not in ACRONYMS and w not in IDS}
    return sorted(w for w in words if not any(w in url for url in urls))


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def page_text(source: bytes | str) -> str:
    """The text a browser shows of an HTML page (not its style sheet)."""
    tree = lxml_html.fromstring(source)
    for style in tree.iter("style"):
        style.drop_tree()
    return tree.text_content()


def docx_text(path: Path) -> str:
    """Every paragraph and table cell of a DOCX, as python-docx reads it back."""
    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def pdf_text(path: Path) -> str:
    """The text of a PDF, as pdftotext extracts it; a URL the page wrapped is joined again."""
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return re.sub(r"(?<=[\w./:-])\n(?=[\w./:-])", "", text)


def xlsx_text(path: Path) -> str:
    """Every sheet name and text cell of a workbook."""
    book = load_workbook(path)
    cells = [str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row if c]
    return "\n".join([*book.sheetnames, *cells])


@pytest.fixture(scope="module")
def weeks(demo_served, tmp_path_factory):
    """The demo departments inspected two weeks apart (problems persist, some past their deadline)."""
    directory = tmp_path_factory.mktemp("chinese")
    config = write_config(directory, demo_config(demo_served))
    db = directory / "g.db"
    crawl(config, db, as_of=AS_OF - timedelta(days=14))
    crawl(config, db, as_of=AS_OF)
    return {"db": db, "config": config, "dir": directory}


@pytest.fixture(scope="module")
def documents(weeks):
    """The second run's 通报 and 整改通知 in every format, written by ``gongkai report``."""
    out = weeks["dir"] / "out"
    formats = ["html", "docx", "xlsx", "md"] + (["pdf"] if shutil.which("chromium") else [])
    for fmt in formats:
        _run(
            "report",
            "--db",
            str(weeks["db"]),
            "--format",
            fmt,
            "-o",
            str(out / f"report.{fmt}"),
            "--per-department",
            str(out / "notices"),
        )
    _run("report", "--db", str(weeks["db"]), "--format", "csv", "-o", str(out / "report.csv"))
    _run("report", "--db", str(weeks["db"]), "--format", "json", "-o", str(out / "report.json"))
    return out


def test_the_bulletin_and_the_notices_have_no_english_word_in_any_format(documents):
    readers = {
        ".html": lambda p: page_text(p.read_bytes()),
        ".docx": docx_text,
        ".xlsx": xlsx_text,
        ".md": lambda p: p.read_text(encoding="utf-8"),
        ".csv": lambda p: p.read_text(encoding="utf-8-sig"),
    }
    if shutil.which("pdftotext"):
        readers[".pdf"] = pdf_text
    files = [p for p in [*documents.iterdir(), *(documents / "notices").iterdir()] if p.suffix in readers]
    assert {p.suffix for p in files} == set(readers) or ".pdf" not in readers
    assert len([p for p in files if p.parent.name == "notices"]) >= 3 * 3
    report = json.loads((documents / "report.json").read_text(encoding="utf-8"))
    urls = tuple({p[k] for p in report["problems"] for k in ("url", "source_url", "column_url", "item_url") if p[k]})
    found = {
        p.name: words
        for p in files
        if (words := english_words(readers[p.suffix](p), urls if p.suffix == ".pdf" else ()))
    }
    assert found == {}


def test_the_e_mail_has_no_english_word(weeks):
    outbox = weeks["dir"] / "outbox"
    _run("notify", "-c", str(weeks["config"]), "--db", str(weeks["db"]), "--dry-run", str(outbox))
    messages = [email.message_from_bytes(p.read_bytes(), policy=policy.default) for p in outbox.glob("*.eml")]
    assert len(messages) == 3
    for message in messages:
        html = page_text(message.get_body(("html",)).get_content())
        text = message.get_body(("plain",)).get_content()
        names = " ".join(a.get_filename() for a in message.iter_attachments())
        assert english_words(f"{message['Subject']}\n{text}\n{html}\n{names}") == [], message["Subject"]


def test_the_command_line_tables_have_no_english_word(weeks):
    db = str(weeks["db"])
    outputs = {
        "check": _run("check", "--db", db),
        "problems": _run("problems", "--db", db),
        "runs": _run("runs", "--db", db),
        "diff": _run("diff", "--db", db, "1", "2"),
    }
    # A table folds a long address across lines: its pieces are the address's, not English.
    report = json.loads(_run("report", "--db", db, "--format", "json"))
    urls = tuple(p[key] for p in report["problems"] for key in ("url", "column_url", "source_url") if p[key])
    assert {name: english_words(text, urls) for name, text in outputs.items()} == {name: [] for name in outputs}
    assert "栏目不更新" in outputs["problems"] and "已完成" in outputs["runs"]


def test_the_detector_sees_english(tmp_path):
    said = "the homepage answered HTTP 404 at http://x.example/a.pdf for jyj"
    assert english_words(said) == ["answered", "for", "homepage", "the"]
    assert english_words("“附件1：报名表.pdf”附件链接无法打开（HTTP 404，页面不存在），3 次检测均失败") == []


def test_docx_opens_as_a_gongwen(documents):
    bulletin = Document(str(documents / "report.docx"))
    paragraphs = [p.text for p in bulletin.paragraphs]
    assert "关于2026年第2期政府网站政务公开检查情况的通报" in paragraphs
    assert "某政办〔2026〕2号" in paragraphs and "各乡镇人民政府，县直各单位：" in paragraphs
    assert set(BULLETIN_HEADINGS) <= set(paragraphs)
    attachment = bulletin.tables[-1]
    assert [c.text for c in attachment.rows[0].cells] == ["序号", "部门", "网站", "得分", "结果", "问题数", "主要问题"]
    assert len(attachment.rows) == 4  # the three departments
    section = bulletin.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert "PAGE" in section.footer._element.xml  # page numbers
    assert 'w:eastAsia="仿宋_GB2312"' in bulletin.element.xml or "仿宋_GB2312" in bulletin.styles.element.xml
    notice = Document(str(documents / "notices" / "wjw.docx"))
    texts = [p.text for p in notice.paragraphs]
    assert "关于县卫生健康委员会网站政务公开问题的整改通知" in texts and "县卫生健康委员会：" in texts
    reply = notice.tables[-1]
    assert [c.text for c in reply.rows[0].cells] == ["序号", "问题", "整改情况", "完成时间", "责任人", "联系电话"]


@needs_chromium
@needs_pdftotext
def test_pdf_reads_back_with_the_notice_and_the_department(documents):
    text = pdf_text(documents / "notices" / "wjw.pdf")
    assert "整改通知" in text and "县卫生健康委员会" in text
    assert "逾期未整改" in text  # found two weeks ago, ten days to fix it
    bulletin = pdf_text(documents / "report.pdf")
    assert "检查情况的通报" in bulletin and "红榜" in bulletin and "黑榜" in bulletin

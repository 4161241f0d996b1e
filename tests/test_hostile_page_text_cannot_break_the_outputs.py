"""What a page says is data: control characters, terminal escapes, markup and formulas never act in an output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import AS_OF, crawl, write_config
from openpyxl import load_workbook
from sites import html, list_page

from monitor.demo.server import SiteServer

GONGKAI = str(Path(sys.executable).with_name("gongkai"))
NASTY_TEXTS = {
    "/gone-1.html": "附件\x01一\x1b[31m红\x1b[0m\x1b]0;title\x07",
    "/gone-2.html": "<script>alert(1)</script>",
    "/gone-3.html": '<img src=x onerror="alert(1)">',
    "/gone-4.html": '=HYPERLINK("http://evil.example/","点我")',
    "/gone-5.html": "[点我](javascript:alert(1))",
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from html import escape

    links = "".join(f'<a href="{path}">{escape(text)}</a> ' for path, text in NASTY_TEXTS.items())
    routes = {
        "/": list_page("测试局\x1b[2J", [("链接", "/links.html", AS_OF)]),
        "/xxgk/": html(
            "信息公开",
            '<a href="/xxgk/tzgg/">通知\x1b[31m公告\x1b[0m</a> <a href="/xxgk/tjsj/">&lt;script&gt;统计</a>',
        ),
        "/xxgk/tzgg/": html("通知公告", "<p>暂无信息</p>"),
        "/xxgk/tjsj/": html("统计数据", "<p>暂无信息</p>"),
        "/links.html": html("链接\x00\x08", links),
    }
    directory = tmp_path_factory.mktemp("hostile")
    with SiteServer(routes) as site:
        config = write_config(
            directory,
            f"departments:\n  - {{id: csj, name: 测试局, site: '{site.base}', contact: {{email: csj@example.invalid}}}}\n"
            "smtp: {host: 127.0.0.1, sender: gongkai@example.invalid}\n",
        )
        crawl(config, directory / "g.db")
    return {"db": directory / "g.db", "config": config, "dir": directory}


def _gongkai(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GONGKAI, *args], capture_output=True, text=True, timeout=120)


def test_every_nasty_link_is_reported_with_its_text_made_harmless(hostile):
    out = hostile["dir"] / "report.json"
    assert _gongkai("report", "--db", str(hostile["db"]), "-o", str(out)).returncode == 0
    import json

    problems = json.loads(out.read_text(encoding="utf-8"))["problems"]
    anchors = sorted(p["anchor_text"] for p in problems if p["type"] == "broken_link")
    assert len(anchors) == len(NASTY_TEXTS)
    assert "附件一红" in anchors  # the control characters and escape sequences are gone, the words stay
    assert not any(ch < " " for text in anchors for ch in text)


def test_workbooks_are_written_whatever_the_pages_say(hostile):
    out = hostile["dir"] / "report.xlsx"
    proc = _gongkai("report", "--db", str(hostile["db"]), "--format", "xlsx", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    cells = [c for sheet in load_workbook(out).worksheets for row in sheet.iter_rows(values_only=True) for c in row]
    texts = [c for c in cells if isinstance(c, str)]
    assert any("附件一红" in t for t in texts)
    assert not any(t.startswith("=") for t in texts)  # a formula from a page stays text


def test_notices_are_written_whatever_the_pages_say(hostile):
    outbox = hostile["dir"] / "outbox"
    proc = _gongkai("notify", "-c", str(hostile["config"]), "--db", str(hostile["db"]), "--dry-run", str(outbox))
    assert proc.returncode == 0, proc.stderr
    assert list(outbox.glob("*.eml"))


def test_the_terminal_receives_no_escape_sequence(hostile):
    for args in (["problems", "--db", str(hostile["db"])], ["report", "--db", str(hostile["db"]), "--format", "md"]):
        proc = _gongkai(*args)
        assert proc.returncode == 0, proc.stderr
        assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout
        assert "通知公告" in proc.stdout  # the empty column, named by its menu link


def test_markdown_carries_no_markup_of_a_pages_making(hostile):
    text = _gongkai("report", "--db", str(hostile["db"]), "--format", "md").stdout
    assert "<script" not in text and "<img" not in text
    assert "](javascript:" not in text
    assert "&lt;script&gt;统计" in text  # the column's name, shown as text

"""`--screenshots`: each notice shows the page of each problem, a dead link outlined, taken by headless Chromium.

Chromium reaches only the department's own hosts at the addresses the target policy
judged: a page's tracker on another host is never requested. Without Chromium the
notices are written without pictures, and gongkai says so once.
"""

from __future__ import annotations

import base64
import io
import re
import shutil

import pytest
from click.testing import CliRunner
from conftest import AS_OF, crawl, write_config
from docx import Document
from PIL import Image
from sites import html, list_page

from monitor.cli import cli
from monitor.demo.server import Route, SiteServer

needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Debian's chromium is installed by .ci/run"
)


def _report(db, folder, fmt: str = "html", *extra: str):
    args = ["report", "--db", str(db), "--format", fmt, "--per-department", str(folder), "-o", str(folder / f"s.{fmt}")]
    result = CliRunner().invoke(cli, [*args, *extra])
    assert result.exit_code == 0, result.output
    return result


def _pictures(page: bytes) -> list[Image.Image]:
    found = re.findall(rb"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    return [Image.open(io.BytesIO(base64.b64decode(data))).convert("RGB") for data in found]


def _red(image: Image.Image) -> int:
    pixels = image.tobytes()
    return sum(1 for i in range(0, len(pixels), 3) if pixels[i] > 200 and pixels[i + 1] < 60 and pixels[i + 2] < 60)


@pytest.fixture(scope="module")
def tracked(tmp_path_factory):
    """A department whose page has a dead link and loads an image from a tracker on another host.

    The tracker is ``localhost``: any browser left to itself would load it, so only
    gongkai's pinning and request judging keep it unasked.
    """
    directory = tmp_path_factory.mktemp("shots")
    with SiteServer({"/x.png": Route(b"\x89PNG", content_type="image/png")}) as tracker:
        port = tracker.base.rstrip("/").rsplit(":", 1)[1]
        routes = {
            "/": list_page("测试局", [("动态", "/a.html", AS_OF)]),
            "/a.html": html(
                "动态",
                f'<p>正文</p><img src="http://localhost:{port}/x.png">'
                '<div class="footer"><a href="/gone.html">已删除的页面</a></div>',
            ),
            "/xxgk/": html("信息公开", '<a href="/tzgg/">通知公告</a>'),
            "/tzgg/": html("通知公告", "<p>暂无信息</p>"),
        }
        with SiteServer(routes) as site:
            config = write_config(directory, f"departments:\n  - {{id: csj, name: 测试局, site: '{site.base}'}}\n")
            crawl(config, directory / "g.db")
            tracker.log.clear()
            folder = directory / "notices"
            said = _report(directory / "g.db", folder, "html", "--screenshots")
            _report(directory / "g.db", folder, "docx", "--screenshots")
            yield {"folder": folder, "tracker_log": list(tracker.log), "output": said.output, "db": directory / "g.db"}


@needs_chromium
def test_the_notice_shows_the_dead_link_outlined_and_the_empty_column(tracked):
    page = (tracked["folder"] / "csj.html").read_bytes()
    pictures = _pictures(page)
    assert len(pictures) == 2  # the dead link on its page, the empty column's page
    assert "图 1　链接不可用：已删除的页面（红框为问题链接）" in page.decode("utf-8")
    link, column = pictures
    assert link.size == (1000, 680)
    assert _red(link) > 200 and _red(column) == 0  # the outline is drawn around the link only
    document = Document(str(tracked["folder"] / "csj.docx"))
    assert len(document.inline_shapes) == 2


@needs_chromium
def test_the_browser_never_reaches_another_host(tracked):
    assert tracked["tracker_log"] == []


def test_without_chromium_the_notices_are_written_and_it_is_said_once(tracked, tmp_path, monkeypatch):
    monkeypatch.setenv("GONGKAI_CHROMIUM", "")
    monkeypatch.setenv("PATH", str(tmp_path))  # no browser to be found
    result = _report(tracked["db"], tmp_path / "notices", "html", "--screenshots")
    assert result.output.count("未找到 Chromium 浏览器，本次通知不含页面截图") == 1
    assert _pictures((tmp_path / "notices" / "csj.html").read_bytes()) == []

"""The summary and the notices print on A4 in a few pages, with no date or problem type broken across lines.

Printed by headless Chromium (Debian's, installed by .ci/run), as an office would print the page.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner
from sites import CHROMIUM_FLAGS

from monitor.cli import cli

pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None or shutil.which("chromedriver") is None,
    reason="Debian's chromium and chromium-driver are installed by .ci/run",
)
A4_PRINTABLE_PX = 705  # 210 mm less the 12 mm margins, at 96 px per inch


@pytest.fixture(scope="module")
def documents(demo_run, tmp_path_factory):
    folder = tmp_path_factory.mktemp("print")
    result = CliRunner().invoke(
        cli,
        [
            "report",
            "--db",
            str(demo_run["db"]),
            "--format",
            "html",
            "--per-department",
            str(folder / "notices"),
            "-o",
            str(folder / "summary.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    return {"summary": folder / "summary.html", "notices": sorted((folder / "notices").glob("*.html")), "dir": folder}


def _pages(page, out, profile) -> int:
    pdf = out.with_suffix(".pdf")
    subprocess.run(
        [
            "chromium",
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf.read_bytes()))


def test_the_summary_and_each_notice_print_in_a_few_a4_pages(documents, tmp_path):
    assert 1 <= _pages(documents["summary"], tmp_path / "summary", tmp_path / "profile") <= 4
    assert len(documents["notices"]) == 3
    for notice in documents["notices"]:
        pages = _pages(notice, tmp_path / notice.stem, tmp_path / "profile")
        assert 1 <= pages <= 2, notice.name


def test_no_date_or_problem_type_is_broken_across_lines(documents):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in [*CHROMIUM_FLAGS, f"--window-size={A4_PRINTABLE_PX},1000"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    lines_of_cells = """
        return [...document.querySelectorAll('td.date, td.kind')].map(cell => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            return [cell.textContent, range.getClientRects().length];
        });
    """
    try:
        for page in [documents["summary"], *documents["notices"]]:
            driver.get(page.as_uri())
            cells = driver.execute_script(lines_of_cells)
            assert cells, page.name
            assert [text for text, lines in cells if lines > 1] == [], page.name
    finally:
        driver.quit()

"""Documents as PDF: the HTML page printed by headless Chromium (Debian's ``chromium``).

Chromium is told to look up no name at all and to stay off every background
service, so printing a document sends nothing anywhere.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-sync",
    "--disable-extensions",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-quic",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--no-pdf-header-footer",
)


class PdfError(Exception):
    """A PDF cannot be made here (no Chromium, or it failed)."""


def browser() -> str | None:
    """The Chromium to print with: ``GONGKAI_CHROMIUM``, else the first of ``BROWSERS`` on the PATH."""
    configured = os.environ.get("GONGKAI_CHROMIUM")
    if configured:
        return configured
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def render_pdf(html: bytes, timeout: float = 120) -> bytes:
    """Print a self-contained HTML page to an A4 PDF."""
    binary = browser()
    if binary is None:
        raise PdfError("生成 PDF 需要 Chromium 浏览器（Debian/Ubuntu：apt install chromium），也可改用 DOCX 格式")
    with tempfile.TemporaryDirectory(prefix="gongkai-pdf-") as folder:
        page, pdf = Path(folder) / "document.html", Path(folder) / "document.pdf"
        page.write_bytes(html)
        command = [binary, *FLAGS, f"--user-data-dir={folder}/profile", f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            subprocess.run(command, capture_output=True, timeout=timeout, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PdfError(f"Chromium 未能生成 PDF（{type(exc).__name__}）") from None
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise PdfError("Chromium 未能生成 PDF")
        return pdf.read_bytes()

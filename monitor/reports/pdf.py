"""Documents as PDF: the HTML page printed by headless Chromium (Debian's ``chromium``).

Chromium is told to look up no name at all and to stay off every background
service, so printing a document sends nothing anywhere.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from common.wording import say

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
    "--no-proxy-server",
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
        raise PdfError(say("pdf_needs_chromium"))
    with tempfile.TemporaryDirectory(prefix="gongkai-pdf-") as folder:
        page, pdf = Path(folder) / "document.html", Path(folder) / "document.pdf"
        page.write_bytes(html)
        command = [binary, *FLAGS, f"--user-data-dir={folder}/profile", f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
            )
        except OSError:
            raise PdfError(say("pdf_failed")) from None
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            raise PdfError(say("pdf_failed")) from None
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)  # its renderers too
            process.wait()
        if not pdf.is_file() or pdf.stat().st_size == 0:
            raise PdfError(say("pdf_failed"))
        return pdf.read_bytes()

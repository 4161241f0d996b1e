"""Documents as PDF: the HTML page printed by headless Chromium (Debian's ``chromium``).

Chromium is told to look up no name at all and to stay off every background
service, so printing a document sends nothing anywhere.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
from pathlib import Path

from common.browser import FLAGS as BROWSER_FLAGS
from common.browser import chromium
from common.wording import say

FLAGS = (*BROWSER_FLAGS, "--no-pdf-header-footer")


class PdfError(Exception):
    """A PDF cannot be made here (no Chromium, or it failed)."""


def render_pdf(html: bytes, timeout: float = 120) -> bytes:
    """Print a self-contained HTML page to an A4 PDF."""
    binary = chromium()
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

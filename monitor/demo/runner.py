"""Run the demo: serve the demo sites, crawl them into a fresh store, write reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from common.browser import chromium
from monitor.config import parse_config
from monitor.crawl import run_crawl
from monitor.demo.sites import demo_config, demo_sites
from monitor.reports import render, report_data, write_per_department
from monitor.reports.context import report_context
from monitor.reports.formats import render_html
from monitor.store import Store


@dataclass
class DemoOutcome:
    """What the demo produced."""

    db: Path
    data: dict[str, Any]
    files: list[Path]
    pdf: bool  # whether PDFs were made (they need Chromium)


def run_demo(directory: Path, as_of: date | None = None) -> DemoOutcome:
    """Serve the demo sites on 127.0.0.1, crawl them and write the reports into ``directory``.

    Each demo starts from a fresh store: the sites move to new ports every time,
    so earlier demo runs would only look like resolved problems.
    """
    directory.mkdir(parents=True, exist_ok=True)
    db = directory / "demo.db"
    for leftover in (db, db.with_suffix(".db-wal"), db.with_suffix(".db-shm")):
        leftover.unlink(missing_ok=True)
    config_path = directory / "sites.yaml"
    sites = demo_sites(as_of or date.today())
    try:
        for site in sites:
            site.serve()
        text = demo_config(sites)
        config_path.write_text(text, encoding="utf-8")
        config = parse_config(text, str(config_path))
        result = run_crawl(config, config_path, db, as_of=as_of or config.today(), offline=True)
    finally:
        for site in sites:
            if site.server:
                site.server.stop()
    store = Store(db)
    data = report_data(store, result.run_id)
    context = report_context(store, result.run_id)
    store.close()
    files = [directory / "report.html"]
    files[0].write_bytes(render_html(data, context, notices="departments"))
    pdf = chromium() is not None
    formats = ("json", "md", "xlsx", "docx", "pdf") if pdf else ("json", "md", "xlsx", "docx")
    for fmt in formats:
        path = directory / f"report.{fmt}"
        path.write_bytes(render(data, fmt, context))
        files.append(path)
    for fmt in ("html", *formats[2:]):
        files += write_per_department(data, fmt, directory / "departments", context)
    return DemoOutcome(db, data, files, pdf)

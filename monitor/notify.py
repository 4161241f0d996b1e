"""``gongkai notify``: send each department its rectification notice by e-mail.

Each message carries the notice as HTML (and plain text), and attached as
DOCX, PDF (when Chromium is installed) and the XLSX list. What was sent, to
whom and when is recorded, and a run's notice is never sent twice unless forced.
A dry run writes ``.eml`` files instead.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any

from common.browser import chromium
from common.tables import load_tables
from common.wording import fill, say
from monitor.config import Config, Smtp
from monitor.files import write_whole
from monitor.reports.context import ReportContext, needs_notice, open_problems, report_context
from monitor.reports.data import problem_place, report_data, split_by_department
from monitor.reports.formats import labels, render_notice
from monitor.reports.notices import heading, mark, notice_title
from monitor.store import Store

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
PDF = ("application", "pdf")


class NotifyError(Exception):
    """Notices cannot be sent as configured."""


@dataclass
class Outcome:
    """What happened to one department's notice."""

    department: str
    to: str | None
    action: str  # sent, written, already_sent, no_address, nothing_to_rectify


def _one_line(text: str) -> str:
    """Header text from data: no line breaks, so nothing can be injected as a header."""
    return " ".join(str(text).split())


def build_message(part: dict[str, Any], context: ReportContext, sender: str, to: str) -> EmailMessage:
    """A department's notice as an e-mail: text and HTML, with the DOCX, the PDF and the XLSX list attached."""
    head = heading(part, context)
    dept = part["departments"][0]
    message = EmailMessage()
    what = notice_title(part)
    words = load_tables().wording["documents"]
    message["Subject"] = _one_line(
        fill(words["mail_subject"], office=context.issuer, title=what, date=part["run"]["as_of"])
    )
    message["From"] = _one_line(sender)
    message["To"] = _one_line(to)
    message["Message-ID"] = make_msgid(domain="gongkai.local")
    problems = open_problems(part)
    if problems:
        said = fill(words["mail_problems"], site=dept["site"], count=len(problems), deadline=head["整改期限"])
    else:
        said = fill(words["mail_clean"], site=dept["site"])
    lines = [f"{dept['name']}：", "", said, ""]
    types = labels()["types"]
    for p in problems:
        where = problem_place(p)
        flags = f"（{mark(p)}）" if mark(p) else ""
        line = fill(words["mail_line"], what=types[p["type"]], where=where, deadline=p["deadline"], marks=flags)
        lines.append(line)
    message.set_content("\n".join(lines) + f"\n\n{context.issuer}\n")
    message.add_alternative(render_notice(part, context).decode("utf-8"), subtype="html")
    from monitor.reports.workbook import notice_workbook  # openpyxl is loaded only to write a workbook

    message.add_attachment(
        render_notice(part, context, "docx"), maintype=DOCX[0], subtype=DOCX[1], filename=f"{what}.docx"
    )
    if chromium() is not None:
        pdf = render_notice(part, context, "pdf")
        message.add_attachment(pdf, maintype=PDF[0], subtype=PDF[1], filename=f"{what}.pdf")
    workbook = notice_workbook(part, labels(), head)
    message.add_attachment(workbook, maintype=XLSX[0], subtype=XLSX[1], filename=f"整改清单-{dept['id']}.xlsx")
    return message


def _connect(smtp: Smtp) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if smtp.ca_bundle:
        context.load_verify_locations(cafile=smtp.ca_bundle)
    if smtp.security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
    else:
        server = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
        if smtp.security == "starttls":
            server.starttls(context=context)
    if smtp.username:
        password = os.environ.get(smtp.password_env or "", "")
        if not password:
            raise NotifyError(say("no_password", what=smtp.password_env))
        server.login(smtp.username, password)
    return server


def notify(
    config: Config,
    store: Store,
    run_id: int,
    dry_run: Path | None = None,
    force: bool = False,
    screenshots: dict[str, bytes] | None = None,
) -> list[Outcome]:
    """Send (or, with ``dry_run``, write as .eml files) each department's notice of a run.

    ``screenshots`` (by problem key) go into the notices, as ``report --screenshots`` puts them.
    """
    if dry_run is None and config.smtp is None:
        raise NotifyError(say("no_smtp"))
    sender = config.smtp.sender if config.smtp else f"{config.notice.issuer} <gongkai@localhost>"
    data = report_data(store, run_id)
    context = report_context(store, run_id)
    context.screenshots = screenshots or {}
    sent = {r["department"] for r in store.rows("notifications", run_id, "mode = 'smtp'")}
    outcomes: list[Outcome] = []
    server: smtplib.SMTP | None = None
    try:
        for dept_id, part in split_by_department(data).items():
            if not needs_notice(part, context):
                outcomes.append(Outcome(dept_id, None, "nothing_to_rectify"))
                continue
            department = config.department(dept_id)
            to = department.contact.email if department and department.contact else None
            if not to:
                outcomes.append(Outcome(dept_id, None, "no_address"))
                continue
            if dry_run is None and dept_id in sent and not force:
                outcomes.append(Outcome(dept_id, to, "already_sent"))
                continue
            message = build_message(part, context, sender, to)
            if dry_run is not None:
                dry_run.mkdir(parents=True, exist_ok=True)
                write_whole(dry_run / f"run{run_id}-{dept_id}.eml", bytes(message))
                mode, action = "dry-run", "written"
            else:
                assert config.smtp is not None
                server = server or _connect(config.smtp)
                server.send_message(message)
                mode, action = "smtp", "sent"
            store.record_notification(run_id, dept_id, to, str(message["Subject"]), str(message["Message-ID"]), mode)
            outcomes.append(Outcome(dept_id, to, action))
    finally:
        if server is not None:
            server.quit()
    return outcomes

"""What each answer a page spider gets becomes: rows, exactly one check result per URL, each warning once.

A failure is recorded as ``crawler.pages.failed_check`` says, as the link
checker (``crawler.checker``) records its own.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from scrapy import Request
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from common.reasons import reason
from common.transport.failures.scrapy_errors import RequestRefused, error_kind
from common.transport.targets import refusal_reason
from crawler.items import CheckResult, ColumnFound, Note, Page, PageRecord
from crawler.pages import Answer, PageMarkers, PageView, Verdict, failed_check, judge, side_notes
from crawler.sites import Department

log = logging.getLogger(__name__)


def bundled(results: Iterable[Any]) -> Iterator[Any]:
    """A callback's requests as they come, and its rows as one PageRecord after them."""
    record = PageRecord()
    for result in results:
        if isinstance(result, Request):
            yield result
        else:
            record.rows.append(result)
    if record.rows:
        yield record


class AnswerRecorder:
    """Turns a page spider's answers and failures into rows, and counts the URLs answered."""

    def __init__(self, departments: dict[str, Department], markers: PageMarkers) -> None:
        self.departments = departments
        self.markers = markers
        self.count = 0  # URLs answered: every scheduled URL ends in exactly one check result

    def answered(self, check: CheckResult, dept_id: str) -> CheckResult:
        """Count an answered request."""
        self.count += 1
        self.departments[dept_id].outstanding -= 1
        return check

    @staticmethod
    def note(
        dept: Department, kind: str, url: str | None, detail: str | None, key: str | None = None
    ) -> Iterator[Note]:
        """A note for the warnings, made once per department and key (default: once per kind).

        Once per spider here; once per run in the store, whose index on the key keeps the first.
        """
        if (kind, key or "") not in dept.noted:
            dept.noted.add((kind, key or ""))
            yield Note(dept.id, kind, url, detail, key or "")

    @staticmethod
    def column(meta: dict[str, Any], dept: Department, reading: str, detail: str | None) -> ColumnFound:
        """A column of the site, in the state it was found in."""
        source = "configured" if meta["role"] == "column" else "discovered"
        return ColumnFound(dept.id, meta["column"], meta["column_name"], source, reading, detail)

    # judging answers ----------------------------------------------------------

    def check(self, response: Response, verdict: Verdict) -> CheckResult:
        """The check result of an answered request."""
        meta = response.meta
        final_url = response.url if response.url != meta["target"] else None
        attempts = meta.get("attempt", 1)
        check = CheckResult(
            meta["target"], response.status, verdict.error, verdict.outcome, attempts, final_url, verdict.detail
        )
        return self.answered(check, meta["dept"])

    @staticmethod
    def answer(response: Response, read: bool = True) -> Answer:
        """The answer as the judge sees it; ``read=False`` leaves its text unparsed."""
        view = PageView.of(response) if read and isinstance(response, TextResponse) else None
        meta = response.meta
        return Answer(meta["target"], response.url, response.status, meta["role"], view, meta.get("certificate"))

    def judge(self, response: Response) -> Verdict:
        """What a response means for the link that led to it, and the page when it is content."""
        return judge(self.answer(response), self.markers, self.departments[response.meta["dept"]].site)

    def side_notes(self, dept: Department, response: Response, verdict: Verdict) -> Iterator[Note]:
        """The warnings an answer gives beside its verdict (a challenge page, an untrusted certificate), once each."""
        for note in side_notes(dept.id, self.answer(response, read=False), verdict):
            yield from self.note(dept, note.kind, note.url, note.detail, note.key or None)

    # failures -------------------------------------------------------------------

    def internal_error(self, meta: dict[str, Any], status: int | None, exc: Exception, answered: bool) -> Iterator[Any]:
        """The rows of a page gongkai failed to read: a warning about the tool, and the run goes on."""
        dept = self.departments[meta["dept"]]
        detail = reason("internal", type(exc).__name__)
        yield from self.note(dept, "internal_error", meta["target"], detail, key=meta["target"])
        yield Page(dept.id, meta["target"], meta["role"], status, reading="internal_error")
        if meta["role"] == "column":
            yield self.column(meta, dept, "unchecked", detail)
        check = CheckResult(meta["target"], status, "internal_error", "skipped", meta.get("attempt", 1), None, detail)
        yield check if answered else self.answered(check, dept.id)

    def rendered(self, meta: dict[str, Any]) -> None:
        """Count a page rendered in the browser: the static fetch of the page was its check."""
        self.count += 1
        self.departments[meta["dept"]].outstanding -= 1

    def render_failed(self, meta: dict[str, Any], counted: bool = False) -> Iterator[Any]:
        """The rows of a page the browser could not render as a page (``counted``: already counted).

        Its static reading stands, as a warning that says why the column stays unread.
        """
        if not counted:
            self.rendered(meta)
        if "column" in meta:
            yield self.column(meta, self.departments[meta["dept"]], "unparsed", "render_failed")

    def failed(self, failure: Failure) -> Iterator[Any]:
        """The rows of a request that failed for good (after confirmation)."""
        meta = failure.request.meta
        dept = self.departments[meta["dept"]]
        target, kind, detail = meta["target"], error_kind(failure.value), None
        if isinstance(failure.value, RequestRefused):
            refused = failure.value
            detail = refusal_reason(refused.refusal, refused.url if refused.url != target else None)
        elif kind in ("robots", "ignored"):
            detail = kind
        elif kind == "timeout" and meta.get("headers_seen"):
            kind = "too_slow"
        *notes, check = failed_check(dept.id, target, kind, detail, meta.get("attempt", 1))
        for note in notes:
            yield from self.note(dept, note.kind, note.url, note.detail, note.key)
        if kind == "private_target":
            yield Page(dept.id, target, meta["role"], None, reading="refused")
            if meta["role"] == "column":  # a configured column stays in the inventory, as not inspected
                yield self.column(meta, dept, "unchecked", detail)
        elif check.outcome == "broken":
            log.info("%s failed (%s): %s", target, kind, failure.getErrorMessage())
            yield Page(dept.id, target, meta["role"], None, reading="unreachable")
            if meta["role"] == "column":
                yield self.column(meta, dept, "unreachable", kind)
        yield self.answered(check, dept.id)

"""The page spiders' base: the run plan, the departments, and judging answers.

The department spiders crawl and read pages; the link checker
(``crawler.checker``), in another process, checks the attachments and outside
links they hand over. Both judge an answer the same way (``crawler.pages.judge``)
and record results the same way: one PageRecord per answer, whose last row is
the URL's check result. Here failures are confirmed by the downloader
middlewares.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import StopDownload
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from common.plan import RunPlan
from common.reasons import reason
from common.transport.client import offline_requested
from common.transport.failures import CUT_OFF
from common.transport.failures.scrapy_errors import RequestRefused, error_kind
from common.transport.targets import department_netlocs, plan_policy, refusal_reason
from crawler.items import CheckResult, ColumnFound, Note, Page, PageRecord
from crawler.pages import Answer, PageMarkers, PageView, Verdict, judge, side_notes
from crawler.sites import COLUMN_ROLES, Department


class InspectionSpider(scrapy.Spider):
    """A spider over the departments of a run plan (``common.plan.RunPlan``, a JSON file written by the monitor)."""

    def __init__(self, plan: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan = RunPlan.read(plan)
        self.markers = PageMarkers.from_table(self.plan.tables().markers)
        self.departments: dict[str, Department] = {}
        for spec in self.plan.departments:
            dept = Department(spec.id, spec.site, spec.disclosure, spec.columns or [], spec.obey_robots)
            dept.hosts = department_netlocs(spec.model_dump())
            self.departments[dept.id] = dept
        self.policy = plan_policy(str(Path(plan).resolve()), offline_requested())
        self.checked = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> InspectionSpider:
        """Hook the headers signal that cuts bodies gongkai does not read."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_headers, signal=signals.headers_received)
        return spider

    def _answered(self, check: CheckResult, dept_id: str) -> CheckResult:
        """Count an answered request (every scheduled URL ends in exactly one check result)."""
        self.checked += 1
        self.departments[dept_id].outstanding -= 1
        return check

    def _note(
        self, dept: Department, kind: str, url: str | None, detail: str, key: str | None = None
    ) -> Iterator[Note]:
        """A note for the warnings, made once per department and key (default: once per kind).

        Once per spider here; once per run in the store, whose index on the key keeps the first.
        """
        if (kind, key or "") not in dept.noted:
            dept.noted.add((kind, key or ""))
            yield Note(dept.id, kind, url, detail, key or "")

    def on_headers(self, headers: Any, body_length: int, request: Request, spider: scrapy.Spider) -> None:
        """Stop downloading bodies that will not be read: attachments, and answers that are not lists or pages.

        Only the spider's own requests (they carry a target) are cut: robots.txt is text/plain.
        """
        if "target" not in request.meta:
            return
        request.meta["headers_seen"] = True
        content_type = (headers.get(b"Content-Type") or b"").lower()
        wanted = (b"html", b"xml", b"json") if request.meta.get("role") in COLUMN_ROLES else (b"html", b"xml")
        if content_type and not any(kind in content_type for kind in wanted):
            raise StopDownload(fail=False)

    def _column(self, meta: dict[str, Any], dept: Department, reading: str, detail: str | None) -> ColumnFound:
        source = "configured" if meta["role"] == "column" else "discovered"
        return ColumnFound(dept.id, meta["column"], meta["column_name"], source, reading, detail)

    # judging answers ----------------------------------------------------------

    def _check_item(self, response: Response, verdict: Verdict) -> CheckResult:
        return self._answered(
            CheckResult(
                url=response.meta["target"],
                status=response.status,
                error=verdict.error,
                outcome=verdict.outcome,
                attempts=response.meta.get("attempt", 1),
                final_url=response.url if response.url != response.meta["target"] else None,
                detail=verdict.detail,
            ),
            response.meta["dept"],
        )

    def _answer(self, response: Response, read: bool = True) -> Answer:
        """The answer as the judge sees it; ``read=False`` leaves its text unparsed."""
        view = PageView.of(response) if read and isinstance(response, TextResponse) else None
        meta = response.meta
        return Answer(meta["target"], response.url, response.status, meta["role"], view, meta.get("certificate"))

    def _judge(self, response: Response) -> Verdict:
        """What a response means for the link that led to it, and the page when it is content."""
        return judge(self._answer(response), self.markers, self.departments[response.meta["dept"]].site)

    def _side_notes(self, dept: Department, response: Response, verdict: Verdict) -> Iterator[Note]:
        for note in side_notes(dept.id, self._answer(response, read=False), verdict):
            yield from self._note(dept, note.kind, note.url, note.detail, note.key or None)

    # callbacks ----------------------------------------------------------------

    @staticmethod
    def _bundled(results: Iterator[Any]) -> Iterator[Any]:
        """Yield the requests of a callback, and its rows as one PageRecord after them."""
        record = PageRecord()
        for result in results:
            if isinstance(result, Request):
                yield result
            else:
                record.rows.append(result)
        if record.rows:
            yield record

    # failures -------------------------------------------------------------------

    def on_failure(self, failure: Failure) -> list[Any]:
        """Record a request that failed for good (after confirmation)."""
        answered = self.checked
        try:
            return list(self._bundled(self._failed(failure)))
        except Exception as exc:
            self.logger.exception("recording the failure of %s failed", failure.request.url)
            return list(self._bundled(self._internal_error(failure.request.meta, None, exc, self.checked > answered)))

    def _internal_error(
        self, meta: dict[str, Any], status: int | None, exc: Exception, answered: bool
    ) -> Iterator[Any]:
        """The rows of a page gongkai failed to read: a warning about the tool, and the run goes on."""
        dept = self.departments[meta["dept"]]
        detail = reason("internal", type(exc).__name__)
        yield from self._note(dept, "internal_error", meta["target"], detail, key=meta["target"])
        yield Page(dept.id, meta["target"], meta["role"], status, reading="internal_error")
        if meta["role"] == "column":
            yield self._column(meta, dept, "unchecked", detail)
        check = CheckResult(meta["target"], status, "internal_error", "skipped", meta.get("attempt", 1), None, detail)
        yield check if answered else self._answered(check, dept.id)

    def _refused(self, dept: Department, meta: dict[str, Any], refused: RequestRefused, attempts: int) -> Iterator[Any]:
        """A request the target policy refused, on the link itself or on a hop it redirects through."""
        kind, target = refused.refusal.kind, meta["target"]
        detail = refusal_reason(refused.refusal, refused.url if refused.url != target else None)
        if kind == "private_target":
            yield from self._note(dept, "private_target", target, detail, key=target)
            yield Page(dept.id, target, meta["role"], None, reading="refused")
            if meta["role"] == "column":  # a configured column stays in the inventory, as not inspected
                yield self._column(meta, dept, "unchecked", detail)
        yield self._answered(CheckResult(target, None, kind, "skipped", attempts, None, detail), dept.id)

    def _failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request
        meta = request.meta
        dept = self.departments[meta["dept"]]
        kind = error_kind(failure.value)
        attempts = meta.get("attempt", 1)
        if isinstance(failure.value, RequestRefused):
            yield from self._refused(dept, meta, failure.value, attempts)
            return
        if kind in ("robots", "ignored"):
            yield self._answered(CheckResult(meta["target"], None, kind, "skipped", attempts, None, kind), dept.id)
            return
        if kind == "timeout" and meta.get("headers_seen"):
            kind = "too_slow"
        if kind in CUT_OFF:
            # The server answered; gongkai stopped reading. A warning, never a broken link.
            yield from self._note(dept, "page_cut_off", meta["target"], kind, key=meta["target"])
            yield self._answered(CheckResult(meta["target"], None, kind, "skipped", attempts, None, kind), dept.id)
            return
        self.logger.info("%s failed (%s): %s", meta["target"], kind, failure.getErrorMessage())
        yield Page(dept.id, meta["target"], meta["role"], None, reading="unreachable")
        if meta["role"] == "column":
            yield self._column(meta, dept, "unreachable", kind)
        yield self._answered(CheckResult(meta["target"], None, kind, "broken", attempts, None, kind), dept.id)

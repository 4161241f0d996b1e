"""The crawl's frontier: every URL requested once per run, and written down so a killed crawl can resume.

Every request a page spider makes is first claimed (``claim``: once per run, by
its key, ``crawler.links.canonical``) and written as a row of the store's
``frontier`` table with what rebuilding it needs (``crawler.items.Frontier``): a
page for a page spider to read, or a link only to be checked, which the link
checker (``crawler.checker``) follows. A URL is done when its check result is stored; a resumed run makes the
requests that are not (``pending``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from scrapy import FormRequest, Request

from common.shared_run import SharedRun
from common.urls import is_attachment
from crawler.items import Frontier
from crawler.rendering import render_meta
from crawler.sites import Department
from crawler.storage import CrawlStore

# What a page request's frontier row keeps, to rebuild it when a killed crawl resumes.
_KEPT_META = frozenset(
    {
        "dept",
        "role",
        "target",
        "nav_depth",
        "form",
        "depth",
        "column",
        "column_name",
        "stem",
        "anchor",
        "dont_obey_robotstxt",
        "render",
        "moved_to",
    }
)


class RequestFrontier:
    """The keys one page spider has requested, and the rows that record its requests."""

    def __init__(self) -> None:
        # The keys requested so far, kept as their 64-bit string hashes, far smaller
        # than the URLs themselves. Two keys of one run sharing a hash (about 3 in
        # 10^8 for a million URLs) would leave one URL unrequested, never accused.
        self.requested: set[int] = set()

    def claim(self, key: str) -> bool:
        """Whether ``key`` is new to this run (it is claimed now)."""
        hashed = hash(key)
        if hashed in self.requested:
            return False
        self.requested.add(hashed)
        return True

    @staticmethod
    def scheduled(request: Request, dept: Department, key: str) -> Iterator[Any]:
        """A page request with its frontier row before it."""
        dept.outstanding += 1
        meta = {k: v for k, v in request.meta.items() if k in _KEPT_META}
        meta["callback"] = Frontier.PAGE
        meta["priority"] = request.priority
        yield Frontier(dept.id, key, request.url, request.method, json.dumps(meta, ensure_ascii=False))
        yield request

    @staticmethod
    def to_check(url: str, dept: Department, key: str) -> Frontier:
        """A link only to be checked, as the frontier row the link checker picks up."""
        meta = {"dept": dept.id, "role": "check", "target": url, "callback": Frontier.CHECK}
        # Attachments: HEAD first; a refused or failed HEAD falls back to a GET (see crawler.checker).
        method = "HEAD" if is_attachment(url) else "GET"
        return Frontier(dept.id, key, url, method, json.dumps(meta, ensure_ascii=False))

    def pending(
        self,
        store: CrawlStore,
        run_id: int,
        departments: dict[str, Department],
        mine: Callable[[str, dict[str, Any]], bool],
        rebuild: Callable[[str, str, dict[str, Any]], Request],
    ) -> list[Request | Frontier] | None:
        """The page requests of an interrupted run that are ``mine`` and unanswered (None: nothing stored).

        Every key the run requested is claimed again; the link checker takes up the checks.
        """
        rows = store.frontier(run_id)
        if not rows:
            return None
        done = store.answered(run_id)
        requests: list[Request | Frontier] = []
        self.claimed_before(key for key, *_ in rows)
        for key, url, method, meta_json in rows:
            meta = json.loads(meta_json)
            if meta["callback"] == Frontier.CHECK and url not in done:
                requests.extend(self.checks_again(Frontier(meta["dept"], key, url, method, meta_json)))
            if meta["callback"] != Frontier.PAGE or not mine(url, meta):
                continue
            dept = departments[meta["dept"]]
            if meta["role"] in ("page", "list_page") and not meta.get("render"):
                dept.pages += 1
            if url not in done:
                dept.outstanding += 1
                requests.append(rebuild(url, method, meta))
        return requests

    def claimed_before(self, keys: Iterable[str]) -> None:
        """Claim the keys an interrupted run requested."""
        self.requested.update(hash(key) for key in keys)

    @staticmethod
    def checks_again(row: Frontier) -> list[Frontier]:
        """A resumed run's unanswered link check to hand over again: none (the link checker reads the store)."""
        return []


HOLDERS_KEPT = 200_000  # keys held by other pages that a process remembers (about 20 MB)


class SharedFrontier(RequestFrontier):
    """A run's claims kept in Redis (``crawl.redis``): each key once for every worker of the run.

    A key belongs to the page that claimed it first (``claimer``: the name of
    the request being read, ``seed`` for the run's first requests). That page
    read again, after its worker died before reporting it, finds its keys its
    own and makes their requests again.
    """

    def __init__(self, run: SharedRun) -> None:
        super().__init__()
        self.run = run
        self.claimer = "seed"
        self.holders: dict[int, str] = {}  # the claimer of each key another page holds

    def claim(self, key: str) -> bool:
        """Whether ``key`` is the current page's to request: new to the run, or claimed by it in a worker that died.

        Once per process: a page linking a URL twice requests it once.
        """
        hashed = hash(key)
        if hashed in self.requested:
            return False
        holder = self.holders.pop(hashed, None) or self.run.claim(key, self.claimer)
        if holder == self.claimer:
            self.requested.add(hashed)
            return True
        if len(self.holders) >= HOLDERS_KEPT:  # bounded: a key forgotten is only asked of Redis again
            self.holders.clear()
        self.holders[hashed] = holder
        return False

    def claimed_before(self, keys: Iterable[str]) -> None:
        """Claim the keys an interrupted run requested, for every worker."""
        self.run.claimed(keys, "resumed")

    @staticmethod
    def checks_again(row: Frontier) -> list[Frontier]:
        """A resumed run's unanswered link check, queued again for the workers' link checkers."""
        return [row]


def page_request(url: str, form: tuple[tuple[str, str], ...] | None, method: str = "GET", **kwargs: Any) -> Request:
    """A page request (a POST of ``form`` when there is one), made once per run: never filtered as a duplicate.

    A request whose meta says ``render`` is loaded in the browser (``crawler.rendering``).
    """
    meta = kwargs.get("meta") or {}
    if meta.get("render"):
        kwargs["meta"] = {**meta, **render_meta(meta)}
    if form is not None:
        return FormRequest(url, formdata=dict(form), dont_filter=True, **kwargs)
    return Request(url, method=method, dont_filter=True, **kwargs)


def rebuilt(url: str, method: str, meta: dict[str, Any], **kwargs: Any) -> Request:
    """A page request again from its frontier row, with the callbacks in ``kwargs``."""
    meta.pop("callback")
    priority = meta.pop("priority", 0)
    meta["form"] = tuple(tuple(pair) for pair in meta["form"]) if meta.get("form") else None
    return page_request(url, meta["form"], method, priority=priority, meta=meta, **kwargs)

"""人工核查 on the dashboard: reviewers sign in, then confirm or dismiss findings and record replies.

Reading stays open to anyone who can reach the dashboard; writing needs a
reviewer signed in with the password in the environment variable the config's
``review.password_env`` names (never a default: without one nobody can sign in
and the dashboard stays read-only). A sign-in lasts ``SIGN_IN_HOURS``; a wrong
password costs a pause. A reviewer's name is kept with every write
(``review_log``, source ``dashboard``). Only the findings of the latest complete
run are reviewed, and that run is judged again at once. The pages are gongkai's
own templates, in Chinese; the forms carry Datasette's CSRF token.
"""

from __future__ import annotations

import asyncio
import hmac
import os
import re
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.app import Datasette
from datasette.utils import baseconv
from datasette.utils.asgi import Request, Response
from markupsafe import Markup, escape

from common.table_models import ReviewRules
from common.tables import load_tables, tables_of
from monitor.config import ConfigError
from monitor.dashboard import REVIEW_COLUMN
from monitor.dashboard.web import page, settings, store_path, tables_dir
from monitor.evaluate import rejudge
from monitor.reviews import ReviewError, decide, finding, reply, review_rules
from monitor.store import Store, StoreError

SIGN_IN_HOURS = 8
WRONG_PASSWORD_PAUSE = 2.0  # seconds: guessing the password takes a long time
REVIEWER = "reviewer"  # the mark of a gongkai reviewer in a signed-in actor
RESERVED_NAMES = frozenset({"root"})  # Datasette's own all-powerful actor
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _password(datasette: Datasette) -> str | None:
    name = settings(datasette).get("password_env")
    if not name:
        return None
    return os.environ.get(name) or None  # an empty variable is no password


def _reviewer(request: Request) -> str | None:
    """The name of the signed-in gongkai reviewer, or None."""
    actor = request.actor or {}
    return actor.get("id") if actor.get("gongkai") == REVIEWER else None


def review_url(run_id: int | str, key: str) -> str:
    """The review page of a finding."""
    return "/-/gongkai/review?" + urlencode({"run": run_id, "key": key})


@hookimpl
def render_cell(value: Any, column: str) -> Markup | None:
    """A canned query's 核查 column (``run|key``) as a link to the finding's review page."""
    if column != REVIEW_COLUMN or not isinstance(value, str) or "|" not in value:
        return None
    run_id, key = value.split("|", 1)
    return Markup(f'<a href="{escape(review_url(run_id, key))}">核查</a>')


@hookimpl
def extra_template_vars() -> dict[str, Any]:
    """``review_url`` for gongkai's templates."""
    return {"review_url": review_url}


async def login(request: Request, datasette: Datasette) -> Response:
    """Sign a reviewer in (their name and the review password), or say why not."""
    password = _password(datasette)
    if request.method == "POST":
        form = await request.post_vars()
        name = (form.get("name") or "").strip()
        given = form.get("password") or ""
        if password and name and name not in RESERVED_NAMES and hmac.compare_digest(given.encode(), password.encode()):
            expires = baseconv.base62.encode(int(time.time()) + SIGN_IN_HOURS * 3600)
            signed = datasette.sign({"a": {"id": name, "gongkai": REVIEWER}, "e": expires}, "actor")
            response = Response.redirect("/")
            response.set_cookie("ds_actor", signed, httponly=True, max_age=SIGN_IN_HOURS * 3600)
            return response
        await asyncio.sleep(WRONG_PASSWORD_PAUSE)
        return await page(datasette, request, "gongkai_login.html", failed=True, enabled=bool(password))
    return await page(datasette, request, "gongkai_login.html", failed=False, enabled=bool(password))


async def logout(request: Request, datasette: Datasette) -> Response:
    """Sign the reviewer out."""
    response = Response.redirect("/")
    response.set_cookie("ds_actor", "", max_age=0)
    return response


def _refusal(by: str | None, latest: bool, form: dict[str, str], rules: ReviewRules) -> tuple[int, str] | None:
    """Why a review is not recorded: (HTTP status, key of the wording's ``dashboard``), or None."""
    decision, reason = form.get("decision") or "", form.get("reason") or ""
    if by is None:
        return 403, "sign_in_first"
    if not latest:
        return 400, "latest_only"
    if not decision and not form.get("reply"):
        return 400, "choose_something"
    if decision and decision not in rules.decisions:
        return 400, "bad_decision"
    if decision == "dismissed" and reason not in rules.dismiss_reasons:
        return 400, "reason_needed"
    if form.get("reply") and not _DAY.match(form.get("reply_date") or ""):
        return 400, "reply_date_needed"
    return None


def _write(db: Path, run_id: int, key: str, form: dict[str, str], by: str, rules: ReviewRules) -> None:
    store = Store(db)
    try:
        department = key.split("|", 1)[0]
        if form.get("decision"):
            decide(store, rules, run_id, department, key, form["decision"], form.get("reason") or None, by, "dashboard")
        if form.get("reply"):
            reply(store, run_id, department, key, form["reply"], form["reply_date"], by, "dashboard")
        rejudge(store, run_id)
    finally:
        store.close()


def _shown(db: Path, run_id: int, key: str) -> tuple[int | None, dict[str, Any], dict[str, Any], str]:
    """(the latest complete run, the finding, its review, its department's name) as the page shows them."""
    store = Store(db, readonly=True)
    try:
        latest = store.latest_run_id()
        problem = finding(store, run_id, key.split("|", 1)[0], key)
        current = store.reviews().get((problem["department"], key), {})
        return latest, problem, current, store.department_name(run_id, problem["department"])
    finally:
        store.close()


async def review(request: Request, datasette: Datasette) -> Response:
    """A finding and its review; a signed-in reviewer's decision or recorded reply (POST)."""
    if request.method == "POST":
        args = dict(await request.post_vars())
    else:
        args = {name: request.args.get(name) or "" for name in ("run", "key")}
    run_text, key = args.get("run") or "", args.get("key") or ""
    db = store_path(datasette)
    with tables_of(tables_dir(datasette)):
        rules = review_rules(load_tables().rules)
    try:
        latest, problem, current, name = await asyncio.to_thread(_shown, db, int(run_text or 0), key)
    except (ValueError, ReviewError):
        return await page(datasette, request, "gongkai_empty.html", status=404, missing_finding=True)
    by = _reviewer(request)
    context = {"problem": problem, "department_name": name, "review": current, "run_id": int(run_text)}
    context |= {"review_rules": rules, "can_sign_in": _password(datasette) is not None, "reviewer": by}
    if request.method == "POST":
        refused = _refusal(by, int(run_text) == latest, args, rules)
        if refused is not None:
            status, error = refused
            return await page(datasette, request, "gongkai_review.html", status=status, error=error, **context)
        try:
            await asyncio.to_thread(_write, db, int(run_text), key, args, by or "", rules)
        except (ConfigError, StoreError, sqlite3.Error):
            return await page(datasette, request, "gongkai_review.html", status=500, error="not_judged", **context)
        _, context["problem"], context["review"], _ = await asyncio.to_thread(_shown, db, int(run_text), key)
        context["saved"] = True
    return await page(datasette, request, "gongkai_review.html", **context)


@hookimpl
def register_routes() -> list[tuple[str, Any]]:
    """The sign-in and review pages."""
    return [
        (r"^/-/gongkai/login$", login),
        (r"^/-/gongkai/logout$", logout),
        (r"^/-/gongkai/review$", review),
    ]

"""The ``gongkai`` command: a thin click layer; each command opens the store and calls the library.

What only one command needs (the rules, e-mail, probes, the dashboard) is imported
by that command, so ``gongkai crawl`` waits on its crawl processes with little memory.
What commands print is laid out by ``monitor.terminal``.

Long because every command's options and help are declared here, as click
has them declared: twelve commands, and no logic a library function could hold.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import sys
import threading
from datetime import date
from pathlib import Path
from types import FrameType
from typing import Any
from urllib.parse import urlsplit

import click

from common.browser import chromium
from common.plan import machine_page_workers
from common.shared_run import SharedRunLostError, insecure, where
from common.tables import load_tables, tables_beside, tables_of
from common.wording import say, wording
from monitor.changes import changes, described
from monitor.config import Config, ConfigError, load_config
from monitor.crawl import CrawlError, run_crawl
from monitor.evaluate import rejudge
from monitor.files import is_store_file, write_whole
from monitor.lock import StoreLockedError, crawl_running
from monitor.reports import FORMATS, render, report_data, write_per_department
from monitor.reports.context import ReportContext, report_context
from monitor.reports.formats import NOTICE_FORMATS, render_html, render_raw_csv
from monitor.reports.pdf import PdfError
from monitor.reports.statistics import STATS_FORMATS, render_stats
from monitor.reviews import ReviewError, decide, decision_of, open_findings, reply, review_rules
from monitor.stats import YEARS, statistics
from monitor.store import DEFAULT_DB, Store, StoreError, store_error
from monitor.terminal import print_findings, print_problems, print_runs, print_stats, print_summary

CONFIG_ERROR = 2


def _fail(messages: list[str], code: int) -> None:
    for message in messages:
        click.echo(say("error", error=message), err=True)
    sys.exit(code)


def _as_of(_: Any, __: Any, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-23") from None


config_option = click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    default=Path("config/sites.yaml"),
    show_default=True,
    help="The sites config.",
)
db_option = click.option(
    "--db", "db_path", type=click.Path(path_type=Path), default=DEFAULT_DB, show_default=True, help="The SQLite store."
)
as_of_option = click.option("--as-of", callback=_as_of, help="Pin 'today' (YYYY-MM-DD) for reproducible runs.")


def _in_force(directory: Path | None) -> None:
    """Make the office's tables in ``directory`` (rules, labels, wording) those of the rest of the command."""
    click.get_current_context().with_resource(tables_of(directory))


def _tables_of_run(store: Store, run_id: int | None) -> None:
    """Put in force the tables beside the config a stored run was crawled with (if it is still there)."""
    run = store.run(run_id) if run_id else None
    _in_force(tables_beside(run["config_path"]) if run else None)


def _load(config_path: Path) -> Config:
    """The config at ``config_path``, its office's tables put in force; a broken one stops the command."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        _fail(exc.messages, CONFIG_ERROR)
        raise  # unreachable: _fail exits
    _in_force(config_path.parent)
    return config


LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _say_if_no_renderer(config: Config) -> None:
    """Say once, before crawling, that script-drawn lists will not be rendered (no Chromium here)."""
    if config.crawl.render and chromium() is None:
        click.echo(say("no_chromium_render"), err=True)


def checked_redis(url: str | None) -> str | None:
    """A Redis URL to share a run through, said to be unsafe when it reaches another machine without a password."""
    if url is None:
        return None
    if urlsplit(url).scheme not in ("redis", "rediss", "unix"):
        _fail([say("redis_bad_url")], CONFIG_ERROR)  # never the URL itself: it may hold the password
    if insecure(url):
        click.echo(say("redis_no_password", server=where(url)), err=True)
    return url


def _load_own(config_path: Path) -> Config:
    """The config to inspect with: refuses the sample of imaginary departments, which crawls nothing real."""
    config = _load(config_path)
    if config.is_example():
        _fail(
            [
                f"{config_path}: every department in it is an example (*.example…): this is the sample config;"
                " copy it, list your own departments and give it with -c"
            ],
            CONFIG_ERROR,
        )
    return config


@click.group()
@click.version_option(package_name="gongkai")
def cli() -> None:
    """gongkai: inspect government disclosure (政务公开) websites and report their problems."""


@cli.command()
@config_option
@db_option
@click.option("--only", multiple=True, metavar="ID", help="Crawl only this department (repeatable).")
@as_of_option
@click.option("--request-log", type=click.Path(path_type=Path), help="Write every request made to this file.")
@click.option("--offline", is_flag=True, help="Refuse every request that would leave this machine.")
@click.option(
    "--resume", is_flag=True, help="Continue an interrupted run (the newest, or --run ID) instead of starting one."
)
@click.option("--run", "run_id", type=int, help="With --resume: the run to continue.")
@click.option(
    "--redis",
    metavar="URL",
    envvar="GONGKAI_REDIS",
    help="Share the run out through this Redis (redis://[:password@]host:port/db) to `gongkai worker` processes;"
    " or the GONGKAI_REDIS environment variable (keeps the password off the command line).",
)
@click.option("-v", "--verbose", is_flag=True, help="Show the crawler's log.")
def crawl(
    config_path: Path,
    db_path: Path,
    only: tuple[str, ...],
    as_of: date | None,
    request_log: Path | None,
    offline: bool,
    resume: bool,
    run_id: int | None,
    redis: str | None,
    verbose: bool,
) -> None:
    """Crawl every department's site, check its links, apply the rules, store one run.

    SIGINT (Ctrl-C) or SIGTERM stops the crawl cleanly: its processes first, then
    the store's lock; the run is left resumable and the exit status is 130 or 143.
    """
    config = _load_own(config_path)
    _say_if_no_renderer(config)
    redis = checked_redis(redis or config.crawl.redis)
    stop, stopped_by = threading.Event(), []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopped_by.append(signum)
        stop.set()
        click.echo(say("stopping"), err=True)

    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        level = "INFO" if verbose else "WARNING"
        result = run_crawl(
            config,
            config_path,
            db_path,
            only,
            as_of,
            level,
            request_log,
            offline,
            resume=(run_id or 0) if resume else None,
            stop=stop,
            redis=redis,
        )
    except ConfigError as exc:
        _fail(exc.messages, CONFIG_ERROR)
    except (CrawlError, StoreLockedError) as exc:
        _fail([str(exc)], 128 + stopped_by[0] if stopped_by else 1)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    store = Store(db_path)
    print_summary(report_data(store, result.run_id), say("run_title", run=result.run_id, requests=result.requests))
    store.close()
    if result.handed_out_again:
        click.echo(say("redis_handed_out", count=result.handed_out_again), err=True)


@cli.command()
@click.option(
    "--redis",
    metavar="URL",
    envvar="GONGKAI_REDIS",
    required=True,
    help="The Redis the runs are shared out through; or the GONGKAI_REDIS environment variable.",
)
@click.option(
    "--page-workers",
    type=click.IntRange(1, 64),
    default=machine_page_workers,
    show_default="one per core, as memory allows",
    help="Page spiders this worker runs (a link checker runs beside them).",
)
@click.option("--once", is_flag=True, help="Leave after the first run instead of waiting for the next.")
def worker(redis: str, page_workers: int, once: bool) -> None:
    """Crawl the runs a `gongkai crawl --redis URL` shares out, on this machine or another.

    Needs no config and no store: the run's plan and the office's rule tables come
    from Redis, and everything found goes back through it to the crawl's store.
    SIGINT (Ctrl-C) or SIGTERM stops it; what it held is handed out again.
    """
    redis = checked_redis(redis) or redis
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()
        click.echo(say("stopping"), err=True)

    previous = {signum: signal.signal(signum, on_signal) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        from monitor.worker import serve as work

        work(redis, page_workers, stop, lambda key, fields: click.echo(say(key, **fields), err=True), once)
    except SharedRunLostError as exc:
        _fail([say("worker_redis_lost", server=where(redis), error=str(exc))], 1)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@cli.command()
@db_option
@click.option("--run", "run_id", type=int, help="Run to re-evaluate (default: the latest complete run).")
@as_of_option
@click.option(
    "-c",
    "--config",
    "config_path",
    type=click.Path(path_type=Path),
    help="What if this config's thresholds and columns applied? Shows the difference; the stored run is not changed.",
)
def check(db_path: Path, run_id: int | None, as_of: date | None, config_path: Path | None) -> None:
    """Re-evaluate the rules on a stored crawl without crawling again.

    Without -c the run is judged again by its own config (and today's rule tables)
    and saved; with -c it is a what-if, shown and not saved.
    """
    from monitor.evaluate import evaluate_run

    store = _open_existing(db_path)
    run = store.run(run_id or store.latest_run_id() or 0)
    if run is None or run["status"] != "complete":
        _fail([say("no_complete_run", db=db_path, run=run_id or "")], 1)
    assert run is not None
    what_if = config_path is not None
    path = config_path or Path(run["config_path"])
    config = _load(path) if what_if or path.is_file() else Config.model_validate_json(run["config"])
    before = report_data(store, run["id"])["problems"]
    as_of = as_of or date.fromisoformat(run["as_of"])
    tables_dir = path.parent if path.is_file() else None
    after = evaluate_run(store, run["id"], config, as_of, tables_dir, save=not what_if)
    if what_if:
        click.echo(say("what_if", path=path, run=run["id"], as_of=as_of))
    else:
        print_summary(report_data(store, run["id"]), say("check_title", run=run["id"], as_of=as_of))
    store.close()
    types = load_tables().rules["problem_types"]
    changed = changes(before, after)
    for problem in changed.new:
        click.echo(say("now_a_problem", what=described(problem, types)))
    for problem in changed.fixed:
        click.echo(say("no_longer", what=described(problem, types)))
    if changed.none:
        click.echo(say("no_change"))


def _open_existing(db_path: Path, readonly: bool = False) -> Store:
    """The store at ``db_path``, which must exist; ``readonly`` for commands that only read it."""
    if db_path.is_dir():
        _fail([say("not_a_store", db=db_path)], 1)
    if not db_path.is_file():
        _fail([say("no_store", db=db_path)], 1)
    return Store(db_path, readonly=readonly)


@cli.command()
@db_option
@click.option("--run", "run_id", type=int, help="Run to report (default: the latest complete run).")
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here instead of standard output.")
@click.option(
    "--per-department",
    "per_department",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="Also write one file per department into DIR.",
)
@click.option("--raw", is_flag=True, help="CSV for programs: the JSON report's field names and codes.")
@click.option("--screenshots", is_flag=True, help="Show each problem's page in the notices (needs Chromium).")
def report(
    db_path: Path,
    run_id: int | None,
    fmt: str,
    output: Path | None,
    per_department: Path | None,
    raw: bool,
    screenshots: bool,
) -> None:
    """Export the problem list of a run (CSV for people, with Chinese headers and values; --raw for programs)."""
    if output is not None and is_store_file(output, db_path):
        _fail([say("store_itself", path=output)], 2)
    store = _open_existing(db_path, readonly=True)
    run_id = _latest(store, run_id)
    run = store.run(run_id)
    _tables_of_run(store, run_id)  # an office's wording and labels beside its config
    data = report_data(store, run_id)
    context = report_context(store, run_id)
    store.close()
    if screenshots and per_department and fmt in NOTICE_FORMATS:
        context.screenshots = _screenshots(data, json.loads(run["config"])["departments"])
    try:
        _write_report(data, context, fmt, output, per_department, raw)
    except PdfError as exc:
        _fail([str(exc)], 1)


def _write_report(
    data: dict[str, Any],
    context: ReportContext,
    fmt: str,
    output: Path | None,
    per_department: Path | None,
    raw: bool,
) -> None:
    """Write a run's report in one format, and its notices when ``per_department`` names a folder."""
    if per_department:
        for path in write_per_department(data, fmt, per_department, context):
            click.echo(say("wrote", path=path), err=True)
    if fmt == "html":
        notices = os.path.relpath(per_department, (output or Path(".")).parent) if per_department else None
        body = render_html(data, context, notices)
    elif fmt == "csv" and raw:
        body = render_raw_csv(data, context)
    else:
        body = render(data, fmt, context)
    if output:
        write_whole(output, body)
        click.echo(say("wrote", path=output), err=True)
    elif not per_department:
        if fmt in ("xlsx", "docx", "pdf"):
            _fail([say("binary", what=fmt.upper())], 2)
        sys.stdout.buffer.write(body)


@cli.command()
@db_option
@click.option("--year", type=click.IntRange(*YEARS), help="Count the items dated in this year (default: this year).")
@click.option("--from", "start", callback=_as_of, help="Count from this day (YYYY-MM-DD), with --to.")
@click.option("--to", "end", callback=_as_of, help="Count up to this day (YYYY-MM-DD), with --from.")
@click.option("--by", type=click.Choice(["year", "quarter", "month"]), default="month", show_default=True)
@click.option("--format", "fmt", type=click.Choice(STATS_FORMATS), default="table", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here instead of standard output.")
def stats(
    db_path: Path, year: int | None, start: date | None, end: date | None, by: str, fmt: str, output: Path | None
) -> None:
    """Count the items each department published, by category and period (the annual report's numbers)."""
    if year is not None and (start or end):
        _fail([say("stats_span")], 2)
    if year is None and not (start or end):
        year = date.today().year
    if year is not None:
        start, end = date(year, 1, 1), date(year, 12, 31)
    start, end = start or date(end.year, 1, 1), end or date.today()  # type: ignore[union-attr]
    if start > end:
        _fail([say("stats_order", start=start, end=end)], 2)
    if output is not None and is_store_file(output, db_path):
        _fail([say("store_itself", path=output)], 2)
    store = _open_existing(db_path, readonly=True)
    _tables_of_run(store, store.latest_run_id())
    numbers = statistics(store, start, end, by)  # type: ignore[arg-type]
    store.close()
    if fmt == "table":
        print_stats(numbers)
        return
    body = render_stats(numbers, fmt)
    if output:
        write_whole(output, body)
        click.echo(say("wrote", path=output), err=True)
    elif fmt in ("xlsx", "docx"):
        _fail([say("binary", what=fmt.upper())], 2)
    else:
        sys.stdout.buffer.write(body)


def _screenshots(data: dict[str, Any], departments: list[dict[str, Any]]) -> dict[str, bytes]:
    """The screenshots for a report's notices; without Chromium, said once, and none."""
    from monitor.reports.screenshots import ScreenshotError, capture

    try:
        shots = capture(data, departments)
    except ScreenshotError:
        click.echo(say("screenshots_failed"), err=True)
        return {}
    if shots is None:
        click.echo(say("no_chromium"), err=True)
    return shots or {}


@cli.command()
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path),
    default=Path("data/demo"),
    show_default=True,
    help="Where the demo writes its config, store and reports.",
)
@as_of_option
def demo(directory: Path, as_of: date | None) -> None:
    """Serve the bundled demo department sites on 127.0.0.1, crawl them, write a report."""
    from monitor.demo.runner import run_demo

    try:
        outcome = run_demo(directory, as_of)
    except CrawlError as exc:
        _fail([str(exc)], 1)
    data = outcome.data
    print_summary(data, say("demo_title", run=data["run"]["id"], count=len(data["departments"])))
    click.echo("")
    for path in outcome.files:
        click.echo(say("wrote", path=path))
    if not outcome.pdf:
        click.echo(say("no_pdf"))


def _latest(store: Store, run_id: int | None) -> int:
    """The run asked for, else the latest complete run; a command without one stops here."""
    run_id = run_id or store.latest_run_id()
    if run_id is None or store.run(run_id) is None:
        _fail([say("no_run", db=store.path, run=run_id or "")], 1)
    assert run_id is not None
    return run_id


@cli.group()
def review() -> None:
    """人工核查: confirm or dismiss a run's findings, and record the departments' replies.

    Every decision is kept across runs by the finding's identity and logged with
    who made it; the run is judged again at once, so scores, notices and reports
    follow. A dismissed finding comes back when its evidence changes.
    """


def _reviewed_run(db_path: Path, run_id: int | None) -> tuple[Store, dict[str, Any]]:
    store = _open_existing(db_path)
    run = store.run(run_id or store.latest_run_id() or 0)
    if run is None or run["status"] != "complete":
        _fail([say("no_complete_run", db=db_path, run=run_id or "")], 1)
    assert run is not None
    _tables_of_run(store, run["id"])
    return store, run


def _rejudge(store: Store, run_id: int) -> None:
    """Judge a reviewed run again and close the store; a config that no longer loads is a clear error."""
    try:
        rejudge(store, run_id)
    except ConfigError as exc:
        _fail([say("review_not_judged", run=run_id), *exc.messages], CONFIG_ERROR)
    finally:
        store.close()


def _numbered(store: Store, run: dict[str, Any], number: str) -> dict[str, Any]:
    findings = open_findings(store, run["id"])
    by_key = {f["key"]: f for f in findings}
    if number.isdigit() and 1 <= int(number) <= len(findings):
        return findings[int(number) - 1]
    if number in by_key:
        return by_key[number]
    _fail([say("review_no_finding", run=run["id"], finding=number)], 1)
    raise AssertionError  # _fail exits


@review.command("list")
@db_option
@click.option("--run", "run_id", type=int, help="The run whose findings to list (default: the latest complete run).")
def review_list(db_path: Path, run_id: int | None) -> None:
    """List a run's findings, numbered, with their review and the department's reply."""
    store, run = _reviewed_run(db_path, run_id)
    findings = open_findings(store, run["id"])
    names = {f["department"]: store.department_name(run["id"], f["department"]) for f in findings}
    print_findings(findings, store.reviews(), names, say("review_title", run=run["id"]))
    store.close()


@review.command("decide")
@db_option
@click.option("--run", "run_id", type=int, help="The run the finding is in (default: the latest complete run).")
@click.argument("finding")
@click.argument("decision")
@click.option("--reason", help="Why (for a dismissal: 误报, 已知例外, 网站改版中 …).")
@click.option("--by", "by", required=True, help="Who decides (kept in the review log).")
def review_decide(db_path: Path, run_id: int | None, finding: str, decision: str, reason: str | None, by: str) -> None:
    """Decide on finding FINDING (its number in `gongkai review list`, or its key): 确认, 不予认定 or 已整改待复核."""
    store, run = _reviewed_run(db_path, run_id)
    rules = review_rules(load_tables().rules)
    try:
        key = decision_of(rules, decision)
    except ReviewError:
        _fail([say("review_bad_decision", decision=decision, choices="、".join(rules.decisions.values()))], 2)
    if key == "dismissed" and reason not in rules.dismiss_reasons:
        _fail([say("review_needs_reason", choices="、".join(rules.dismiss_reasons))], 2)
    problem = _numbered(store, run, finding)
    decide(store, rules, run["id"], problem["department"], problem["key"], key, reason, by, "cli")
    _rejudge(store, run["id"])
    what = described(problem, load_tables().rules["problem_types"])
    click.echo(say("review_done", number=finding, what=what, decision=rules.decisions[key], by=by, run=run["id"]))


@review.command("reply")
@db_option
@click.option("--run", "run_id", type=int, help="The run the finding is in (default: the latest complete run).")
@click.argument("finding")
@click.option("--text", required=True, help="What the department replied.")
@click.option("--date", "day", callback=_as_of, required=True, help="When it replied (YYYY-MM-DD).")
@click.option("--by", "by", required=True, help="Who records it (kept in the review log).")
def review_reply(db_path: Path, run_id: int | None, finding: str, text: str, day: date, by: str) -> None:
    """Record the department's reply to finding FINDING (its number in `gongkai review list`, or its key)."""
    store, run = _reviewed_run(db_path, run_id)
    problem = _numbered(store, run, finding)
    reply(store, run["id"], problem["department"], problem["key"], text, day.isoformat(), by, "cli")
    _rejudge(store, run["id"])
    what = described(problem, load_tables().rules["problem_types"])
    click.echo(say("reply_done", number=finding, what=what, day=day.isoformat(), run=run["id"]))


@cli.command()
@db_option
def runs(db_path: Path) -> None:
    """List the runs in the store, newest first, with their counts."""
    store = _open_existing(db_path, readonly=True)
    running = crawl_running(db_path)  # otherwise a run still marked running has died: it is incomplete
    _tables_of_run(store, store.latest_run_id())
    print_runs(store, say("runs_title", db=db_path), running)
    store.close()


@cli.command()
@db_option
@click.option("--run", "run_id", type=int, help="Run (default: the latest complete run).")
@click.option("--department", "department", help="Only this department id.")
@click.option("--type", "kind", type=click.Choice(sorted(load_tables().rules["problem_types"])), help="Only this type.")
@click.option("--state", type=click.Choice(["new", "persisting", "resolved"]), help="Only this state.")
def problems(db_path: Path, run_id: int | None, department: str | None, kind: str | None, state: str | None) -> None:
    """List a run's problems as a readable table."""
    store = _open_existing(db_path, readonly=True)
    run_id = _latest(store, run_id)
    _tables_of_run(store, run_id)
    rows = [
        p
        for p in report_data(store, run_id)["problems"]
        if (department is None or p["department"] == department)
        and (kind is None or p["type"] == kind)
        and (state is None or p["state"] == state)
    ]
    store.close()
    print_problems(rows, say("problems_title", run=run_id, count=len(rows)))


@cli.command()
@db_option
@click.argument("run_a", type=int)
@click.argument("run_b", type=int)
def diff(db_path: Path, run_a: int, run_b: int) -> None:
    """What changed between two runs: problems that appeared, that were fixed, that remain."""
    store = _open_existing(db_path, readonly=True)
    before, after = (report_data(store, _latest(store, run_id))["problems"] for run_id in (run_a, run_b))
    _tables_of_run(store, run_b)
    store.close()
    types = load_tables().rules["problem_types"]
    changed = changes(before, after)
    for message, found in (("diff_new", changed.new), ("diff_fixed", changed.fixed), ("diff_open", changed.remaining)):
        click.echo(say(message, run=run_b, count=len(found)))
        for problem in found:
            click.echo(f"  {described(problem, types)}")


@cli.command()
@config_option
@db_option
def probe(config_path: Path, db_path: Path) -> None:
    """Probe every department's homepage once (the schedule does this every hour)."""
    from monitor.probes import probe_all

    config = _load(config_path)
    store = Store(db_path, config.timezone)
    words = wording()
    for row in probe_all(config, store):
        error = words.failure(str(row["status"]), None) if row["status"] else words.code(row["error"])
        key = {True: "probe_ok", None: "probe_skipped"}.get(row["ok"], "probe_failed")
        click.echo(say(key, department=row["department"], error=error, seconds=row["seconds"]))
    store.close()


@cli.command()
@config_option
@db_option
@click.option("--run", "run_id", type=int, help="Run whose notices to send (default: the latest complete run).")
@click.option(
    "--dry-run", type=click.Path(path_type=Path), metavar="DIR", help="Write .eml files here instead of sending."
)
@click.option("--force", is_flag=True, help="Send again to departments already sent this run's notice.")
@click.option("--screenshots", is_flag=True, help="Show each problem's page in the notices (needs Chromium).")
def notify(
    config_path: Path, db_path: Path, run_id: int | None, dry_run: Path | None, force: bool, screenshots: bool
) -> None:
    """E-mail each department its 整改通知 (HTML, with DOCX, PDF and the XLSX list attached)."""
    import smtplib

    from monitor.notify import NotifyError
    from monitor.notify import notify as send_notices

    config = _load(config_path)
    store = _open_existing(db_path)
    try:
        run = _latest(store, run_id)
        shots = None
        if screenshots:
            departments = json.loads(store.run(run)["config"])["departments"]
            shots = _screenshots(report_data(store, run), departments)
        outcomes = send_notices(config, store, run, dry_run, force, shots)
    except (NotifyError, PdfError, OSError, smtplib.SMTPException) as exc:
        _fail([str(exc)], 1)
    finally:
        store.close()
    for outcome in outcomes:
        click.echo(say(f"notify_{outcome.action}", department=outcome.department, to=outcome.to or ""))


@cli.command()
@config_option
@db_option
def schedule(config_path: Path, db_path: Path) -> None:
    """Run forever: crawl on the config's cron schedule, probe homepages every hour; never two crawls at once."""
    from monitor.scheduler import run_schedule

    config = _load_own(config_path)  # a broken config, or the sample, stops here with exit status 2
    _say_if_no_renderer(config)
    Store(db_path, config.timezone).close()  # so does a store that cannot be used, before anything is scheduled
    run_schedule(config_path, db_path)


@cli.command()
@db_option
@click.option("--port", type=int, default=8001, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True, help="Listen here (keep it on the office network).")
def serve(db_path: Path, port: int, host: str) -> None:
    """Serve the supervisors' dashboard of the store (Datasette): read-only but for signed-in reviewers."""
    from monitor.dashboard import listening
    from monitor.dashboard import serve as serve_dashboard

    if not db_path.is_file():
        _fail([say("no_store", db=db_path)], 1)
    if host not in LOOPBACK_HOSTS:
        click.echo(say("serve_exposed", host=host), err=True)
    shown = f"[{host}]" if ":" in host else host
    try:
        sock = listening(host, port)
    except OSError:
        _fail([say("serve_cannot_listen", url=f"http://{shown}:{port}/")], 1)
    click.echo(say("serve_at", url=f"http://{shown}:{port}/"))
    serve_dashboard(db_path, sock)


def main() -> None:
    """Console-script entry point: a store or file error is one line naming the file, never a traceback."""
    try:
        cli(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo(say("error", error=say("stopped")), err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except StoreError as exc:
        _fail([str(exc)], 1)
    except sqlite3.Error as exc:
        _fail([str(store_error(_db_of(sys.argv), exc))], 1)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _fail([f"{where}{exc.strerror or exc}"], 1)


def _db_of(argv: list[str]) -> Path:
    """The store a command line names (for an error message)."""
    for flag, value in itertools.pairwise(argv):
        if flag == "--db":
            return Path(value)
    return next((Path(arg.removeprefix("--db=")) for arg in argv if arg.startswith("--db=")), DEFAULT_DB)

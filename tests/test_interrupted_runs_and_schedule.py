"""A killed crawl loses nothing and can be resumed; the scheduler runs crawls one at a time and stops cleanly."""

from __future__ import annotations

import itertools
import json
import os
import pty
import random
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from conftest import AS_OF, write_config
from sites import html, list_page

from monitor.demo.server import Route, SiteServer

GONGKAI = str(Path(sys.executable).with_name("gongkai"))


def _slow_site(pages: int = 160) -> dict[str, Route]:
    items = [(f"动态{i}", f"/gzdt/{i}.html", AS_OF - timedelta(days=i % 30)) for i in range(pages)]
    routes = {
        "/": list_page("测试局", items[:5]),
        "/xxgk/": html("信息公开", '<a href="/gzdt/">工作动态</a>'),
        "/gzdt/": list_page("工作动态", items),
    }
    for _, path, _ in items:
        routes[path] = Route(html("动态", '<a href="/files/gone.pdf">附件</a>').body, delay=0.1)
    return routes


def _count(db: Path, sql: str, *args: object) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql, args).fetchone()[0]


def _count_or_zero(db: Path, sql: str) -> int:
    """A count, or 0 while the store's tables are not there yet."""
    try:
        return _count(db, sql)
    except sqlite3.OperationalError:
        return 0


def _complete_runs(db: Path) -> int:
    """Complete runs so far; 0 while the scheduler has not yet created the store's tables."""
    try:
        return _count(db, "select count(*) from runs where status = 'complete'")
    except sqlite3.OperationalError:  # the file exists but its first migration is not committed yet
        return 0


def _gongkai(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GONGKAI, *args], capture_output=True, text=True, timeout=300)


def test_killed_crawl_leaves_the_store_intact_and_resumes(tmp_path):
    with SiteServer(_slow_site()) as site:
        # Two page spiders: each resumes its own share.
        config = write_config(
            tmp_path,
            f"crawl: {{concurrency_per_site: 8, page_workers: 2}}\ndepartments:\n"
            f"  - {{id: csj, name: 测试局, site: '{site.base}'}}\n",
        )
        db = tmp_path / "g.db"
        assert _gongkai("crawl", "-c", str(config), "--db", str(db), "--as-of", "2026-11-22").returncode == 0
        first_report = _gongkai("report", "--db", str(db), "--run", "1").stdout
        full = {t: _count(db, f"select count(*) from {t} where run_id = 1") for t in ("checks", "items", "links")}

        crawler = subprocess.Popen(
            [GONGKAI, "crawl", "-c", str(config), "--db", str(db), "--as-of", "2026-11-22"],
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if _count(db, "select count(*) from checks where run_id = 2") >= 10:
                break
            time.sleep(0.05)
        os.killpg(crawler.pid, signal.SIGKILL)  # the gongkai process and its crawler child
        crawler.wait()
        killed_at = len(site.log)
        done_before_kill = _count(db, "select count(*) from checks where run_id = 2")
        assert 10 <= done_before_kill < full["checks"]  # it really was killed mid-run

        with sqlite3.connect(db) as conn:
            assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert _gongkai("report", "--db", str(db), "--run", "1").stdout == first_report  # earlier run unchanged
        runs = _gongkai("runs", "--db", str(db))
        assert "未完成" in runs.stdout

        resumed = _gongkai("crawl", "-c", str(config), "--db", str(db), "--resume")
        assert resumed.returncode == 0, resumed.stderr
        again = {t: _count(db, f"select count(*) from {t} where run_id = 2") for t in ("checks", "items", "links")}
        refetched = [path for _, path in site.log[killed_at:] if path in ("/", "/gzdt/1.html", "/gzdt/2.html")]
    assert again == full  # every page and link exactly once, none lost, none twice
    assert refetched == []  # the first pages were done before the kill: not fetched again
    status = _count(db, "select count(*) from runs where id = 2 and status = 'complete'")
    assert status == 1
    report = json.loads(_gongkai("report", "--db", str(db), "--run", "2").stdout)
    assert [p["type"] for p in report["problems"]] == ["broken_link"]


def test_scheduler_runs_crawls_one_at_a_time_and_stops_cleanly(tmp_path):
    routes = {
        "/": list_page("测试局", [("动态", "/a.html", AS_OF)]),
        "/a.html": html("动态", "<p>正文</p>"),
        "/xxgk/": html("信息公开", "<p>ok</p>"),
    }
    with SiteServer(routes) as site:
        config = write_config(
            tmp_path, f'schedule: "*/3 * * * * *"\ndepartments:\n  - {{id: csj, name: 测试局, site: "{site.base}"}}\n'
        )
        db = tmp_path / "g.db"
        scheduler = subprocess.Popen(
            [GONGKAI, "schedule", "-c", str(config), "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if db.exists() and _complete_runs(db) >= 2:
                    break
                time.sleep(0.2)
            scheduler.send_signal(signal.SIGTERM)
            output, _ = scheduler.communicate(timeout=60)
        finally:
            scheduler.kill()
    assert scheduler.returncode == 0, output
    with sqlite3.connect(db) as conn:
        runs = conn.execute("select status, started_at, finished_at from runs order by id").fetchall()
    assert sum(1 for r in runs if r[0] == "complete") >= 2
    assert all(status in ("complete", "incomplete") for status, _, _ in runs)  # nothing half-written, nothing running
    complete = [(s, f) for status, s, f in runs if status == "complete"]
    assert all(later[0] >= earlier[1] for earlier, later in itertools.pairwise(complete))  # no overlap
    assert (tmp_path / "g-jobs.db").exists()  # the persistent job store, beside the database


def test_long_crawls_show_progress_on_a_terminal_and_log_lines_otherwise(tmp_path):
    with SiteServer(_slow_site(60)) as site:
        config = write_config(tmp_path, f"departments:\n  - {{id: csj, name: 测试局, site: '{site.base}'}}\n")
        env = {**os.environ, "GONGKAI_PROGRESS_SECONDS": "0.5"}
        piped = subprocess.run(
            [GONGKAI, "crawl", "-c", str(config), "--db", str(tmp_path / "a.db")],
            capture_output=True,
            text=True,
            env=env,
            timeout=300,
        )
        leader, follower = pty.openpty()
        on_terminal = subprocess.Popen(
            [GONGKAI, "crawl", "-c", str(config), "--db", str(tmp_path / "b.db")],
            stdout=subprocess.DEVNULL,
            stderr=follower,
            env=env,
        )
        os.close(follower)
        screen = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break  # the crawl ended and closed the terminal
            if not chunk:
                break
            screen += chunk
        on_terminal.wait(timeout=300)
    lines = [line for line in piped.stderr.splitlines() if "已检查链接" in line]
    assert len(lines) >= 2  # plain, timestamped lines
    assert lines[-1].endswith("已完成部门 1/1")
    assert "\r" not in piped.stderr
    shown = screen.decode("utf-8", "replace")
    assert "\r已读页面 " in shown and "已完成部门 1/1" in shown  # one line updated in place


def _start_crawl(config: Path, db: Path) -> subprocess.Popen[str]:
    """``gongkai crawl`` in the background, as a scheduler would start it; its errors readable afterwards."""
    command = [GONGKAI, "crawl", "-c", str(config), "--db", str(db), "--as-of", "2026-11-22"]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def _crawl_processes(marker: str) -> list[int]:
    """Live processes whose command line names ``marker`` (the crawl's folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmdline and state != "Z":
            found.append(int(entry.name))
    return found


def _problems(db: Path, run: int) -> set[tuple[str, str]]:
    report = json.loads(_gongkai("report", "--db", str(db), "--run", str(run)).stdout)
    return {(p["type"], p["column_url"] or p["url"]) for p in report["problems"] if p["state"] != "resolved"}


def test_a_crawl_stopped_by_any_signal_at_any_moment_resumes_to_the_same_result(tmp_path):
    rng = random.Random(20261130)
    routes = _slow_site(60)
    routes["/gzdt/"] = list_page(
        "工作动态", [(f"动态{i}", f"/gzdt/{i}.html", AS_OF - timedelta(days=40 + i)) for i in range(60)]
    )
    with SiteServer(routes) as site:
        config = write_config(
            tmp_path,
            f"crawl: {{page_workers: 2, concurrency_per_site: 6}}\n"
            f"departments:\n  - {{id: csj, name: 测试局, site: '{site.base}'}}\n",
        )
        reference_db = tmp_path / "reference.db"
        assert _gongkai("crawl", "-c", str(config), "--db", str(reference_db), "--as-of", "2026-11-22").returncode == 0
        expected = _problems(reference_db, 1)
        assert {kind for kind, _ in expected} == {"broken_link", "column_stale"}

        interrupted = 0
        for attempt, signum in enumerate([signal.SIGINT, signal.SIGTERM, signal.SIGKILL] * 2):
            folder = tmp_path / f"attempt-{attempt}"
            folder.mkdir()
            db = folder / "g.db"
            crawler = _start_crawl(config, db)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and crawler.poll() is None:
                if db.exists() and _count_or_zero(db, "select count(*) from checks") >= 3:
                    break
                time.sleep(0.02)
            time.sleep(rng.uniform(0, 0.8))  # a random moment of the crawl
            crawler.send_signal(signum)  # the gongkai process only, as systemd, timeout or Ctrl-C would
            _, stderr = crawler.communicate(timeout=60)
            deadline = time.monotonic() + 2  # a killed parent's children get their parent-death signal at once
            while _crawl_processes(str(folder)) and time.monotonic() < deadline:
                time.sleep(0.05)
            assert _crawl_processes(str(folder)) == [], f"{signum!r}: a crawl process outlived gongkai"
            if crawler.returncode != 0:  # the signal came before the run finished
                interrupted += 1
                if signum != signal.SIGKILL:
                    assert crawler.returncode == 128 + signum, stderr
                    assert "Traceback" not in stderr and "--resume" in stderr
                resumed = _gongkai("crawl", "-c", str(config), "--db", str(db), "--resume")
                assert resumed.returncode == 0, resumed.stderr
            assert _problems(db, 1) == expected, f"{signum!r} at attempt {attempt}"
    assert interrupted >= 4  # most signals really came mid-run


def test_a_run_whose_page_spider_was_killed_fails_and_resumes_with_plain_resume(tmp_path):
    with SiteServer(_slow_site(60)) as site:
        config = write_config(tmp_path, f"departments:\n  - {{id: csj, name: 测试局, site: '{site.base}'}}\n")
        reference = tmp_path / "reference.db"
        assert _gongkai("crawl", "-c", str(config), "--db", str(reference), "--as-of", "2026-11-22").returncode == 0
        db = tmp_path / "g.db"
        crawler = _start_crawl(config, db)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _count_or_zero(db, "select count(*) from checks") < 5:
            time.sleep(0.02)
        spiders = [
            pid
            for pid in _crawl_processes(str(tmp_path))
            if b"crawler.run" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        assert spiders
        os.kill(spiders[0], signal.SIGKILL)  # as the kernel's out-of-memory killer would
        _, stderr = crawler.communicate(timeout=120)
        assert crawler.returncode == 1 and "Traceback" not in stderr
        assert _count(db, "select count(*) from runs where status = 'failed'") == 1

        resumed = _gongkai("crawl", "-c", str(config), "--db", str(db), "--resume")
        assert resumed.returncode == 0, resumed.stderr
    assert _problems(db, 1) == _problems(reference, 1)

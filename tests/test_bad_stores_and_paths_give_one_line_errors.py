"""A bad store, path or disk gives one line naming the file and what to do; nothing earlier is lost.

The full-disk and read-only cases mount a small tmpfs of their own (root only,
as CI runs).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from conftest import AS_OF, write_config
from sites import html, list_page

from monitor.demo.server import Route, SiteServer

GONGKAI = str(Path(sys.executable).with_name("gongkai"))
needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root (CI runs as root)")


def _gongkai(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([GONGKAI, *args], capture_output=True, text=True, timeout=timeout)


def _one_line_error(proc: subprocess.CompletedProcess[str], *words: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("错误："), proc.stderr
    assert all(word in lines[0] for word in words), lines[0]


@pytest.fixture(scope="module")
def good_store(demo_run, tmp_path_factory) -> Path:
    """A copy of the demo's store: one complete run."""
    copy = tmp_path_factory.mktemp("good") / "g.db"
    with sqlite3.connect(demo_run["db"]) as source, sqlite3.connect(copy) as target:
        source.backup(target)
    return copy


def test_a_folder_as_the_store_is_named(tmp_path):
    config = str(write_config(tmp_path / "config", _one_department()))
    commands = [["report"], ["runs"], ["problems"], ["check"]]
    commands += [[name, "-c", config] for name in ("crawl", "schedule", "probe", "notify")]
    for command in commands:
        _one_line_error(_gongkai(*command, "--db", str(tmp_path), timeout=30), str(tmp_path), "folder")


def test_a_file_that_is_not_a_store_is_named(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(8192))
    for command in (["report"], ["runs"], ["problems"]):
        _one_line_error(_gongkai(*command, "--db", str(junk)), str(junk), "not a gongkai store")
    proc = _gongkai("crawl", "-c", str(write_config(tmp_path, _one_department())), "--db", str(junk))
    _one_line_error(proc, str(junk), "not a gongkai store")


def test_a_damaged_store_is_named(good_store, tmp_path):
    damaged = tmp_path / "damaged.db"
    data = good_store.read_bytes()
    damaged.write_bytes(data[: len(data) // 2])
    _one_line_error(_gongkai("report", "--db", str(damaged)), str(damaged))


def test_a_folder_as_the_config_is_named(tmp_path):
    proc = _gongkai("crawl", "-c", str(tmp_path), "--db", str(tmp_path / "g.db"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"错误：{tmp_path}: is a folder; give -c the config file (sites.yaml)"


def test_a_yaml_alias_bomb_is_refused_at_once(tmp_path):
    levels = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for name, below in zip("bcdefghi", "abcdefgh", strict=True):
        levels.append(f"{name}: &{name} [{', '.join(['*' + below] * 9)}]")
    config = tmp_path / "sites.yaml"
    config.write_text("\n".join([*levels, "departments: *i", ""]), encoding="utf-8")
    proc = _gongkai("crawl", "-c", str(config), "--db", str(tmp_path / "g.db"), timeout=20)
    assert proc.returncode == 2
    assert "expands to more than" in proc.stderr


def test_report_output_may_not_be_the_store(good_store):
    before = good_store.read_bytes()
    proc = _gongkai("report", "--db", str(good_store), "--format", "md", "-o", str(good_store))
    assert proc.returncode == 2 and "这是数据库本身" in proc.stderr
    assert good_store.read_bytes() == before


def _one_department(base: str = "http://127.0.0.1:9/") -> str:
    return f"departments:\n  - {{id: csj, name: 测试局, site: '{base}'}}\n"


@contextlib.contextmanager
def _tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], check=True)
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@needs_root
def test_a_read_only_store_can_still_be_reported(good_store, tmp_path):
    with _tmpfs(tmp_path / "media", "20m") as media:
        shutil.copy(good_store, media / "g.db")
        subprocess.run(["mount", "-o", "remount,ro", str(media)], check=True)
        expected = _gongkai("report", "--db", str(good_store)).stdout
        for command in (["report"], ["runs"], ["problems"], ["report", "--format", "md"]):
            proc = _gongkai(*command, "--db", str(media / "g.db"))
            assert proc.returncode == 0, (command, proc.stderr)
        assert _gongkai("report", "--db", str(media / "g.db")).stdout == expected


@needs_root
def test_a_report_that_cannot_be_written_leaves_the_previous_one(good_store, tmp_path):
    with _tmpfs(tmp_path / "small", "64k") as small:
        previous = small / "report.json"
        previous.write_text('{"previous": true}\n', encoding="utf-8")
        (small / "filler").write_bytes(b"\0" * (60 * 1024))
        proc = _gongkai("report", "--db", str(good_store), "-o", str(previous))
        _one_line_error(proc, "report.json")
        assert previous.read_text(encoding="utf-8") == '{"previous": true}\n'
        assert sorted(p.name for p in small.iterdir()) == ["filler", "report.json"]  # no half-written file left


def _big_site() -> dict[str, Route]:
    items = [(f"动态{i}", f"/gzdt/{i}.html", AS_OF - timedelta(days=i % 20)) for i in range(400)]
    routes = {
        "/": list_page("测试局", items[:5]),
        "/xxgk/": html("信息公开", '<a href="/gzdt/">工作动态</a>'),
        "/gzdt/": list_page("工作动态", items),
    }
    for title, path, _ in items:
        attachments = "".join(f'<a href="/files/{path[6:]}-{j}.pdf">附件{title}{j}</a>' for j in range(4))
        routes[path] = html(f"动态{title}", attachments + f"<p>{title * 40}</p>")
    return routes


@needs_root
def test_a_full_disk_stops_the_crawl_with_one_line_and_keeps_every_earlier_run(tmp_path):
    with SiteServer(_big_site()) as site, _tmpfs(tmp_path / "disk", "16m") as disk:
        config = write_config(tmp_path / "config", _one_department(site.base))
        db = disk / "g.db"
        assert _gongkai("crawl", "-c", str(config), "--db", str(db), "--as-of", "2026-11-22").returncode == 0
        first = _gongkai("report", "--db", str(db), "--run", "1").stdout
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * max(0, free - 256 * 1024))  # leave a quarter of a mebibyte

        proc = _gongkai("crawl", "-c", str(config), "--db", str(db), "--as-of", "2026-11-22", timeout=120)
        _one_line_error(proc, str(db), "disk")
        assert "--resume" in proc.stderr

        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
        assert _gongkai("report", "--db", str(db), "--run", "1").stdout == first
        assert _gongkai("runs", "--db", str(db)).returncode == 0

        (disk / "filler").unlink()
        resumed = _gongkai("crawl", "-c", str(config), "--db", str(db), "--resume")
        assert resumed.returncode == 0, resumed.stderr
        assert _gongkai("report", "--db", str(db), "--run", "2").returncode == 0


def test_a_store_of_an_older_gongkai_is_brought_up_to_date_by_a_read_command(good_store, tmp_path):
    older = tmp_path / "older.db"
    shutil.copy(good_store, older)
    with sqlite3.connect(older) as conn:  # as the store was before the two newest migrations
        conn.execute("drop view problem_list")
        for column in ("item_title", "item_url", "date_source"):
            conn.execute(f"alter table problems drop column {column}")
        conn.execute(
            "delete from _sqlite_migrations where name in ('m012_stale_column_evidence', 'm013_problem_list_evidence')"
        )
    proc = _gongkai("report", "--db", str(older))
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(older) as conn:
        names = {row[0] for row in conn.execute("select name from _sqlite_migrations")}
        assert {"m012_stale_column_evidence", "m013_problem_list_evidence"} <= names
        assert "item_url" in [row[1] for row in conn.execute("pragma table_info(problem_list)")]

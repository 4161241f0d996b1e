"""A weekly re-crawl asks only for what changed, and keeps what did not.

The site is served from files by the standard library's static server, which
answers ``If-Modified-Since`` with 304 exactly like nginx or Apache do.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner
from conftest import AS_OF, crawl, write_config
from sites import StaticSite

from monitor.cli import cli

PAD = "<p>" + "根据有关规定，现将有关事项公布如下。" * 400 + "</p>"  # pages of about 20 KB, like real articles


def frame(title: str, main: str) -> str:
    """A page with the navigation every page repeats."""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'<ul class="nav"><li><a href="/">首页</a></li><li><a href="/gzdt/">工作动态</a></li></ul>'
        f"<h1>{title}</h1>{main}</body></html>"
    )


def list_html(items: list[tuple[str, str, date]]) -> str:
    """The column's list page."""
    rows = "".join(f'<li><a href="{p}">{t}</a><span>{d.isoformat()}</span></li>' for t, p, d in items)
    return frame("工作动态", f'<ul class="list">{rows}</ul>{PAD}')


ITEMS = [("通知一", "/gzdt/a1.html", AS_OF - timedelta(days=2)), ("通知二", "/gzdt/a2.html", AS_OF - timedelta(days=9))]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[StaticSite]:
    """A department site: homepage, one column of two articles with attachments, one missing attachment."""
    served = StaticSite(tmp_path / "www")
    then = 1_700_000_000.0
    served.write("/index.html", frame("测试局", f'<a href="/gzdt/">工作动态</a>{PAD}'), then)
    served.write("/gzdt/index.html", list_html(ITEMS), then)
    served.write("/gzdt/a1.html", frame("通知一", f'<a href="/files/a1.pdf">附件</a>{PAD}'), then)
    served.write("/gzdt/a2.html", frame("通知二", f'<a href="/files/gone.pdf">附件</a>{PAD}'), then)
    served.write("/files/a1.pdf", "%PDF-1.4", then)
    yield served
    served.server.shutdown()


def configure(directory: Path, base: str, recheck_days: int) -> Path:
    """A config for the site, with the given link recheck interval."""
    config = write_config(
        directory,
        f"timezone: Asia/Shanghai\ncrawl: {{download_timeout: 3}}\ndepartments:\n"
        f"  - id: csj\n    name: 测试局\n    site: {base}\n    columns:\n"
        f'      - {{name: 工作动态, url: "{base}gzdt/"}}\n',
    )
    rules_path = directory / "rules.yaml"
    rules = yaml.safe_load(rules_path.read_text(encoding="utf-8"))
    rules["link_check"]["recheck_days"] = recheck_days
    rules_path.write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    return config


def facts(db: sqlite_utils.Database, run_id: int) -> dict[str, object]:
    """What a run stored that a report is made of."""
    return {
        "items": sorted((r["url"], r["date_raw"]) for r in db["items"].rows_where("run_id = ?", [run_id])),
        "links": sorted((r["source_url"], r["url"]) for r in db["links"].rows_where("run_id = ?", [run_id])),
        "columns": sorted((r["url"], r["reading"]) for r in db["columns"].rows_where("run_id = ?", [run_id])),
        "problems": sorted(
            (r["type"], r["url"] or r["column_url"]) for r in db["problems"].rows_where("run_id = ?", [run_id])
        ),
    }


def test_unchanged_pages_are_asked_for_conditionally_and_their_results_carried_over(site, tmp_path):
    config = configure(tmp_path / "cfg", site.base, recheck_days=0)
    db_path = tmp_path / "g.db"
    first = crawl(config, db_path)
    pages = ["/", "/gzdt/", "/gzdt/a1.html", "/gzdt/a2.html"]
    answers = site.answers()
    assert {p: answers[p] for p in pages} == dict.fromkeys(pages, (False, 200))
    site.log.clear()
    second = crawl(config, db_path)

    answers = site.answers()
    assert {p: answers[p] for p in pages} == dict.fromkeys(pages, (True, 304))
    db = sqlite_utils.Database(db_path)
    assert facts(db, second.run_id) == facts(db, first.run_id)
    assert ("broken_link", f"{site.base}files/gone.pdf") in facts(db, second.run_id)["problems"]
    readings = {r["url"]: r["reading"] for r in db["pages"].rows_where("run_id = ?", [second.run_id])}
    assert set(readings.values()) == {"unchanged"}
    runs = {r["id"]: r["bytes"] for r in db["runs"].rows}
    assert runs[second.run_id] < runs[first.run_id] * 0.1
    listed = CliRunner().invoke(cli, ["runs", "--db", str(db_path)], terminal_width=200)
    assert listed.exit_code == 0 and listed.output.count(" MB") == 2  # what each run received


def test_a_changed_page_is_read_again(site, tmp_path):
    config = configure(tmp_path / "cfg", site.base, recheck_days=0)
    db_path = tmp_path / "g.db"
    crawl(config, db_path)
    newest = ("通知三", "/gzdt/a3.html", AS_OF)
    site.write("/gzdt/index.html", list_html([newest, *ITEMS]), 1_700_000_100.0)
    site.write("/gzdt/a3.html", frame("通知三", PAD), 1_700_000_100.0)
    site.log.clear()
    second = crawl(config, db_path)

    answers = site.answers()
    assert answers["/gzdt/"] == (True, 200)
    assert answers["/gzdt/a3.html"] == (False, 200)  # new: asked for plainly
    assert answers["/gzdt/a1.html"] == (True, 304)
    db = sqlite_utils.Database(db_path)
    items = facts(db, second.run_id)["items"]
    assert (f"{site.base}gzdt/a3.html", AS_OF.isoformat()) in items
    column = db.execute(
        "select last_updated from column_states where run_id = ? and url like '%/gzdt/'", [second.run_id]
    ).fetchone()
    assert column[0] == AS_OF.isoformat()


def test_working_links_are_checked_again_only_after_the_recheck_interval(site, tmp_path):
    config = configure(tmp_path / "cfg", site.base, recheck_days=6)
    db_path = tmp_path / "g.db"
    crawl(config, db_path)
    site.log.clear()
    same_week = crawl(config, db_path, as_of=AS_OF + timedelta(days=1))
    asked = {path for method, path, _, _ in site.log}
    assert "/files/a1.pdf" not in asked  # working a day ago: carried over
    assert "/files/gone.pdf" in asked  # broken: always checked again
    db = sqlite_utils.Database(db_path)
    carried = db.execute(
        "select outcome, attempts, detail from checks where run_id = ? and url like '%a1.pdf'", [same_week.run_id]
    ).fetchone()
    assert carried == ("ok", 0, "carried:1")
    site.log.clear()
    crawl(config, db_path, as_of=AS_OF + timedelta(days=7))
    assert "/files/a1.pdf" in {path for method, path, _, _ in site.log}  # six days on: checked again


def test_a_link_that_breaks_is_found_when_rechecks_are_every_run(site, tmp_path):
    config = configure(tmp_path / "cfg", site.base, recheck_days=0)
    db_path = tmp_path / "g.db"
    crawl(config, db_path)
    (site.root / "files" / "a1.pdf").unlink()
    second = crawl(config, db_path)
    db = sqlite_utils.Database(db_path)
    assert ("broken_link", f"{site.base}files/a1.pdf") in facts(db, second.run_id)["problems"]


def test_memos_of_an_older_gongkai_are_never_replayed(site, tmp_path):
    config = configure(tmp_path / "cfg", site.base, recheck_days=0)
    db_path = tmp_path / "g.db"
    first = crawl(config, db_path)
    db = sqlite_utils.Database(db_path)
    # An older gongkai's memos: another format, and rows whose fields this one does not know.
    old_rows = zlib.compress(json.dumps([["items", {"department": "csj", "gone_field": 1}]]).encode())
    db.execute("update memos set format = 'old', rows = ?", [old_rows])
    db.conn.commit()
    site.log.clear()
    second = crawl(config, db_path)

    answers = site.answers()
    assert answers["/gzdt/a1.html"] == (False, 200)  # read afresh, not asked for conditionally
    assert facts(db, second.run_id) == facts(db, first.run_id)
    assert db.execute("select count(*) from warnings where kind = 'internal_error'").fetchone()[0] == 0
    assert {r["format"] for r in db["memos"].rows} != {"old"}  # new memos replace the old ones

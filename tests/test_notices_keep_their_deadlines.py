"""A problem's deadline is fixed when it is first found; past it the notice says 逾期未整改; no problem, no 整改通知."""

from __future__ import annotations

import json
from datetime import date

import pytest
from click.testing import CliRunner
from conftest import write_config
from lxml import html as lxml_html
from sites import html, list_page

from monitor.cli import cli
from monitor.demo.server import Route, SiteServer

WEEKS = (date(2026, 11, 15), date(2026, 11, 22))


def _site(newest: date, stale: bool) -> dict[str, Route]:
    column_date = date(2026, 9, 1) if stale else newest
    return {
        "/": list_page("测试局", [("动态", "/a.html", newest)]),
        "/a.html": html("动态", '<a href="/files/gone.pdf">附件</a>' if stale else "<p>正文</p>"),
        "/xxgk/": html("信息公开", '<a href="/gzdt/">工作动态</a>'),
        "/gzdt/": list_page("工作动态", [("旧动态", "/a.html", column_date)]),
    }


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def weeks(tmp_path_factory):
    """Two weekly runs of a department with problems and of one without, and each run's notices."""
    directory = tmp_path_factory.mktemp("weeks")
    db = directory / "g.db"
    with SiteServer(_site(date(2026, 11, 14), stale=True)) as late, SiteServer(_site(date(2026, 11, 14), False)) as ok:
        config = write_config(
            directory,
            "notice: {issuer: 县政务公开办公室, deadline_days: 5}\n"
            "departments:\n"
            f"  - {{id: csj, name: 测试局, site: '{late.base}', contact: {{email: csj@example.invalid}}}}\n"
            f"  - {{id: qj, name: 清洁局, site: '{ok.base}', contact: {{email: qj@example.invalid}}}}\n",
        )
        for week in WEEKS:
            _run("crawl", "-c", str(config), "--db", str(db), "--as-of", week.isoformat())
    notices = {}
    for run in (1, 2):
        folder = directory / f"run{run}"
        _run("report", "--db", str(db), "--run", str(run), "--format", "html", "--per-department", str(folder))
        notices[run] = {path.stem: lxml_html.fromstring(path.read_bytes()) for path in folder.glob("*.html")}
    report = json.loads(_run("report", "--db", str(db), "--run", "2"))
    return {"db": db, "config": config, "dir": directory, "notices": notices, "report": report}


def _stale_row(page) -> str:
    return next(row.text_content() for row in page.iter("tr") if "工作动态" in row.text_content())


def test_a_department_with_nothing_to_rectify_gets_no_notice(weeks):
    assert sorted(weeks["notices"][1]) == ["csj"] and sorted(weeks["notices"][2]) == ["csj"]
    outbox = weeks["dir"] / "outbox"
    output = _run("notify", "-c", str(weeks["config"]), "--db", str(weeks["db"]), "--dry-run", str(outbox))
    assert "qj：没有需要整改的问题，未发送" in output
    assert [p.name for p in outbox.glob("*.eml")] == ["run2-csj.eml"]


def test_a_persisting_problems_deadline_does_not_move(weeks):
    first, second = _stale_row(weeks["notices"][1]["csj"]), _stale_row(weeks["notices"][2]["csj"])
    assert "2026-11-20" in first and "2026-11-20" in second  # first found 11-15, five days to fix it
    stale = next(p for p in weeks["report"]["problems"] if p["type"] == "column_stale")
    assert (stale["first_seen"], stale["deadline"]) == ("2026-11-15", "2026-11-20")


def test_a_stale_column_shows_its_newest_item_as_evidence(weeks):
    row = _stale_row(weeks["notices"][2]["csj"])
    assert "2026-09-01" in row and "旧动态" in row and "日期取自栏目列表" in row
    stale = next(p for p in weeks["report"]["problems"] if p["type"] == "column_stale")
    assert (stale["item_title"], stale["item_url"].rsplit("/", 1)[1], stale["date_source"]) == (
        "旧动态",
        "a.html",
        "list",
    )


def test_a_problem_past_its_deadline_is_marked_overdue(weeks):
    first, second = _stale_row(weeks["notices"][1]["csj"]), _stale_row(weeks["notices"][2]["csj"])
    assert "逾期未整改" not in first and "逾期未整改" in second
    assert "连续 2 次未整改" in second
    stale = next(p for p in weeks["report"]["problems"] if p["type"] == "column_stale")
    assert (stale["overdue"], stale["runs_open"]) == (True, 2)

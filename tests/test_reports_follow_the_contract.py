"""`gongkai report` writes the contract's JSON, and CSV/MD/HTML/XLSX from the same data."""

from __future__ import annotations

import csv
import io
import json
import re

from click.testing import CliRunner
from lxml import html as lxml_html
from openpyxl import load_workbook

from monitor.cli import cli
from monitor.reports import render

RUN_FIELDS = {"id": int, "started_at": str, "finished_at": str, "as_of": str}
DEPARTMENT_FIELDS = {"id": str, "name": str, "site": str, "pages_crawled": int, "columns": int, "problems": int}
PROBLEM_FIELDS = {
    "department",
    "type",
    "column",
    "column_url",
    "category",
    "last_updated",
    "age_days",
    "threshold_days",
    "url",
    "source_url",
    "status",
    "detail",
    "first_seen",
    "state",
}
LINK_FIELDS = {"anchor_text", "on_homepage"}
COLUMN_FIELDS = {
    "department",
    "name",
    "url",
    "category",
    "items",
    "last_updated",
    "state",
    "category_label",
    "state_label",
}
WARNING_FIELDS = {"department", "kind", "url", "detail", "kind_label", "reason"}
TYPES = {"site_unreachable", "homepage_stale", "column_stale", "column_empty", "broken_link", "interaction_unanswered"}


def _report(demo_run, *args: str) -> CliRunner:
    return CliRunner().invoke(cli, ["report", "--db", str(demo_run["db"]), *args])


def test_json_report_has_every_contract_field(demo_run):
    result = _report(demo_run, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"run", "departments", "problems", "columns", "warnings"}
    for name, kind in RUN_FIELDS.items():
        assert isinstance(data["run"][name], kind), name
    assert data["run"]["as_of"] == "2026-11-22"
    assert data["run"]["started_at"].endswith("+08:00")  # the config's time zone, Asia/Shanghai
    assert [d["id"] for d in data["departments"]] == ["jyj", "wjw", "jtj"]
    for dept in data["departments"]:
        for name, kind in DEPARTMENT_FIELDS.items():
            assert isinstance(dept[name], kind), name
    for problem in data["problems"]:
        assert set(problem) >= PROBLEM_FIELDS
        assert problem["type"] in TYPES
        assert problem["state"] in {"new", "persisting", "resolved"}
        if problem["type"] == "broken_link":
            assert set(problem) >= LINK_FIELDS
            assert isinstance(problem["on_homepage"], bool)
    for column in data["columns"]:
        assert set(column) == COLUMN_FIELDS
        assert column["state"] in {"ok", "stale", "empty", "unparsed", "blocked"}
    for warning in data["warnings"]:
        # a suspected 表述错误 also names the words found and their right form (the contract's extension)
        extra = {"term", "suggestion", "column", "published"} if warning["kind"] == "suspect_wording" else set()
        assert set(warning) == WARNING_FIELDS | extra
    counts = {d["id"]: d["problems"] for d in data["departments"]}
    assert counts == {"jyj": 3, "wjw": 6, "jtj": 1}


def test_json_gives_the_chinese_beside_each_code(demo_run):
    data = json.loads(_report(demo_run, "--format", "json").stdout)
    pairs = {(p["type"], p["type_label"]) for p in data["problems"]}
    assert ("column_stale", "栏目不更新") in pairs and ("broken_link", "链接不可用") in pairs
    assert {p["state_label"] for p in data["problems"]} == {"新发现"}
    assert {(p["review"], p["review_label"]) for p in data["problems"]} == {(None, None)}  # nobody reviewed yet
    assert {(w["kind"], w["kind_label"]) for w in data["warnings"]} == {
        ("unparsed_column", "栏目内容无法读取"),
        ("suspect_wording", "疑似严重表述错误（待人工核查）"),
    }
    assert {d["id"]: d["result"] for d in data["departments"]} == {"jyj": "合格", "wjw": "不合格", "jtj": "不合格"}
    stale = next(p for p in data["problems"] if p["type"] == "column_stale")
    assert stale["category_label"].endswith("类")


def test_csv_opens_in_excel_with_chinese_intact(demo_run, tmp_path):
    out = tmp_path / "p.csv"
    assert _report(demo_run, "--format", "csv", "-o", str(out)).exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 10
    assert {"县教育局", "县卫生健康委员会", "县交通运输局"} == {r["部门"] for r in rows}
    types = {"站点无法访问", "首页不更新", "栏目不更新", "空白栏目", "链接不可用", "互动回应差"}
    assert {r["问题类型"] for r in rows} == types
    assert {r["状态"] for r in rows} == {"新发现"}
    assert {r["在首页"] for r in rows} <= {"是", "否", ""}
    assert all(re.fullmatch(r"[^A-Za-z]*", header) for header in rows[0])  # Chinese headers for people


def test_raw_csv_keeps_the_json_reports_names_and_codes(demo_run, tmp_path):
    out = tmp_path / "raw.csv"
    assert _report(demo_run, "--format", "csv", "--raw", "-o", str(out)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert {r["type"] for r in rows} == {
        "site_unreachable",
        "homepage_stale",
        "column_stale",
        "column_empty",
        "broken_link",
        "interaction_unanswered",
    }
    assert {r["state"] for r in rows} == {"new"}


def test_per_department_writes_one_file_each(demo_run, tmp_path):
    result = _report(demo_run, "--format", "md", "--per-department", str(tmp_path / "depts"))
    assert result.exit_code == 0
    files = sorted(p.name for p in (tmp_path / "depts").iterdir())
    assert files == ["jtj.md", "jyj.md", "wjw.md"]
    text = (tmp_path / "depts" / "wjw.md").read_text(encoding="utf-8")
    assert "卫生动态" in text and "首页不更新" in text
    assert "通知公告" not in (tmp_path / "depts" / "jtj.md").read_text(encoding="utf-8")


def test_html_report_is_self_contained_and_escapes_page_text(demo_run):
    data = json.loads(_report(demo_run, "--format", "json").stdout)
    data["departments"][0]["name"] = "<script>alert('x')</script>"
    page = render(data, "html").decode("utf-8")
    tree = lxml_html.fromstring(page)
    assert not tree.xpath("//script")
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert not tree.xpath("//link[@rel='stylesheet'] | //img[starts-with(@src, 'http')]")
    assert "县卫生健康委员会" in tree.text_content()


def test_spreadsheet_cells_cannot_become_formulas(demo_run, tmp_path):
    data = json.loads(_report(demo_run, "--format", "json").stdout)
    data["problems"][0]["anchor_text"] = '=HYPERLINK("http://evil.invalid")'
    rows = list(csv.DictReader(io.StringIO(render(data, "csv").decode("utf-8-sig"))))
    assert rows[0]["链接文字"].startswith("'=")
    out = tmp_path / "r.xlsx"
    out.write_bytes(render(data, "xlsx"))
    book = load_workbook(out)
    values = [c.value for row in book["链接不可用"].iter_rows() for c in row]
    assert '\'=HYPERLINK("http://evil.invalid")' in values
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)

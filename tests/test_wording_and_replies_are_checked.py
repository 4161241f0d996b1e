"""严重表述错误 and 互动回应差: the words an article must not hold, and 政务咨询 messages left unanswered.

A local site (synthetic) whose articles hold, in their own text, a leader's name
under a title he does not hold and misspelt, outdated official names, ordinary
错别字 of the bundled table, a sensitive mark and an office's own entry; the same
strings sit in its navigation, sidebar and footer and inside a quoted correction,
where they must not be flagged. Its 在线咨询 column lists messages answered,
answered late, unanswered past the limit on both sides of the new year, unanswered
within the limit, unanswered but older than a year, and one whose answer neither
its list nor its page shows; its 领导信箱 says 已回复/未回复 beside each row, and its
意见征集 (no 政务咨询 channel) holds an unanswered row that is never judged.
"""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner
from conftest import crawl, write_config
from docx import Document
from lxml import html as lxml_html
from pydantic import ValidationError
from sites import StaticSite, wait_until_serving

from common.table_models import Interaction, MarkersTable
from common.tables import load_tables
from crawler.links import Regions
from crawler.pages import PageMarkers
from crawler.readers.messages import read_message_list, read_message_page
from crawler.terms import TermCheck
from monitor.cli import cli
from monitor.interaction import reply_due
from monitor.reports.bulletin import TYPE_ORDER
from monitor.reports.data import FIELDS_BY_TYPE

AS_OF = date(2026, 11, 22)
MTIME = 1_780_000_000.0
NAV = (
    '<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/tzgg/">通知公告</a></li>'
    '<li><a href="/zxzx/">在线咨询</a></li><li><a href="/ldxx/">领导信箱</a></li>'
    '<li><a href="/yjzj/">意见征集</a></li><li><a href="/gtzy/">国土资源局专栏</a></li>'
    '<li><a href="/zxzx/">未回复留言</a></li></ul></div>'
)
SIDEBAR = '<div class="sidebar"><p>截止目前，副市长李建华、李建化和国家工商行政管理总局的链接见右侧。</p></div>'
FOOTER = '<div class="footer"><p>主办：测试县人民政府办工室　内部资料严禁外传</p></div>'
OFFICE_TERMS = """\
wrong_terms:
  - {wrong: 测试县人民政府办工室, right: 测试县人民政府办公室, note: 本县机构名称}
leaders:
  - {name: 李建华, titles: [市长], wrong_forms: [李建化]}
"""


def frame(title: str, main: str) -> str:
    """A page of the site: navigation, sidebar and footer around its own content."""
    return (
        f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title></head><body>'
        f'{NAV}{SIDEBAR}<div class="main">{main}</div>{FOOTER}</body></html>'
    )


def article(title: str, shown: date, paragraphs: list[str], attachments: tuple[str, ...] = ()) -> str:
    """An article page: its title, date, paragraphs and attachments."""
    text = "".join(f"<p>{p}</p>" for p in paragraphs)
    files = "".join(f'<p><a href="/files/{n}.pdf">{n}</a></p>' for n in attachments)
    main = f"<h1>{title}</h1><p>发布时间：{shown.isoformat()}</p><div class='content'>{text}</div>"
    return frame(title, f"{main}<div class='attachments'>{files}</div>")


ORDINARY = "全县各乡镇认真落实有关工作要求，按照时间节点推进各项任务，取得了阶段性成效。"
# (path, title, date, paragraphs, attachments)
ARTICLES = [
    (
        "/tzgg/t20261010_1.html",
        "关于全县政务公开工作进展情况的通报",
        date(2026, 10, 10),
        [ORDINARY, "截止目前，全县已完成政务公开标准目录编制工作。", "截止目前，各乡镇均已上报。"],
        (),
    ),
    (
        "/tzgg/t20260905_2.html",
        "副市长李建华调研我县政务服务工作",
        date(2026, 9, 5),
        [ORDINARY, "9月4日，李建化同志一行来我县调研。", "市长李建华强调，要持续优化营商环境。"],
        (),
    ),
    (
        "/tzgg/t20260801_3.html",
        "关于转发市场监管工作要点的通知",
        date(2026, 8, 1),
        [
            ORDINARY,
            "根据国家质量监督检验检疫总局有关要求，现将工作要点转发给你们。",
            "原国家工商行政管理总局的文件同时废止。",
        ],
        ("国家食品药品监督管理总局关于药品抽检的通告",),
    ),
    (
        "/tzgg/t20260701_4.html",
        "关于印发年度工作安排的通知",
        date(2026, 7, 1),
        [ORDINARY, "本文件为内部资料严禁外传，请各单位妥善保管。", "联系单位：测试县人民政府办工室。"],
        (),
    ),
    (
        "/tzgg/t20261020_5.html",
        "关于更正有关信息的说明",
        date(2026, 10, 20),
        [ORDINARY, "更正：10月10日发布的信息中“截止目前”应为“截至目前”，特此更正。"],
        (),
    ),
    (
        "/tzgg/t20150301_6.html",
        "关于转发工商登记工作要点的通知",
        date(2015, 3, 1),
        [ORDINARY, "根据国家工商行政管理总局有关要求，现将工作要点转发给你们。"],
        (),
    ),
]
# (path, term, the right form, where): every finding the check must make, and no other.
PLANTED = {
    ("/tzgg/t20261010_1.html", "截止目前", "截至目前", "body"),
    ("/tzgg/t20260905_2.html", "副市长李建华", "李建华（市长）", "title"),
    ("/tzgg/t20260905_2.html", "李建化", "李建华", "body"),
    ("/tzgg/t20260801_3.html", "国家质量监督检验检疫总局", "国家市场监督管理总局", "body"),
    ("/tzgg/t20260801_3.html", "国家食品药品监督管理总局", "国家市场监督管理总局（国家药品监督管理局）", "attachment"),
    ("/tzgg/t20260701_4.html", "内部资料严禁外传", None, "body"),
    ("/tzgg/t20260701_4.html", "测试县人民政府办工室", "测试县人民政府办公室", "body"),
}

# 在线咨询: (path, title, left, status, answered on); answered on None: no reply time shown.
CONSULTATIONS = [
    ("/zxzx/m1.html", "关于办理居住证的咨询", date(2026, 5, 10), "已回复", date(2026, 5, 20)),
    ("/zxzx/m2.html", "关于小区停车位规划的咨询", date(2026, 3, 1), "已回复", date(2026, 7, 15)),  # late
    ("/zxzx/m3.html", "关于农村道路修缮的咨询", date(2026, 6, 15), "未回复", None),  # unanswered past the limit
    ("/zxzx/m4.html", "关于供暖收费标准的咨询", date(2025, 12, 20), "未回复", None),  # the same, last year
    ("/zxzx/m5.html", "关于学校招生范围的咨询", date(2025, 10, 1), "未回复", None),  # more than a year ago
    ("/zxzx/m6.html", "关于公交线路调整的咨询", date(2026, 10, 30), "未回复", None),  # within the limit
    ("/zxzx/m7.html", "关于社保转移接续的咨询", date(2026, 1, 5), "", None),  # its answer is shown nowhere
    ("/zxzx/m8.html", "关于老旧小区加装电梯的咨询", date(2026, 4, 1), "", None),  # its page shows the answer
]
UNANSWERED = {"/zxzx/m3.html": date(2026, 6, 15), "/zxzx/m4.html": date(2025, 12, 20), "/ldxx/x2.html": None}
# 领导信箱: rows that say their status beside the date.
MAILBOX = [
    ("/ldxx/x1.html", "建议增设便民服务点", date(2026, 4, 1), "已回复"),
    ("/ldxx/x2.html", "反映村道路灯损坏问题", date(2026, 2, 2), "未回复"),
]


def consultation_page(title: str, left: date, status: str, replied: date | None) -> str:
    """A message's own page (the 网上咨询 layout): its time, then its answer or that it has none."""
    asked = "请问如何办理？"
    if replied:
        answer = f"<p>回复内容：您好，您反映的问题已转相关部门办理。</p><p>回复时间：{replied.isoformat()}</p>"
    elif status == "未回复":
        answer = "<p>回复内容：尚未回复</p>"
    elif title.endswith("加装电梯的咨询"):  # answered, no time shown; the citizen's words say 未回复, the sidebar too
        asked = "我上月反映的问题至今未回复，请问如何办理？"
        answer = "<p>回复内容：您好，加装电梯补助申请请向所在街道提交。</p>"
    else:
        answer = ""
    sidebar = '<div class="sidebar"><p>未回复留言 12 条 留言时间：2020-01-01</p></div>'
    main = f"<h1>{title}</h1><p>留言时间：{left.isoformat()}</p><p>留言内容：{asked}</p>{answer}"
    return frame(title, sidebar + main)


def publish(site: StaticSite) -> None:
    """Write the whole site."""
    site.write("/index.html", frame("测试县人民政府", "<p>测试县人民政府门户网站</p>"), MTIME)
    rows = "".join(f'<li><a href="{p}">{t}</a><span>{d.isoformat()}</span></li>' for p, t, d, _, _ in ARTICLES)
    site.write("/tzgg/index.html", frame("通知公告", f'<ul class="list">{rows}</ul>'), MTIME)
    for path, title, shown, paragraphs, attachments in ARTICLES:
        site.write(path, article(title, shown, paragraphs, attachments), MTIME)
        for name in attachments:
            site.write(f"/files/{name}.pdf", "%PDF-1.4", MTIME)
    table = "<tr><th>留言标题</th><th>留言时间</th><th>办理状态</th><th>回复时间</th></tr>" + "".join(
        f'<tr><td><a href="{p}">{t}</a></td><td>{d.isoformat()}</td><td>{s}</td>'
        f"<td>{r.isoformat() if r else ''}</td></tr>"
        for p, t, d, s, r in CONSULTATIONS
    )
    site.write("/zxzx/index.html", frame("在线咨询", f"<table>{table}</table>"), MTIME)
    for path, title, left, status, replied in CONSULTATIONS:
        site.write(path, consultation_page(title, left, status, replied), MTIME)
    rows = "".join(
        f'<li><a href="{p}">{t}</a><span>{d.isoformat()}</span><span>{s}</span></li>' for p, t, d, s in MAILBOX
    )
    site.write("/ldxx/index.html", frame("领导信箱", f'<ul class="list">{rows}</ul>'), MTIME)
    for path, title, left, _ in MAILBOX:
        site.write(path, frame(title, f"<h1>{title}</h1><p>来信时间：{left.isoformat()}</p>"), MTIME)
    row = '<li><a href="/yjzj/y1.html">关于城市规划草案的意见征集</a><span>2026-03-03</span><span>未回复</span></li>'
    site.write("/yjzj/index.html", frame("意见征集", f'<ul class="list">{row}</ul>'), MTIME)
    site.write("/yjzj/y1.html", frame("意见征集", "<h1>关于城市规划草案的意见征集</h1>"), MTIME)
    site.write("/gtzy/index.html", frame("国土资源局专栏", "<p>专栏已归档。</p>"), MTIME)


@pytest.fixture(scope="module")
def inspected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """The site crawled with the office's own terms beside its config; the store and its report."""
    root = tmp_path_factory.mktemp("wording")
    site = StaticSite(root / "www")
    publish(site)
    base = site.base
    columns = [("通知公告", "tzgg/"), ("在线咨询", "zxzx/"), ("领导信箱", "ldxx/"), ("意见征集", "yjzj/")]
    config = write_config(
        root / "cfg",
        "timezone: Asia/Shanghai\ncrawl: {download_timeout: 3}\ndepartments:\n"
        f"  - id: csx\n    name: 测试县政府办\n    site: {base}\n    columns:\n"
        + "".join(f'      - {{name: {name}, url: "{base}{path}"}}\n' for name, path in columns),
    )
    (config.parent / "terms.yaml").write_text(OFFICE_TERMS, encoding="utf-8")
    db = root / "g.db"
    run = crawl(config, db, as_of=AS_OF)
    yield {"base": base, "db": db, "run": run.run_id, "config": config, "site": site, "root": root}
    site.server.shutdown()


def report(db: Path, run_id: int, fmt: str = "json") -> str:
    result = CliRunner().invoke(cli, ["report", "--db", str(db), "--run", str(run_id), "--format", fmt])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_planted_wording_error_is_found_with_its_sentence_and_nothing_else(inspected):
    base = inspected["base"]
    data = json.loads(report(inspected["db"], inspected["run"]))
    found = [w for w in data["warnings"] if w["kind"] == "suspect_wording"]
    assert sorted((w["url"].removeprefix(base.rstrip("/")), w["term"], w["suggestion"]) for w in found) == sorted(
        (path, term, right) for path, term, right, _ in PLANTED
    )  # each term once per article, however often it is written there
    for warning in found:
        assert warning["term"] in warning["detail"]  # the sentence it stands in
        assert warning["kind_label"] == "疑似严重表述错误（待人工核查）"
        assert warning["column"] == "通知公告"
    by_term = {w["term"]: w for w in found}
    assert by_term["截止目前"]["detail"] == "截止目前，全县已完成政务公开标准目录编制工作。"
    assert by_term["截止目前"]["published"] == "2026-10-10"
    assert by_term["李建化"]["detail"] == "9月4日，李建化同志一行来我县调研。"
    # A suspicion is no problem and costs no point until a reviewer confirms it.
    assert not [p for p in data["problems"] if p["type"] == "suspect_wording"]
    (dept,) = data["departments"]
    assert "serious_wording" not in dept["veto"]


def test_the_navigation_a_quoted_correction_and_an_article_older_than_a_rename_are_not_flagged(inspected):
    rows = list(sqlite_utils.Database(inspected["db"])["terms_found"].rows_where("run_id = ?", [inspected["run"]]))
    places = {(r["url"].removeprefix(inspected["base"].rstrip("/")), r["term"], r["place"]) for r in rows}
    # The 2015 article's 国家工商行政管理总局 is read, but the 2018 rename does not judge it;
    # 原国家工商行政管理总局 names it as it was; the messages' pages hold the citizens' words.
    assert places == {(p, t, w) for p, t, _, w in PLANTED} | {
        ("/tzgg/t20150301_6.html", "国家工商行政管理总局", "body")
    }
    assert not [r for r in rows if "更正" in r["sentence"]]


def test_a_confirmed_serious_finding_is_a_problem_and_fails_the_site(inspected, tmp_path):
    db = tmp_path / "g.db"
    db.write_bytes(inspected["db"].read_bytes())
    data = json.loads(report(db, inspected["run"]))
    (reason,) = [w["reason"] for w in data["warnings"] if w["kind"] == "suspect_wording" and w["term"] == "李建化"]
    assert reason["serious"] is True
    listed = CliRunner().invoke(cli, ["review", "list", "--db", str(db)], terminal_width=200)
    assert listed.exit_code == 0, listed.output
    number = next(line.split()[1] for line in listed.output.splitlines() if "“李建化”" in line)
    decided = CliRunner().invoke(cli, ["review", "decide", "--db", str(db), number, "确认", "--by", "张三"])
    assert decided.exit_code == 0, decided.output
    data = json.loads(report(db, inspected["run"]))
    (problem,) = [p for p in data["problems"] if p["type"] == "suspect_wording"]
    assert (problem["term"], problem["suggestion"], problem["review"]) == ("李建化", "李建华", "confirmed")
    assert problem["detail"] == "文中“李建化”应为“李建华”。原句：9月4日，李建化同志一行来我县调研。"
    assert "serious_wording" in data["departments"][0]["veto"]
    assert not [w for w in data["warnings"] if w.get("term") == "李建化"]


def test_only_messages_read_as_unanswered_past_the_limit_within_the_year_are_problems(inspected):
    base = inspected["base"].rstrip("/")
    data = json.loads(report(inspected["db"], inspected["run"]))
    problems = {p["url"].removeprefix(base): p for p in data["problems"] if p["type"] == "interaction_unanswered"}
    assert set(problems) == set(UNANSWERED)
    m3 = problems["/zxzx/m3.html"]
    assert (m3["column"], m3["column_url"], m3["last_updated"]) == ("在线咨询", f"{base}/zxzx/", "2026-06-15")
    assert m3["age_days"] == (AS_OF - date(2026, 6, 15)).days
    assert m3["threshold_days"] == (date(2026, 9, 15) - date(2026, 6, 15)).days  # three months
    assert m3["detail"] == (
        "“在线咨询”栏目中2026年6月15日的留言“关于农村道路修缮的咨询”超过答复期限仍未回复，已 160 天（应在 92 天内答复）"
    )
    assert problems["/zxzx/m4.html"]["last_updated"] == "2025-12-20"  # last year, but within the year before the check
    assert problems["/ldxx/x2.html"]["column"] == "领导信箱"
    (dept,) = data["departments"]
    assert "unanswered_messages" in dept["veto"]
    (unsure,) = [w for w in data["warnings"] if w["kind"] == "interaction_unread"]
    assert unsure["url"] == f"{base}/zxzx/"
    assert "1 条留言" in unsure["detail"]


def docx_text(path: Path) -> str:
    """Every paragraph and table cell of a DOCX."""
    document = Document(str(path))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_the_bulletin_and_the_notice_carry_both_with_their_evidence(inspected):
    directory = inspected["root"] / "documents"
    out = ["-o", str(directory / "bulletin.docx"), "--per-department", str(directory / "notices")]
    result = CliRunner().invoke(cli, ["report", "--db", str(inspected["db"]), "--format", "docx", *out])
    assert result.exit_code == 0, result.output
    bulletin = docx_text(directory / "bulletin.docx")
    assert "互动回应差。共 3 处，涉及测试县政府办（3 处）。" in bulletin  # 二、存在的主要问题
    assert "单项否决：首页不更新、互动回应差（留言超期未回复）" in bulletin  # 四、红黑榜
    assert "三、预警提示" in bulletin
    warning = bulletin[bulletin.index("三、预警提示") :]
    assert "截止目前，全县已完成政务公开标准目录编制工作。" in warning
    assert f"本条：{inspected['base']}tzgg/t20261010_1.html" in warning
    (notice,) = (directory / "notices").glob("*.docx")
    text = docx_text(notice)
    assert "请尽快答复超期未回复的留言" in text
    assert "关于农村道路修缮的咨询" in text and "zxzx/m3.html" in text


def test_the_dashboard_shows_the_messages_the_suspicions_and_the_replies(inspected, tmp_path):
    db = tmp_path / "g.db"
    db.write_bytes(inspected["db"].read_bytes())
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gongkai = str(Path(sys.executable).with_name("gongkai"))
    server = subprocess.Popen([gongkai, "serve", "--db", str(db), "--port", str(port)], stdout=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base)
        overview = page_text(urllib.request.urlopen(base + "/", timeout=10).read())
        problems = page_text(urllib.request.urlopen(base + "/-/gongkai/problems", timeout=10).read())
        numbers = page_text(urllib.request.urlopen(base + "/-/gongkai/stats?year=2026", timeout=10).read())
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "疑似严重表述错误（待人工核查）" in overview
    assert "9月4日，李建化同志一行来我县调研。" in overview
    assert inspected["base"] + "zxzx/m3.html" in problems  # the message's own page, not its column
    assert "“在线咨询”栏目中2026年6月15日的留言“关于农村道路修缮的咨询”超过答复期限仍未回复" in problems
    assert "各单位政务咨询留言回复情况" in numbers
    assert "回复用时中位数为 73 天" in numbers


def page_text(body: bytes) -> str:
    """The text a person reads on a page, with the addresses of its links."""
    root = lxml_html.fromstring(body)
    links = " ".join(a.get("href", "") for a in root.iter("a"))
    return " ".join(root.text_content().split()) + " " + links


def test_every_problem_type_is_told_in_the_bulletin_and_has_its_fields_and_requirement():
    rules = load_tables().rules
    assert set(TYPE_ORDER) == set(rules["problem_types"]) == set(rules["rectification"])
    assert set(FIELDS_BY_TYPE) == set(rules["problem_types"]) - {"column_stale_undated"}
    assert set(rules["review"]["evidence"]) == set(rules["problem_types"])


def test_stats_give_each_departments_replies_and_median_reply_time(inspected):
    result = CliRunner().invoke(cli, ["stats", "--db", str(inspected["db"]), "--year", "2026", "--format", "json"])
    assert result.exit_code == 0, result.output
    numbers = json.loads(result.stdout)
    (replies,) = numbers["replies"]
    # 2026's messages of the two 政务咨询 channels: m1, m2, m3, m6, m7, m8, x1, x2 (m4 and m5 are of 2025)
    assert replies["name"] == "测试县政府办"
    assert (replies["messages"], replies["answered"], replies["late"], replies["unanswered"]) == (8, 4, 1, 2)
    assert replies["median_days"] == (10 + 136) / 2  # m1 in 10 days, m2 in 136; m8 and x1 show no reply time
    assert any("回复" in line for line in numbers["paragraphs"])


def test_an_unchanged_article_is_not_read_again_but_new_terms_read_it(inspected, tmp_path):
    db = tmp_path / "g.db"
    db.write_bytes(inspected["db"].read_bytes())
    again = crawl(inspected["config"], db, as_of=AS_OF)
    conn = sqlite3.connect(db)
    path = inspected["base"] + "tzgg/t20260905_2.html"
    (reading,) = conn.execute("select reading from pages where run_id = ? and url = ?", [again.run_id, path]).fetchone()
    assert reading == "unchanged"  # replayed from its memo: the findings with it
    terms = "select term from terms_found where run_id = ? order by term"
    assert conn.execute(terms, [again.run_id]).fetchall() == conn.execute(terms, [inspected["run"]]).fetchall()
    # An office that adds to its table has every article read again with it.
    (inspected["config"].parent / "terms.yaml").write_text(
        OFFICE_TERMS + "sensitive_words: [妥善保管]\n", encoding="utf-8"
    )
    try:
        third = crawl(inspected["config"], db, as_of=AS_OF)
    finally:
        (inspected["config"].parent / "terms.yaml").write_text(OFFICE_TERMS, encoding="utf-8")
    (reading,) = conn.execute("select reading from pages where run_id = ? and url = ?", [third.run_id, path]).fetchone()
    assert reading == "content"
    found = {t for (t,) in conn.execute("select term from terms_found where run_id = ?", [third.run_id])}
    assert "妥善保管" in found
    conn.close()


def test_a_quoted_correction_and_the_right_title_are_not_findings():
    check = TermCheck(
        {
            "wrong_terms": [{"wrong": "截止目前", "right": "截至目前"}],
            "leaders": [
                {"name": "王明", "titles": ["市委副书记", "市长"], "wrong_forms": []},
                {"name": "王明华", "titles": ["副市长"], "wrong_forms": []},
                {"name": "赵刚", "titles": ["市委书记"], "wrong_forms": []},
            ],
            "titles": ["书记", "副书记", "市长", "副市长"],
            "sensitive_words": [],
            "corrections": ["更正", "系笔误"],
            "former": ["原"],
        }
    )
    said = [
        ("body", "更正：原文中“截止目前”系笔误。"),
        ("body", "市委副书记、市长王明出席。王明市长讲话。"),
        ("body", "副市长王明、市委书记王明。"),
        ("body", "副市长王明华、赵刚书记出席，截止目前已有3人报名。"),  # another leader; a 市委书记 said short
        ("body", "截止目前已完成。"),
    ]
    found = [(f.term, f.sentence) for f in check.find(said)]
    assert found == [
        ("副市长王明", "副市长王明、市委书记王明。"),
        ("市委书记王明", "副市长王明、市委书记王明。"),
        ("截止目前", "副市长王明华、赵刚书记出席，截止目前已有3人报名。"),  # once, where it is first
    ]


def test_a_broken_entry_of_the_offices_terms_is_named_with_its_file_and_line(tmp_path):
    broken = OFFICE_TERMS + "  - {name: 王明, titles: 市长}\n"
    (tmp_path / "terms.yaml").write_text(broken, encoding="utf-8")
    config = write_config(tmp_path, "departments:\n  - {id: a, name: 甲局, site: 'http://a.invalid/'}\n")
    result = CliRunner().invoke(cli, ["crawl", "-c", str(config), "--db", str(tmp_path / "g.db")])
    assert result.exit_code == 2
    assert f"{tmp_path / 'terms.yaml'}:5: leaders[1].titles: Input should be a valid list" in result.output
    assert not (tmp_path / "g.db").exists()  # stopped before anything ran


MARKERS = PageMarkers.from_table(load_tables().markers)


def _messages_of(page: str) -> list:
    root = lxml_html.fromstring(page)
    return read_message_list(root, "http://x.invalid/", MARKERS.messages)


def _message_page(page: str):
    root = lxml_html.fromstring(page)
    text = " ".join(root.text_content().split())
    return read_message_page(root, text, Regions(MARKERS.link_regions), MARKERS.messages)


def test_a_layout_table_around_a_message_list_invents_no_message():
    inner = (
        "<table><tr><th>标题</th><th>留言时间</th><th>状态</th></tr>"
        '<tr><td><a href="/m1.html">关于路灯的咨询</a></td><td>2026-01-05</td><td>已回复</td></tr></table>'
    )
    page = (
        '<html><body><table><tr><td><a href="/">首页</a></td><td>2026-01-05 更新</td>'
        f"<td>统计：未回复 3 条</td></tr><tr><td>{inner}</td></tr></table></body></html>"
    )
    found = [(m.url, m.answered) for m in _messages_of(page)]
    assert found == [("http://x.invalid/m1.html", True)]


def test_an_answer_shown_beats_a_status_and_the_citizens_words():
    answered = _message_page(
        "<html><body><div class='content'><p>留言时间：2026-03-01</p><p>留言内容：至今未回复，请处理。</p>"
        "<p>回复内容：您好，已转相关部门办理。</p><p>办理状态：办理中</p></div></body></html>"
    )
    assert answered is not None and answered.answered is True
    said_none = _message_page(
        "<html><body><div class='content'><p>留言时间：2026-03-01</p><p>回复内容：尚未回复</p></div></body></html>"
    )
    assert said_none is not None and said_none.answered is False
    silent = _message_page(
        "<html><body><div class='nav'>未回复留言</div><div class='content'><p>留言时间：2026-03-01</p>"
        "<p>留言内容：请问如何办理？</p><p>回复内容：</p></div></body></html>"
    )
    assert silent is not None and silent.answered is None  # neither answered nor said not to be


def test_a_notice_with_a_submission_deadline_is_no_message_and_is_searched_for_terms():
    notice = (
        "<html><body><div class='content'><h1>关于公开招聘工作人员的公告</h1>"
        "<p>报名材料提交时间：2026年3月1日。截止目前，已有30人报名。</p></div></body></html>"
    )
    assert _message_page(notice) is None


def test_an_empty_word_in_the_message_markers_is_refused():
    table = load_tables().markers
    broken = {**table, "messages": {**table["messages"], "unanswered": ["未回复", ""]}}
    with pytest.raises(ValidationError):
        MarkersTable.model_validate(broken)


def test_a_reply_limit_in_working_days_skips_weekends_and_holidays_and_counts_workdays():
    rules = Interaction.model_validate(
        {
            "reply_limit": {"working_days": 5},
            "window_days": 365,
            "not_consultation": [],
            "holidays": ["2026-10-01", "2026-10-02"],
            "workdays": ["2026-10-10"],
        }
    )
    # Left on Wednesday 30 September: 1, 2 October are holidays, 3–4 a weekend, 10 October a 调休 Saturday.
    assert reply_due(date(2026, 9, 30), rules) == date(2026, 10, 9)
    assert reply_due(date(2026, 10, 7), rules) == date(2026, 10, 13)
    months = Interaction.model_validate({**rules.model_dump(), "reply_limit": {"months": 3}})
    assert reply_due(date(2025, 11, 30), months) == date(2026, 2, 28)

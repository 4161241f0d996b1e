"""Rectification lists a department can act on: XLSX, HTML notices, the summary, e-mail."""

from __future__ import annotations

import email
import io
import shutil
import socket
import ssl
import subprocess
from datetime import date, datetime, timedelta
from email import policy

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from click.testing import CliRunner
from conftest import AS_OF, crawl, write_config
from docx import Document
from lxml import html as lxml_html
from openpyxl import load_workbook
from PIL import Image
from sites import BULLETIN_HEADINGS, CHROMIUM_FLAGS, html, list_page

from monitor.cli import cli
from monitor.demo.server import Route, SiteServer
from monitor.notify import build_message
from monitor.reports import report_data, split_by_department
from monitor.reports.context import report_context
from monitor.store import Store


def _site() -> dict[str, Route]:
    return {
        "/": list_page("测试局", [("动态", "/a.html", AS_OF - timedelta(days=8))]),
        "/xxgk/": html("信息公开", '<a href="/gzdt/">工作动态</a>'),
        "/gzdt/": list_page("工作动态", [("旧动态", "/gzdt/1.html", AS_OF - timedelta(days=40))]),
        "/gzdt/1.html": html("旧动态", "<p>正文</p>"),
        "/a.html": html("动态", '<a href="/files/a.pdf">附件A</a> <a href="/files/b.pdf">附件B</a>'),
        "/files/b.pdf": Route(b"%PDF", content_type="application/pdf"),
    }


class Sink:
    """An SMTP handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.envelopes.append(envelope)
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    """Two weekly runs of a department: in the second, one attachment is fixed and another has gone."""
    directory = tmp_path_factory.mktemp("notices")
    smtp_port = _free_port()
    with SiteServer(_site()) as site:
        config = write_config(
            directory,
            f"""notice: {{issuer: 县政务公开办公室, deadline_days: 10}}
smtp: {{host: 127.0.0.1, port: {smtp_port}, security: none, sender: "县政务公开办 <gongkai@example.invalid>"}}
departments:
  - id: csj
    name: "测试局"
    contact: {{person: 张三, email: csj@example.invalid}}
    site: {site.base}
    columns:
      - {{name: 工作动态, url: "{site.url("/gzdt/")}"}}
""",
        )
        db = directory / "g.db"
        crawl(config, db, as_of=AS_OF - timedelta(days=7))
        site.routes["/files/a.pdf"] = Route(b"%PDF", content_type="application/pdf")
        del site.routes["/files/b.pdf"]
        crawl(config, db, as_of=AS_OF)
    return {"db": db, "config": config, "dir": directory, "smtp_port": smtp_port, "site": site.base}


def _run(*args: str):
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result


def test_summary_workbook_has_a_sheet_per_problem_type_with_links_and_dates(two_runs, tmp_path):
    out = tmp_path / "summary.xlsx"
    _run("report", "--db", str(two_runs["db"]), "--format", "xlsx", "-o", str(out))
    book = load_workbook(out)
    assert book.sheetnames == [
        "检查结果",
        "汇总",
        "站点无法访问",
        "首页不更新",
        "栏目不更新",
        "空白栏目",
        "链接不可用",
        "互动回应差",
    ]
    results = book["检查结果"]  # the 通报's 附件: title, issuer, then the table, ready to print
    assert results["A1"].value == "2026年第2期政府网站政务公开检查结果"
    assert results["A2"].value.startswith("县政务公开办公室")
    assert [c.value for c in results[4]] == ["序号", "部门", "网站", "得分", "结果", "问题数", "主要问题"]
    assert [c.value for c in results[5]][:5] == [1, "测试局", two_runs["site"], "96.9", "合格"]
    assert results["E5"].fill.fgColor.rgb.endswith("E2EFDA") and results["E5"].border.left.style == "thin"
    assert (results.page_setup.orientation, results.print_title_rows) == ("landscape", "$4:$4")
    summary = book["汇总"]
    header = [c.value for c in summary[1]]
    assert header[:6] == ["排名", "部门", "网站", "得分", "结果", "单项否决"]
    assert header[-3:] == ["新发现", "未整改", "已整改"]
    row = {h: c.value for h, c in zip(header, summary[2], strict=True)}
    assert (row["部门"], row["得分"], row["结果"], row["栏目不更新"], row["链接不可用"]) == (
        "测试局",
        96.9,
        "合格",
        1,
        1,
    )
    assert (row["新发现"], row["未整改"], row["已整改"]) == (1, 1, 1)
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref
    links = book["链接不可用"]
    assert [c.value for c in links[1]][:3] == ["部门", "问题链接", "所在页面"]
    url_cell = links.cell(row=2, column=2)
    assert url_cell.value.endswith("/files/b.pdf") and url_cell.hyperlink.target == url_cell.value
    assert isinstance(links.cell(row=2, column=links.max_column).value, datetime)  # 首次发现 is a real date
    stale = book["栏目不更新"]
    assert stale.cell(row=2, column=5).value == datetime(2026, 10, 13)  # 最后更新
    assert stale.column_dimensions["B"].width >= 10  # fits the Chinese column name


def test_department_notices_carry_the_heading_the_problems_and_the_fixes(two_runs, tmp_path):
    folder = tmp_path / "notices"
    _run("report", "--db", str(two_runs["db"]), "--format", "xlsx", "--per-department", str(folder))
    _run(
        "report",
        "--db",
        str(two_runs["db"]),
        "--format",
        "html",
        "--per-department",
        str(folder),
        "-o",
        str(tmp_path / "s.html"),
    )
    book = load_workbook(folder / "csj.xlsx")
    sheet = book["整改清单"]
    head = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=2).value for r in range(1, 7)}
    assert head["发文单位"] == "县政务公开办公室" and head["部门"] == "测试局"
    # The stale column was first found a week earlier: its deadline (and so the first one) is 10 days after that.
    assert (head["检查基准日"], head["整改期限"]) == ("2026-11-22", "2026-11-25")
    table = [[c.value for c in row] for row in sheet.iter_rows(min_row=9)]  # the header is row 8
    assert [(r[0], r[8], r[10].date()) for r in table] == [
        ("栏目不更新", "未整改", date(2026, 11, 25)),
        ("链接不可用", "新发现", date(2026, 12, 2)),
    ]
    assert sheet.freeze_panes == "A9"
    setup = sheet.page_setup  # printed on A4 across, the header row on every page
    assert (int(setup.paperSize), setup.orientation, setup.fitToWidth, setup.fitToHeight) == (9, "landscape", 1, 0)
    assert sheet.print_title_rows == "$8:$8"
    reply = [[c.value for c in row] for row in book["回执"].iter_rows()]
    assert reply[0] == ["序号", "问题", "整改情况", "完成时间", "责任人", "联系电话"] and len(reply) == 3
    fixed = [[c.value for c in row] for row in book["已整改"].iter_rows(min_row=2)]
    assert [(r[0], r[1].rsplit("/", 1)[1]) for r in fixed] == [("链接不可用", "a.pdf")]

    page = lxml_html.fromstring((folder / "csj.html").read_bytes())
    text = page.text_content()
    assert page.findtext(".//title") == "关于测试局网站政务公开问题的整改通知"
    assert "请于各问题所列整改期限前完成整改（最早一项为 2026年11月25日）" in text
    assert "连续 2 次未整改" in text  # the stale column, found by both runs
    assert [h.text_content() for h in page.iter("h2")] == ["一、存在的问题", "二、已整改的问题（1）", "三、整改回执"]
    assert [h.text_content() for h in page.iter("h3")] == ["（一）栏目不更新（1）", "（二）链接不可用（1）"]
    assert page.find_class("to")[0].text_content() == "测试局："  # the addressee
    assert "根据《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号），县政务公开办公室于2026年11月22日" in text
    assert "检查结果为：合格（96.9 分）" in text
    assert "整改要求：请逐条修复或删除失效链接和附件" in text
    reply = page.findall(".//table")[-1]
    assert [c.text_content() for c in reply.iter("th")] == [
        "序号",
        "问题",
        "整改情况",
        "完成时间",
        "责任人",
        "联系电话",
    ]
    assert len(reply.findall(".//tr")) == 3  # one line for each open problem
    assert "请于 2026年12月2日 前填写本回执" in text  # the last deadline
    assert page.find_class("sign")[0].text_content() == "县政务公开办公室2026年11月22日"
    assert "gongkai" not in text
    assert "“附件B”附件链接无法打开（HTTP 404，页面不存在），3 次检测均失败" in text
    assert "已 40 天未更新（要求 14 天内）" in text


def test_html_summary_is_a_bulletin_linking_each_notice(two_runs, tmp_path):
    out = tmp_path / "out" / "summary.html"
    _run(
        "report",
        "--db",
        str(two_runs["db"]),
        "--format",
        "html",
        "-o",
        str(out),
        "--per-department",
        str(tmp_path / "out" / "notices"),
    )
    page = lxml_html.fromstring(out.read_bytes())
    text = page.text_content()
    assert page.findtext(".//h1") == "关于2026年第2期政府网站政务公开检查情况的通报"  # the second run of the year
    assert [h.text_content() for h in page.iter("h2")] == BULLETIN_HEADINGS
    assert (
        "本期未发现疑似突击更新、旧稿重发、日期倒签或严重表述错误的情况。" in text
    )  # an ordinary site is suspected of nothing
    assert "县政务公开办公室于2026年11月16日至2026年11月22日" in text  # the days since the previous run
    assert "本期共检查 1 家单位网站，合格 1 家，不合格 0 家，合格率 100.0%。" in text
    assert "合格率与上期持平" in text
    assert "链接不可用 1 处，扣 0.1 分；栏目不更新 1 处，扣 3 分" in text  # why 96.9
    assert "测试局栏目不更新（工作动态）自2026年11月15日发现以来，连续 2 次检查未整改。" in text  # not yet overdue
    assert page.xpath("//a[@href='notices/csj.html']")
    assert not page.xpath("//script | //link[@rel='stylesheet'] | //img")  # self-contained


def test_notify_sends_each_department_its_notice_once(two_runs, tmp_path):
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=two_runs["smtp_port"])
    controller.start()
    try:
        first = _run("notify", "-c", str(two_runs["config"]), "--db", str(two_runs["db"]))
        again = _run("notify", "-c", str(two_runs["config"]), "--db", str(two_runs["db"]))
        forced = _run("notify", "-c", str(two_runs["config"]), "--db", str(two_runs["db"]), "--force")
    finally:
        controller.stop()
    assert "csj：已发送至 csj@example.invalid" in first.output
    assert "csj：本期已发送过" in again.output
    assert "csj：已发送至" in forced.output
    assert len(sink.envelopes) == 2
    envelope = sink.envelopes[0]
    assert envelope.rcpt_tos == ["csj@example.invalid"]
    message = email.message_from_bytes(envelope.content, policy=policy.default)
    assert message["Subject"] == "县政务公开办公室：关于测试局网站政务公开问题的整改通知（2026-11-22）"
    assert "/files/b.pdf" in message.get_body(("plain",)).get_content()
    assert "整改期限" in message.get_body(("html",)).get_content()
    attachments = {a.get_filename(): a.get_content() for a in message.iter_attachments()}
    title = "关于测试局网站政务公开问题的整改通知"
    names = {f"{title}.docx", "整改清单-csj.xlsx"} | ({f"{title}.pdf"} if shutil.which("chromium") else set())
    assert set(attachments) == names
    document = Document(io.BytesIO(attachments[f"{title}.docx"]))
    assert title in [p.text for p in document.paragraphs]
    assert load_workbook(io.BytesIO(attachments["整改清单-csj.xlsx"]))["整改清单"]["B2"].value == "测试局"


def test_dry_run_writes_eml_files(two_runs, tmp_path):
    _run("notify", "-c", str(two_runs["config"]), "--db", str(two_runs["db"]), "--dry-run", str(tmp_path / "eml"))
    written = list((tmp_path / "eml").glob("*.eml"))
    assert [p.name for p in written] == ["run2-csj.eml"]
    message = email.message_from_bytes(written[0].read_bytes(), policy=policy.default)
    assert message["To"] == "csj@example.invalid"


def test_text_from_data_cannot_inject_mail_headers(two_runs):
    store = Store(two_runs["db"])
    part = split_by_department(report_data(store, 2))["csj"]
    context = report_context(store, 2)
    store.close()
    part["departments"][0]["name"] = "测试局\r\nBcc: spy@example.invalid"
    raw = bytes(
        build_message(
            part, context, "县政务公开办 <gongkai@example.invalid>", "csj@example.invalid\r\nCc: x@example.invalid"
        )
    )
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["Bcc"] is None and message["Cc"] is None
    assert "\n" not in str(message["Subject"]) and "Bcc: spy@example.invalid" in str(message["Subject"])


def test_notify_uses_starttls_and_logs_in(two_runs, tmp_path, monkeypatch):
    ca = trustme.CA()
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_context)
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    logins: list[tuple[bytes, bytes]] = []

    def authenticate(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        return AuthResult(success=auth_data.password == b"s3cret")

    port = _free_port()
    directory = tmp_path / "tls"
    directory.mkdir()
    for name in ("categories.yaml", "markers.yaml", "rules.yaml"):
        shutil.copy(two_runs["config"].parent / name, directory / name)
    text = (
        two_runs["config"]
        .read_text(encoding="utf-8")
        .replace(
            f"port: {two_runs['smtp_port']}, security: none,",
            f"port: {port}, security: starttls, username: gongkai, password_env: GONGKAI_TEST_SMTP, ca_bundle: '{bundle}',",
        )
    )
    (directory / "sites.yaml").write_text(text, encoding="utf-8")
    monkeypatch.setenv("GONGKAI_TEST_SMTP", "s3cret")
    sink = Sink()
    controller = Controller(
        sink,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_context,
        require_starttls=True,
        authenticator=authenticate,
        auth_required=True,
    )
    controller.start()
    try:
        result = _run("notify", "-c", str(directory / "sites.yaml"), "--db", str(two_runs["db"]), "--force")
    finally:
        controller.stop()
    assert "csj：已发送至" in result.output
    assert logins == [(b"gongkai", b"s3cret")]
    assert [e.rcpt_tos for e in sink.envelopes] == [["csj@example.invalid"]]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is installed by .ci/run")
def test_html_summary_renders_in_a_real_browser(two_runs, tmp_path):
    page = tmp_path / "summary.html"
    _run("report", "--db", str(two_runs["db"]), "--format", "html", "-o", str(page))
    shot = tmp_path / "summary.png"
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]
    subprocess.run(
        ["chromium", *flags, "--window-size=1100,900", f"--screenshot={shot}", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    dom = subprocess.run(["chromium", *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120)
    assert "<title>关于2026年第2期政府网站政务公开检查情况的通报" in dom.stdout
    image = Image.open(shot).convert("RGB")
    assert image.size == (1100, 900)
    assert len(image.getcolors(maxcolors=1_000_000) or []) > 50  # drawn text, table and chart, not a blank page


def test_an_offices_own_wording_beside_its_config_writes_the_notices(two_runs, tmp_path):
    own = two_runs["config"].parent / "wording.yaml"
    own.write_text(
        "documents:\n  notice_title: 关于{department}网站问题的整改通知书\n"
        "problems:\n  broken_link: 链接“{anchor}”打不开（{failure}）\n",
        encoding="utf-8",
    )
    try:
        _run(
            "report",
            "--db",
            str(two_runs["db"]),
            "--format",
            "html",
            "--per-department",
            str(tmp_path / "n"),
            "-o",
            str(tmp_path / "s.html"),
        )
    finally:
        own.unlink()
    page = lxml_html.fromstring((tmp_path / "n" / "csj.html").read_bytes())
    assert page.findtext(".//title") == "关于测试局网站问题的整改通知书"
    assert "链接“附件B”打不开（HTTP 404，页面不存在）" in page.text_content()
    assert "请于各问题所列整改期限前完成整改" in page.text_content()  # what the office left out stays as bundled

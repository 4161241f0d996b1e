"""人工核查 on the dashboard: a signed-in reviewer dismisses a finding; nobody else can write.

A local site (synthetic) with a dead attachment; its store is served by
`gongkai serve` with the review password in the environment variable the config
names. The decision is kept with the reviewer's name, holds in the next crawl,
and the finding is in neither the department's notice nor its score.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import AS_OF, crawl, write_config
from sites import config_for, html, list_page, wait_until_serving

from monitor.cli import cli
from monitor.demo.server import Route, SiteServer
from monitor.reports import report_data
from monitor.store import Store

GONGKAI = str(Path(sys.executable).with_name("gongkai"))
PASSWORD = "correct horse battery staple"
FRESH = [("新动态", "/gzdt/1.html", AS_OF - timedelta(days=1))]
SITE = {
    "/": list_page("测试局", FRESH),
    "/gzdt/": list_page("工作动态", FRESH),
    "/gzdt/1.html": html("新动态", '<p>附件：<a href="/files/plan.pdf">实施方案</a></p>'),
    "/files/plan.pdf": Route("gone", status=404, content_type="text/plain"),
    "/tzgg/": list_page("通知公告", [("旧通知", "/tzgg/1.html", AS_OF - timedelta(days=400))]),
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A client with its own cookies, as one person's browser."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, fields: dict[str, str], form_page: str) -> tuple[int, str]:
        """POST a form as the page at ``form_page`` would, with its CSRF token."""
        _, page = self.get(form_page)
        token = re.search(r'name="csrftoken" value="([^"]+)"', page)
        data = urllib.parse.urlencode({**fields, "csrftoken": token.group(1) if token else ""}).encode()
        return self._open(urllib.request.Request(self.base + path, data=data))

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


@pytest.fixture
def served(tmp_path):
    db = tmp_path / "g.db"
    site = SiteServer(SITE, fallback=html("文章", "<p>正文</p>")).start()
    config = write_config(
        tmp_path,
        config_for(site.base, [("工作动态", "/gzdt/"), ("通知公告", "/tzgg/")])
        + "review: {password_env: GONGKAI_TEST_REVIEW_PASSWORD}\n",
    )
    run_id = crawl(config, db).run_id
    port = _free_port()
    env = {**os.environ, "GONGKAI_TEST_REVIEW_PASSWORD": PASSWORD}
    server = subprocess.Popen(
        [GONGKAI, "serve", "--db", str(db), "--port", str(port)], stdout=subprocess.PIPE, text=True, env=env
    )
    base = f"http://127.0.0.1:{port}"
    first_line = server.stdout.readline() if server.stdout else ""
    wait_until_serving(base)
    try:
        yield {
            "base": base,
            "db": db,
            "config": config,
            "run": run_id,
            "tmp": tmp_path,
            "said": first_line,
            "site": site,
        }
    finally:
        server.terminate()
        server.wait(timeout=30)
        site.stop()


def _broken_key(db: Path, run_id: int) -> str:
    store = Store(db)
    key = next(p["key"] for p in store.rows("problems", run_id) if p["type"] == "broken_link")
    store.close()
    return key


def test_serve_says_where_it_is(served):
    assert served["said"].strip() == f"看板已启动：{served['base']}/　（按 Ctrl-C 停止）"


def test_nobody_writes_without_signing_in_with_the_password(served):
    key = _broken_key(served["db"], served["run"])
    page = f"/-/gongkai/review?{urllib.parse.urlencode({'run': served['run'], 'key': key})}"
    anonymous = Browser(served["base"])
    status, text = anonymous.post(
        "/-/gongkai/review", {"run": str(served["run"]), "key": key, "decision": "dismissed"}, page
    )
    assert status == 403 and "请先登录" in text
    status, text = anonymous.post("/-/gongkai/login", {"name": "王五", "password": "guess"}, "/-/gongkai/login")
    assert "姓名或口令不正确" in text
    status, _ = anonymous.post(
        "/-/gongkai/review", {"run": str(served["run"]), "key": key, "decision": "dismissed"}, page
    )
    assert status == 403
    store = Store(served["db"])
    assert store.review_log() == [] and store.reviews() == {}
    store.close()


def test_a_signed_in_reviewer_dismisses_a_finding_and_it_stays_out_of_the_notice_and_the_score(served):
    db, run_id = served["db"], served["run"]
    key = _broken_key(db, run_id)
    store = Store(db)
    before = report_data(store, run_id)["departments"][0]["score"]
    store.close()
    reviewer = Browser(served["base"])
    reviewer.post("/-/gongkai/login", {"name": "张三", "password": PASSWORD}, "/-/gongkai/login")
    page = f"/-/gongkai/review?{urllib.parse.urlencode({'run': run_id, 'key': key})}"
    fields = {"run": str(run_id), "key": key, "decision": "dismissed", "reason": "误报"}
    status, text = reviewer.post("/-/gongkai/review", fields, page)
    assert status == 200 and "已记录" in text and "不予认定" in text

    store = Store(db)
    log = [(r["by"], r["source"], r["decision"], r["reason"]) for r in store.review_log()]
    store.close()
    assert log == [("张三", "dashboard", "dismissed", "误报")]
    _, listing = reviewer.get("/-/gongkai/problems")
    aside = listing.split("本期不计入的问题", 1)[1]  # still there for the reviewers, apart from the problems
    assert "plan.pdf" in aside and "不予认定" in aside

    second = crawl(served["config"], db).run_id
    store = Store(db)
    data = report_data(store, second)
    store.close()
    assert [p for p in data["problems"] if p["type"] == "broken_link"] == []
    assert data["departments"][0]["score"] > before
    notices = served["tmp"] / "notices"
    result = CliRunner().invoke(
        cli,
        [
            "report",
            "--db",
            str(db),
            "--format",
            "html",
            "--per-department",
            str(notices),
            "-o",
            str(notices / "all.html"),
        ],
    )
    assert result.exit_code == 0, result.output
    notice = (notices / "csj.html").read_text(encoding="utf-8")
    assert "通知公告" in notice and "plan.pdf" not in notice  # the stale column is still to rectify, the link not

    served["site"].routes["/files/plan.pdf"] = Route("gone", status=500, content_type="text/plain")
    third = crawl(served["config"], db).run_id
    store = Store(db)
    back = [p for p in report_data(store, third)["problems"] if p["type"] == "broken_link"]
    store.close()
    assert len(back) == 1  # it fails differently now: the dismissal no longer holds


def test_serving_beyond_this_machine_is_warned_of_first(served, tmp_path):
    port = _free_port()
    server = subprocess.Popen(
        [GONGKAI, "serve", "--db", str(served["db"]), "--port", str(port), "--host", "0.0.0.0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        warning = server.stderr.readline() if server.stderr else ""
        said = server.stdout.readline() if server.stdout else ""
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert warning.strip() == "注意：--host 0.0.0.0 让本机以外的计算机也能打开看板，看到其中全部检查数据"
    assert said.strip() == f"看板已启动：http://0.0.0.0:{port}/　（按 Ctrl-C 停止）"


def test_a_port_already_taken_is_said_in_chinese(served):
    port = served["base"].rsplit(":", 1)[1]
    taken = subprocess.run(
        [GONGKAI, "serve", "--db", str(served["db"]), "--port", port], capture_output=True, text=True, timeout=60
    )
    assert taken.returncode == 1
    assert (
        taken.stderr.strip() == f"错误：看板无法在 {served['base']}/ 启动：该端口已被占用或无权使用，请用 --port 换一个"
    )
    assert taken.stdout == ""  # it never said it had started

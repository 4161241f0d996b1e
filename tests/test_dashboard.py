"""The supervisors' dashboard: Datasette over the store, in Chinese, read-only, in a real browser."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sites import CHROMIUM_FLAGS, wait_until_serving

GONGKAI = str(Path(sys.executable).with_name("gongkai"))
needs_browser = pytest.mark.skipif(
    shutil.which("chromium") is None or shutil.which("chromedriver") is None,
    reason="Debian's chromium and chromium-driver are installed by .ci/run",
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def dashboard(demo_run, tmp_path_factory):
    """`gongkai serve` over a copy of the demo crawl's store."""
    db = tmp_path_factory.mktemp("dashboard") / "gongkai.db"
    shutil.copy(demo_run["db"], db)
    port = _free_port()
    server = subprocess.Popen(
        [GONGKAI, "serve", "--db", str(db), "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    wait_until_serving(base)
    yield {"base": base, "db": db}
    server.terminate()
    server.wait(timeout=30)


def _status(url: str, data: bytes | None = None) -> int:
    try:
        return urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10).status
    except urllib.error.HTTPError as exc:
        return exc.code


def _wait_for_heading(driver, heading: str) -> None:
    """Wait until the page a click opened is there (the old one's elements go stale meanwhile)."""
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,))
    wait.until(lambda d: d.find_element(By.TAG_NAME, "h1").text == heading)


def _english(text: str) -> list[str]:
    """Latin words of three or more letters a person reads: not in a URL, a file name or an HTTP status."""
    text = re.sub(r"https?://\S+|\S+\.(?:pdf|docx?|xlsx?|html?)\b|HTTP \d{3}", " ", text)
    return re.findall(r"[A-Za-z]{3,}", text)


@needs_browser
def test_the_supervisors_pages_speak_chinese_fit_the_screen_and_agree_with_the_report(dashboard, demo_run, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in (*CHROMIUM_FLAGS, "--window-size=1366,900"):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    report = demo_run["data"]
    results = [d["passed"] for d in report["departments"]]
    command = [GONGKAI, "stats", "--db", str(dashboard["db"]), "--year", "2026", "--format", "json"]
    stats = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
    try:
        driver.get(dashboard["base"] + "/")
        assert driver.find_element(By.TAG_NAME, "h1").text == "本期检查总览"
        shown = {name: driver.find_element(By.ID, name).text for name in ("checked", "passed", "failed", "rate")}
        judged = [r for r in results if r is not None]
        assert shown == {
            "checked": str(len(report["departments"])),
            "passed": str(results.count(True)),
            "failed": str(results.count(False)),
            "rate": f"{round(sum(judged) / len(judged) * 100, 1)}%",
        }
        assert driver.find_element(By.ID, "problems").text == str(
            sum(1 for p in report["problems"] if p["state"] != "resolved")
        )
        pages = {"overview": driver.find_element(By.TAG_NAME, "body").text}
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 1366

        Select(driver.find_element(By.NAME, "id")).select_by_visible_text("县卫生健康委员会")  # picked by name
        driver.find_element(By.CSS_SELECTOR, "header input[type=submit]").click()
        _wait_for_heading(driver, "县卫生健康委员会")
        problems = sorted(
            row.find_elements(By.TAG_NAME, "td")[1].text for row in driver.find_elements(By.CSS_SELECTOR, "tr.problem")
        )
        assert problems == ["互动回应差", "栏目不更新", "空白栏目", "链接不可用", "链接不可用", "首页不更新"]
        pages["department"] = driver.find_element(By.TAG_NAME, "body").text
        assert "“财政资金”栏目为空白栏目：页面显示“暂无数据”" in pages["department"]  # as the notice says it
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 1366

        driver.find_element(By.LINK_TEXT, "问题清单").click()
        _wait_for_heading(driver, "问题清单")
        rows = driver.find_elements(By.CSS_SELECTOR, "tr.problem")
        assert len(rows) == sum(1 for p in report["problems"] if p["state"] != "resolved")
        links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "tr.problem a")]
        assert any(h.endswith("/zwgk/tzgg/2019/notice.html") for h in links)  # the dead link opens from its row
        assert any(h.endswith("/zwgk/tzgg/202610/t20261018_1003.html") for h in links)  # and the page it is on
        pages["problems"] = driver.find_element(By.TAG_NAME, "body").text
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 1366

        driver.find_element(By.LINK_TEXT, "信息统计").click()
        _wait_for_heading(driver, "2026年各部门网站政府信息主动公开情况统计")
        shown = [p.text for p in driver.find_elements(By.CSS_SELECTOR, "#paragraph p")]
        assert shown == stats["paragraphs"]  # the numbers `gongkai stats` gives
        pages["stats"] = driver.find_element(By.TAG_NAME, "body").text
        assert driver.execute_script("return document.documentElement.scrollWidth") <= 1366
        shot = tmp_path / "dashboard.png"
        driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        driver.quit()
    assert {name: words for name, text in pages.items() if (words := _english(text))} == {}


def test_the_ready_queries_stay_behind_the_data_browser(dashboard):

    url = dashboard["base"] + "/gongkai/ranking.json?run=&_shape=array"
    ranking = [(r["部门"], r["结果"]) for r in json.loads(urllib.request.urlopen(url, timeout=10).read())]
    assert ranking == [("县教育局", "合格"), ("县交通运输局", "不合格"), ("县卫生健康委员会", "不合格")]
    front = urllib.request.urlopen(dashboard["base"] + "/", timeout=10).read().decode("utf-8")
    assert '<a href="/gongkai">数据浏览</a>' in front


def test_exports_open_in_excel_with_chinese_intact(dashboard):
    from io import BytesIO

    from openpyxl import load_workbook

    csv = urllib.request.urlopen(dashboard["base"] + "/gongkai/ranking.csvbom?run=", timeout=10).read()
    assert csv.startswith(b"\xef\xbb\xbf") and "县卫生健康委员会" in csv.decode("utf-8-sig")
    plain = urllib.request.urlopen(dashboard["base"] + "/gongkai/ranking.csv?run=", timeout=10).read()
    assert plain == csv  # Datasette's own CSV link gives the same export, formulas neutralised
    xlsx = urllib.request.urlopen(dashboard["base"] + "/gongkai/stale_columns.xlsx?run=", timeout=10).read()
    sheet = load_workbook(BytesIO(xlsx)).active
    assert [c.value for c in sheet[1]][:2] == ["部门", "栏目"]
    assert sorted(r[1] for r in sheet.iter_rows(min_row=2, values_only=True)) == ["卫生动态", "通知公告"]


def test_the_dashboard_cannot_change_the_store(dashboard):
    before = hashlib.sha256(dashboard["db"].read_bytes()).hexdigest()
    base = dashboard["base"]
    assert _status(base + "/gongkai?sql=delete+from+problems") >= 400  # no free SQL, and never a write
    assert _status(base + "/gongkai/problems", data=b'{"rows": []}') >= 400  # no insert API
    assert (
        _status(base + "/gongkai/problems_by_department", data=b"run=&department=jyj") >= 400
    )  # canned queries are read-only
    assert hashlib.sha256(dashboard["db"].read_bytes()).hexdigest() == before


def test_the_dashboard_keeps_serving_while_a_crawl_writes(dashboard, demo_run):

    from conftest import crawl

    url = dashboard["base"] + "/gongkai/department_history.json?department=wjw&_shape=array"
    before = json.loads(urllib.request.urlopen(url, timeout=10).read())
    crawl(demo_run["config"], dashboard["db"])  # a new run written into the store being served
    after = json.loads(urllib.request.urlopen(url, timeout=10).read())
    assert len(after) == len(before) + 1
    assert after[-1]["检查编号"] > before[-1]["检查编号"]


def test_the_problem_table_page_speaks_chinese(dashboard):
    page = urllib.request.urlopen(dashboard["base"] + "/gongkai/problem_list", timeout=10).read().decode("utf-8")
    assert "问题清单（全部检查）" in page and "导出：" in page and "高级导出" in page
    assert "This data as" not in page and "Advanced export" not in page


def test_the_dashboard_explains_problems_in_the_offices_own_wording(demo_run, tmp_path):
    import sqlite3

    import yaml

    from common.tables import defaults_dir

    office = tmp_path / "office"
    shutil.copytree(demo_run["config"].parent, office, ignore=shutil.ignore_patterns("*.db*", "run-*"))
    wording = yaml.safe_load((defaults_dir() / "wording.yaml").read_text(encoding="utf-8"))
    wording["problems"]["column_empty"] = "“{column}”栏目没有内容（本办表述）：{reason}"
    (office / "wording.yaml").write_text(yaml.safe_dump({"problems": wording["problems"]}, allow_unicode=True))
    db = tmp_path / "gongkai.db"
    shutil.copy(demo_run["db"], db)
    with sqlite3.connect(db) as conn:  # the store's run as if crawled with the office's config
        conn.execute("update runs set config_path = ?", [str(office / "sites.yaml")])
    port = _free_port()
    server = subprocess.Popen([GONGKAI, "serve", "--db", str(db), "--port", str(port)], stdout=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/gongkai/problems_by_department.json?run=&department=wjw&_shape=array"
        deadline = time.monotonic() + 60
        while True:
            try:
                rows = json.loads(urllib.request.urlopen(url, timeout=5).read())
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(timeout=30)
    explained = [row["说明"] for row in rows]
    assert "“财政资金”栏目没有内容（本办表述）：页面显示“暂无数据”" in explained

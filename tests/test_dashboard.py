"""The supervisors' dashboard: Datasette over the store, in Chinese, read-only, in a real browser."""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sites import CHROMIUM_FLAGS

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
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/", timeout=2).read()
            break
        except OSError:
            time.sleep(0.2)
    yield {"base": base, "db": db}
    server.terminate()
    server.wait(timeout=30)


def _status(url: str, data: bytes | None = None) -> int:
    try:
        return urllib.request.urlopen(urllib.request.Request(url, data=data), timeout=10).status
    except urllib.error.HTTPError as exc:
        return exc.code


@needs_browser
def test_supervisor_sees_the_ranking_and_a_departments_problems_in_chinese(dashboard, tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium")
    for flag in (*CHROMIUM_FLAGS, "--window-size=1200,900"):
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'profile'}")
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    try:
        driver.get(dashboard["base"] + "/")
        assert driver.find_element(By.TAG_NAME, "h1").text == "gongkai 政务公开监测"
        driver.find_element(By.LINK_TEXT, "本期排名（红黑榜）").click()
        assert driver.find_element(By.TAG_NAME, "h1").text == "本期排名（红黑榜）"
        driver.find_element(By.CSS_SELECTOR, "input[type=submit]").click()
        table = (By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        WebDriverWait(driver, 30).until(expected_conditions.presence_of_element_located(table))  # the new page
        rows = driver.find_elements(*table)
        ranking = [[td.text.strip() for td in row.find_elements(By.TAG_NAME, "td")][:3] for row in rows]
        assert ranking == [
            ["县教育局", "93.9", "合格"],
            ["县交通运输局", "", "不合格"],
            ["县卫生健康委员会", "", "不合格"],
        ]

        driver.get(dashboard["base"] + "/gongkai/problems_by_department?run=&department=wjw")
        rows = driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        problems = sorted(row.find_elements(By.TAG_NAME, "td")[1].text for row in rows)
        assert problems == ["栏目不更新", "空白栏目", "链接不可用", "链接不可用", "首页不更新"]
        explained = [row.find_elements(By.TAG_NAME, "td")[6].text for row in rows]
        assert "“财政资金”栏目为空白栏目：页面显示“暂无数据”" in explained  # as the notice says it
        assert any("页面显示“页面不存在”，属于假 404" in text for text in explained)
        links = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "table.rows-and-columns td a")]
        assert any(h.endswith("/zwgk/tzgg/2019/notice.html") for h in links)  # the dead link opens from its row
        assert any(h.endswith("/zwgk/tzgg/202610/t20261018_1003.html") for h in links)  # and the page it is on
        assert "导出：" in driver.find_element(By.CSS_SELECTOR, "p.export-links").text
        shot = tmp_path / "dashboard.png"
        driver.save_screenshot(str(shot))
        assert shot.stat().st_size > 10_000
    finally:
        driver.quit()


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
    import json

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
    import json
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

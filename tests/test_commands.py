"""The commands a supervisor types: the demo, and the Scrapy project behind `gongkai crawl`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _gongkai(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("gongkai")
    return subprocess.run([str(script), *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_demo_prints_every_planted_problem_and_writes_reports(tmp_path):
    result = _gongkai("demo", "--dir", "out", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    for line in [
        "县教育局 (jyj)",
        "栏目不更新【新发现】通知公告",
        "空白栏目【新发现】人事信息",
        "/xxgk/tzgg/P020260301_1.pdf",
        "县卫生健康委员会 (wjw)",
        "首页不更新",
        "栏目不更新【新发现】卫生动态",
        "空白栏目【新发现】财政资金",
        "http://archive.gongkai-demo.invalid/old-policy.html",
        "/zwgk/tzgg/2019/notice.html",
        "提示：栏目内容无法读取",
        "县交通运输局 (jtj)",
        "站点无法访问",
    ]:
        assert line in out, line
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert len(report["problems"]) == 10
    notices = {p.name for p in (tmp_path / "out" / "departments").iterdir()}
    for dept in ("jtj", "jyj", "wjw"):
        assert {f"{dept}.html", f"{dept}.xlsx", f"{dept}.docx"} <= notices
    assert (tmp_path / "out" / "report.docx").is_file()
    # The demo store is an ordinary store: the other commands work on it.
    md = _gongkai("report", "--db", "out/demo.db", "--format", "md", cwd=tmp_path)
    assert md.returncode == 0 and "## 县卫生健康委员会 (wjw)" in md.stdout


def test_scrapy_cfg_points_at_the_crawler_settings():
    env = {k: v for k, v in os.environ.items() if k != "SCRAPY_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["departments"]

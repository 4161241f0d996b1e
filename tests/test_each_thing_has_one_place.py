"""The code is laid out so each thing has one place: the crawler and the monitor meet only through ``common``."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Longer modules say why at their top, in a sentence that starts like this.
LONG_MODULE = 350
REASON = "Long because"


def _imports(package: str) -> dict[str, set[str]]:
    """The top-level packages each module of ``package`` imports (at any depth of its code)."""
    found: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_the_crawler_never_imports_the_monitor():
    assert {module for module, names in _imports("crawler").items() if "monitor" in names} == set()


def test_the_monitor_never_imports_the_crawler():
    assert {module for module, names in _imports("monitor").items() if "crawler" in names} == set()


def test_the_shared_package_imports_neither_side():
    assert {module for module, names in _imports("common").items() if names & {"crawler", "monitor"}} == set()


def test_a_long_module_says_why_at_its_top():
    unexplained = []
    for package in ("common", "crawler", "monitor"):
        for path in (ROOT / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            if text.count("\n") > LONG_MODULE and REASON not in (ast.get_docstring(ast.parse(text)) or ""):
                unexplained.append(f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines")
    assert unexplained == []


def test_the_link_checker_never_loads_scrapy_or_twisted():
    # It speaks aiohttp: Twisted and Scrapy would only cost each run's checker memory and start-up time.
    code = "import sys, crawler.checker; print(sorted({'scrapy', 'twisted'} & {m.split('.')[0] for m in sys.modules}))"
    loaded = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"

"""How long ``gongkai stats`` takes on a large item register.

    python bench/stats_speed.py [--items 100000] [--departments 60]

Writes a store whose register holds ``--items`` items of ``--departments``
departments (twelve columns each, of every category, dated over the last two
years, one in fifty withdrawn) and one complete run that names them, then times
``gongkai stats --year 2026`` as a library call for each format (the numbers
alone, then JSON, CSV, Markdown, XLSX with its chart, DOCX) and as the command a
user runs (which also starts Python and loads gongkai), best of three.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from monitor.reports.statistics import render_stats
from monitor.stats import statistics
from monitor.store import Store

BIN = Path(sys.executable).with_name("gongkai")
CATEGORIES = ["news", "notice", "policy", "interpretation", "personnel", "planning", "finance", "statistics", "org"]
AS_OF = date(2026, 11, 22)


def build(path: Path, items: int, departments: int) -> None:
    """A store with one complete run and a register of ``items`` items."""
    store = Store(path)
    config = {
        "departments": [
            {"id": f"d{n}", "name": f"第{n}部门", "site": f"http://d{n}.invalid/"} for n in range(departments)
        ]
    }
    run_id = store.create_run(AS_OF.isoformat(), "sites.yaml", config, [d["id"] for d in config["departments"]])
    store.finish_run(run_id, "complete")
    pick = random.Random(7)
    rows = []
    for n in range(items):
        department = f"d{n % departments}"
        column = n // departments % 12
        day = (AS_OF - timedelta(days=pick.randrange(730))).isoformat()
        rows.append(
            {
                "department": department,
                "url": f"http://{department}.invalid/c{column}/t{n}.html",
                "column_url": f"http://{department}.invalid/c{column}/",
                "column": f"栏目{column}",
                "category": CATEGORIES[column % len(CATEGORIES)],
                "title": f"信息{n}",
                "date": day,
                "first_date": day,
                "first_seen": AS_OF.isoformat(),
                "first_run": run_id,
                "last_seen": AS_OF.isoformat(),
                "last_run": run_id,
                "withdrawn_run": run_id if n % 50 == 0 else None,
            }
        )
    columns = [
        {
            "department": d["id"],
            "name": "栏目0",
            "url": f"http://{d['id']}.invalid/c0/",
            "category": "news",
            "state": "ok",
        }
        for d in config["departments"]
    ]  # each department's columns were read
    store.save_evaluation(run_id, [], [], columns, [], AS_OF.isoformat(), [], [], rows)
    store.close()


def best(action: object, times: int = 3) -> float:
    """The best wall time of ``times`` calls of ``action``."""
    found = []
    for _ in range(times):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        found.append(time.perf_counter() - start)
    return min(found)


def main() -> None:
    """Build the store, time each format, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--departments", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "gongkai.db"
        build(path, args.items, args.departments)
        store = Store(path, readonly=True)
        start, end = date(2026, 1, 1), date(2026, 12, 31)
        numbers = statistics(store, start, end, "month")
        print(f"{args.items} items, {args.departments} departments, {numbers.total} dated in 2026")
        print(f"{'what':<28}{'seconds':>10}")
        print(f"{'the numbers (library)':<28}{best(lambda: statistics(store, start, end, 'month')):>10.3f}")
        for fmt in ("json", "csv", "md", "xlsx", "docx"):
            seconds = best(lambda fmt=fmt: render_stats(statistics(store, start, end, "month"), fmt))
            print(f"{'numbers + ' + fmt:<28}{seconds:>10.3f}")
        store.close()
        command = [str(BIN), "stats", "--db", str(path), "--year", "2026", "--format", "json"]
        seconds = best(lambda: subprocess.run(command, check=True, capture_output=True))
        print(f"{'gongkai stats (command)':<28}{seconds:>10.3f}")
        json.loads(subprocess.run(command, check=True, capture_output=True).stdout)  # it is the whole answer


if __name__ == "__main__":
    main()

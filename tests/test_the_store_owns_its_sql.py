"""The store keeps its SQL: its schema is the committed snapshot, and no other module of the monitor queries it."""

from __future__ import annotations

import re
from pathlib import Path

from monitor.store import Store

ROOT = Path(__file__).resolve().parent.parent


def test_a_new_store_has_the_committed_schema(tmp_path):
    store = Store(tmp_path / "g.db")
    schema = store.schema()
    store.close()
    assert "CREATE VIEW problem_list" in schema or "create view problem_list" in schema
    assert (ROOT / "monitor" / "schema.sql").read_text(encoding="utf-8").endswith(schema)


def test_only_the_store_module_queries_the_store():
    outside = {
        str(path.relative_to(ROOT)): line.strip()
        for path in (ROOT / "monitor").rglob("*.py")
        if path.name != "store.py"
        for line in path.read_text(encoding="utf-8").splitlines()
        if re.search(r"\bstore\.db\b|\.db\.(execute|query)\(", line)
    }
    assert outside == {}

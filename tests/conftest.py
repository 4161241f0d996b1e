"""Shared fixtures: local sites on 127.0.0.1, configs beside fast rule tables, crawls."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import yaml

from common.tables import defaults_dir
from monitor.config import load_config
from monitor.crawl import RunResult, run_crawl
from monitor.demo.sites import DemoSite, demo_config, demo_sites
from monitor.reports import report_data
from monitor.store import Store

AS_OF = date(2026, 11, 22)

# Every crawl the suite starts refuses anything but loopback and .invalid names,
# so no test can reach another machine, even through a bug.
os.environ["GONGKAI_OFFLINE"] = "1"


def write_config(directory: Path, text: str) -> Path:
    """Write sites.yaml plus a rules.yaml whose failure confirmation is quick."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in ("categories.yaml", "markers.yaml"):
        shutil.copy(defaults_dir() / name, directory / name)
    rules = yaml.safe_load((defaults_dir() / "rules.yaml").read_text(encoding="utf-8"))
    rules["link_check"]["backoff_seconds"] = 0.1
    # Tests change a site between runs minutes apart: check every link every run
    # unless a test is about the recheck interval.
    rules["link_check"]["recheck_days"] = 0
    (directory / "rules.yaml").write_text(yaml.safe_dump(rules, allow_unicode=True), encoding="utf-8")
    path = directory / "sites.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def crawl(config_path: Path, db: Path, as_of: date = AS_OF, only: tuple[str, ...] = ()) -> RunResult:
    """Run a real crawl of a config into a store."""
    return run_crawl(load_config(config_path), config_path, db, only=only, as_of=as_of)


@pytest.fixture(scope="session")
def demo_served() -> Iterator[list[DemoSite]]:
    """The demo department sites, served for the whole session."""
    sites = demo_sites(AS_OF)
    for site in sites:
        site.serve()
    yield sites
    for site in sites:
        assert site.server is not None
        site.server.stop()


@pytest.fixture(scope="session")
def demo_run(demo_served: list[DemoSite], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """One crawl of the demo sites: the store, the run id and the report data."""
    directory = tmp_path_factory.mktemp("demo")
    config_path = write_config(directory, demo_config(demo_served))
    db = directory / "gongkai.db"
    result = crawl(config_path, db)
    store = Store(db)
    data = report_data(store, result.run_id)
    store.close()
    return {"db": db, "run_id": result.run_id, "data": data, "config": config_path, "sites": demo_served}

"""A run's pages are shared out over several page spiders, and the results are the same as with one.

The site is the benchmark's synthetic disclosure site (columns, paginated lists,
articles with attachments, planted broken links), served as static files.
"""

from __future__ import annotations

import sqlite3
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import crawl, write_config
from sites import StaticSite

from common.plan import Crawl
from common.transport.pacing import politeness_share

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from synthetic_site import generate


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> tuple[StaticSite, set[str]]:
    """A synthetic site of 400 pages and the paths of its planted broken links."""
    root = tmp_path_factory.mktemp("www")
    planted = generate(root, 400)
    served = StaticSite(root)
    yield served, planted
    served.server.shutdown()


def _run(directory: Path, base: str, workers: int) -> dict[str, object]:
    config = write_config(
        directory,
        f"crawl: {{concurrency_per_site: 4, page_workers: {workers}, max_pages_per_site: 100000}}\n"
        f"departments:\n  - {{id: csj, name: 测试局, site: '{base}'}}\n",
    )
    run = crawl(config, directory / "g.db")
    with sqlite3.connect(directory / "g.db") as conn:

        def rows(sql: str) -> Counter[tuple]:
            return Counter(conn.execute(sql, [run.run_id]).fetchall())

        return {
            "pages": rows("select url, status from pages where run_id = ?"),
            "checks": rows("select url, outcome from checks where run_id = ?"),
            "links": rows("select source_url, url from links where run_id = ?"),
            "items": rows("select column_url, url, date_raw from items where run_id = ?"),
            "columns": rows("select url, reading from columns where run_id = ?"),
            "problems": rows("select type, url from problems where run_id = ?"),
            "handed_to": rows("select worker, count(*) > 0 from handoffs where run_id = ? group by worker"),
        }


def test_two_page_spiders_request_each_page_once_and_find_what_one_finds(tmp_path, synthetic):
    site, planted = synthetic
    alone = _run(tmp_path / "one", site.base, 1)
    site.log.clear()
    shared = _run(tmp_path / "two", site.base, 2)

    answered = Counter((method, path) for method, path, _, status in site.log if status < 400)
    del answered["GET", "/robots.txt"]  # read once by each spider
    assert max(answered.values()) == 1  # no page or attachment asked for twice (failures are confirmed)
    assert shared["handed_to"] == Counter({(0, 1): 1, (1, 1): 1})  # each spider was handed pages by the other
    assert alone["handed_to"] == Counter()
    for table in ("pages", "checks", "links", "items", "columns", "problems"):
        assert shared[table] == alone[table], table
    broken = {url.removeprefix(site.base.rstrip("/")) for kind, url in shared["problems"] if kind == "broken_link"}
    assert planted and broken == planted


def test_the_page_spiders_share_a_sites_concurrency_to_the_last_request():
    polite = Crawl(concurrency_per_site=4)
    pages = [politeness_share(polite, 2, checker=False, worker=w)[0] for w in (0, 1)]
    assert pages == [2, 1]  # the three left by the link checker, none lost to rounding
    assert sum(pages) + politeness_share(polite, 2, checker=True)[0] == 4

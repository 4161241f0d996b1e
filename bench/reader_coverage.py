"""Measure what the readers get out of the real saved pages.

    python bench/reader_coverage.py [FIXTURES_DIR]

For each list fixture: items found / expected (expected is counted independently
of the readers, from the raw file) and dates read / items found; for each detail
fixture: the publication date read and where it came from.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scrapy.http import HtmlResponse, TextResponse, XmlResponse

from common.tables import load_tables
from crawler.pages import PageMarkers, PageView
from crawler.readers import detail_date, list_stem, read_column, read_homepage

MARKERS = PageMarkers.from_table(load_tables().markers)


def _expected_records(text: str) -> int:
    return len(re.findall(r"<record>", text))


def _expected_json(text: str) -> int:
    data = json.loads(text)
    return len(data["data"] if isinstance(data, dict) else data)


def _expected_list_data(text: str) -> int:
    return len(re.findall(r'"showTitle"', text))


def _expected_commented(text: str) -> int:
    return sum(c.count("<li") for c in re.findall(r"<!--(.*?)-->", text, re.S) if "<a" in c)


@dataclass(frozen=True)
class ListFixture:
    """A saved list page, the URL it was served at, and how to count its items without the readers."""

    family: str
    name: str
    url: str
    kind: type
    expected: Callable[[str], int]


HANWEB = "https://gxt.jiangsu.gov.cn/module/web/jpage/dataproxy.jsp"
LISTS = [
    ListFixture(
        "hanweb",
        "hanweb/jiangsu-gxt-dataproxy-page1.xml",
        f"{HANWEB}?startrecord=1&endrecord=75&perpage=25",
        XmlResponse,
        _expected_records,
    ),
    ListFixture(
        "hanweb",
        "hanweb/jiangsu-gxt-dataproxy-page5.xml",
        f"{HANWEB}?startrecord=301&endrecord=375&perpage=25",
        XmlResponse,
        _expected_records,
    ),
    ListFixture(
        "trs",
        "trs/hubei-scjg-zcwj-list-zcwj.json",
        "https://scjg.hubei.gov.cn/zfxxgk/zcwj/qtwj/zcwj.json",
        TextResponse,
        _expected_json,
    ),
    ListFixture(
        "ucap",
        "ucap/gansu-jyt-zwgklist-commented-list.html",
        "https://jyt.gansu.gov.cn/jyt/c110634/zwgklist.shtml",
        HtmlResponse,
        _expected_commented,
    ),
    ListFixture(
        "ucap",
        "ucap/jiangxi-sthjt-col-listData-handlebars.html",
        "https://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/index.html",
        HtmlResponse,
        _expected_list_data,
    ),
]
DETAILS = [
    "hanweb/lishui-szfwj-detail-jcms-2023.html",
    "hanweb/zj-fgw-detail-jcms-2016.html",
    "trs/cmse-detail-2021.html",
    "trs/hubei-scjg-zcwj-detail-2023.shtml.html",
    "trs/shanxi-gov-detail-2019.html",
    "ucap/gansu-scjg-detail-2022.shtml.html",
    "ucap/govcn-gongbao-detail.html",
    "spa/nfra-xzcf-detail-rendered.html",
]


def _view(path: Path, url: str, kind: type) -> PageView:
    content_type = {XmlResponse: "text/xml", TextResponse: "application/json"}.get(kind, "text/html")
    return PageView(kind(url, body=path.read_bytes(), headers={"Content-Type": content_type}))


def main(root: Path) -> None:
    """Print the coverage tables."""
    print("| family | fixture | reader | items found / expected | dates read / items | later pages |")
    print("|---|---|---|---|---|---|")
    for fixture in LISTS:
        path, name = root / fixture.name, fixture.name
        form = (("col", "1"), ("columnid", "80179")) if fixture.kind is XmlResponse else None  # as the crawl POSTs
        reading = read_column(_view(path, fixture.url, fixture.kind), MARKERS, list_stem(fixture.url), form)
        want = fixture.expected(path.read_text(encoding="utf-8"))
        print(
            f"| {fixture.family} | {name.split('/')[1]} | {reading.reader} | {len(reading.entries)} / {want} "
            f"| {reading.dated} / {len(reading.entries)} | {len(reading.next_pages)} |"
        )
    home = root / "trs/hubei-scjg-homepage-2023.html"
    entries = read_homepage(_view(home, "https://scjg.hubei.gov.cn/", HtmlResponse))
    print(f"| trs | {home.name} (homepage) | rows | {len(entries)} dated rows | {len(entries)} / {len(entries)} | – |")
    print()
    print("| family | detail fixture | publication date read | from |")
    print("|---|---|---|---|")
    for name in DETAILS:
        view = _view(root / name, "https://www.example.gov.cn/a.html", HtmlResponse)
        raw, source = detail_date(view.root, view.text) or ("–", "–")
        print(f"| {name.split('/')[0]} | {name.split('/')[1]} | {raw} | {source} |")


if __name__ == "__main__":
    main(
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "real"
    )

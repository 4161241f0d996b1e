"""Page readers: each family's module answers "what list does this page hold?".

``read_column`` tries the specific readers before the generic one: Hanweb
datastores, JSON data in scripts or feeds, the live ``<li>``/``<tr>`` rows, and
lists kept in HTML comments. The first that finds dated rows wins; later pages
come from the family's own paging (Hanweb dataproxy, TRS pager, "下一页").
"""

from __future__ import annotations

from crawler.pages import PageMarkers, PageView
from crawler.readers import hanweb
from crawler.readers.base import Entry, ListReading, NextPage
from crawler.readers.comments import read_commented
from crawler.readers.detail import detail_date, read_article
from crawler.readers.paging import html_pages, list_stem
from crawler.readers.rows import read_rows, read_undated_rows
from crawler.readers.scripts import declares_empty_list, json_feed_urls, read_json_feed, read_script_data

__all__ = [
    "Entry",
    "ListReading",
    "NextPage",
    "detail_date",
    "list_stem",
    "read_article",
    "read_column",
    "read_homepage",
]


def read_homepage(page: PageView) -> list[Entry]:
    """Every dated row shown on a homepage."""
    return read_rows(page.root, page.url, everywhere=True) if page.root is not None else []


def _data_answer(page: PageView, form: tuple[tuple[str, str], ...] | None) -> ListReading:
    """A list page that is data, not HTML: a dataproxy XML group or a JSON feed."""
    if hanweb.has_datastore(page.source):
        entries = hanweb.read_records(page.source, page.url)
        pages = hanweb.dataproxy_pages(page.source, page.url, form, len(entries))
        return ListReading(entries, pages, "hanweb-dataproxy")
    return ListReading(read_json_feed(page.source, page.url), [], "json-feed")


def read_column(
    page: PageView, markers: PageMarkers, stem: str | None, form: tuple[tuple[str, str], ...] | None = None
) -> ListReading:
    """Read one page of a column's list: its rows and its later pages.

    ``stem`` names the list's first page (for ``{stem}_N`` pager links); ``form``
    is the POST form that fetched this page, if any.
    """
    if page.root is None:
        return _data_answer(page, form)
    if hanweb.has_datastore(page.source):
        entries = hanweb.read_records(page.source, page.url)
        if entries:
            return ListReading(entries, hanweb.column_pages(page.source, page.url, len(entries)), "hanweb")
        if hanweb.declares_no_records(page.source):
            return ListReading([], [], "hanweb", empty=True)
    if declares_empty_list(page.scripts):
        return ListReading([], [], "script-data", empty=True)
    candidates = [
        ("script-data", lambda: read_script_data(page.scripts, page.url)),
        ("rows", lambda: read_rows(page.root, page.url)),
        ("commented", lambda: read_commented(page.root, page.url)),
    ]
    pages = html_pages(page.root, page.source, page.url, stem or list_stem(page.url), markers.next_page_text)
    for name, read in candidates:
        entries = read()
        if any(e.date_raw for e in entries) or (entries and name == "script-data"):
            return ListReading(entries, pages, name)
    folder = page.url.split("?", 1)[0].rsplit("/", 1)[0] + "/"
    not_items = {p.url for p in pages} | {page.url, folder}

    def is_item(url: str) -> bool:
        return markers.is_detail_url(url) or (url.startswith(folder) and url not in not_items)

    undated = read_undated_rows(page.root, page.url, is_item)
    if undated:
        return ListReading(undated, pages, "rows-undated")
    # No rows in the page itself: its script may load the list from a JSON file.
    return ListReading([], pages + [NextPage(u) for u in json_feed_urls(page.scripts, page.url)], None)

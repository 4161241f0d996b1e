"""Hanweb jcms (大汉) lists: records in ``<datastore>`` CDATA, later groups from dataproxy.jsp.

The column page embeds its first group of records inside ``<script
type="text/xml"><datastore>``; the browser fetches later groups by POSTing the
form fields the page declares (in ``<nextgroup>`` or ``param_N = {…}``) to
``/module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…&perpage=…``. The
answer is bare XML with ``<totalrecord>`` and more records, no ``<nextgroup>``.
Without ``jpage`` totals the ``<nextgroup>`` link is fetched by GET with
``page=N`` until a group comes back empty.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from lxml import html as lxml_html

from crawler.readers.base import Entry, NextPage
from crawler.readers.rows import row_groups

_DATASTORE = re.compile(r"<datastore>(.*?)</datastore>", re.S | re.I)
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.S)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.S | re.I)
_TOTAL_RECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_TOTAL_PAGE = re.compile(r"<totalpage>\s*(\d+)\s*</totalpage>", re.I)
_JPAGE = re.compile(r"\.jpage\(\s*\{(.*?)\}\s*\)", re.S)
_PARAM_OBJECT = re.compile(r"param_\w+\s*=\s*\{(.*?)\}", re.S)
_JS_PAIR = re.compile(r"(\w+)\s*:\s*['\"]?([^,'\"}\s]+)['\"]?")
_HREF = re.compile(r"href\s*=\s*['\"]([^'\"]+)['\"]")
DATAPROXY = "/module/web/jpage/dataproxy.jsp"
GROUP_PAGES = 3  # a dataproxy group holds three pages of records


def has_datastore(source: str) -> bool:
    """True when the text holds a Hanweb datastore."""
    return "<datastore>" in source.lower()


def declares_no_records(source: str) -> bool:
    """True when a datastore holds no record and says so (``<totalrecord>0</totalrecord>``)."""
    stores = _DATASTORE.findall(source)
    return bool(stores) and all(
        "<record>" not in store.lower() and (total := _TOTAL_RECORD.search(store)) is not None and total.group(1) == "0"
        for store in stores
    )


def read_records(source: str, base: str) -> list[Entry]:
    """Every record of every datastore in the text, in order."""
    entries: list[Entry] = []
    for store in _DATASTORE.findall(source):
        store_without_nextgroup = _NEXTGROUP.sub("", store)
        fragments = _RECORD.findall(store_without_nextgroup) or _CDATA.findall(store_without_nextgroup)
        for fragment in fragments:
            if "<a" not in fragment.lower():
                continue
            root = lxml_html.fragment_fromstring(f"<ul>{fragment}</ul>", create_parent=False)
            for group in row_groups(root, base):
                entries.extend(group)
    return entries


def _declared_form(source: str, base: str) -> tuple[str, dict[str, str]] | None:
    """The dataproxy URL and form fields a column page declares."""
    if (match := _NEXTGROUP.search(source)) and (href := _HREF.search(match.group(1))):
        url = urljoin(base, href.group(1).replace("&amp;", "&"))
        return url.split("?", 1)[0], dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    if match := _PARAM_OBJECT.search(source):
        return urljoin(base, DATAPROXY), dict(_JS_PAIR.findall(match.group(1)))
    return None


def _jpage(source: str) -> dict[str, int]:
    if match := _JPAGE.search(source):
        return {k: int(v) for k, v in _JS_PAIR.findall(match.group(1)) if v.isdigit()}
    return {}


def _group_request(endpoint: str, start: int, per_page: int, form: dict[str, str]) -> NextPage:
    end = start + GROUP_PAGES * per_page - 1
    query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
    return NextPage(f"{endpoint}?{query}", tuple(sorted(form.items())))


def column_pages(source: str, base: str, first_group: int) -> list[NextPage]:
    """The request for the group after the records embedded in a column page."""
    declared = _declared_form(source, base)
    if declared is None:
        return []
    endpoint, params = declared
    jpage = _jpage(source)
    per_page = jpage.get("perPage") or int(params.get("perpage", 0) or 0)
    total = jpage.get("totalRecord")
    if per_page and total:
        form = {k: v for k, v in params.items() if k not in ("page", "startrecord", "endrecord", "perpage")}
        form.setdefault("col", "1")
        form.setdefault("sourceContentType", "1")
        start = first_group + 1
        return [_group_request(endpoint, start, per_page, form)] if start <= total else []
    if "page" in params:  # GET form: the nextgroup link itself, page after page
        params["page"] = str(int(params["page"] or 1) + 1 if params["page"].isdigit() else 2)
        return [NextPage(f"{endpoint}?{urlencode(params)}")]
    return []


def dataproxy_pages(source: str, url: str, form: tuple[tuple[str, str], ...] | None, got: int) -> list[NextPage]:
    """The next dataproxy request after an XML answer, or none at the end of the column."""
    query = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    endpoint = url.split("?", 1)[0]
    if form is not None and "endrecord" in query:
        total = _TOTAL_RECORD.search(source)
        end, per_page = int(query["endrecord"]), int(query.get("perpage") or 0)
        if got and per_page and total and end < int(total.group(1)):
            return [_group_request(endpoint, end + 1, per_page, dict(form))]
        return []
    if got and query.get("page", "").isdigit():
        page = int(query["page"])
        total_pages = _TOTAL_PAGE.search(source)
        if total_pages is None or page < int(total_pages.group(1)):
            query["page"] = str(page + 1)
            return [NextPage(f"{endpoint}?{urlencode(query)}")]
    return []

"""What the content check (严重表述错误) costs an article page, in one process.

    python bench/content_check_cost.py [--articles 300]

Writes a small synthetic site (bench/synthetic_site.py), parses its article pages
once, then times reading each the way the page spider does without the check
(its dates and fingerprint, whether it is a message's page) and with it (its own
words, ``crawler.readers.detail.article_words``, searched for the bundled
``terms.yaml``, ``crawler.terms.TermCheck.find``). Prints milliseconds a page,
best of three.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from lxml import html as lxml_html
from synthetic_site import generate

from common.tables import load_tables
from crawler.links import Regions
from crawler.pages import PageMarkers
from crawler.readers.detail import article_body, article_words, read_article
from crawler.readers.messages import read_message_page
from crawler.terms import TermCheck


def main() -> None:
    """Build the articles, time both readings, print the table."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=300)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="gongkai-terms-")) / "site"
    generate(root, args.articles * 2)
    pages = []
    for path in sorted(root.rglob("t2*.html"))[: args.articles]:
        page = lxml_html.fromstring(path.read_text(encoding="utf-8"))
        pages.append((page, " ".join(page.text_content().split())))
    tables = load_tables()
    markers = PageMarkers.from_table(tables.markers)
    check = TermCheck(tables.terms)

    def read(with_terms: bool) -> float:
        start = time.perf_counter()
        for page, text in pages:
            regions = Regions(markers.link_regions)
            body = article_body(page, regions)
            read_article(page, text, regions, body)
            read_message_page(page, text, regions, markers.messages)
            if with_terms:
                check.find(article_words(page, regions, body))
        return (time.perf_counter() - start) / len(pages) * 1000

    without = min(read(False) for _ in range(3))
    with_terms = min(read(True) for _ in range(3))
    print(f"{len(pages)} articles: {without:.3f} ms a page without the content check, {with_terms:.3f} ms with it")
    print(f"the content check: {with_terms - without:.3f} ms a page")


if __name__ == "__main__":
    main()

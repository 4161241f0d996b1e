"""The floor: a plain Scrapy spider that follows every link of one site.

    python bench/plain_spider.py URL OUT.json CONCURRENCY

It requests every link it finds once (attachments too, so its broken-link
recall can be compared) and writes the URLs that answered 400 or more.
"""

from __future__ import annotations

import json
import sys
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor


class FollowEverything(scrapy.Spider):
    """Follow every link on the start URL's host; note the broken ones."""

    name = "plain"

    def __init__(self, url: str, **kwargs: object) -> None:
        super().__init__(**kwargs)
        self.start_urls = [url]
        self.host = urlsplit(url).netloc
        self.links = LinkExtractor(deny_extensions=[])
        self.broken: list[str] = []

    def parse(self, response: scrapy.http.Response):
        """Record a broken answer; follow the links of a page."""
        if response.status >= 400:
            self.broken.append(response.url)
            return
        if not isinstance(response, scrapy.http.HtmlResponse):
            return
        for link in self.links.extract_links(response):
            if urlsplit(link.url).netloc == self.host:
                yield scrapy.Request(link.url, callback=self.parse)


if __name__ == "__main__":
    url, out, concurrency = sys.argv[1], sys.argv[2], int(sys.argv[3])
    process = CrawlerProcess(
        {
            "LOG_LEVEL": "WARNING",
            "HTTPERROR_ALLOW_ALL": True,
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            "RETRY_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "ROBOTSTXT_OBEY": False,
        }
    )
    crawler = process.create_crawler(FollowEverything)
    process.crawl(crawler, url=url)
    process.start()
    stats = crawler.stats.get_stats()
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"broken": crawler.spider.broken, "responses": stats.get("response_received_count", 0)}, fh)

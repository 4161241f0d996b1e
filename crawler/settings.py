"""Every crawl default in one place.

The per-run plan overrides the few that the config exposes (concurrency, timeout, robots, User-Agent).
"""

from common.table_models import LinkCheck
from common.transport import client, pacing

BOT_NAME = "gongkai"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Who gongkai says it is, and how far it follows redirects: as every client does.
USER_AGENT = client.USER_AGENT
DEFAULT_REQUEST_HEADERS = client.DEFAULT_REQUEST_HEADERS
REDIRECT_MAX_TIMES = client.REDIRECT_MAX_TIMES
METAREFRESH_MAXDELAY = client.METAREFRESH_MAXDELAY
ROBOTSTXT_OBEY = True

# Politeness: a few parallel requests per site; many sites in parallel (common.transport.pacing).
CONCURRENT_REQUESTS = client.CONCURRENT_REQUESTS
# Items go to the store one after another, in the order a page yields them (its
# check result last); Scrapy's default of 100 starts 100 tasks for every page.
CONCURRENT_ITEMS = 1
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0
DOWNLOAD_TIMEOUT = 15
DNS_TIMEOUT = 10
# AutoThrottle follows each site's latency: a slow, small government server gets
# fewer parallel requests. The config's `delay` is the floor.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = pacing.START_DELAY
AUTOTHROTTLE_MAX_DELAY = pacing.MAX_DELAY
AUTOTHROTTLE_TARGET_CONCURRENCY = 4

# Breadth-first: navigation is met before the depths of the site, so columns are
# discovered from their menu links rather than from some article that cites them.
# The spider sets priorities by role and keeps depth itself; FIFO within a priority.
# The page queue waits on disk when the run gives a JOBDIR; crawler.queues stores a
# request without Scrapy's per-request scan of the spider's members.
SCHEDULER_DISK_QUEUE = "crawler.queues.PageDiskQueue"
SCHEDULER_START_DISK_QUEUE = "crawler.queues.PageDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
# Spider middlewares that only cost time here: the spider caps depth itself
# (DEPTH_LIMIT and the depth stats), lets every status through (HTTPERROR_ALLOW_ALL)
# and bounds URLs with its trap rules.
# MetaCopyDetectionMiddleware only warns about a spider copying Scrapy's own meta
# keys, which these spiders never do.
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.httperror.HttpErrorMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
}

# The spider keeps its own once-per-run set of URLs (crawler.links.canonical),
# so Scrapy's fingerprint duplicate filter would only do the same work twice.
DUPEFILTER_CLASS = "scrapy.dupefilters.BaseDupeFilter"

# A link monitor must see error answers: 404s and 500s reach the callbacks.
HTTPERROR_ALLOW_ALL = True

# Failures are confirmed by ConfirmFailuresMiddleware (later, with backoff,
# honouring Retry-After) instead of Scrapy's immediate RetryMiddleware.
RETRY_ENABLED = False
# The run plan's link_check sets them (common.plan.LinkCheck, from rules.yaml); these are its defaults.
_LINK_CHECK = LinkCheck()
GONGKAI_CHECK_ATTEMPTS = _LINK_CHECK.attempts
GONGKAI_CHECK_BACKOFF = _LINK_CHECK.backoff_seconds
GONGKAI_MAX_RETRY_AFTER = _LINK_CHECK.max_retry_after
# Scrapy's OffsiteMiddleware and HttpAuthMiddleware are off: the spiders set no
# allowed_domains (TargetPolicy decides what may be requested) and no credentials.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    "crawler.middlewares.TargetPolicyMiddleware": 50,  # before robots.txt is fetched
    "crawler.middlewares.CertificateCheckMiddleware": 60,
    "crawler.middlewares.ConfirmFailuresMiddleware": 560,
    "crawler.middlewares.ConditionalRequestMiddleware": 570,
}
# Conditional requests for pages a run has read before, and memo replay (see ConditionalRequestMiddleware).
GONGKAI_INCREMENTAL = True
# GONGKAI_OFFLINE: refuse everything but loopback and .invalid, and ask no DNS server (the demo, the tests).
GONGKAI_OFFLINE = False
# GONGKAI_PLAN: the run plan, whose departments say which hosts may be on a private network.
GONGKAI_PLAN = None
# A proxy would reach addresses the target policy never judged: the crawl connects directly.
HTTPPROXY_ENABLED = False
# Every name resolves through the target policy (common.transport.targets), which judges the address.
TWISTED_DNS_RESOLVER = "crawler.middlewares.PolicyResolver"
# GONGKAI_CA_BUNDLE: extra CA certificates trusted when verifying HTTPS sites.
GONGKAI_CA_BUNDLE = None
# GONGKAI_REQUEST_LOG: write every scheduled request to this file.
GONGKAI_REQUEST_LOG = None
# Scrapy's own extensions that a page spider uses. Scrapy imports every extension
# it is told of, even one set to None, and its remote control imports a web
# server (10 MiB in each page spider); the telnet console, feed export and
# memory debugger do nothing here, and AutoThrottle is InspectionThrottle below.
EXTENSIONS_BASE = {
    "scrapy.extensions.corestats.CoreStats": 0,
    "scrapy.extensions.logcount.LogCount": 0,
    "scrapy.extensions.memusage.MemoryUsage": 0,
    "scrapy.extensions.closespider.CloseSpider": 0,
    "scrapy.extensions.logstats.LogStats": 0,
    "scrapy.extensions.spiderstate.SpiderState": 0,
}
EXTENSIONS = {
    "crawler.extensions.InspectionThrottle": 0,
    "crawler.extensions.UnreadBodies": 100,
    "crawler.extensions.RequestLog": 500,
    "crawler.extensions.Progress": 510,
}
# How often a crawl that is not on a terminal logs its progress (seconds).
GONGKAI_PROGRESS_SECONDS = 30

# A page larger than this (after decompression too: gzip bombs) is cut off with a
# warning; the run's `max_page_mb` sets it.
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024

ITEM_PIPELINES = {
    "crawler.pipelines.StorePipeline": 300,
}

COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"

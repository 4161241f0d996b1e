"""The one transport layer: the rules every client that sends a request keeps.

The page spiders (Scrapy), the link checker and the probes (aiohttp) and the
screenshots (Chromium) each speak HTTP their own way, and keep these rules:

- ``targets``: which hosts a request may reach, judged on every hop's resolved
  address (every client);
- ``failures``: what a failed request is called (``dns``, ``timeout``, ``tls`` …; every client);
- ``client``: who gongkai says it is, redirect limits, offline mode (every client);
- ``aioclient``: the target policy as an aiohttp resolver (the link checker, the probes);
- ``confirm``: when a failure is asked again, and after how long (backoff,
  ``Retry-After``; the crawl: a probe measures one try);
- ``certificates``: what a browser would say of a site's certificate, once per
  host (the crawl: a probe's connection verifies it as it connects);
- ``pacing``: a site's pace, shared between the crawl's processes (a probe is one
  request per site).
"""

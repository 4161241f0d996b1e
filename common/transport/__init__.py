"""The one transport layer: the rules every client that sends a request keeps.

The page spiders (Scrapy), the link checker and the probes (aiohttp) and the
screenshots (Chromium) each speak HTTP their own way, and keep the same rules:

- ``targets``: which hosts a request may reach, judged on every hop's resolved address;
- ``failures``: what a failed request is called (``dns``, ``timeout``, ``tls`` …);
- ``confirm``: when a failure is asked again, and after how long (backoff, ``Retry-After``);
- ``certificates``: what a browser would say of a site's certificate, once per host;
- ``pacing``: a site's pace, shared between the processes that crawl it;
- ``client``: who gongkai says it is, redirect limits, offline mode;
- ``aioclient``: the target policy as an aiohttp resolver.
"""

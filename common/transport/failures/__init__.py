"""The failure taxonomy: how every client names a request that failed, in one place.

A failure is one of these kinds, whichever client met it; reports say each in
words (``failures`` and ``reasons`` in ``config/wording.yaml``):

- ``dns``, ``timeout``, ``connection_refused``, ``connection_reset``, ``connection_error``,
  ``tls``, ``too_many_redirects``, ``error``: the site failed; a broken link once confirmed;
- ``too_large``, ``too_slow``: gongkai stopped reading an answer (a warning, never a broken link);
- ``robots``, ``ignored``, ``offline``, ``private_target``: gongkai did not ask.

``scrapy_errors.error_kind`` names Scrapy's and Twisted's exceptions (the page
spiders); ``aiohttp_errors.failure_kind`` names aiohttp's (the link checker, the
probes). They are kept apart so an aiohttp process never loads Twisted.
"""

# A download gongkai stopped itself (larger than max_page_mb, or its body kept coming past
# download_timeout): the server answered, so never a broken link.
CUT_OFF = frozenset({"too_large", "too_slow"})
# What gongkai refused to ask: a private target, or anything off this machine offline.
REFUSED = frozenset({"offline", "private_target"})
# Failures that asking again cannot change: gongkai did not ask, or stopped reading itself.
FINAL = frozenset({*REFUSED, "robots", "ignored", "too_many_redirects", *CUT_OFF})

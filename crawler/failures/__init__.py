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

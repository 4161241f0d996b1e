"""What the crawler and the monitor share, and the only way either reaches the other.

- ``plan``: the run plan the monitor writes and every crawl process reads;
- ``tables``: the rule tables of ``config/`` (the office's over the bundled ones);
  ``categories``, ``dates`` and ``wording`` read them;
- ``reasons``: the reason codes the crawl stores and the reports put in words;
- ``urls`` and ``text``: what a URL names, and text made safe to store and show;
- ``transport``: the rules every HTTP client keeps (the target policy, the
  failure taxonomy, confirmation, certificates, pacing).
"""

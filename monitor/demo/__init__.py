"""``gongkai demo``: serve the bundled demo sites, crawl them, report."""

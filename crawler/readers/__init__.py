"""Page readers: each answers "what list does this page hold?".

Only the generic ``<li>``/``<tr>`` reader exists so far; CMS-specific readers
(TRS scripts, Hanweb datastores, JSON feeds) plug in beside it.
"""

from crawler.readers.generic import Entry, ListReading, list_stem, read_list

__all__ = ["Entry", "ListReading", "list_stem", "read_list"]

"""What every reader returns: the rows of a list and where its later pages are."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Entry:
    """One row of a list: an item with its title and, when it can be read, its date."""

    url: str
    title: str
    date_raw: str | None
    date_source: str | None  # list, url


@dataclass(frozen=True)
class NextPage:
    """A later page of a list: a GET of ``url``, or a POST of ``formdata`` to it."""

    url: str
    formdata: tuple[tuple[str, str], ...] | None = None

    @property
    def key(self) -> str:
        """Identity of the request (a POST's form is part of it)."""
        if self.formdata is None:
            return self.url
        return self.url + "#" + "&".join(f"{k}={v}" for k, v in sorted(self.formdata))


@dataclass
class ListReading:
    """What a list page holds, and which reader understood it."""

    entries: list[Entry] = field(default_factory=list)
    next_pages: list[NextPage] = field(default_factory=list)
    reader: str | None = None
    empty: bool = False  # the list's own data says it holds no record (an empty column, not an unread one)

    @property
    def dated(self) -> int:
        """How many entries carry a date."""
        return sum(1 for e in self.entries if e.date_raw)

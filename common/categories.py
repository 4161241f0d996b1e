"""Column categories: which class of column a name belongs to, and its label."""

from __future__ import annotations

import re
from typing import Any

_BRACKETS = str.maketrans("（）【】［］／", "()[][]/")
_SPACE = re.compile(r"\s+")


def _clean(name: str) -> str:
    return _SPACE.sub("", name.translate(_BRACKETS))


class Categorizer:
    """Maps column names to category keys using the ``categories.yaml`` table."""

    def __init__(self, table: dict[str, Any]) -> None:
        self.labels: dict[str, str] = {key: spec.get("label", key) for key, spec in table["categories"].items()}
        self._exact: dict[str, str] = {}
        for key, spec in table["categories"].items():
            for name in spec.get("names", []):
                self._exact[_clean(name)] = key
        self._keywords: list[tuple[str, list[str]]] = [
            (rule["category"], rule["words"]) for rule in table.get("keywords", [])
        ]

    def category(self, name: str | None) -> str:
        """Return the category key for a column name (``other`` when nothing matches)."""
        cleaned = _clean(name or "")
        if cleaned in self._exact:
            return self._exact[cleaned]
        for key, words in self._keywords:
            if any(word in cleaned for word in words):
                return key
        return "other"

    def label(self, key: str) -> str:
        """Return the label reports show for a category key."""
        return self.labels.get(key, key)

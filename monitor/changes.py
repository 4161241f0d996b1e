"""What changed between two judgements: problems that appeared, that were fixed, that remain.

A problem is the same across runs when its stored ``key`` is (department,
type, and the column or link it is about; ``monitor.rules.Problem.key``).
``gongkai diff`` compares two runs, ``gongkai check`` a run before and after
it is judged again.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Changes:
    """The open problems of a later judgement against an earlier one, each list in key order."""

    new: list[dict[str, Any]]
    fixed: list[dict[str, Any]]
    remaining: list[dict[str, Any]]

    @property
    def none(self) -> bool:
        """Nothing appeared and nothing was fixed."""
        return not self.new and not self.fixed


def _open(problems: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {p["key"]: p for p in problems if p["state"] != "resolved"}


def changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> Changes:
    """How the open problems of ``after`` differ from those of ``before``."""
    earlier, later = _open(before), _open(after)
    return Changes(
        new=[later[k] for k in sorted(later.keys() - earlier.keys())],
        fixed=[earlier[k] for k in sorted(earlier.keys() - later.keys())],
        remaining=[later[k] for k in sorted(later.keys() & earlier.keys())],
    )


def described(problem: dict[str, Any], types: dict[str, str]) -> str:
    """A problem as a person reads it in a list of changes: department, type in words, where."""
    where = problem.get("column_url") or problem.get("url") or ""
    return f"{problem['department']} {types.get(problem['type'], problem['type'])} {where}".strip()

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


def _where(problem: dict[str, Any]) -> str:
    """The page, link or column a problem is about (a message's page, not its column)."""
    return problem.get("url") or problem.get("column_url") or ""


def _order(problem: dict[str, Any]) -> tuple[str, str, str]:
    """Department, type, then where: the order a list of changes is read in."""
    return problem["department"], problem["type"], _where(problem)


def changes(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> Changes:
    """How the open problems of ``after`` differ from those of ``before``."""
    earlier, later = _open(before), _open(after)
    return Changes(
        new=sorted((later[k] for k in later.keys() - earlier.keys()), key=_order),
        fixed=sorted((earlier[k] for k in earlier.keys() - later.keys()), key=_order),
        remaining=sorted((later[k] for k in later.keys() & earlier.keys()), key=_order),
    )


def described(problem: dict[str, Any], types: dict[str, str]) -> str:
    """A problem as a person reads it in a list of changes: department, type in words, where."""
    term = f"“{problem['term']}”" if problem.get("term") else ""  # two terms of one page are two findings
    return f"{problem['department']} {types.get(problem['type'], problem['type'])} {term}{_where(problem)}".strip()

"""Config errors that name the file, the line and the key: ``sites.yaml:14: departments[1].colums: unknown key``.

YAML node positions are kept beside the data (``positions``), so a problem found
in the data, by pydantic or by a check of our own, is said at its line.
"""

from __future__ import annotations

from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

Loc = tuple[str | int, ...]


class ConfigError(Exception):
    """A config file that cannot be used; ``messages`` name file, line and key."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


# More entries than any real config has: YAML aliases can make a few bytes stand for billions.
MAX_ENTRIES = 100_000


class TooLargeError(Exception):
    """A config of more than MAX_ENTRIES entries."""


def positions(
    node: yaml.Node, loc: Loc, out: dict[Loc, int], errors: list[tuple[Loc, str]], visits: list[int] | None = None
) -> None:
    """Record the 1-based line of every key and item below ``node``; every node visited counts toward the cap."""
    visits = visits if visits is not None else [0]
    visits[0] += 1
    if visits[0] > MAX_ENTRIES or len(loc) > 50:
        raise TooLargeError
    out[loc] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value
            if key in seen:
                errors.append(((*loc, key), "key appears twice"))
                continue
            seen.add(key)
            out[(*loc, key)] = key_node.start_mark.line + 1
            positions(value_node, (*loc, key), out, errors, visits)
            out[(*loc, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            positions(item, (*loc, index), out, errors, visits)


def dotted(loc: Loc) -> str:
    """A place in the data as a person writes it: ``departments[1].columns``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def line_of(lines: dict[Loc, int], loc: Loc) -> int:
    """The line of ``loc``, else of the nearest place above it that has one."""
    while loc not in lines and loc:
        loc = loc[:-1]
    return lines.get(loc, 1)


def validation_problems(exc: ValidationError, under: Loc) -> list[tuple[Loc, str]]:
    """A pydantic error as (where, what) pairs: ``under`` the given place, in the words config errors use."""
    problems = []
    for err in exc.errors():
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        message = "unknown key" if err["type"] == "extra_forbidden" else err["msg"]
        problems.append(((*under, *loc), message.removeprefix("Value error, ")))
    return problems


def model_problems(model: type[BaseModel], data: Any, under: Loc) -> list[tuple[Loc, str]]:
    """What is wrong with ``data`` as a ``model`` (none when it is right)."""
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return validation_problems(exc, under)
    return []

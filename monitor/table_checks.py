"""The office's own rule tables beside its config, checked before anything runs.

A table there wins over the bundled one key by key (``common.tables``); each
value it gives must be of the bundled one's kind, the tables with a model
(``common.table_models``) must hold what the model asks once merged, and the
wording's templates may only name the placeholders their sentence has.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from common.table_models import TABLE_MODELS
from common.tables import TABLE_FILES, defaults_dir, merged
from common.wording import template_problems
from monitor.config_errors import MAX_ENTRIES, Loc, TooLargeError, dotted, line_of, model_problems, positions


def check_tables(directory: Path) -> list[str]:
    """Problems of the office's own rule tables beside the config, each with file and line.

    A table there wins over the bundled one key by key (what it leaves out keeps the
    bundled value), so each value it gives must be of the bundled one's kind, and a
    top-level key the bundled table does not know is a typo. It may add entries
    further down (categories, phrases).
    """
    messages: list[str] = []
    for name in TABLE_FILES:
        path = directory / name
        if not path.is_file() or path.resolve() == (defaults_dir() / name).resolve():
            continue
        try:
            text = path.read_text(encoding="utf-8")
            root = yaml.compose(text)
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            messages.append(f"{path}:1: cannot be read as YAML ({exc})")
            continue
        lines: dict[Loc, int] = {}
        try:
            if root is not None:
                positions(root, (), lines, [])
        except TooLargeError:
            messages.append(f"{path}:1: the table expands to more than {MAX_ENTRIES} entries (YAML aliases?)")
            continue
        bundled = yaml.safe_load((defaults_dir() / name).read_text(encoding="utf-8"))
        office = yaml.safe_load(text)
        found = _shape_problems(bundled, office, ())
        if name == "wording.yaml" and not found:
            found = template_problems(office or {})
        if not found and name in TABLE_MODELS:
            found = model_problems(TABLE_MODELS[name], merged(bundled, office or {}), ())
        for loc, message in found:
            messages.append(f"{path}:{line_of(lines, loc)}: {dotted(loc)}: {message}")
    return messages


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | float):
        return "a number"
    return {dict: "a mapping", list: "a list", str: "text"}.get(type(value), type(value).__name__)


def _shape_problems(bundled: Any, office: Any, loc: Loc) -> list[tuple[Loc, str]]:
    """Where the office's table holds another kind of value than the bundled one, or an unknown top-level key."""
    if bundled is not None and _kind(bundled) != _kind(office):
        return [(loc, f"should be {_kind(bundled)}, not {_kind(office)}")]
    if not isinstance(bundled, dict):
        return []
    problems: list[tuple[Loc, str]] = []
    for key, value in office.items():
        if key in bundled:
            problems.extend(_shape_problems(bundled[key], value, (*loc, key)))
        elif not loc:
            problems.append(((key,), "unknown key (the bundled table has no such key)"))
    return problems

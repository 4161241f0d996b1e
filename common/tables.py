"""The tables kept as data in ``config/``: categories, rules, markers, wording and terms."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

TABLE_FILES = ("categories.yaml", "rules.yaml", "markers.yaml", "wording.yaml", "terms.yaml")


def defaults_dir() -> Path:
    """Return the directory holding the bundled rule tables.

    In a checkout (or an editable install) that is the project's ``config/``;
    in a wheel install the same files ship as ``common.tables_data``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "config", here / "tables_data"):
        if (candidate / "rules.yaml").is_file():
            return candidate
    raise FileNotFoundError(f"gongkai's rule tables are missing (looked in {here.parent / 'config'})")


@dataclass(frozen=True, eq=False)  # one object per load: hashed by identity
class Tables:
    """The tables, as loaded from YAML."""

    categories: dict[str, Any]
    rules: dict[str, Any]
    markers: dict[str, Any]
    wording: dict[str, Any]
    terms: dict[str, Any]


def _yaml(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def merged(bundled: Any, office: Any) -> Any:
    """The office's table over the bundled one: what the office leaves out (a key added in a newer gongkai) is kept."""
    if isinstance(bundled, dict) and isinstance(office, dict):
        return {**bundled, **{key: merged(bundled.get(key), value) for key, value in office.items()}}
    return office


# The entries of ``terms.yaml`` an office's entry replaces, by list and the field naming them.
_TERM_KEYS = {"wrong_terms": "wrong", "leaders": "name"}


def merged_terms(bundled: dict[str, Any], office: dict[str, Any]) -> dict[str, Any]:
    """The office's term tables added to the bundled ones: an entry of the same ``wrong`` or ``name`` replaces one."""
    out = dict(bundled)
    for key, value in office.items():
        before = bundled.get(key)
        if not isinstance(value, list) or not isinstance(before, list):
            out[key] = value
        elif key in _TERM_KEYS:
            field = _TERM_KEYS[key]
            named = {e.get(field) if isinstance(e, dict) else None for e in value}
            out[key] = [e for e in before if e.get(field) not in named] + value
        else:
            out[key] = before + [word for word in value if word not in before]
    return out


def _read(directory: Path, name: str) -> dict[str, Any]:
    bundled = _yaml(defaults_dir() / name)
    path = directory / name
    if not path.is_file() or path.resolve() == (defaults_dir() / name).resolve():
        return bundled
    return (merged_terms if name == "terms.yaml" else merged)(bundled, _yaml(path))


# The folder whose tables are in force while a run's reports are made (``tables_of``).
_IN_FORCE: ContextVar[Path | None] = ContextVar("tables_in_force", default=None)


@contextlib.contextmanager
def tables_of(directory: Path | None) -> Iterator[None]:
    """Within the block, ``load_tables()`` gives the tables beside an office's config in ``directory``."""
    token = _IN_FORCE.set(directory)
    try:
        yield
    finally:
        _IN_FORCE.reset(token)


def tables_beside(config_path: str | Path | None) -> Path | None:
    """The folder of a config file, where an office keeps its own tables (None when it is gone)."""
    folder = Path(config_path).parent if config_path else None
    return folder if folder is not None and folder.is_dir() else None


def load_tables(directory: Path | None = None) -> Tables:
    """Load the rule tables.

    A table found in ``directory`` (the folder of the sites.yaml in use; by default
    the one ``tables_of`` put in force) wins over the bundled default, key by key,
    so a supervisor can keep edited tables beside their config, and a key a newer
    gongkai adds still has its bundled value. An edited table is read again.
    """
    directory = directory or _IN_FORCE.get()
    return _load(directory, _stamp(directory) if directory else ())


def _stamp(directory: Path) -> tuple[int, ...]:
    """When each table beside a config last changed (0: not there), so an edit is never served stale."""
    stamps = []
    for name in TABLE_FILES:
        try:
            stamps.append((directory / name).stat().st_mtime_ns)
        except OSError:
            stamps.append(0)
    return tuple(stamps)


@functools.cache
def _load(directory: Path | None, stamp: tuple[int, ...]) -> Tables:
    base = directory or defaults_dir()
    return Tables(
        categories=_read(base, "categories.yaml"),
        rules=_read(base, "rules.yaml"),
        markers=_read(base, "markers.yaml"),
        wording=_read(base, "wording.yaml"),
        terms=_read(base, "terms.yaml"),
    )

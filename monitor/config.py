"""Load and validate ``sites.yaml``.

The schema is a set of pydantic models; every error names the file, the line
and the key (``monitor.config_errors``), e.g.
``config/sites.yaml:14: departments[1].colums: unknown key``. The office's own
rule tables beside it are checked first (``monitor.table_checks``).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from apscheduler.triggers.cron import CronTrigger
from pydantic import AfterValidator, Field, PrivateAttr, ValidationError

from common.plan import Crawl, HttpUrl, Strict
from common.tables import Tables, load_tables
from monitor.config_errors import (
    MAX_ENTRIES,
    ConfigError,
    Loc,
    TooLargeError,
    dotted,
    line_of,
    positions,
    validation_problems,
)
from monitor.table_checks import check_tables


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {value!r}") from None
    return value


def cron_trigger(expression: str, timezone: str) -> CronTrigger:
    """A trigger for a crontab line (5 fields), or for one with seconds first (6 fields)."""
    fields = expression.split()
    if len(fields) == 6:
        second, minute, hour, day, month, day_of_week = fields
        return CronTrigger(
            second=second, minute=minute, hour=hour, day=day, month=month, day_of_week=day_of_week, timezone=timezone
        )
    return CronTrigger.from_crontab(expression, timezone=timezone)


def _cron(value: str) -> str:
    try:
        cron_trigger(value, "UTC")
    except ValueError as exc:
        raise ValueError(f"bad cron expression {value!r}: {exc}") from None
    return value


class Contact(Strict):
    """Who receives a department's rectification notice."""

    person: str | None = None
    email: str | None = None


class Column(Strict):
    """A column (栏目) named in the config instead of discovered."""

    name: str = Field(min_length=1)
    url: HttpUrl
    category: str | None = None
    max_age_days: int | None = Field(default=None, gt=0)


class Department(Strict):
    """One department and its website."""

    id: str = Field(pattern=r"^[a-z0-9_-]+$")
    name: str = Field(min_length=1)
    contact: Contact | None = None
    site: HttpUrl
    disclosure: HttpUrl | None = None
    columns: list[Column] | None = None
    obey_robots: bool | None = None  # overrides crawl.obey_robots for this site
    intranet: bool = False  # the site's host names may resolve to the supervisor's own network


class Notice(Strict):
    """How rectification notices (整改通知) are headed."""

    issuer: str = "政务公开监管"  # who sends the notice
    deadline_days: int = Field(default=10, ge=1)  # days a department has to rectify a problem, from its first finding
    clean_notice: bool = False  # a department with nothing to rectify gets a short 检查结果告知 instead of nothing
    basis: str = "《政府网站与政务新媒体检查指标》（国办秘函〔2019〕19号）"  # what the inspection follows
    contact: str | None = None  # where the 回执 goes: office, person, telephone
    number: str | None = None  # the 通报's 文号, with {year} and {issue}: 某政办〔{year}〕{issue}号
    addressees: str | None = None  # the 通报's 主送: 各乡镇人民政府，县直各单位
    next_steps: list[str] | None = None  # the 通报's 下一步要求, one paragraph each ({days}, {contact})


class Review(Strict):
    """人工核查: whether findings count only once confirmed, and the dashboard reviewers' password.

    Reviewers sign in to the dashboard with the password in the environment variable
    ``password_env``; without one the dashboard is read-only (decisions are made with
    ``gongkai review``). There is never a default password.
    """

    require_confirmation: bool = False  # a finding counts (notices, 通报, score) only once a reviewer confirms it
    password_env: str | None = None


class Smtp(Strict):
    """The mail server that sends notices; the password comes from an environment variable."""

    host: str
    port: int = Field(default=25, ge=1, le=65535)
    security: Literal["none", "starttls", "ssl"] = "starttls"
    username: str | None = None
    password_env: str | None = None  # name of the environment variable holding the password
    sender: str
    timeout: float = Field(default=30, gt=0)
    ca_bundle: str | None = None  # extra CAs to trust for the server's certificate (an office's own)


class Config(Strict):
    """The whole ``sites.yaml``."""

    timezone: Annotated[str, AfterValidator(_timezone)] = "Asia/Shanghai"
    schedule: Annotated[str, AfterValidator(_cron)] = "0 2 * * 1"
    crawl: Crawl = Crawl()
    thresholds: dict[str, int] = Field(default_factory=dict)
    notice: Notice = Notice()
    review: Review = Review()
    smtp: Smtp | None = None
    departments: list[Department] = Field(min_length=1)

    # The folder of the file it was read from: where an office keeps its own rule tables.
    _folder: Path | None = PrivateAttr(default=None)

    def tables(self) -> Tables:
        """The rule tables in force for this config: the office's beside it, over the bundled ones."""
        return load_tables(self._folder)

    def today(self) -> date:
        """Return today's date in the config's time zone."""
        return datetime.now(ZoneInfo(self.timezone)).date()

    def is_example(self) -> bool:
        """Every department's site is on an example domain: the bundled sample, not an office's own config."""
        return all("example" in (urlsplit(d.site).hostname or "").split(".") for d in self.departments)

    def department(self, dept_id: str) -> Department | None:
        """Return the department with this id, if any."""
        return next((d for d in self.departments if d.id == dept_id), None)


def parse_config(text: str, source: str = "<config>", tables_dir: Path | None = None) -> Config:
    """Validate config text; raise ConfigError naming every problem found."""
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        message = f"{source}:{line}: not valid YAML: {getattr(exc, 'problem', None) or exc}"
        context = getattr(exc, "context_mark", None)
        if context is not None and context.line + 1 != line:
            message += f" ({getattr(exc, 'context', 'started')} at line {context.line + 1})"
        raise ConfigError([message]) from None
    if not isinstance(root, yaml.MappingNode):
        raise ConfigError([f"{source}:1: the config must be a mapping with a 'departments' list"])

    lines: dict[Loc, int] = {}
    problems: list[tuple[Loc, str]] = []
    try:
        positions(root, (), lines, problems)
    except TooLargeError:
        message = f"{source}:1: the config expands to more than {MAX_ENTRIES} entries (YAML aliases?)"
        raise ConfigError([message]) from None
    data = yaml.safe_load(text)
    config: Config | None = None
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        problems.extend(validation_problems(exc, ()))
    problems.extend(_cross_checks(data, tables_dir))
    if problems:
        raise ConfigError([f"{source}:{line_of(lines, loc)}: {dotted(loc)}: {msg}" for loc, msg in problems])
    assert config is not None
    return config


def _cross_checks(data: dict[str, Any], tables_dir: Path | None) -> list[tuple[Loc, str]]:
    """Checks that span several keys (unique ids, known category keys), on the raw data.

    The categories are the office's own when its categories.yaml is beside the config.
    """
    problems: list[tuple[Loc, str]] = []
    categories = set(load_tables(tables_dir).categories["categories"])
    departments = data.get("departments")
    seen: dict[Any, int] = {}
    for i, dept in enumerate(departments if isinstance(departments, list) else []):
        if not isinstance(dept, dict):
            continue
        dept_id = dept.get("id")
        if isinstance(dept_id, str) and dept_id in seen:
            problems.append((("departments", i, "id"), f"duplicate id {dept_id!r} (also departments[{seen[dept_id]}])"))
        seen.setdefault(dept_id, i)
        columns = dept.get("columns")
        for j, column in enumerate(columns if isinstance(columns, list) else []):
            category = column.get("category") if isinstance(column, dict) else None
            if category is not None and category not in categories:
                problems.append((("departments", i, "columns", j, "category"), f"unknown category {category!r}"))
    thresholds = data.get("thresholds")
    known = ", ".join(sorted(categories))
    problems.extend(
        (("thresholds", key), f"unknown category {key!r}; known: {known}")
        for key in (thresholds if isinstance(thresholds, dict) else [])
        if key not in categories
    )
    return problems


def load_config(path: str | Path) -> Config:
    """Read and validate a config file; raise ConfigError on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{path}: no such config file"]) from None
    except IsADirectoryError:
        raise ConfigError([f"{path}: is a folder; give -c the config file (sites.yaml)"]) from None
    except OSError as exc:
        raise ConfigError([f"{path}: cannot be read ({exc.strerror or exc})"]) from None
    except UnicodeDecodeError as exc:
        raise ConfigError([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]) from None
    if messages := check_tables(path.parent):
        raise ConfigError(messages)
    config = parse_config(text, str(path), path.parent)
    config._folder = path.parent
    return config

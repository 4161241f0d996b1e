"""What a page spider knows of each department's site while it crawls it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from common.plan import PlanColumn, RunPlan
from common.transport.targets import department_netlocs

# The roles of a column's pages: its first page (configured) and its later pages.
COLUMN_ROLES = frozenset({"column", "list_page"})


@dataclass
class Department:
    """What the spider knows of one department during the crawl."""

    id: str
    site: str
    disclosure: str | None
    columns: list[PlanColumn]
    obey_robots: bool | None = None
    hosts: set[str] = field(default_factory=set)  # host[:port] of its own pages
    moved_to: set[str] = field(default_factory=set)  # hosts its homepage or disclosure entry redirected to
    pages: int = 0
    rendered: int = 0  # pages rendered in the browser (crawler.rendering)
    checks: int = 0  # links handed over to be checked
    noted: set[tuple[str, str]] = field(default_factory=set)  # (kind, key) of notes already made
    outstanding: int = 0  # requests made and not yet answered
    path_variants: Counter[str] = field(default_factory=Counter)

    @property
    def discover(self) -> bool:
        """Columns are discovered when the config names none."""
        return not self.columns


def departments_of(plan: RunPlan) -> dict[str, Department]:
    """What a page spider starts out knowing of each department of the plan, by id."""
    departments = {}
    for spec in plan.departments:
        dept = Department(spec.id, spec.site, spec.disclosure, spec.columns or [], spec.obey_robots)
        dept.hosts = department_netlocs(spec.model_dump())
        departments[dept.id] = dept
    return departments

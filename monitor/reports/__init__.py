"""Reports of a run: the contract's JSON shape, and the formats rendered from it."""

from monitor.reports.data import ranking, report_data, split_by_department
from monitor.reports.formats import FORMATS, render, write_per_department

__all__ = ["FORMATS", "ranking", "render", "report_data", "split_by_department", "write_per_department"]

"""Coverage of the selected repositories: the headline figure and its daily trend.

docs/metrics-quality.md: each repository counts with its latest report
(``measured_at``, else when it was received). The headline ``line`` is the sum
of covered lines over the sum of valid lines of every repository's latest
report in the window (``branch`` likewise, over the reports that measure
branches), so a large repository weighs more than a small one. The trend has
one point per UTC day on which some repository reported; on that day each
repository counts with its latest report up to the end of the day, so the last
point equals the headline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.delivery import models as m
from assay.delivery.metrics._sql import among, day, ratio, rounded, rows, within
from assay.delivery.metrics.model import Selection


@dataclass(frozen=True, slots=True)
class Report:
    repo: str
    at: int  # epoch ms: measured_at, else received_at
    lines_covered: int
    lines_valid: int
    branches_covered: int | None = None
    branches_valid: int | None = None
    sha: str = ""
    format: str = ""


@dataclass(frozen=True, slots=True)
class Point:
    date: str | None  # None for the headline
    line: float | None
    branch: float | None

    def to_json(self) -> dict[str, Any]:
        return {"date": self.date, "line": rounded(self.line), "branch": rounded(self.branch)}


def _combine(date: str | None, reports: Iterable[Report]) -> Point:
    covered = valid = b_covered = b_valid = 0
    for r in reports:
        covered += r.lines_covered
        valid += r.lines_valid
        if r.branches_covered is not None and r.branches_valid:
            b_covered += r.branches_covered
            b_valid += r.branches_valid
    return Point(date, ratio(covered, valid), ratio(b_covered, b_valid))


def coverage(reports: Iterable[Report]) -> tuple[Point, list[Point]]:
    """(headline, trend) of ``reports`` (all inside the window, any order)."""
    ordered = sorted(reports, key=lambda r: (r.at, r.repo, r.sha, r.format))
    latest: dict[str, Report] = {}
    trend: list[Point] = []
    current: str | None = None
    for report in ordered:
        today = day(report.at)
        if current is not None and today != current:
            trend.append(_combine(current, latest.values()))
        current = today
        latest[report.repo] = report
    if current is not None:
        trend.append(_combine(current, latest.values()))
    return _combine(None, latest.values()), trend


def reports(session: Session, selection: Selection) -> list[Report]:
    """The selected repositories' coverage reports in the window, in one query."""
    c = m.CoverageRow
    at = func.coalesce(c.measured_at, c.received_at)
    query = select(
        c.repo,
        at,
        c.lines_covered,
        c.lines_valid,
        c.branches_covered,
        c.branches_valid,
        c.sha,
        c.format,
    ).where(among(c.repo, selection.repos), within(at, selection))
    return [Report(*row) for row in rows(session, query)]

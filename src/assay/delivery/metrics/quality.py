"""The quality report: builds, pipeline and queue time, tests, flaky tests, coverage, defects.

Definitions (docs/metrics-quality.md, decided in docs/metrics.md):

* builds: pipeline runs in the selected services' repositories that finished in
  the window; ``success_rate`` = success / (success + failure), cancelled and
  skipped runs excluded;
* pipeline minutes = finished - started, queue minutes = started - queued
  (runs that have both times);
* test runs count by started_at, else their pipeline run's finished_at, else
  when received; pass rate = passed / (passed + failed + error) cases
  (``failed`` in the JSON includes errors);
* flaky tests: assay.delivery.metrics.flaky; coverage:
  assay.delivery.metrics.coverage_trend;
* defects of the selected services created in the window: escape rate =
  found in production / all; density = defects / sum(size_kloc), null unless
  every selected service with defects has ``size_kloc``.

A number that cannot be computed is null, never 0. Every query selects only the
columns it needs, filtered by repository or service and window; aggregation
is in Python, so a report costs a handful of queries whatever the volume.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.delivery import models as m
from assay.delivery.metrics import coverage_trend, flaky
from assay.delivery.metrics._sql import (
    MINUTE,
    among,
    failing_cases,
    iso,
    mean,
    ratio,
    rounded,
    rows,
    test_runs,
    test_totals,
    window_json,
    within,
)
from assay.delivery.metrics.model import SCHEMA_VERSION, Selection
from assay.delivery.metrics.stats import quantile


@dataclass(frozen=True, slots=True)
class Durations:
    """Mean and p90 of a list of durations in minutes (None when empty)."""

    mean: float | None
    p90: float | None

    @classmethod
    def of(cls, values: list[float]) -> Durations:
        return cls(mean(values), quantile(values, 0.9))

    def to_json(self) -> dict[str, Any]:
        return {"mean": rounded(self.mean), "p90": rounded(self.p90)}


@dataclass(frozen=True, slots=True)
class QualityReport:
    window: dict[str, str | None]
    services: tuple[str, ...]
    repos: tuple[str, ...]
    builds: dict[str, int]  # success, failure, cancelled (skipped is not counted)
    pipeline_minutes: Durations
    queue_minutes: Durations
    tests: dict[str, int]  # runs, cases, passed, failed, flaky
    coverage: coverage_trend.Point
    coverage_trend: tuple[coverage_trend.Point, ...]
    defects: dict[str, int]  # total, production
    density_per_kloc: float | None
    explain: dict[str, Any] | None = field(default=None)

    @property
    def success_rate(self) -> float | None:
        return ratio(self.builds["success"], self.builds["success"] + self.builds["failure"])

    @property
    def pass_rate(self) -> float | None:
        return ratio(self.tests["passed"], self.tests["passed"] + self.tests["failed"])

    @property
    def escape_rate(self) -> float | None:
        return ratio(self.defects["production"], self.defects["total"])

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "kind": "quality",
            "window": self.window,
            "services": list(self.services),
            "repos": list(self.repos),
            "builds": {**self.builds, "success_rate": rounded(self.success_rate)},
            "pipeline_minutes": self.pipeline_minutes.to_json(),
            "queue_minutes": self.queue_minutes.to_json(),
            "tests": {**self.tests, "pass_rate": rounded(self.pass_rate)},
            "coverage": {
                "line": rounded(self.coverage.line),
                "branch": rounded(self.coverage.branch),
                "trend": [p.to_json() for p in self.coverage_trend],
            },
            "defects": {
                **self.defects,
                "escape_rate": rounded(self.escape_rate),
                "density_per_kloc": rounded(self.density_per_kloc),
            },
        }
        if self.explain is not None:
            out["explain"] = self.explain
        return out


def _builds(
    session: Session, selection: Selection, explain: list[dict[str, Any]] | None
) -> tuple[dict[str, int], list[float], list[float]]:
    """Counts by result, run minutes and queue minutes of the builds (one query; the
    database subtracts, so a run costs Python three values)."""
    run = m.PipelineRunRow
    in_window = (among(run.repo, selection.repos), within(run.finished_at, selection))
    counts = {"success": 0, "failure": 0, "cancelled": 0}
    durations: list[float] = []
    queues: list[float] = []
    query = select(
        run.result, run.finished_at - run.started_at, run.started_at - run.queued_at
    ).where(*in_window)
    for result, span, wait in rows(session, query):
        if result in counts:
            counts[result] += 1
        if span is not None:
            durations.append(max(span, 0) / MINUTE)
        if wait is not None:
            queues.append(max(wait, 0) / MINUTE)
    if explain is not None:
        detail = select(
            run.run_id, run.repo, run.ref, run.sha, run.result, run.queued_at, run.started_at,
            run.finished_at,
        ).where(*in_window)  # fmt: skip
        for run_id, repo, ref, sha, result, queued, started, finished in rows(session, detail):
            span = None if started is None or finished is None else finished - started
            wait = None if started is None or queued is None else started - queued
            explain.append(
                {
                    "id": run_id,
                    "repo": repo,
                    "ref": ref,
                    "sha": sha,
                    "result": result,
                    "finished_at": iso(finished),
                    "minutes": None if span is None else rounded(max(span, 0) / MINUTE),
                    "queue_minutes": None if wait is None else rounded(max(wait, 0) / MINUTE),
                }
            )
    return counts, durations, queues


def _defects(
    session: Session, selection: Selection, explain: list[dict[str, Any]] | None
) -> tuple[dict[str, int], float | None]:
    d = m.DefectRow
    query = select(d.defect_id, d.service, d.found_in, d.severity, d.created_at).where(
        among(d.service, selection.names), within(d.created_at, selection)
    )
    total = production = 0
    with_defects: set[str] = set()
    for defect_id, service, found_in, severity, created in rows(session, query):
        total += 1
        production += found_in == "production"
        with_defects.add(service)
        if explain is not None:
            explain.append(
                {
                    "id": defect_id,
                    "service": service,
                    "found_in": found_in,
                    "severity": severity,
                    "created_at": iso(created),
                }
            )
    sizes = {s.name: s.size_kloc for s in selection.services}
    kloc = sum(size for size in sizes.values() if size is not None)
    known = all(sizes.get(name) is not None for name in with_defects)
    density = total / kloc if known and kloc > 0 else None
    return {"total": total, "production": production}, density


def quality_report(
    session: Session, selection: Selection, *, explain: bool = False
) -> QualityReport:
    """The quality report of ``selection`` (docs/metrics-quality.md)."""
    detail: dict[str, list[dict[str, Any]]] | None = (
        {"builds": [], "test_runs": [], "coverage": [], "defects": [], "flaky_tests": []}
        if explain
        else None
    )
    builds, durations, queues = _builds(
        session, selection, None if detail is None else detail["builds"]
    )

    runs, cases, passed, failed = test_totals(session, selection)
    failing = failing_cases(session, selection)  # each marked flaky or not
    flaky_shas = flaky.flaky_shas(failing)
    tests = {
        "runs": runs,
        "cases": cases,
        "passed": passed,
        "failed": failed,
        "flaky": len(flaky_shas),
    }
    if detail is not None:
        detail["test_runs"] = [
            {
                "repo": repo,
                "sha": sha,
                "suite": suite,
                "id": run_id,
                "at": iso(at),
                "passed": run_passed,
                "failed": run_failed,
                "errors": errors,
                "skipped": skipped,
            }
            for repo, sha, suite, run_id, at, run_passed, run_failed, errors, skipped in test_runs(
                session, selection
            )
        ]
        detail["flaky_tests"] = [t.to_json() for t in flaky.load(session, selection, failing)]

    reports = coverage_trend.reports(session, selection)
    headline, trend = coverage_trend.coverage(reports)
    defects, density = _defects(session, selection, None if detail is None else detail["defects"])
    if detail is not None:
        detail["coverage"] = [
            {
                "repo": r.repo,
                "sha": r.sha,
                "format": r.format,
                "at": iso(r.at),
                "lines_covered": r.lines_covered,
                "lines_valid": r.lines_valid,
                "branches_covered": r.branches_covered,
                "branches_valid": r.branches_valid,
            }
            for r in sorted(reports, key=lambda r: (r.at, r.repo))
        ]
    return QualityReport(
        window=window_json(selection),
        services=selection.names,
        repos=selection.repos,
        builds=builds,
        pipeline_minutes=Durations.of(durations),
        queue_minutes=Durations.of(queues),
        tests=tests,
        coverage=headline,
        coverage_trend=tuple(trend),
        defects=defects,
        density_per_kloc=density,
        explain=detail,
    )

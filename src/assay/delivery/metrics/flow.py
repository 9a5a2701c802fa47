"""The flow report: where lead time and pipeline time go, what broke builds, what fails, flakes.

Definitions (docs/metrics-quality.md, decided in docs/metrics.md):

* phases: the lead-time phases of assay.delivery.metrics.lead_time, per phase
  median, p90, ``share`` = that phase's hours / all known phase hours, ``cv`` =
  stdev / mean (null under 2 samples); sorted by share, largest first;
* stages of the pipeline runs that finished in the window: duration = finished -
  started, share of all stage time, cv, median job queue (job started - queued);
* queue vs run: the runs' summed queue (started - queued) against their run
  time (finished - started);
* weekly medians per phase (by deployed_at) and per stage (by the run's
  finished_at), in 7-day buckets from the window's start;
* the bottleneck is the phase and the stage with the largest share;
* broken branches (rootcause.py), failure clusters by normalised signature
  (signatures.py), flaky tests and the quarantine list (flaky.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import Float, case, cast, func, select
from sqlalchemy.orm import Session

from assay.delivery import models as m
from assay.delivery.metrics import flaky, rootcause
from assay.delivery.metrics._sql import (
    MINUTE,
    among,
    buckets,
    cv,
    failing_cases,
    iso,
    ratio,
    rounded,
    rows,
    window_json,
    within,
)
from assay.delivery.metrics.model import PHASES, SCHEMA_VERSION, LeadTime, Selection
from assay.delivery.metrics.signatures import normalise
from assay.delivery.metrics.stats import quantile
from assay.delivery.store import ms

MAX_CLUSTERS = 100  # the largest clusters; --explain lists every failure
MAX_EXAMPLE = 500  # characters of a cluster's example message


@dataclass(frozen=True, slots=True)
class PhaseStat:
    phase: str
    median_hours: float | None
    p90_hours: float | None
    share: float | None
    cv: float | None
    samples: int

    def to_json(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "median_hours": rounded(self.median_hours),
            "p90_hours": rounded(self.p90_hours),
            "share": rounded(self.share),
            "cv": rounded(self.cv),
            "samples": self.samples,
        }


def _by_share(name: str, share: float | None, order: Sequence[str]) -> tuple[float, int, str]:
    return (-(share if share is not None else -1.0), order.index(name), name)


def phase_breakdown(lead_times: Iterable[LeadTime]) -> list[PhaseStat]:
    """Per-phase statistics of ``lead_times``, every phase of PHASES, largest share first."""
    values: dict[str, list[float]] = {phase: [] for phase in PHASES}
    for lead_time in lead_times:
        for phase in PHASES:
            hours = lead_time.phases.get(phase)
            if hours is not None:
                values[phase].append(hours)
    total = sum(sum(v) for v in values.values())
    out = [
        PhaseStat(
            phase,
            quantile(v, 0.5),
            quantile(v, 0.9),
            ratio(sum(v), total) if v else None,
            cv(v),
            len(v),
        )
        for phase, v in values.items()
    ]
    out.sort(key=lambda p: _by_share(p.phase, p.share, PHASES))
    return out


class StageSample(NamedTuple):
    """One stage of one pipeline run: its minutes (None without both times) and the run's end.

    A named tuple, not a dataclass: there is one per stage of every run, built in bulk."""

    name: str
    minutes: float | None
    run_finished_at: int


@dataclass(frozen=True, slots=True)
class StageStat:
    name: str
    runs: int
    median_minutes: float | None
    p90_minutes: float | None
    share: float | None
    cv: float | None
    queue_median_minutes: float | None

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "runs": self.runs,
            "median_minutes": rounded(self.median_minutes),
            "p90_minutes": rounded(self.p90_minutes),
            "share": rounded(self.share),
            "cv": rounded(self.cv),
            "queue_median_minutes": rounded(self.queue_median_minutes),
        }


def stage_breakdown(
    samples: Iterable[StageSample], queues: Mapping[str, Sequence[float]] | None = None
) -> list[StageStat]:
    """Per-stage statistics, largest share first (then name); ``queues`` holds each stage's
    job queue minutes."""
    counts: dict[str, int] = {}
    durations: dict[str, list[float]] = {}
    for name, minutes_, _ in samples:  # positional: the store passes plain row tuples
        counts[name] = counts.get(name, 0) + 1
        bucket = durations.get(name)
        if bucket is None:
            bucket = durations[name] = []
        if minutes_ is not None:
            bucket.append(minutes_)
    queues = queues or {}
    total = sum(sum(v) for v in durations.values())
    out = [
        StageStat(
            name,
            counts[name],
            quantile(v, 0.5),
            quantile(v, 0.9),
            ratio(sum(v), total) if v else None,
            cv(v),
            quantile(queues.get(name, ()), 0.5),
        )
        for name, v in durations.items()
    ]
    names = sorted(durations)
    out.sort(key=lambda s: _by_share(s.name, s.share, names))
    return out


@dataclass(frozen=True, slots=True)
class Week:
    start: int  # epoch ms
    phases: dict[str, float | None]
    stages: dict[str, float | None]

    def to_json(self) -> dict[str, Any]:
        return {
            "week": (iso(self.start) or "")[:10],
            "phases": {k: rounded(v) for k, v in self.phases.items()},
            "stages": {k: rounded(v) for k, v in self.stages.items()},
        }


def weekly(
    weeks: Sequence[tuple[int, int]],
    lead_times: Iterable[LeadTime],
    samples: Iterable[StageSample],
) -> list[Week]:
    """Median hours per phase and median minutes per stage in each ``[start, end)`` bucket."""
    if not weeks:
        return []
    since, size = weeks[0][0], weeks[0][1] - weeks[0][0]
    phases: list[dict[str, list[float]]] = [{p: [] for p in PHASES} for _ in weeks]
    stages: list[dict[str, list[float]]] = [{} for _ in weeks]
    names: set[str] = set()

    def index(at: int) -> int | None:
        k = (at - since) // size if size > 0 else -1
        return k if 0 <= k < len(weeks) and weeks[k][0] <= at < weeks[k][1] else None

    for lead_time in lead_times:
        k = index(ms(lead_time.deployed_at) or 0)
        if k is not None:
            for phase in PHASES:
                hours = lead_time.phases.get(phase)
                if hours is not None:
                    phases[k][phase].append(hours)
    for name, minutes_, finished in samples:  # positional: the store passes plain row tuples
        names.add(name)
        k = index(finished)
        if k is not None and minutes_ is not None:
            stages[k].setdefault(name, []).append(minutes_)
    return [
        Week(
            start,
            {p: quantile(v, 0.5) for p, v in phases[k].items()},
            {name: quantile(stages[k].get(name, []), 0.5) for name in sorted(names)},
        )
        for k, (start, _) in enumerate(weeks)
    ]


@dataclass(frozen=True, slots=True)
class Failure:
    """One failed or errored test case execution."""

    repo: str
    at: int  # the test run's time (epoch ms)
    error_type: str
    message: str


@dataclass(frozen=True, slots=True)
class Cluster:
    signature: str
    count: int
    repos: tuple[str, ...]
    first_seen: int
    last_seen: int
    example: str

    def to_json(self) -> dict[str, Any]:
        return {
            "signature": self.signature,
            "count": self.count,
            "repos": list(self.repos),
            "first_seen": iso(self.first_seen),
            "last_seen": iso(self.last_seen),
            "example": self.example,
        }


def clusters(failures: Iterable[Failure]) -> list[Cluster]:
    """Failures grouped by normalised signature, largest first (then signature)."""
    groups: dict[str, list[Any]] = {}  # signature -> [count, repos, first, last, example]
    for f in failures:
        signature = normalise(f.error_type, f.message)
        group = groups.get(signature)
        example = f"{f.error_type}: {f.message}" if f.error_type and f.message else None
        if group is None:
            text = example or f.error_type or f.message
            groups[signature] = [1, {f.repo}, f.at, f.at, text[:MAX_EXAMPLE]]
            continue
        group[0] += 1
        group[1].add(f.repo)
        if f.at < group[2]:
            group[2] = f.at
            group[4] = (example or f.error_type or f.message)[:MAX_EXAMPLE]
        group[3] = max(group[3], f.at)
    out = [
        Cluster(signature, count, tuple(sorted(repos)), first, last, example)
        for signature, (count, repos, first, last, example) in groups.items()
    ]
    out.sort(key=lambda c: (-c.count, c.signature))
    return out


@dataclass(frozen=True, slots=True)
class FlowReport:
    window: dict[str, str | None]
    services: tuple[str, ...]
    phases: tuple[PhaseStat, ...]
    stages: tuple[StageStat, ...]
    queue_minutes: float
    run_minutes: float
    weeks: tuple[Week, ...]
    broken_branches: tuple[rootcause.Break, ...]
    failure_clusters: tuple[Cluster, ...]
    flaky_tests: tuple[flaky.FlakyTest, ...]
    explain: dict[str, Any] | None = field(default=None)

    @property
    def bottleneck(self) -> dict[str, str | None]:
        phase = next((p.phase for p in self.phases if p.share is not None), None)
        stage = next((s.name for s in self.stages if s.share is not None), None)
        return {"phase": phase, "stage": stage}

    @property
    def quarantine(self) -> list[str]:
        return flaky.quarantine(self.flaky_tests)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "kind": "flow",
            "window": self.window,
            "services": list(self.services),
            "phases": [p.to_json() for p in self.phases],
            "stages": [s.to_json() for s in self.stages],
            "queue_vs_run": {
                "queue_minutes": rounded(self.queue_minutes),
                "run_minutes": rounded(self.run_minutes),
                "queue_share": rounded(
                    ratio(self.queue_minutes, self.queue_minutes + self.run_minutes)
                ),
            },
            "weekly": [w.to_json() for w in self.weeks],
            "bottleneck": self.bottleneck,
            "broken_branches": [b.to_json() for b in self.broken_branches],
            "failure_clusters": [c.to_json() for c in self.failure_clusters[:MAX_CLUSTERS]],
            "flaky_tests": [t.to_json() for t in self.flaky_tests],
            "quarantine": self.quarantine,
        }
        if self.explain is not None:
            out["explain"] = self.explain
        return out


def _stages(
    session: Session, selection: Selection
) -> tuple[list[StageSample], dict[str, list[float]], float, float]:
    """Stage samples, job queue minutes per stage name, summed queue and run minutes of the
    runs finished in the window; three queries, durations computed by the database."""
    run, stage, job = m.PipelineRunRow, m.PipelineStageRow, m.PipelineJobRow
    in_window = (among(run.repo, selection.repos), within(run.finished_at, selection))
    queue_ms = case((run.started_at > run.queued_at, run.started_at - run.queued_at), else_=0)
    run_ms = case((run.finished_at > run.started_at, run.finished_at - run.started_at), else_=0)
    ((queue, run_time),) = rows(
        session, select(func.sum(queue_ms), func.sum(run_ms)).where(*in_window)
    )
    queues: dict[str, list[float]] = {}
    for name, wait in rows(
        session,
        select(stage.name, _minutes(job.queued_at, job.started_at))
        .join(stage, (stage.run_pk == job.run_pk) & (stage.position == job.stage_position))
        .join(run, run.pk == job.run_pk)
        .where(*in_window, job.queued_at.is_not(None), job.started_at.is_not(None)),
    ):
        bucket = queues.get(name)
        if bucket is None:
            bucket = queues[name] = []
        bucket.append(wait)
    # (name, minutes, run finished_at) rows are StageSamples as they come
    samples: list[StageSample] = rows(  # type: ignore[assignment]
        session,
        select(stage.name, _minutes(stage.started_at, stage.finished_at), run.finished_at)
        .join(run, run.pk == stage.run_pk)
        .where(*in_window),
    )
    return samples, queues, float(queue or 0) / MINUTE, float(run_time or 0) / MINUTE


def _minutes(start: Any, end: Any) -> Any:
    """SQL: ``end - start`` in minutes as a float, 0 when negative (clock skew), NULL when
    either is unknown; the database does the arithmetic for every row."""
    return case(
        (start.is_(None) | end.is_(None), None),
        (end > start, cast(end - start, Float) / MINUTE),
        else_=0.0,
    )


def _runs_detail(session: Session, selection: Selection) -> list[dict[str, Any]]:
    """--explain: each run finished in the window with its stages' minutes."""
    run, stage = m.PipelineRunRow, m.PipelineStageRow
    in_window = (among(run.repo, selection.repos), within(run.finished_at, selection))
    detail: dict[int, dict[str, Any]] = {}
    for pk, run_id, repo, finished in rows(
        session, select(run.pk, run.run_id, run.repo, run.finished_at).where(*in_window)
    ):
        detail[pk] = {"run": run_id, "repo": repo, "finished_at": iso(finished), "stages": {}}
    for pk, name, span in rows(
        session,
        select(stage.run_pk, stage.name, stage.finished_at - stage.started_at)
        .join(run, run.pk == stage.run_pk)
        .where(*in_window),
    ):
        detail[pk]["stages"][name] = None if span is None else rounded(max(span, 0) / MINUTE)
    return list(detail.values())


def _lead_time_json(t: LeadTime) -> dict[str, Any]:
    return {
        "service": t.service,
        "repo": t.repo,
        "change": t.change,
        "sha": t.sha,
        "deployment": t.deployment,
        "deployed_at": iso(ms(t.deployed_at)),
        "hours": rounded(t.hours),
        "phases": {k: rounded(v) for k, v in t.phases.items()},
    }


def flow_report(session: Session, selection: Selection, *, explain: bool = False) -> FlowReport:
    """The flow report of ``selection`` (docs/metrics-quality.md)."""
    from assay.delivery.metrics.lead_time import lead_times  # written alongside; imported late

    times = lead_times(session, selection)
    samples, queues, queue, run_time = _stages(session, selection)
    failing = failing_cases(session, selection)
    failures = [Failure(r.repo, r.at, r.error_type, r.message) for r in failing]
    found = clusters(failures)
    detail: dict[str, Any] | None = None
    if explain:
        detail = {
            "lead_times": [_lead_time_json(t) for t in times],
            "pipeline_runs": _runs_detail(session, selection),
            "failure_clusters": [c.to_json() for c in found],
        }
    return FlowReport(
        window=window_json(selection),
        services=selection.names,
        phases=tuple(phase_breakdown(times)),
        stages=tuple(stage_breakdown(samples, queues)),
        queue_minutes=queue,
        run_minutes=run_time,
        weeks=tuple(weekly(buckets(selection), times, samples)),
        broken_branches=tuple(rootcause.broken_branches(session, selection)),
        failure_clusters=tuple(found),
        flaky_tests=tuple(flaky.load(session, selection, failing)),
        explain=detail,
    )

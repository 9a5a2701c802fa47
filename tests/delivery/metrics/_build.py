"""Builders for hand-made delivery histories in the DORA tests (times in hours after T0)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from assay.core.db import Database
from assay.delivery.config import ServiceConfig, default_for
from assay.delivery.events import (
    Change,
    Commit,
    CommitRef,
    Deployment,
    Event,
    Incident,
    Job,
    PipelineRun,
    Stage,
)
from assay.delivery.metrics.model import Selection
from assay.delivery.store import ingest

T0 = datetime(2026, 3, 2, tzinfo=UTC)  # a Monday, 00:00 UTC
REPO = "acme/pay"


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def sha(n: int) -> str:
    return f"{n:040x}"


def service(name: str = "pay", **changes: Any) -> ServiceConfig:
    return replace(default_for(name), **changes)


def window(
    services: Sequence[ServiceConfig], since: float = 0, until: float = 24 * 28
) -> Selection:
    return Selection(at(since), at(until), tuple(services))


def commit(n: int, hours: float, *parents: int, repo: str = REPO) -> Commit:
    return Commit(repo, sha(n), at(hours), at(hours), "ann", tuple(sha(p) for p in parents))


def chain(first: int, last: int, start: float = 0, step: float = 1) -> list[Commit]:
    """Commits first..last, each the parent of the next, an hour apart from ``start``."""
    return [
        commit(n, start + (n - first) * step, *([n - 1] if n > first else []))
        for n in range(first, last + 1)
    ]


def deploy(
    deployment_id: str,
    hours: float,
    *shas: int,
    service: str = "pay",
    kind: str = "normal",
    environment: str = "production",
    result: str = "success",
    repo: str = REPO,
    run: str | None = None,
) -> Deployment:
    return Deployment(
        deployment_id,
        service,
        environment,
        result,
        at(hours),
        kind=kind,
        commits=tuple(CommitRef(repo, sha(s)) for s in shas),
        pipeline_run=run,
    )


def change(
    change_id: str,
    created: float,
    merged: float | None,
    merge_sha: int | None,
    *commits: int,
    review: float | None = None,
    repo: str = REPO,
) -> Change:
    return Change(
        repo,
        change_id,
        at(created),
        first_review_at=None if review is None else at(review),
        merged_at=None if merged is None else at(merged),
        merge_sha=None if merge_sha is None else sha(merge_sha),
        commits=tuple(sha(c) for c in commits),
    )


def incident(
    incident_id: str,
    created: float,
    resolved: float | None = None,
    *,
    service: str = "pay",
    caused_by: str | None = None,
) -> Incident:
    return Incident(
        incident_id,
        service,
        at(created),
        resolved_at=None if resolved is None else at(resolved),
        caused_by_deployment=caused_by,
    )


def deploy_run(
    run_id: str,
    hours: float,
    commit_sha: int,
    *,
    ref: str = "main",
    stage: str = "deploy",
    stage_result: str = "success",
    jobs: Sequence[Job] = (),
    stage_finished: float | None = None,
    queued: float | None = None,
    repo: str = REPO,
) -> PipelineRun:
    """A run whose last stage is ``stage``; the run finishes at ``hours``."""
    return PipelineRun(
        run_id,
        repo,
        sha(commit_sha),
        ref,
        "success" if stage_result == "success" else "failure",
        queued_at=None if queued is None else at(queued),
        started_at=at(hours - 0.5) if queued is None else at(queued),
        finished_at=at(hours),
        stages=(
            Stage("build", "success", at(hours - 0.5), at(hours - 0.25)),
            Stage(
                stage,
                stage_result,
                at(hours - 0.25),
                None if stage_finished is None else at(stage_finished),
                tuple(jobs),
            ),
        ),
    )


def store(database: Database, events: Iterable[Event]) -> None:
    with database.session() as session:
        ingest(session, events, source="test")

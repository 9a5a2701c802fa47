"""What the delivery pages read beside the metrics: the latest default-branch pipeline run
of a service (for the stage waterfall) and the newest arrival time of events (for live
updates).

Read-only queries over the delivery event tables (:mod:`assay.delivery.models`);
the numbers themselves come from the metric functions, never from here. Callers pass
the services the principal may see, so nothing here widens what a user sees.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.delivery import models as m
from assay.delivery.config import ServiceConfig
from assay.delivery.store import from_ms

MINUTE_MS = 60_000


@dataclass(frozen=True, slots=True)
class RunView:
    """One pipeline run and its stages, minutes counted from the run's start."""

    id: str
    repo: str
    ref: str
    sha: str
    result: str
    started_at: datetime | None
    finished_at: datetime | None
    stages: tuple[dict[str, Any], ...]  # {"name", "result", "start_minutes", "minutes"}


def _refs(branches: Iterable[str]) -> list[str]:
    out: list[str] = []
    for branch in branches:
        out += [branch, f"refs/heads/{branch}"]
    return out


def _minutes(start: int | None, end: int | None) -> float | None:
    if start is None or end is None:
        return None
    return max(0, end - start) / MINUTE_MS


def latest_run(session: Session, config: ServiceConfig) -> RunView | None:
    """The latest run (by start, else finish) on one of the service's default branches."""
    if not config.repos:
        return None
    moment = func.coalesce(m.PipelineRunRow.started_at, m.PipelineRunRow.finished_at)
    run = session.scalars(
        select(m.PipelineRunRow)
        .where(
            m.PipelineRunRow.repo.in_(config.repos),
            m.PipelineRunRow.ref.in_(_refs(config.default_branches)),
            moment.is_not(None),
        )
        .order_by(moment.desc(), m.PipelineRunRow.pk.desc())
        .limit(1)
    ).first()
    if run is None:
        return None
    rows = list(
        session.scalars(
            select(m.PipelineStageRow)
            .where(m.PipelineStageRow.run_pk == run.pk)
            .order_by(m.PipelineStageRow.position)
        )
    )
    starts = [row.started_at for row in rows if row.started_at is not None]
    origin = run.started_at if run.started_at is not None else (min(starts) if starts else None)
    stages = tuple(
        {
            "name": row.name,
            "result": row.result,
            "start_minutes": _minutes(origin, row.started_at),
            "minutes": _minutes(row.started_at, row.finished_at),
        }
        for row in rows
    )
    return RunView(
        id=run.run_id,
        repo=run.repo,
        ref=run.ref,
        sha=run.sha,
        result=run.result,
        started_at=None if run.started_at is None else from_ms(run.started_at),
        finished_at=None if run.finished_at is None else from_ms(run.finished_at),
        stages=stages,
    )


_BY_SERVICE: Sequence[Any] = (m.DeploymentRow, m.IncidentRow, m.DefectRow)
_BY_REPO: Sequence[Any] = (
    m.PipelineRunRow,
    m.ChangeRow,
    m.CommitRow,
    m.TestRunRow,
    m.CoverageRow,
)


def latest_received(session: Session, configs: Sequence[ServiceConfig] | None) -> int:
    """The newest ``received_at`` (epoch ms) of any event of ``configs`` (None: of any event);
    0 when there is none. Each table has an index on received_at."""
    newest = 0
    names = None if configs is None else [c.name for c in configs]
    repos = None if configs is None else sorted({r for c in configs for r in c.repos})
    for table in (*_BY_SERVICE, *_BY_REPO):
        query = select(func.max(table.received_at))
        if table in _BY_SERVICE and names is not None:
            if not names:
                continue
            query = query.where(table.service.in_(names))
        elif table in _BY_REPO and repos is not None:
            if not repos:
                continue
            query = query.where(table.repo.in_(repos))
        value = session.scalar(query)
        if value is not None and value > newest:
            newest = int(value)
    return newest

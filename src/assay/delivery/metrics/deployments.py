"""Production deployments of the selected services, from deployment events and deploy stages.

A production deployment of service S (docs/metrics.md, "Production deployment"):

* a ``deployment`` event of S whose environment is one of S's
  production_environments (without regard to case) and whose result is success;
* when S names deployment_stages: a pipeline run in one of S's repos on one of
  S's default branches (``main`` or ``refs/heads/main``) whose stage of that
  name succeeded *with every job in it succeeded*: a failed ``allow_failure``
  job is not a successful deploy. Its id is ``run:<run id>``, its commit the
  run's, its time the stage's finished_at (else the run's). A run that a
  deployment event names (``pipeline_run``) is that event's, never a second one.

Failed attempts are not deployments. Everything is read with a few column
selects for all services at once and grouped in memory, never per deployment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.delivery.config import ServiceConfig
from assay.delivery.models import (
    DeploymentCommitRow,
    DeploymentRow,
    PipelineJobRow,
    PipelineRunRow,
    PipelineStageRow,
)

CHUNK = 500  # ids per IN (...) list


@dataclass(frozen=True, slots=True)
class Deploy:
    """One production deployment; times are epoch milliseconds UTC."""

    id: str
    service: str
    environment: str  # for a deploy stage: the stage's name
    finished_at: int
    kind: str  # normal | hotfix | rollback
    commits: tuple[tuple[str, str], ...]  # (repo, sha), as listed
    pipeline_run: str | None = None
    from_stage: bool = False


Deploys = dict[str, list[Deploy]]  # service -> its production deployments, oldest first


def production_deployments(
    session: Session, services: Sequence[ServiceConfig], *, until_ms: int
) -> Deploys:
    """Every production deployment of ``services`` that finished before ``until_ms``.

    Sorted by (finished_at, id) per service; every selected service has a list.
    """
    by_name = {s.name: s for s in services}
    out: Deploys = {name: [] for name in by_name}
    if not by_name:
        return out
    for deploy in _from_events(session, by_name, until_ms):
        out[deploy.service].append(deploy)
    staged = [s for s in services if s.deployment_stages and s.repos]
    if staged:
        for deploy in _from_stages(session, staged, until_ms):
            out[deploy.service].append(deploy)
    for deploys in out.values():
        deploys.sort(key=lambda d: (d.finished_at, d.id))
    return out


def _from_events(
    session: Session, by_name: dict[str, ServiceConfig], until_ms: int
) -> list[Deploy]:
    d = DeploymentRow.__table__.c
    c = DeploymentCommitRow.__table__.c
    wanted = (d.service.in_(list(by_name)), d.result == "success", d.finished_at < until_ms)
    rows = session.execute(
        select(d.pk, d.deployment_id, d.service, d.environment, d.kind, d.finished_at,
               d.pipeline_run).where(*wanted)
    ).all()  # fmt: skip
    environments = {  # ServiceConfig.is_production, once per service rather than per row
        name: {e.casefold() for e in config.production_environments}
        for name, config in by_name.items()
    }
    production = {
        pk: (dep_id, service, env, kind, finished, run)
        for pk, dep_id, service, env, kind, finished, run in rows
        if env.casefold() in environments[service]
    }
    commits: dict[int, list[tuple[str, str]]] = defaultdict(list)
    query = (
        select(c.deployment_pk, c.repo, c.sha)
        .join(DeploymentRow.__table__, d.pk == c.deployment_pk)
        .where(*wanted)
        .order_by(c.deployment_pk, c.position)
    )
    for pk, repo, sha in session.execute(query):
        if pk in production:
            commits[pk].append((repo, sha))
    return [
        Deploy(dep_id, service, env, finished, kind, tuple(commits.get(pk, ())), run)
        for pk, (dep_id, service, env, kind, finished, run) in production.items()
    ]


def _refs(branches: Iterable[str]) -> set[str]:
    return {ref for b in branches for ref in (b, f"refs/heads/{b}")}


def _from_stages(session: Session, staged: list[ServiceConfig], until_ms: int) -> list[Deploy]:
    """Deploy stages that succeeded with every job succeeded, on default branches."""
    r = PipelineRunRow.__table__.c
    st = PipelineStageRow.__table__.c
    j = PipelineJobRow.__table__.c
    repos = sorted({repo for s in staged for repo in s.repos})
    refs = sorted(_refs(b for s in staged for b in s.default_branches))
    names = sorted({name for s in staged for name in s.deployment_stages})
    runs = (r.repo.in_(repos), r.ref.in_(refs))
    stages = session.execute(
        select(r.pk, r.run_id, r.repo, r.sha, r.ref, r.finished_at, st.position, st.name,
               st.finished_at)
        .join(PipelineRunRow.__table__, r.pk == st.run_pk)
        .where(*runs, st.name.in_(names), st.result == "success")
        .order_by(r.pk, st.position)
    ).all()  # fmt: skip
    if not stages:
        return []
    failed_jobs = set(
        session.execute(
            select(j.run_pk, j.stage_position)
            .join(PipelineRunRow.__table__, r.pk == j.run_pk)
            .where(*runs, j.result != "success")
        ).all()
    )
    named = _runs_with_events(session, sorted({row.run_id for row in stages}))
    out: list[Deploy] = []
    for service in staged:
        service_refs = _refs(service.default_branches)
        seen: set[int] = set()
        for row in stages:
            finished = row[8] if row[8] is not None else row.finished_at
            if (
                row.pk in seen
                or row.run_id in named
                or row.repo not in service.repos
                or row.ref not in service_refs
                or row.name not in service.deployment_stages
                or (row.pk, row.position) in failed_jobs
                or finished is None
                or finished >= until_ms
            ):
                continue
            seen.add(row.pk)  # the first deploy stage that qualifies places the run in time
            out.append(
                Deploy(
                    f"run:{row.run_id}",
                    service.name,
                    row.name,
                    finished,
                    "normal",
                    ((row.repo, row.sha),),
                    row.run_id,
                    from_stage=True,
                )
            )
    return out


def _runs_with_events(session: Session, run_ids: list[str]) -> set[str]:
    """Which of ``run_ids`` a deployment event names as its pipeline_run."""
    d = DeploymentRow.__table__.c
    named: set[str] = set()
    for start in range(0, len(run_ids), CHUNK):
        chunk = run_ids[start : start + CHUNK]
        named.update(session.scalars(select(d.pipeline_run).where(d.pipeline_run.in_(chunk))))
    return named


def in_window(deploys: Iterable[Deploy], since_ms: int, until_ms: int) -> list[Deploy]:
    return [d for d in deploys if since_ms <= d.finished_at < until_ms]

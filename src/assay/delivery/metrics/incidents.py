"""Incidents: which deployment each one is blamed on, and which deployments failed.

The rules (docs/metrics.md, "Change failure" and "Recovery time"):

* An incident that names a deployment (``caused_by_deployment``) is matched to
  it, "explicit", and is never inferred to another one.
* Otherwise it is "inferred" to the latest production deployment of its service
  that finished before the incident was created, when that deployment finished
  at most ``incident_window_hours`` earlier; else it is matched to none and
  counts for recovery time only.
* A deployment failed when an incident is matched to it, or when the next
  production deployment of its service finished within
  ``failure_window_hours`` after it and is a rollback or a hotfix.
* An incident can mark a deployment only in windows that end after the incident
  was created ("incidents created up to the window's end"); a rollback or
  hotfix marks it in every window.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.delivery.config import ServiceConfig
from assay.delivery.metrics.deployments import Deploys
from assay.delivery.metrics.stats import MS_PER_HOUR
from assay.delivery.models import DeploymentRow, IncidentRow

EXPLICIT, INFERRED, NONE = "explicit", "inferred", "none"
FAILING_KINDS = ("rollback", "hotfix")


@dataclass(frozen=True, slots=True)
class Incident:
    id: str
    service: str
    created_at: int  # epoch ms UTC
    resolved_at: int | None
    caused_by: str | None


@dataclass(frozen=True, slots=True)
class Match:
    """An incident and the deployment it is blamed on (None when ``how`` is "none")."""

    incident: Incident
    deployment: str | None
    how: str  # explicit | inferred | none


@dataclass(frozen=True, slots=True, order=True)
class Failure:
    """One reason a deployment failed; the smallest (explicit, inferred, then the next
    deployment) is the one reported. ``known_at`` is the incident's creation time."""

    rank: int  # 0 explicit incident, 1 inferred incident, 2 rollback or hotfix
    known_at: int  # epoch ms; -1 for a rollback or hotfix (known in every window)
    label: str  # "incident:ID", "rollback:DEPLOYMENT" or "hotfix:DEPLOYMENT"


Failures = dict[tuple[str, str], list[Failure]]  # (service, deployment id) -> reasons, sorted


def load_incidents(
    session: Session, services: Sequence[ServiceConfig], since_ms: int, until_ms: int
) -> list[Incident]:
    """Incidents of ``services`` created in the window, and those (of any service, created
    before the window's end) that name a deployment of ``services`` finished in the window."""
    names = [s.name for s in services]
    if not names:
        return []
    i = IncidentRow.__table__.c
    d = DeploymentRow.__table__.c
    columns = (i.incident_id, i.service, i.created_at, i.resolved_at, i.caused_by_deployment)
    own = select(*columns).where(
        i.service.in_(names), i.created_at >= since_ms, i.created_at < until_ms
    )
    naming = (
        select(*columns)
        .join(DeploymentRow.__table__, d.deployment_id == i.caused_by_deployment)
        .where(
            d.service.in_(names),
            d.finished_at >= since_ms,
            d.finished_at < until_ms,
            i.created_at < until_ms,
        )
    )
    found = {row[0]: Incident(*row) for query in (own, naming) for row in session.execute(query)}
    return sorted(found.values(), key=lambda x: (x.created_at, x.id))


def match(
    incidents: Iterable[Incident], deploys: Deploys, services: Sequence[ServiceConfig]
) -> list[Match]:
    windows = {s.name: s.incident_window_hours * MS_PER_HOUR for s in services}
    finished = {name: [d.finished_at for d in ds] for name, ds in deploys.items()}
    out: list[Match] = []
    for incident in incidents:
        if incident.caused_by is not None:
            out.append(Match(incident, incident.caused_by, EXPLICIT))
            continue
        times = finished.get(incident.service, [])
        index = bisect_left(times, incident.created_at) - 1
        if index >= 0 and incident.created_at - times[index] <= windows[incident.service]:
            out.append(Match(incident, deploys[incident.service][index].id, INFERRED))
        else:
            out.append(Match(incident, None, NONE))
    return out


def failures(
    matches: Iterable[Match], deploys: Deploys, services: Sequence[ServiceConfig]
) -> Failures:
    """Why each failed deployment failed, by (service, deployment id)."""
    by_id: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, service_deploys in deploys.items():
        for deploy in service_deploys:
            by_id[deploy.id].append((name, deploy.id))
    out: Failures = defaultdict(list)
    for m in matches:
        if m.deployment is None:
            continue
        rank = 0 if m.how == EXPLICIT else 1
        for key in by_id.get(m.deployment, ()):
            if m.how == EXPLICIT or key[0] == m.incident.service:
                out[key].append(Failure(rank, m.incident.created_at, f"incident:{m.incident.id}"))
    windows = {s.name: s.failure_window_hours * MS_PER_HOUR for s in services}
    for name, service_deploys in deploys.items():
        for deploy, following in pairwise(service_deploys):
            if (
                following.kind in FAILING_KINDS
                and following.finished_at - deploy.finished_at <= windows[name]
            ):
                out[(name, deploy.id)].append(Failure(2, -1, f"{following.kind}:{following.id}"))
    for reasons in out.values():
        reasons.sort()
    return dict(out)


def failure(reasons: Sequence[Failure], until_ms: int) -> str | None:
    """The reported reason among ``reasons`` known in a window ending at ``until_ms``."""
    for reason in reasons:
        if reason.known_at < until_ms:
            return reason.label
    return None

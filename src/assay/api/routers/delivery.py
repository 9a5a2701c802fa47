"""Delivery services and their metrics over REST.

* ``GET /services``: the service configurations the caller may see (a team's
  own services; every service with PORTFOLIO_WIDE); services seen only in
  events are listed with defaults and ``configured: false``.
* ``PUT /services/{name}`` and ``DELETE /services/{name}``: MANAGE_SERVICES,
  each change audited (:func:`assay.delivery.services.apply`).
* ``GET /metrics/dora|quality|flow``: the report of ``assay metrics ...
  --format json`` for the visible services. ``service`` (repeatable) and
  ``team`` narrow the selection; a service the caller may not see answers like
  one that does not exist. ``since``/``until`` are ISO dates or times with a
  zone (a date ``until`` includes that day; default: the 90 days before now);
  ``explain`` adds the events behind every number.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.api.deps import DbSession, Viewer, require
from assay.core.audit import record
from assay.core.clock import now
from assay.core.errors import NotFound, UsageError
from assay.core.permissions import Permission, Principal
from assay.delivery.access import visible_services
from assay.delivery.config import config_from_dict
from assay.delivery.events import MAX_NAME
from assay.delivery.metrics.model import Selection
from assay.delivery.metrics.window import parse_moment
from assay.delivery.models import ServiceRow
from assay.delivery.services import apply, resolve

router = APIRouter(tags=["delivery"])

Manager = Annotated[Principal, Depends(require(Permission.MANAGE_SERVICES))]
Name = Annotated[str, Path(min_length=1, max_length=MAX_NAME, pattern=r"^[^\x00-\x1f\x7f]+$")]
DEFAULT_DAYS = 90
_TEXT = r"^[^\x00-\x1f\x7f]*$"


def _service_json(config: Any) -> dict[str, Any]:
    return {**config.to_dict(), "configured": config.configured}


@router.get("/services")
def list_services(session: DbSession, who: Viewer) -> list[dict[str, Any]]:
    """The delivery services the caller may see, by name, with their configuration."""
    visible = visible_services(session, who)
    return [_service_json(config) for config in resolve(session, visible=visible)]


@router.put("/services/{name}")
def put_service(
    session: DbSession,
    who: Manager,
    name: Name,
    body: Annotated[
        dict[str, Any],
        Body(description="a service configuration as in services.yaml (name optional)"),
    ],
) -> dict[str, Any]:
    """Create or replace one service's configuration; answers it and what changed."""
    if "name" in body and body["name"] != name:
        raise UsageError(f"request body: name {str(body['name'])[:60]!r} differs from the path")
    config = config_from_dict({**body, "name": name}, f"request body: service {name[:60]!r}")
    result = apply(session, [config], actor=who.actor)
    outcome = "added" if result.added else "changed" if result.changed else "unchanged"
    return {"service": _service_json(config), "result": outcome}


@router.delete("/services/{name}")
def delete_service(session: DbSession, who: Manager, name: Name) -> dict[str, Any]:
    """Remove one stored configuration (its events stay; it is measured with defaults)."""
    row = session.scalar(select(ServiceRow).where(ServiceRow.name == name))
    if row is None:
        raise NotFound(f"no configured service named {name[:60]!r}")
    session.delete(row)
    record(session, who, "delivery.service.remove", "delivery_service", name)
    return {"removed": name}


def selection(
    session: Session,
    who: Principal,
    services: list[str],
    team: str | None,
    since: str | None,
    until: str | None,
) -> Selection:
    """The visible services the query names and its window; unknown or hidden ones are 404."""
    end = parse_moment("until", until, end=True) if until else now()
    start = parse_moment("since", since, end=False) if since else end - timedelta(days=DEFAULT_DAYS)
    if start >= end:
        raise UsageError("since must be before until")
    visible = visible_services(session, who)
    configs = resolve(session, services, team=team, visible=visible)
    missing = sorted(set(services) - {c.name for c in configs})
    if missing:
        raise NotFound(f"no service named {missing[0][:60]!r}")
    if team is not None and not configs:
        raise NotFound(f"no service of team {team[:60]!r}")
    return Selection(since=start, until=end, services=tuple(configs))


Services = Annotated[
    list[str], Query(max_length=100, description="a service (repeatable); default: all visible")
]
Team = Annotated[str | None, Query(max_length=MAX_NAME, pattern=_TEXT)]
Moment = Annotated[str | None, Query(max_length=40, pattern=_TEXT, description="ISO date or time")]
Explain = Annotated[bool, Query(description="list the events behind every number")]


def _report(
    build: Callable[..., Any],
    session: Session,
    who: Principal,
    service: list[str],
    team: str | None,
    since: str | None,
    until: str | None,
    explain: bool,
) -> dict[str, Any]:
    if any(not s or len(s) > MAX_NAME for s in service):
        raise UsageError(f"service: each name must be 1 to {MAX_NAME} characters")
    chosen = selection(session, who, service, team, since, until)
    report = build(session, chosen, explain=explain)
    out: dict[str, Any] = report.to_json()
    return out


@router.get("/metrics/dora")
def dora_metrics(
    session: DbSession,
    who: Viewer,
    service: Services = [],  # noqa: B006 (FastAPI copies query defaults)
    team: Team = None,
    since: Moment = None,
    until: Moment = None,
    explain: Explain = False,
) -> dict[str, Any]:
    """DORA metrics (deployment frequency, lead time, change failure rate, recovery, rework)."""
    from assay.delivery.metrics.dora import dora_report

    return _report(dora_report, session, who, service, team, since, until, explain)


@router.get("/metrics/quality")
def quality_metrics(
    session: DbSession,
    who: Viewer,
    service: Services = [],  # noqa: B006
    team: Team = None,
    since: Moment = None,
    until: Moment = None,
    explain: Explain = False,
) -> dict[str, Any]:
    """Build success, pipeline and queue times, tests, coverage and defects."""
    from assay.delivery.metrics.quality import quality_report

    return _report(quality_report, session, who, service, team, since, until, explain)


@router.get("/metrics/flow")
def flow_metrics(
    session: DbSession,
    who: Viewer,
    service: Services = [],  # noqa: B006
    team: Team = None,
    since: Moment = None,
    until: Moment = None,
    explain: Explain = False,
) -> dict[str, Any]:
    """Where lead time goes: phases, stages, broken branches, failure clusters, flaky tests."""
    from assay.delivery.metrics.flow import flow_report

    return _report(flow_report, session, who, service, team, since, until, explain)

"""Stored service configurations: apply a file, read them back, resolve a selection.

Metrics read configurations through :func:`resolve`, which also returns services
that appear only in events (with defaults), so an unconfigured service is
measured rather than silently left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import select, union
from sqlalchemy.orm import Session

from assay.core.audit import record
from assay.core.clock import now
from assay.core.inputs import parse_json, parse_yaml, read_text
from assay.delivery.config import (
    InvalidServiceConfig,
    ServiceConfig,
    config_from_dict,
    configs_from_document,
    default_for,
)
from assay.delivery.models import DefectRow, DeploymentRow, IncidentRow, ServiceRow
from assay.delivery.store import ms


@dataclass(frozen=True, slots=True)
class ApplyResult:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()


def load_file(path: Path) -> list[ServiceConfig]:
    """Configurations from a YAML or JSON file (``{"services": [...]}``)."""
    text = read_text(path, error=InvalidServiceConfig)
    if path.suffix.lower() == ".json":
        data = parse_json(text.encode(), path, error=InvalidServiceConfig)
    else:
        data = parse_yaml(text, path, error=InvalidServiceConfig)
    return configs_from_document(data, str(path))


def _config(row: ServiceRow) -> ServiceConfig:
    return replace(
        config_from_dict(json.loads(row.data), f"delivery_service {row.name}"), configured=True
    )


def configured(session: Session) -> dict[str, ServiceConfig]:
    """Every stored configuration by service name."""
    rows = session.scalars(select(ServiceRow).order_by(ServiceRow.name))
    return {row.name: _config(row) for row in rows}


def apply(
    session: Session,
    configs: Sequence[ServiceConfig],
    *,
    actor: str,
    prune: bool = False,
    dry_run: bool = False,
) -> ApplyResult:
    """Store ``configs`` (by name); with ``prune`` remove stored ones not given. Audited."""
    stored = {row.name: row for row in session.scalars(select(ServiceRow))}
    added: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    stamp = ms(now()) or 0
    for config in configs:
        text = json.dumps(config.to_dict(), sort_keys=True)
        row = stored.pop(config.name, None)
        if row is not None and row.data == text:
            unchanged.append(config.name)
            continue
        (changed if row is not None else added).append(config.name)
        if dry_run:
            continue
        if row is None:
            row = ServiceRow(name=config.name)
            session.add(row)
        row.team, row.data, row.updated_at, row.updated_by = config.team, text, stamp, actor
        record(
            session,
            actor,
            "delivery.service.apply",
            "delivery_service",
            config.name,
            config=config.to_dict(),
        )
    removed = sorted(stored) if prune else []
    if not dry_run:
        for name in removed:
            session.delete(stored[name])
            record(session, actor, "delivery.service.remove", "delivery_service", name)
    return ApplyResult(tuple(added), tuple(changed), tuple(removed), tuple(unchanged))


def event_services(session: Session) -> set[str]:
    """Every service named by a deployment, incident or defect."""
    query = union(
        select(DeploymentRow.service).distinct(),
        select(IncidentRow.service).distinct(),
        select(DefectRow.service).distinct(),
    )
    return {name for (name,) in session.execute(query)}


def resolve(
    session: Session,
    services: Iterable[str] = (),
    *,
    team: str | None = None,
    visible: set[str] | None = None,
) -> list[ServiceConfig]:
    """The configurations a metrics query covers, sorted by name.

    ``services`` (empty: all) and ``team`` narrow the set; ``visible`` (from
    assay.delivery.access) limits it to what the caller may see. Services seen
    only in events get defaults.
    """
    known = configured(session)
    for name in event_services(session):
        known.setdefault(name, default_for(name))
    wanted = set(services)
    return [
        config
        for name, config in sorted(known.items())
        if (not wanted or name in wanted)
        and (team is None or config.team == team)
        and (visible is None or name in visible)
    ]

"""The server's registry refresh: release dates and newest versions for the components of
stored project versions, so policies such as the release quarantine can be evaluated.

Opt-in (``ASSAY_REGISTRY_REFRESH=1``): a bank decides when its server may ask the package
registries (``ASSAY_PYPI_URL``, ``ASSAY_NPM_URL``, usually internal mirrors). Off, or with
``ASSAY_OFFLINE=1``, such policies report "could not evaluate" and say how to supply the
data. Packages fetched within :data:`FRESH` are not asked again. Each package is fetched
and stored in a transaction of its own, so no database lock is held while a registry
answers; afterwards the versions using a refreshed package are evaluated again.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta

from sqlalchemy import select

from assay.core.clock import iso, now
from assay.core.db import Database
from assay.core.jobs import Task, enqueue
from assay.inventory._access import chunks
from assay.inventory.models import ComponentRow
from assay.vetting.cache import refresh
from assay.vetting.models import RegistryPackage
from assay.vetting.registry.registry import client_for

log = logging.getLogger(__name__)

FRESH = timedelta(hours=24)
MAX_PACKAGES = 5_000  # per job: a refresh never runs for hours


def _stale(db: Database, version_ids: list[int]) -> list[tuple[str, str]]:
    """The (ecosystem, name) pairs of the versions' components whose registry assay can
    read and whose cached metadata is missing or older than FRESH."""
    wanted: set[tuple[str, str]] = set()
    with db.session() as session:
        for part in chunks(sorted(set(version_ids))):
            query = select(ComponentRow.ecosystem, ComponentRow.name).where(
                ComponentRow.version_id.in_(part)
            )
            wanted.update((e, n) for e, n in session.execute(query) if e and n)
        readable = sorted(p for p in wanted if client_for(p[0], db.settings) is not None)
        cutoff = iso(now() - FRESH)
        fresh: set[tuple[str, str]] = set()
        for part in chunks([n for _, n in readable]):
            rows = session.execute(
                select(RegistryPackage.ecosystem, RegistryPackage.name).where(
                    RegistryPackage.name.in_(part), RegistryPackage.fetched_at >= cutoff
                )
            )
            fresh.update((e, n) for e, n in rows)
    return [p for p in readable if p not in fresh][:MAX_PACKAGES]


def refresh_versions(db: Database, version_ids: list[int] | None = None) -> None:
    """Task ``registry.refresh``: cache registry metadata for the versions' components."""
    settings = db.settings
    if not settings.registry_refresh or settings.offline:
        return
    errors: list[str] = []
    refreshed: list[list[str]] = []
    for ecosystem, name in _stale(db, list(version_ids or [])):
        with db.session() as session:
            if refresh(settings, session, [(ecosystem, name)], errors=errors):
                refreshed.append([ecosystem, name])
    for message in errors[:20]:
        log.warning("registry refresh: %s", message)
    if refreshed:
        with db.session() as session:
            enqueue(session, "policy.evaluate", components=refreshed)


TASKS: Mapping[str, Task] = {"registry.refresh": refresh_versions}

"""Background tasks of the catalogue, by name (see :mod:`assay.core.jobs`).

``catalogue.vet`` runs the automatic vetting of a requested component
(:func:`assay.vetting.vet.vet`) before anyone reviews it and stores the report beside the
entry. The check runs outside any transaction (it may download the package); the report
is written in one short transaction. The approved names of the same ecosystem are the
"popular" names typosquatting is measured against. A re-run after a crash writes the
report again, which is harmless: the entry's page shows the newest.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from assay.catalogue.lifecycle import State
from assay.catalogue.models import CatalogueEntry, VettingReport
from assay.core.clock import now_iso
from assay.core.db import Database
from assay.core.errors import InputError, UsageError
from assay.core.jobs import Task
from assay.core.permissions import SYSTEM

NOT_RUN = "not_run"


def _not_run(report: dict[str, Any]) -> bool:
    """Whether any check of the report (schema of :mod:`assay.vetting.report`) could not run."""
    checks = report.get("checks")
    return isinstance(checks, list) and any(
        isinstance(c, dict) and c.get("status") == NOT_RUN for c in checks
    )


def _unvettable(purl: str, reason: str) -> dict[str, Any]:
    """A report for a request vetting cannot take (no version, unsupported purl): the
    reviewer sees that nothing was checked, and why."""
    return {
        "schema_version": 1, "purl": purl, "verdict": "review", "generated_at": now_iso(),
        "checks": [{"name": "vetting", "status": NOT_RUN, "summary": f"could not run: {reason}",
                    "details": []}],
    }  # fmt: skip


def vet_entry(db: Database, entry_id: int, purl: str) -> None:
    """Task: vet ``purl`` for entry ``entry_id`` and store the report (nothing if the entry
    is gone)."""
    with db.session() as session:
        entry = session.get(CatalogueEntry, entry_id)
        if entry is None:
            return
        known = sorted(
            session.scalars(
                select(CatalogueEntry.name).where(
                    CatalogueEntry.ecosystem == entry.ecosystem,
                    CatalogueEntry.state == State.APPROVED.value,
                    CatalogueEntry.id != entry_id,
                )
            )
        )
    from assay.vetting.vet import vet  # type: ignore[import-untyped,unused-ignore]

    try:
        report = vet(purl, db.settings, online=not db.settings.offline, known_names=known)
    except (UsageError, InputError) as exc:  # the same on every retry: say so and stop
        body = _unvettable(purl, str(exc))
    else:
        body = report.to_dict()
    verdict = body.get("verdict", "review")
    with db.session() as session:
        if session.get(CatalogueEntry, entry_id) is None:
            return
        session.add(
            VettingReport(
                entry_id=entry_id, purl=purl[:1024], verdict=str(verdict)[:16],
                report=json.dumps(body, sort_keys=True, default=str),
                complete=not _not_run(body),
                created_by=SYSTEM.actor, created_at=now_iso(),
            )
        )  # fmt: skip


TASKS: Mapping[str, Task] = {"catalogue.vet": vet_entry}

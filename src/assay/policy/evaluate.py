"""Evaluating a stored project version and keeping its violations like findings are kept.

Violations are keyed by (version, policy, component purl) and never deleted: one found
again is refreshed (verdict, reasons, waiver; ``last_seen_at``) and re-opened if it had
been resolved; one no longer found gets ``resolved_at``. A policy that could not be
evaluated is stored once per policy with outcome ``unevaluated`` and its missing data
(with how many components lacked it) as the reasons; a violation covered by a waiver
keeps the waiver's id (it is reported, and does not fail). Runs under the version's
lock, audits what changed (``policy.evaluate``), then lets the catalogue refresh the
version's remediation items.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from assay.core import audit
from assay.core.clock import now, now_iso
from assay.core.permissions import SYSTEM
from assay.inventory._access import chunks
from assay.inventory.bulk import bulk_insert
from assay.inventory.findings import fit, lock_version, table_of
from assay.inventory.models import Project, ProjectVersion
from assay.policy.facts import facts_for_version, subject_for_version
from assay.policy.model import ComponentRef, EvaluationReport
from assay.policy.service import active_policies
from assay.policy.store import ViolationRow
from assay.policy.waiver_service import active_waivers

VIOLATION, UNEVALUATED = "violation", "unevaluated"
_COMPARED = ("verdict", "outcome", "component_name", "component_version", "reasons", "waiver_id")


@dataclass(frozen=True, slots=True)
class Changes:
    opened: int = 0
    reopened: int = 0
    resolved: int = 0
    rewaived: int = 0  # open violations a waiver now covers, or no longer covers

    @property
    def any(self) -> bool:
        return bool(self.opened or self.reopened or self.resolved or self.rewaived)


def _ref_values(ref: ComponentRef | None) -> dict[str, str]:
    if ref is None:
        return {"component_purl": "", "component_name": "", "component_version": ""}
    return {
        "component_purl": fit(ref.purl, 1024),
        "component_name": fit(ref.name, 512),
        "component_version": fit(ref.version, 256),
    }


def wanted_rows(report: EvaluationReport) -> dict[tuple[str, str], dict[str, Any]]:
    """The rows the report asks for, by (policy, purl); a violation wins over "unevaluated".

    What could not be evaluated is stored once per policy, not once per component: a
    version of 10,000 components read without registry data would otherwise store tens of
    thousands of rows saying the same thing. The row (component purl "") counts the
    components behind each missing-data note; the gate and the engine still list them
    one by one.
    """
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for v in report.violations:
        values = {
            **_ref_values(v.component), "policy_name": v.policy, "verdict": v.verdict.value,
            "outcome": VIOLATION, "reasons": json.dumps(list(v.reasons)),
            "waiver_id": v.waiver.id if v.waiver is not None else None,
        }  # fmt: skip
        out.setdefault((v.policy, str(values["component_purl"])), values)
    notes: dict[str, Counter[str]] = {}
    verdicts: dict[str, str] = {}
    for u in report.unevaluated:
        verdicts.setdefault(u.policy, u.verdict.value)
        counted = notes.setdefault(u.policy, Counter())
        for note in u.missing:
            counted[note] += 1
    for policy, counted in notes.items():
        reasons = [
            f"{note} ({n} component{'s' if n != 1 else ''})" if n > 1 else note
            for note, n in sorted(counted.items(), key=lambda item: (-item[1], item[0]))
        ]
        values = {
            **_ref_values(None), "policy_name": policy, "verdict": verdicts[policy],
            "outcome": UNEVALUATED, "reasons": json.dumps(reasons), "waiver_id": None,
        }  # fmt: skip
        out.setdefault((policy, ""), values)
    return out


def reconcile(
    session: Session, version: ProjectVersion, report: EvaluationReport, at: str
) -> Changes:
    """Make the version's stored violations those of ``report`` (see the module docstring).

    Plain Core statements, as findings are reconciled: a first evaluation of a large
    version may add tens of thousands of rows, and a repeated one only moves
    ``last_seen_at`` of the rows that did not change, a chunk of ids per statement.
    """
    session.flush()
    wanted = wanted_rows(report)
    table = table_of(ViolationRow)
    columns = [table.c.id, table.c.policy_name, table.c.component_purl, table.c.resolved_at]
    query = select(*columns, *(table.c[name] for name in _COMPARED)).where(
        table.c.version_id == version.id
    )
    stored = {(r[1], r[2]): r for r in session.execute(query)}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    seen: list[int] = []
    reopened = rewaived = 0
    for key, values in wanted.items():
        row = stored.get(key)
        if row is None:
            inserts.append(
                {**values, "version_id": version.id, "project_id": version.project_id,
                 "first_seen_at": at, "last_seen_at": at, "resolved_at": None}
            )  # fmt: skip
            continue
        reopened += row[3] is not None
        rewaived += row[3] is None and row[4 + _COMPARED.index("waiver_id")] != values["waiver_id"]
        if row[3] is None and tuple(row[4:]) == tuple(values[n] for n in _COMPARED):
            seen.append(row[0])
        else:
            changed = {n: values[n] for n in _COMPARED}
            updates.append({**changed, "last_seen_at": at, "resolved_at": None, "b_id": row[0]})
    gone = [r[0] for k, r in stored.items() if k not in wanted and r[3] is None]
    if updates:
        session.execute(update(table).where(table.c.id == bindparam("b_id")), updates)
    for ids, change in ((seen, {"last_seen_at": at}), (gone, {"resolved_at": at})):
        for part in chunks(ids):
            session.execute(update(table).where(table.c.id.in_(part)).values(**change))
    bulk_insert(session, table, inserts)
    session.expire_all()
    return Changes(len(inserts), reopened, len(gone), rewaived)


def evaluate_version(
    session: Session, version_id: int, today: date | None = None
) -> EvaluationReport:
    """Evaluate every active policy on one stored version and store the outcome."""
    from assay.catalogue.decommission import refresh
    from assay.policy.engine import evaluate

    lock_version(session, version_id)
    version = session.get(ProjectVersion, version_id, populate_existing=True)
    subject = subject_for_version(session, version_id)
    assert version is not None  # subject_for_version raised NotFound otherwise
    report = evaluate(
        active_policies(session),
        subject,
        facts_for_version(session, version_id),
        waivers=active_waivers(session, version.project_id),
        today=today or now().date(),
    )
    changes = reconcile(session, version, report, now_iso())
    if changes.any:
        project = session.get(Project, version.project_id)
        audit.record(
            session, SYSTEM, "policy.evaluate", "project_version", version_id,
            team_id=project.team_id if project else None, opened=changes.opened,
            reopened=changes.reopened, resolved=changes.resolved,
            waiver_changes=changes.rewaived, failed=report.failed(),
        )  # fmt: skip
    refresh(session, [version_id])
    return report

"""The server's gate: an SBOM sent by a pipeline, judged by the organisation's policies.

The server holds what a CI runner lacks: the organisation's policies and the
project's waivers, the catalogue, KEV/EPSS and the registry cache. The document
is read, matched against the server's advisories and evaluated for the named
project (its tags, team, criticality and exposure decide which policies are in
scope). Nothing is stored but one audit entry, ``gate.evaluate``, with the
verdict and counts: a gate run is a question, not a new project version.
"""

from __future__ import annotations

import os
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.accounts import Team
from assay.core.audit import record
from assay.core.db import Database
from assay.core.errors import InputError, NotFound
from assay.core.permissions import Principal
from assay.inventory.models import Project, ProjectTag
from assay.matching.model import DatabaseInfo
from assay.policy.gate.report import SERVER, GateReport
from assay.policy.gate.run import evaluate, gather_facts, policy_infos
from assay.policy.model import Subject
from assay.sbom.model import Bom


def visible_project(session: Session, who: Principal, name: str) -> Project:
    """The project named ``name`` if the caller sees it; NotFound (the same words whether
    it is hidden or absent) otherwise."""
    project = session.scalar(select(Project).where(Project.name == name))
    if project is None or not who.sees_team(project.team_id):
        raise NotFound(f"no project named {name!r}")
    return project


def subject_for(session: Session, project: Project, version: str, bom: Bom) -> Subject:
    from assay.sbom.quality import assess

    tags = session.scalars(select(ProjectTag.tag).where(ProjectTag.project_id == project.id))
    team = session.get(Team, project.team_id) if project.team_id is not None else None
    return Subject(
        project=project.name,
        version=version,
        tags=frozenset(tags),
        team=team.name if team else None,
        criticality=project.criticality,
        exposure=project.exposure,
        quality_score=assess(bom).score,
    )


def read_upload(data: bytes, name: str) -> Bom:
    """The SBOM in ``data`` (CycloneDX JSON/XML, SPDX JSON/tag-value); errors name ``name``."""
    from assay.inventory.analysis import read_document

    if not data.strip():
        raise InputError(name, "empty document")
    handle, raw = tempfile.mkstemp(prefix="assay-gate-", suffix=".sbom")
    path = Path(raw)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        bom, _ = read_document(path, name)
        return bom
    finally:
        path.unlink(missing_ok=True)


def gate_document(
    db: Database,
    session: Session,
    who: Principal,
    project_name: str,
    version: str,
    data: bytes,
    name: str = "upload",
    *,
    licenses_known: bool = True,
    strict: bool = False,
    today: date | None = None,
) -> GateReport:
    """Evaluate the document for ``project_name`` and audit the verdict.

    ``licenses_known`` False: the document was generated from lockfiles, so a component
    without a licence has an unknown licence (could not evaluate), not none.
    """
    from assay.inventory.matcher import match_bom, matchable
    from assay.policy.service import active_policies
    from assay.policy.waiver_service import active_waivers

    project = visible_project(session, who, project_name)
    # a component whose name holds NUL is named by no advisory, and PostgreSQL refuses NUL
    # in a query parameter: one hostile entry must not fail the whole document
    bom = matchable(read_upload(data, name))
    scan = match_bom(db, bom)
    components = bom.unique()
    facts = gather_facts(
        session, components, scan.findings, lambda c: licenses_known or c.licenses is not None
    )
    policies = active_policies(session)
    evaluation = evaluate(
        policies,
        subject_for(session, project, version, bom),
        facts,
        waivers=active_waivers(session, project.id),
        today=today or datetime.now(UTC).date(),
    )
    warnings = list(bom.warnings[:50])
    if scan.database.advisories == 0:
        warnings.append("the server holds no advisories: vulnerability policies saw none")
    report = GateReport(
        evaluation=evaluation,
        source=name,
        strict=strict,
        database=DatabaseInfo(
            "server", scan.database.advisories, scan.database.last_import, scan.database.last_sync
        ),
        policies=policy_infos(policies, evaluation),
        files=(name,),
        mode=SERVER,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        warnings=tuple(warnings),
    )
    counts = report.counts()
    record(
        session,
        who,
        "gate.evaluate",
        "project",
        project.id,
        team_id=project.team_id,
        project=project.name,
        version=version,
        verdict=report.verdict,
        strict=strict,
        components=evaluation.components,
        **counts,
    )
    return report

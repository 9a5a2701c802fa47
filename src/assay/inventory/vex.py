"""CycloneDX 1.6 VEX for a project version: export its findings' analyses, import someone's.

Export lists the version's open findings, grouped per vulnerability and
analysis (findings of one vulnerability with different analyses become
separate entries with distinct bom-refs), each affecting the components it was
found in. Import reads a VEX document (JSON or XML) and turns each statement's
analysis into finding-scope decisions on the findings it names: by the
vulnerability id or any reference id against the finding's aliases, and by the
affected ref (a component bom-ref of the document or of the version, a purl,
a BOM-link, or the document's subject: every finding of that vulnerability).
Statements that match nothing are reported back, never dropped in silence. A
malformed document changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay import __version__
from assay.core import audit
from assay.core.clock import now
from assay.core.permissions import Permission, Principal
from assay.inventory._access import chunks, visible_version
from assay.inventory.counts import refresh
from assay.inventory.effective import effective, vuln_ids
from assay.inventory.models import ComponentRow, FindingRow, Project, ProjectVersion
from assay.inventory.triage import finding_placement, record_decision
from assay.inventory.vex_read import Statement, VexDocument, read_vex
from assay.inventory.vex_terms import Analysis, NotPermitted, State
from assay.matching.formats.cyclonedx_vex import PREFIX_SOURCES

MAX_REPORTED = 1000
UNDECIDED = Analysis(State.IN_TRIAGE.value)  # what a finding without a decision is
_RATED = {"critical", "high", "medium", "low", "info", "none", "unknown"}
_UNAFFECTED = {State.NOT_AFFECTED, State.FALSE_POSITIVE}
_FIXED = {State.RESOLVED, State.RESOLVED_WITH_PEDIGREE}


def subject_ref(project: Project, version: ProjectVersion) -> str:
    return f"assay:project/{project.id}/version/{version.id}"


def _source(vuln_id: str) -> dict[str, str]:
    prefix = vuln_id.split("-", 1)[0].upper()
    return {"name": PREFIX_SOURCES.get(prefix, prefix)}


def _refs(session: Session, version_id: int, purls: Iterable[str]) -> dict[str, str]:
    """purl -> the bom-ref of that component in the version."""
    out: dict[str, str] = {}
    for part in chunks(sorted(set(purls))):
        rows = session.execute(
            select(ComponentRow.purl, ComponentRow.bom_ref).where(
                ComponentRow.version_id == version_id, ComponentRow.purl.in_(part)
            )
        )
        for purl, ref in rows:
            if purl:
                out.setdefault(purl, ref)
    return out


def _analysis_json(analysis: Analysis, updated: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"state": analysis.state}
    if analysis.justification:
        out["justification"] = analysis.justification
    if analysis.response:
        out["response"] = list(analysis.response)
    if analysis.detail:
        out["detail"] = analysis.detail
    if updated:
        out["lastUpdated"] = updated
    return out


def _status(state: str) -> str:
    return "unaffected" if state in _UNAFFECTED or state in _FIXED else "affected"


def export_vex(session: Session, principal: Principal, version_id: int) -> dict[str, Any]:
    """The version's open findings and their effective analyses as a CycloneDX 1.6 VEX document."""
    version, project = visible_version(session, principal, version_id)
    rows = list(
        session.scalars(
            select(FindingRow)
            .where(FindingRow.version_id == version.id, FindingRow.resolved_at.is_(None))
            .order_by(FindingRow.vuln_id, FindingRow.component_purl)
        )
    )
    refs = _refs(session, version.id, (r.component_purl for r in rows))
    current = effective(session, [r.id for r in rows])
    components: dict[str, dict[str, Any]] = {}
    groups: dict[tuple[str, Analysis], list[FindingRow]] = {}
    stamps: dict[tuple[str, Analysis], str | None] = {}
    for row in rows:
        eff = current.get(row.id)
        analysis = eff.analysis if eff else UNDECIDED
        key = (row.vuln_id, analysis)
        groups.setdefault(key, []).append(row)
        stamp = eff.created_at if eff else None
        stamps[key] = max(filter(None, (stamps.get(key), stamp)), default=None)
        ref = refs.get(row.component_purl, row.component_purl)
        comp: dict[str, Any] = {"type": "library", "bom-ref": ref, "name": row.component_name}
        if row.component_version:
            comp["version"] = row.component_version
        if row.component_purl.startswith("pkg:"):
            comp["purl"] = row.component_purl
        components.setdefault(ref, comp)
    seen: dict[str, int] = {}
    vulnerabilities = []
    for (vuln_id, analysis), members in groups.items():
        seen[vuln_id] = seen.get(vuln_id, 0) + 1
        entry_ref = vuln_id if seen[vuln_id] == 1 else f"{vuln_id}#{seen[vuln_id]}"
        vulnerabilities.append(
            _entry(vuln_id, entry_ref, analysis, stamps[(vuln_id, analysis)], members, refs)
        )
    moment = now().strftime("%Y-%m-%dT%H:%M:%SZ")
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": f"urn:uuid:{uuid.uuid4()}",
        "version": 1,
        "metadata": {
            "timestamp": moment,
            "tools": {
                "components": [{"type": "application", "name": "assay", "version": __version__}]
            },
            "component": {
                "type": "application",
                "bom-ref": subject_ref(project, version),
                "name": project.name,
                "version": version.version,
            },
        },
        "components": list(components.values()),
        "vulnerabilities": vulnerabilities,
    }


def _entry(
    vuln_id: str,
    entry_ref: str,
    analysis: Analysis,
    updated: str | None,
    members: list[FindingRow],
    refs: dict[str, str],
) -> dict[str, Any]:
    first = members[0]
    aliases = sorted(vuln_ids(first) - {vuln_id})
    entry: dict[str, Any] = {"bom-ref": entry_ref, "id": vuln_id, "source": _source(vuln_id)}
    if aliases:
        entry["references"] = [{"id": a, "source": _source(a)} for a in aliases]
    rating: dict[str, Any] = {"severity": first.severity if first.severity in _RATED else "unknown"}
    if first.cvss_score is not None:
        rating["score"] = first.cvss_score
    entry["ratings"] = [rating]
    if first.summary:
        entry["description"] = first.summary
    fixes = sorted({f"{m.component_name} {m.fix}" for m in members if m.fix})
    if fixes:
        entry["recommendation"] = "Upgrade: " + "; ".join(fixes)
    entry["analysis"] = _analysis_json(analysis, updated)
    affects: dict[str, dict[str, Any]] = {}
    for m in members:
        ref = refs.get(m.component_purl, m.component_purl)
        target = affects.setdefault(ref, {"ref": ref})
        if m.component_version:
            target["versions"] = [
                {"version": m.component_version, "status": _status(analysis.state)}
            ]
    entry["affects"] = list(affects.values())
    return entry


# --- import ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unmatched:
    vuln_id: str
    ref: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    statements: int
    applied: int  # decisions made
    unchanged: int  # findings whose analysis already was the stated one
    unmatched: tuple[Unmatched, ...]  # the first MAX_REPORTED
    unmatched_total: int
    decision_ids: tuple[int, ...]


def _bare(purl: str) -> str:
    return purl.split("#", 1)[0].split("?", 1)[0]


def _resolve(ref: str, doc: VexDocument, own: dict[str, str]) -> str:
    """A ref as a purl where it can be resolved (BOM-links keep their fragment), else itself."""
    local = ref.split("#", 1)[1] if ref.startswith("urn:cdx:") and "#" in ref else ref
    return doc.components.get(local) or own.get(local) or local


def _match(
    st: Statement,
    doc: VexDocument,
    own: dict[str, str],
    everyone: set[str],
    by_id: dict[str, list[FindingRow]],
) -> tuple[list[FindingRow], list[Unmatched]]:
    found = {f.id: f for i in sorted(st.ids) for f in by_id.get(i, [])}
    if not found:
        return [], [Unmatched(st.id, None, "no finding of this vulnerability in the version")]
    if not st.refs:
        return list(found.values()), []
    targets: dict[int, FindingRow] = {}
    missed = []
    for ref in st.refs:
        local = _resolve(ref, doc, own)
        if ref in everyone or local in everyone:
            targets.update(found)
            continue
        hits = [
            f
            for f in found.values()
            if f.component_purl == local or _bare(f.component_purl) == _bare(local)
        ]
        if not hits:
            missed.append(
                Unmatched(st.id, ref, "no finding of this vulnerability in that component")
            )
        targets.update((f.id, f) for f in hits)
    return list(targets.values()), missed


def import_vex(
    session: Session, principal: Principal, version_id: int, data: bytes, source: str = "vex"
) -> ImportReport:
    """Apply a VEX document's analyses to the version's findings as finding-scope decisions."""
    version, project = visible_version(session, principal, version_id)
    if not principal.can(Permission.TRIAGE):
        raise NotPermitted("importing VEX needs the triage permission")
    doc = read_vex(data, source)
    rows = list(session.scalars(select(FindingRow).where(FindingRow.version_id == version.id)))
    by_id: dict[str, list[FindingRow]] = {}
    for row in rows:
        for i in vuln_ids(row):
            by_id.setdefault(i, []).append(row)
    own = {
        ref: purl
        for ref, purl in session.execute(
            select(ComponentRow.bom_ref, ComponentRow.purl).where(
                ComponentRow.version_id == version.id
            )
        )
        if purl
    }
    everyone = {subject_ref(project, version), *([doc.subject] if doc.subject else [])}
    plan: dict[int, tuple[FindingRow, Analysis]] = {}
    unmatched: list[Unmatched] = []
    for st in doc.statements:
        if st.analysis is None:
            unmatched.append(Unmatched(st.id, None, "the statement has no analysis state"))
            continue
        hits, missed = _match(st, doc, own, everyone, by_id)
        unmatched.extend(missed)
        plan.update((f.id, (f, st.analysis)) for f in hits)
    current = effective(session, plan)
    made: list[int] = []
    for finding, analysis in plan.values():
        eff = current.get(finding.id)
        if (eff.analysis if eff else UNDECIDED) == analysis:
            continue
        place = finding_placement(
            finding.id,
            finding.vuln_id,
            version.id,
            project.id,
            project.team_id,
            finding.component_purl,
        )
        made.append(record_decision(session, principal, place, analysis, None, "vex").id)
    if made:
        refresh(session, {version.id})
    audit.record(
        session, principal, "vex.import", "project_version", version.id, team_id=project.team_id,
        source=source[:200], statements=len(doc.statements), applied=len(made),
        unchanged=len(plan) - len(made), unmatched=len(unmatched),
    )  # fmt: skip
    return ImportReport(
        statements=len(doc.statements),
        applied=len(made),
        unchanged=len(plan) - len(made),
        unmatched=tuple(unmatched[:MAX_REPORTED]),
        unmatched_total=len(unmatched),
        decision_ids=tuple(made),
    )


__all__ = ["ImportReport", "Unmatched", "export_vex", "import_vex"]

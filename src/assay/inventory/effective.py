"""Which triage decision applies to a finding: the most specific unexpired one.

Precedence: a decision on the finding itself, then one on the vulnerability in
the finding's project version, then in its project (every version), then in the
whole portfolio. Between decisions of one scope the latest wins (``created_at``,
then id). A decision names a vulnerability by any id of its group (a CVE or a
GHSA alias both match the finding), and may be limited to one component purl.
Decisions apply whoever looks: visibility limits what a caller can *see*, not
which decisions count.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from assay.core.clock import now_iso
from assay.inventory._access import chunks
from assay.inventory.models import AnalysisDecision, FindingRow
from assay.inventory.vex_terms import SPECIFICITY, Analysis, Effective, Scope, State


@dataclass(frozen=True, slots=True)
class Target:
    """What a decision is matched against: one finding's keys and every id of its vulnerability."""

    finding_id: int
    version_id: int
    project_id: int
    component_purl: str
    ids: frozenset[str]

    @classmethod
    def of(cls, row: FindingRow) -> Target:
        return cls(row.id, row.version_id, row.project_id, row.component_purl, vuln_ids(row))


def vuln_ids(row: FindingRow) -> frozenset[str]:
    """The finding's vulnerability id and its aliases (a damaged alias list counts as none)."""
    try:
        aliases = json.loads(row.aliases or "[]")
    except ValueError:
        aliases = []
    extra = {a for a in aliases if isinstance(a, str)} if isinstance(aliases, list) else set()
    return frozenset({row.vuln_id, *extra})


def applies(decision: AnalysisDecision, target: Target) -> bool:
    """Whether ``decision`` covers ``target`` (ignoring expiry)."""
    if decision.scope == Scope.FINDING:
        return decision.finding_id == target.finding_id
    if decision.vuln_id not in target.ids:
        return False
    if decision.component_purl is not None and decision.component_purl != target.component_purl:
        return False
    if decision.scope == Scope.VERSION:
        return decision.version_id == target.version_id
    if decision.scope == Scope.PROJECT:
        return decision.project_id == target.project_id
    return decision.scope == Scope.PORTFOLIO


def rank(decision: AnalysisDecision) -> tuple[int, str, int]:
    return (SPECIFICITY.get(decision.scope, 0), decision.created_at, decision.id)


def analysis_of(decision: AnalysisDecision) -> Analysis:
    try:
        response = json.loads(decision.response or "[]")
    except ValueError:
        response = []
    return Analysis(
        state=decision.state,
        justification=decision.justification,
        response=tuple(r for r in response if isinstance(r, str)),
        detail=decision.detail,
    )


def as_effective(decision: AnalysisDecision) -> Effective:
    return Effective(
        analysis=analysis_of(decision),
        decision_id=decision.id,
        scope=decision.scope,
        created_at=decision.created_at,
        created_by=decision.created_by,
        expires_at=decision.expires_at,
    )


def candidates(
    session: Session, targets: list[Target], *, at: str | None, include_expired: bool = False
) -> list[AnalysisDecision]:
    """Decisions that may apply to some of ``targets`` (at most ~500 of them), in one query."""
    if not targets:
        return []
    ids = sorted({i for t in targets for i in t.ids})
    where = [
        or_(
            AnalysisDecision.finding_id.in_([t.finding_id for t in targets]),
            and_(
                AnalysisDecision.vuln_id.in_(ids),
                or_(
                    and_(
                        AnalysisDecision.scope == Scope.VERSION.value,
                        AnalysisDecision.version_id.in_({t.version_id for t in targets}),
                    ),
                    and_(
                        AnalysisDecision.scope == Scope.PROJECT.value,
                        AnalysisDecision.project_id.in_({t.project_id for t in targets}),
                    ),
                    AnalysisDecision.scope == Scope.PORTFOLIO.value,
                ),
            ),
        )
    ]
    if not include_expired:
        moment = at or now_iso()
        where.append(
            or_(AnalysisDecision.expires_at.is_(None), AnalysisDecision.expires_at > moment)
        )
    return list(session.scalars(select(AnalysisDecision).where(*where)))


def _best(decisions: list[AnalysisDecision], target: Target) -> AnalysisDecision | None:
    found = [d for d in decisions if applies(d, target)]
    return max(found, key=rank) if found else None


def effective(
    session: Session, finding_ids: Iterable[int], *, at: str | None = None
) -> dict[int, Effective]:
    """The analysis in force for each finding that has one (findings without are left out).

    ``at`` is the moment expiry is judged against (default: now).
    """
    out: dict[int, Effective] = {}
    for part in chunks(sorted(set(finding_ids))):
        rows = session.scalars(select(FindingRow).where(FindingRow.id.in_(part)))
        targets = [Target.of(row) for row in rows]
        found = candidates(session, targets, at=at)
        for target in targets:
            best = _best(found, target)
            if best is not None:
                out[target.finding_id] = as_effective(best)
    return out


def effective_states(
    session: Session, finding_ids: Iterable[int], *, at: str | None = None
) -> dict[int, str]:
    """Each given finding's state; ``in_triage`` where no decision applies."""
    wanted = list(dict.fromkeys(finding_ids))
    found = effective(session, wanted, at=at)
    return {fid: found[fid].state if fid in found else State.IN_TRIAGE.value for fid in wanted}


def suppressed(session: Session, finding_ids: Iterable[int], *, at: str | None = None) -> set[int]:
    """The findings among ``finding_ids`` whose analysis takes them out of the open counts."""
    return {
        fid
        for fid, eff in effective(session, finding_ids, at=at).items()
        if eff.analysis.suppressed
    }

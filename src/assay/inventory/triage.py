"""Triage: analysis decisions in the CycloneDX VEX vocabulary, and comments on findings.

A decision is never updated; a new one supersedes the old (see
:mod:`assay.inventory.effective` for which one applies). A decision names one
finding, or a vulnerability across a project version, a project (all its
versions) or the whole portfolio. Suppressing a vulnerability for a project or
the portfolio (``not_affected``, ``false_positive``) needs an expiry date, so
blanket suppressions are reviewed. Deciding for the portfolio needs ADMINISTER,
or PORTFOLIO_WIDE with TRIAGE. Every decision and comment is audited in the
caller's transaction, and the counts of the versions it touches are recomputed.

Service functions take the caller's session and principal and raise
``NotFound`` for anything the principal may not see, :class:`TriageError` for
a request that breaks the rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from assay.core import audit
from assay.core.clock import iso, now, now_iso, parse
from assay.core.permissions import Permission, Principal
from assay.inventory._access import visible_finding, visible_project, visible_version
from assay.inventory.counts import affected_versions, refresh
from assay.inventory.effective import (
    Target,
    analysis_of,
    applies,
    candidates,
    effective,
    effective_states,
    suppressed,
)
from assay.inventory.models import AnalysisDecision, FindingComment, FindingRow
from assay.inventory.vex_terms import (
    CONTROL_CHARACTERS,
    MAX_DETAIL,
    NEEDS_EXPIRY,
    Analysis,
    Effective,
    Justification,
    NotPermitted,
    Response,
    Scope,
    State,
    TriageError,
    check_vuln_id,
)

__all__ = [
    "Analysis",
    "Justification",
    "NotPermitted",
    "Response",
    "Scope",
    "State",
    "TriageError",
    "comment",
    "decide",
    "effective",
    "effective_states",
    "finding_detail",
    "history",
    "suppressed",
]

MAX_PURL = 1024


class DecisionsAreFinal(RuntimeError):
    """Raised on an attempt to change a recorded decision (supersede it with a new one)."""


@event.listens_for(AnalysisDecision, "before_update")
def _no_update(*_: object) -> None:
    raise DecisionsAreFinal("analysis decisions cannot be changed; record a new one")


@dataclass(frozen=True, slots=True)
class _Placement:
    scope: Scope
    vuln_id: str
    finding_id: int | None = None
    version_id: int | None = None
    project_id: int | None = None
    team_id: int | None = None
    component_purl: str | None = None


def can_decide_portfolio(principal: Principal) -> bool:
    return principal.is_admin or (
        Permission.PORTFOLIO_WIDE in principal.permissions and principal.can(Permission.TRIAGE)
    )


def _scope(value: str | None) -> Scope:
    try:
        return Scope(value or "")
    except ValueError:
        known = ", ".join(s.value for s in Scope)
        raise TriageError(f"unknown scope {value!r} (known: {known})") from None


def _purl(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    purl = value.strip()
    if len(purl) > MAX_PURL or not purl.startswith("pkg:"):
        raise TriageError(
            f"component_purl must be a purl (pkg:...) of at most {MAX_PURL} characters"
        )
    return purl


def _place(
    session: Session,
    principal: Principal,
    *,
    finding_id: int | None,
    vuln_id: str | None,
    scope: str | None,
    target_id: int | None,
    component_purl: str | None,
) -> _Placement:
    if finding_id is not None:
        if scope not in (None, Scope.FINDING.value) or target_id is not None or component_purl:
            raise TriageError("a decision on a finding takes no other scope, target or purl")
        finding, project = visible_finding(session, principal, finding_id)
        return _Placement(
            Scope.FINDING, finding.vuln_id, finding.id, finding.version_id, finding.project_id,
            project.team_id, finding.component_purl,
        )  # fmt: skip
    vid = check_vuln_id(vuln_id or "")
    where = _scope(scope)
    purl = _purl(component_purl)
    if where == Scope.FINDING:
        raise TriageError("a finding-scope decision is made on the finding (finding_id)")
    if where == Scope.PORTFOLIO:
        if target_id is not None:
            raise TriageError("a portfolio decision takes no target id")
        if not can_decide_portfolio(principal):
            raise NotPermitted(
                "a portfolio decision needs administer, or portfolio_wide and triage"
            )
        return _Placement(where, vid, component_purl=purl)
    if target_id is None:
        raise TriageError(f"a {where.value} decision needs the {where.value}'s id (target_id)")
    if where == Scope.VERSION:
        version, project = visible_version(session, principal, target_id)
        return _Placement(
            where, vid, version_id=version.id, project_id=project.id, team_id=project.team_id,
            component_purl=purl,
        )  # fmt: skip
    project = visible_project(session, principal, target_id)
    return _Placement(
        where, vid, project_id=project.id, team_id=project.team_id, component_purl=purl
    )


def _expiry(value: str | datetime | None, scope: Scope, state: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if scope in (Scope.PROJECT, Scope.PORTFOLIO) and state in NEEDS_EXPIRY:
            raise TriageError(f"suppressing for a whole {scope.value} needs an expires_at date")
        return None
    try:
        moment = value if isinstance(value, datetime) else parse(value)
        stamp = iso(moment)
    except (ValueError, OverflowError):
        raise TriageError(f"expires_at {str(value)[:40]!r} is not an ISO 8601 date") from None
    if moment <= now():
        raise TriageError("expires_at must be in the future")
    return stamp


def decide(
    session: Session,
    principal: Principal,
    *,
    state: str,
    finding_id: int | None = None,
    vuln_id: str | None = None,
    scope: str | None = None,
    target_id: int | None = None,
    justification: str | None = None,
    response: Iterable[str] = (),
    detail: str = "",
    expires_at: str | datetime | None = None,
    component_purl: str | None = None,
    source: str = "api",
) -> AnalysisDecision:
    """Record a decision and recount what it touches.

    Either ``finding_id`` (a decision on that finding), or ``vuln_id`` with
    ``scope`` ``version``/``project`` (and the ``target_id`` of that version or
    project) or ``portfolio`` (no target). ``component_purl`` limits a scoped
    decision to one component. ``source`` is noted in the audit entry.
    """
    if not principal.can(Permission.TRIAGE):
        raise NotPermitted("triage decisions need the triage permission")
    analysis = Analysis.validated(state, justification, response, detail)
    place = _place(
        session, principal, finding_id=finding_id, vuln_id=vuln_id, scope=scope,
        target_id=target_id, component_purl=component_purl,
    )  # fmt: skip
    row = record_decision(
        session,
        principal,
        place,
        analysis,
        _expiry(expires_at, place.scope, analysis.state),
        source,
    )
    refresh(session, affected_versions(session, row))
    return row


def record_decision(
    session: Session,
    principal: Principal,
    place: _Placement,
    analysis: Analysis,
    expires_at: str | None,
    source: str,
) -> AnalysisDecision:
    """Insert one validated decision and its audit entry (no recount: the caller does it)."""
    row = AnalysisDecision(
        vuln_id=place.vuln_id,
        scope=place.scope.value,
        finding_id=place.finding_id,
        version_id=place.version_id,
        project_id=place.project_id,
        component_purl=place.component_purl,
        state=analysis.state,
        justification=analysis.justification,
        response=json.dumps(list(analysis.response)),
        detail=analysis.detail,
        expires_at=expires_at,
        created_at=now_iso(),
        created_by=principal.actor,
    )
    session.add(row)
    session.flush()
    audit.record(
        session, principal, "decision.create", "analysis_decision", row.id,
        team_id=place.team_id, scope=row.scope, vuln_id=row.vuln_id, state=row.state,
        justification=row.justification, finding_id=row.finding_id, version_id=row.version_id,
        project_id=row.project_id, component_purl=row.component_purl, expires_at=expires_at,
        source=source,
    )  # fmt: skip
    return row


def finding_placement(finding_id: int, vuln_id: str, version_id: int, project_id: int,
                      team_id: int | None, purl: str) -> _Placement:  # fmt: skip
    """Where a finding-scope decision goes, for callers that already loaded the finding."""
    return _Placement(Scope.FINDING, vuln_id, finding_id, version_id, project_id, team_id, purl)


def finding_detail(
    session: Session, principal: Principal, finding_id: int
) -> tuple[FindingRow, Effective | None]:
    """A finding the caller sees, and the analysis in force for it (None: undecided)."""
    finding, _ = visible_finding(session, principal, finding_id)
    return finding, effective(session, [finding.id]).get(finding.id)


def comment(session: Session, principal: Principal, finding_id: int, text: str) -> FindingComment:
    """Add a comment to a finding (needs TRIAGE), audited as ``finding.comment``."""
    finding, project = visible_finding(session, principal, finding_id)
    if not principal.can(Permission.TRIAGE):
        raise NotPermitted("comments need the triage permission")
    body = text.strip()
    if not body or len(body) > MAX_DETAIL or not CONTROL_CHARACTERS.isdisjoint(body):
        raise TriageError(f"a comment is 1-{MAX_DETAIL:,} characters, without control characters")
    row = FindingComment(finding_id=finding.id, at=now_iso(), author=principal.actor, text=body)
    session.add(row)
    session.flush()
    audit.record(
        session, principal, "finding.comment", "finding", finding.id,
        team_id=project.team_id, comment_id=row.id, length=len(body),
    )  # fmt: skip
    return row


@dataclass(frozen=True, slots=True)
class DecisionEntry:
    """A decision as history shows it: ``in_force`` when it is the one applying now."""

    decision: AnalysisDecision
    analysis: Analysis
    expired: bool
    in_force: bool


@dataclass(frozen=True, slots=True)
class History:
    finding_id: int
    decisions: tuple[DecisionEntry, ...]  # newest first
    comments: tuple[FindingComment, ...]  # newest first


def is_expired(decision: AnalysisDecision, at: str | None = None) -> bool:
    return decision.expires_at is not None and decision.expires_at <= (at or now_iso())


def history(session: Session, principal: Principal, finding_id: int) -> History:
    """Every decision that ever applied to the finding, and its comments, newest first."""
    finding, _ = visible_finding(session, principal, finding_id)
    target = Target.of(finding)
    moment = now_iso()
    found = [
        d
        for d in candidates(session, [target], at=moment, include_expired=True)
        if applies(d, target)
    ]
    current = effective(session, [finding.id], at=moment).get(finding.id)
    found.sort(key=lambda d: (d.created_at, d.id), reverse=True)
    entries = tuple(
        DecisionEntry(
            d,
            analysis_of(d),
            is_expired(d, moment),
            current is not None and current.decision_id == d.id,
        )
        for d in found
    )
    notes = session.scalars(
        select(FindingComment)
        .where(FindingComment.finding_id == finding.id)
        .order_by(FindingComment.at.desc(), FindingComment.id.desc())
    )
    return History(finding.id, entries, tuple(notes))

"""The server's policies: stored as rows, applied as a set from files or one by one.

A policy is stored as the policy file writes it (:func:`assay.policy.loader.policy_to_dict`)
with the SHA-256 of its canonical JSON, so applying the same files twice changes nothing
and says so. Writing needs MANAGE_POLICY; each change is audited in the same transaction
(``policy.create``, ``policy.update``, ``policy.delete``) and, when anything changed, one
``policy.evaluate`` job re-evaluates every version (enqueued in the same transaction).

The starter set is applied once per database (:func:`seed_starter`, at server start); the
``meta`` row it leaves means deleting every policy later does not bring them back.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core import audit
from assay.core.clock import now_iso
from assay.core.db import take_write_lock
from assay.core.errors import Forbidden, NotFound
from assay.core.jobs import enqueue
from assay.core.permissions import SYSTEM, Permission, Principal
from assay.inventory.models import ProjectVersion
from assay.policy.conditions.interface import InvalidPolicy
from assay.policy.model import Policy
from assay.policy.store import PolicyRow
from assay.vulndb.models import Meta

SEEDED_KEY = "policy.starter_seeded"
EVALUATE = "policy.evaluate"
_ROW_FIELDS = ("description", "verdict", "match", "remediation", "enabled")


@dataclass(frozen=True, slots=True)
class ApplyResult:
    """Names of the policies each :func:`apply` created, updated, left unchanged, removed."""

    created: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.removed)


def _document(policy: Policy) -> dict[str, Any]:
    """The policy as its file writes it, without where it was read."""
    from assay.policy.loader import policy_to_dict

    data = dict(policy_to_dict(policy))
    data.pop("source", None)
    return data


def digest(policy: Policy) -> str:
    """SHA-256 of the policy's canonical JSON (equal policies, equal digests)."""
    canonical = json.dumps(_document(policy), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def to_policy(row: PolicyRow) -> Policy:
    """A stored row read back as a :class:`Policy` (InvalidPolicy if it no longer reads)."""
    from assay.policy.loader import policy_from_dict

    data: dict[str, Any] = {
        "name": row.name,
        "description": row.description,
        "verdict": row.verdict,
        "match": row.match,
        "remediation": row.remediation,
        "enabled": row.enabled,
        "scope": json.loads(row.scope or "{}"),
        "conditions": json.loads(row.conditions or "[]"),
    }
    policy = policy_from_dict(data, f"stored policy {row.name!r}")
    return Policy(
        name=policy.name, verdict=policy.verdict, conditions=policy.conditions,
        match=policy.match, scope=policy.scope, description=policy.description,
        enabled=policy.enabled, remediation=policy.remediation, source=row.source,
    )  # fmt: skip


def _fill(row: PolicyRow, policy: Policy, source: str, who: Principal, now: str) -> None:
    doc = _document(policy)
    row.description = policy.description
    row.verdict = policy.verdict.value
    row.match = policy.match
    row.remediation = policy.remediation
    row.enabled = policy.enabled
    row.scope = json.dumps(doc.get("scope") or {}, sort_keys=True)
    row.conditions = json.dumps(doc.get("conditions") or [], sort_keys=True)
    row.source = (policy.source or source)[:512]
    row.digest = digest(policy)
    row.updated_at = now
    row.updated_by = who.actor


def _check(who: Principal) -> None:
    if not who.can(Permission.MANAGE_POLICY):
        raise Forbidden(f"requires the {Permission.MANAGE_POLICY} permission")


def get(session: Session, name: str) -> PolicyRow:
    row = session.scalar(select(PolicyRow).where(PolicyRow.name == name))
    if row is None:
        raise NotFound(f"no policy named {name!r}")
    return row


def list_policies(session: Session) -> list[PolicyRow]:
    return list(session.scalars(select(PolicyRow).order_by(PolicyRow.name)))


def active_policies(session: Session) -> list[Policy]:
    """Every enabled policy, by name. A stored policy that no longer reads is an error, not
    a silent pass."""
    rows = session.scalars(
        select(PolicyRow).where(PolicyRow.enabled.is_(True)).order_by(PolicyRow.name)
    )
    return [to_policy(row) for row in rows]


def _upsert(session: Session, who: Principal, policy: Policy, source: str, now: str) -> str:
    """Store one policy; "created", "updated" or "unchanged" (audited when changed)."""
    row = session.scalar(select(PolicyRow).where(PolicyRow.name == policy.name))
    if row is not None and row.digest == digest(policy):
        return "unchanged"
    action = "created" if row is None else "updated"
    if row is None:
        row = PolicyRow(name=policy.name, created_at=now)
        session.add(row)
    _fill(row, policy, source, who, now)
    session.flush()
    audit.record(
        session, who, "policy.create" if action == "created" else "policy.update",
        "policy", policy.name, verdict=row.verdict, digest=row.digest, source=row.source,
    )  # fmt: skip
    return action


def apply(
    session: Session,
    principal: Principal,
    policies: list[Policy],
    source: str,
    prune: bool = False,
) -> ApplyResult:
    """Make the stored policies include ``policies`` (upsert by name); with ``prune``, also
    delete every stored policy not among them."""
    take_write_lock(session)  # SQLite: before the first read
    _check(principal)
    names = [p.name for p in policies]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise InvalidPolicy(source or "policies", f"policy {twice[0]!r} is defined twice")
    now = now_iso()
    outcome: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
    for policy in sorted(policies, key=lambda p: p.name):
        outcome[_upsert(session, principal, policy, source, now)].append(policy.name)
    removed: list[str] = []
    if prune:
        for row in list_policies(session):
            if row.name not in set(names):
                _remove(session, principal, row)
                removed.append(row.name)
    result = ApplyResult(
        tuple(outcome["created"]), tuple(outcome["updated"]), tuple(outcome["unchanged"]),
        tuple(removed),
    )  # fmt: skip
    if result.changed:
        enqueue(session, EVALUATE, all=True)
    return result


def plan(session: Session, policies: list[Policy], prune: bool = False) -> ApplyResult:
    """What :func:`apply` would do, changing nothing (``--dry-run``)."""
    stored = {row.name: row.digest for row in list_policies(session)}
    out: dict[str, list[str]] = {"created": [], "updated": [], "unchanged": []}
    for policy in sorted(policies, key=lambda p: p.name):
        known = stored.get(policy.name)
        kind = "created" if known is None else "unchanged" if known == digest(policy) else "updated"
        out[kind].append(policy.name)
    names = {p.name for p in policies}
    removed = tuple(n for n in sorted(stored) if n not in names) if prune else ()
    return ApplyResult(
        tuple(out["created"]), tuple(out["updated"]), tuple(out["unchanged"]), removed
    )


def put(session: Session, principal: Principal, policy: Policy, source: str = "api") -> str:
    """Create or replace one policy; "created", "updated" or "unchanged"."""
    take_write_lock(session)  # SQLite: before the first read
    _check(principal)
    action = _upsert(session, principal, policy, source, now_iso())
    if action != "unchanged":
        enqueue(session, EVALUATE, all=True)
    return action


def _remove(session: Session, who: Principal, row: PolicyRow) -> None:
    audit.record(session, who, "policy.delete", "policy", row.name, digest=row.digest)
    session.delete(row)
    session.flush()


def delete(session: Session, principal: Principal, name: str) -> None:
    """Delete one policy (its violations resolve on the next evaluation)."""
    take_write_lock(session)  # SQLite: before the first read
    _check(principal)
    _remove(session, principal, get(session, name))
    enqueue(session, EVALUATE, all=True)


def seed_starter(session: Session) -> bool:
    """Apply the starter policies if this database never had them; whether it did now."""
    if session.get(Meta, SEEDED_KEY) is not None:
        return False
    from assay.policy.starter import starter_policies

    session.add(Meta(key=SEEDED_KEY, value=now_iso()))
    session.flush()
    existing = set(session.scalars(select(PolicyRow.name)))
    now = now_iso()
    created = [
        _upsert(session, SYSTEM, p, "starter", now)
        for p in starter_policies()
        if p.name not in existing
    ]
    if created and session.scalar(select(ProjectVersion.id).limit(1)) is not None:
        enqueue(session, EVALUATE, all=True)  # an existing portfolio meets its first policies
    return True

"""Policies as code over REST: list and read (VIEW_PORTFOLIO), create, replace, delete and
apply a whole set (MANAGE_POLICY).

``POST /policies/apply`` takes the policy file's content as JSON (``document``), reads it
with the same loader as ``assay policy apply`` and upserts by name; ``prune`` also deletes
the stored policies the set does not name. A policy that cannot be read answers 422 with
one line naming the place, and changes nothing.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path

from assay.api.deps import DbSession, Viewer, require
from assay.api.schemas.policies import ApplyRead, ApplyRequest, PolicyPut, PolicyRead
from assay.core.permissions import Permission, Principal
from assay.policy import service
from assay.policy.store import PolicyRow

router = APIRouter(tags=["policies"])

Manager = Annotated[Principal, Depends(require(Permission.MANAGE_POLICY))]
Name = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[a-z0-9][a-z0-9-]*$")]


def _json(text: str, empty: Any) -> Any:
    try:
        return json.loads(text or "null") or empty
    except ValueError:
        return empty


def policy_read(row: PolicyRow) -> PolicyRead:
    return PolicyRead(
        name=row.name, description=row.description, verdict=row.verdict, match=row.match,
        scope=_json(row.scope, {}), conditions=_json(row.conditions, []),
        remediation=row.remediation, enabled=row.enabled, source=row.source, digest=row.digest,
        created_at=row.created_at, updated_at=row.updated_at, updated_by=row.updated_by,
    )  # fmt: skip


@router.get("/policies")
def list_policies(session: DbSession, who: Viewer) -> list[PolicyRead]:
    """Every stored policy, by name (disabled ones included)."""
    return [policy_read(row) for row in service.list_policies(session)]


@router.get("/policies/{name}")
def get_policy(session: DbSession, who: Viewer, name: Name) -> PolicyRead:
    return policy_read(service.get(session, name))


@router.put("/policies/{name}")
def put_policy(session: DbSession, who: Manager, name: Name, body: PolicyPut) -> PolicyRead:
    """Create or replace one policy, written as a policy file writes it."""
    from assay.policy.loader import policy_from_dict

    policy = policy_from_dict({**body.model_dump(), "name": name}, f"api: policy {name!r}")
    service.put(session, who, policy)
    return policy_read(service.get(session, name))


@router.delete("/policies/{name}")
def delete_policy(session: DbSession, who: Manager, name: Name) -> PolicyRead:
    """Delete one policy; its violations resolve on the next evaluation."""
    gone = policy_read(service.get(session, name))
    service.delete(session, who, name)
    return gone


@router.post("/policies/apply")
def apply_policies(session: DbSession, who: Manager, body: ApplyRequest) -> ApplyRead:
    """Apply a policy set (upsert by name; ``prune`` deletes the policies it lacks);
    ``dry_run`` answers what would change and changes nothing."""
    from assay.policy.loader import parse_document

    policies = parse_document(body.document, body.source)
    if body.dry_run:
        done = service.plan(session, policies, prune=body.prune)
    else:
        done = service.apply(session, who, policies, body.source, prune=body.prune)
    return ApplyRead(
        created=list(done.created), updated=list(done.updated),
        unchanged=list(done.unchanged), removed=list(done.removed),
    )  # fmt: skip

"""The append-only audit log: every state change, who made it, when.

Rows are only ever inserted. The ORM refuses updates and deletes of
:class:`AuditEntry` (and migration 0003 adds a trigger that refuses them on
PostgreSQL and SQLite too), so the log cannot be rewritten through assay.
``detail`` is JSON; callers must never put secrets in it (an API key appears
as its prefix only).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Integer, String, Text, event
from sqlalchemy.orm import Mapped, Session, mapped_column

from assay.core.clock import now_iso
from assay.core.orm import Base
from assay.core.permissions import Principal


class AuditEntry(Base):
    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(40), index=True)
    actor: Mapped[str] = mapped_column(String(160), index=True)
    action: Mapped[str] = mapped_column(String(64), index=True)  # e.g. "bom.upload", "key.create"
    target_type: Mapped[str] = mapped_column(String(64), default="")
    target_id: Mapped[str] = mapped_column(String(256), default="")
    # The team that owns the target, so a team's members can read its trail. No foreign
    # key: the log outlives a deleted team, and an append-only row cannot be nulled.
    team_id: Mapped[int | None] = mapped_column(Integer, index=True)
    detail: Mapped[str] = mapped_column(Text, default="{}")


class AppendOnly(RuntimeError):
    """Raised on an attempt to change or delete an audit entry."""


@event.listens_for(AuditEntry, "before_update")
def _no_update(*_: Any) -> None:
    raise AppendOnly("audit entries cannot be changed")


@event.listens_for(AuditEntry, "before_delete")
def _no_delete(*_: Any) -> None:
    raise AppendOnly("audit entries cannot be deleted")


def record(
    session: Session,
    actor: Principal | str,
    action: str,
    target_type: str = "",
    target_id: str | int = "",
    *,
    team_id: int | None = None,
    **detail: Any,
) -> AuditEntry:
    """Add one entry in the caller's transaction: the change and its record commit together."""
    entry = AuditEntry(
        at=now_iso(),
        actor=actor if isinstance(actor, str) else actor.actor,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        team_id=team_id,
        detail=json.dumps(detail, sort_keys=True, default=str),
    )
    session.add(entry)
    return entry

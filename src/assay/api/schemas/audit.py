"""Response bodies of ``/api/v1/audit``."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class AuditEntryRead(BaseModel):
    id: int
    at: str
    actor: str
    action: str
    target_type: str
    target_id: str
    team_id: int | None
    detail: dict[str, Any]

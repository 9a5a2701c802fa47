"""Who is asking, and what they may do.

Permissions are granted to teams (and, for administrators, to users); a
person's or an API key's effective permissions are the union over the teams
they belong to. Projects are owned by a team and visible only to its members,
unless the principal holds :attr:`Permission.PORTFOLIO_WIDE`.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from assay.core.errors import UsageError


class Permission(StrEnum):
    VIEW_PORTFOLIO = "view_portfolio"  # read projects, components, findings of one's teams
    PORTFOLIO_WIDE = "portfolio_wide"  # ... of every team
    UPLOAD_BOM = "upload_bom"
    TRIAGE = "triage"
    MANAGE_POLICY = "manage_policy"  # policies as code: apply, edit, delete
    MANAGE_CATALOGUE = "manage_catalogue"  # review, approve, reject, deprecate, ban components
    GRANT_WAIVER = "grant_waiver"  # accept a policy violation for a project, until a date
    SEND_EVENTS = "send_events"  # delivery events in (batch API); webhooks use their own secrets
    MANAGE_SERVICES = "manage_services"  # delivery service configurations
    ADMINISTER = "administer"  # users, teams, keys; implies every other permission


ALL_PERMISSIONS = frozenset(Permission)


class UnknownPermission(UsageError, ValueError):
    """A permission name that is not one of :class:`Permission`."""


def parse_permissions(values: object) -> frozenset[Permission]:
    """Permissions from stored text (comma-separated) or a list; unknown names are an error."""
    items = values.split(",") if isinstance(values, str) else list(values or [])  # type: ignore[call-overload]
    out: set[Permission] = set()
    for item in items:
        name = str(item).strip()
        if not name:
            continue
        try:
            out.add(Permission(name))
        except ValueError:
            known = ", ".join(p.value for p in Permission)
            raise UnknownPermission(f"unknown permission {name!r} (known: {known})") from None
    return frozenset(out)


def format_permissions(perms: frozenset[Permission] | set[Permission]) -> str:
    return ",".join(sorted(p.value for p in perms))


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller: a user (UI session or password) or a team's API key.

    ``actor`` is how the audit log names it: ``user:alice`` or ``key:ab12cd34``.
    """

    kind: str  # "user" | "key" | "system"
    name: str
    permissions: frozenset[Permission]
    team_ids: frozenset[int]
    user_id: int | None = None
    key_id: int | None = None

    @property
    def actor(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def is_admin(self) -> bool:
        return Permission.ADMINISTER in self.permissions

    def can(self, permission: Permission) -> bool:
        return self.is_admin or permission in self.permissions

    @property
    def sees_all(self) -> bool:
        """May see every team's projects."""
        return self.is_admin or Permission.PORTFOLIO_WIDE in self.permissions

    def sees_team(self, team_id: int | None) -> bool:
        return self.sees_all or (team_id is not None and team_id in self.team_ids)

    def owns_team(self, team_id: int | None) -> bool:
        """May change what the team owns (its projects, their BOMs): a member or an admin.
        Seeing the whole portfolio grants no right to change another team's projects."""
        return self.is_admin or (team_id is not None and team_id in self.team_ids)


SYSTEM = Principal("system", "assay", ALL_PERMISSIONS, frozenset())

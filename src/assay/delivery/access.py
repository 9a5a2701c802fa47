"""Which services a principal may see: least privilege for delivery metrics.

A service belongs to the team its configuration names. Holders of
``portfolio_wide`` see every service; anyone else sees the services of their
own teams. Unowned services (no configuration, or no team) are visible only
portfolio-wide, so nothing leaks to a team by default.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.accounts import Team
from assay.core.permissions import Permission, Principal
from assay.delivery.models import ServiceRow


def team_names(session: Session, principal: Principal) -> set[str]:
    if not principal.team_ids:
        return set()
    return set(session.scalars(select(Team.name).where(Team.id.in_(principal.team_ids))))


def visible_services(session: Session, principal: Principal) -> set[str] | None:
    """``None`` means every service (portfolio-wide); otherwise the names the principal may see."""
    if principal.can(Permission.PORTFOLIO_WIDE):
        return None
    teams = team_names(session, principal)
    if not teams:
        return set()
    return set(session.scalars(select(ServiceRow.name).where(ServiceRow.team.in_(teams))))

"""Which services a principal may see: least privilege for delivery metrics.

A service belongs to the team its configuration names. Holders of
``portfolio_wide`` see every service; anyone else sees the services of their
own teams. Unowned services (no configuration, or no team) are visible only
portfolio-wide, so nothing leaks to a team by default. The same rule bounds
what a team's key may write (:func:`out_of_scope`).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.core.accounts import Team
from assay.core.permissions import Permission, Principal
from assay.delivery.events import Event
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


def out_of_scope(session: Session, principal: Principal, events: Iterable[Event]) -> str | None:
    """Why the principal may not send one of ``events`` (the first), or None when it may.

    A sender that is not portfolio-wide writes only its teams' delivery: events
    naming a service must name one of its services, events naming a repository
    must name a repository of one of its services. Otherwise a team's CI key
    could overwrite another team's deployments or invent its incidents.
    """
    visible = visible_services(session, principal)
    if visible is None:
        return None
    from assay.delivery.services import configured

    repos = {
        repo
        for name, config in configured(session).items()
        if name in visible
        for repo in config.repos
    }
    for index, event in enumerate(events):
        service = getattr(event, "service", None)
        if service is not None and service not in visible:
            return (
                f"events[{index}]: {event.TYPE} of service {service[:80]!r}, "
                "not one of your teams' services"
            )
        repo = getattr(event, "repo", None)
        if repo is not None and repo not in repos:
            return (
                f"events[{index}]: {event.TYPE} of repository {repo[:80]!r}, not a repository of "
                "your teams' services (see `assay services list`)"
            )
    return None

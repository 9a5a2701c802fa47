"""Turning credentials into a :class:`~assay.core.permissions.Principal`.

A user's permissions are the union of their teams' (all of them for an
administrator); an API key acts for its team with the team's permissions.
Unknown, revoked or expired credentials give None, never an exception, and
never say which part was wrong.
"""

from __future__ import annotations

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from assay.core.accounts import ApiKey, Membership, Team, UiSession, User
from assay.core.clock import now_iso
from assay.core.permissions import ALL_PERMISSIONS, Permission, Principal, parse_permissions
from assay.core.tokens import digest, display_prefix, same


def _team_permissions(teams: list[Team]) -> frozenset[Permission]:
    out: set[Permission] = set()
    for team in teams:
        out |= parse_permissions(team.permissions)
    return frozenset(out)


def user_teams(session: Session, user_id: int) -> list[Team]:
    return list(
        session.scalars(
            select(Team)
            .join(Membership, Membership.team_id == Team.id)
            .where(Membership.user_id == user_id)
        )
    )


def principal_for_user(session: Session, user: User) -> Principal:
    teams = user_teams(session, user.id)
    perms = ALL_PERMISSIONS if user.is_admin else _team_permissions(teams)
    return Principal(
        kind="user",
        name=user.username,
        permissions=perms,
        team_ids=frozenset(t.id for t in teams),
        user_id=user.id,
    )


def principal_for_key(
    session: Session, api_key: str, *, record_use: bool = True
) -> Principal | None:
    """The team a key acts for, or None; records when the key was last used unless
    ``record_use`` is False (the API records it in its own transaction: :func:`touch_key`)."""
    key_digest = digest(api_key)
    row = session.scalars(select(ApiKey).where(ApiKey.digest == key_digest)).first()
    if row is None or row.revoked_at is not None or not same(row.digest, key_digest):
        return None
    team = session.get(Team, row.team_id)
    if team is None:
        return None
    if record_use:
        touch_key(session, row.id)
    return Principal(
        kind="key",
        name=display_prefix(api_key),
        permissions=_team_permissions([team]),
        team_ids=frozenset({team.id}),
        key_id=row.id,
    )


def touch_key(session: Session, key_id: int) -> None:
    """Record that a key was used now; written at most once a minute per key, so busy
    CI keys do not turn every request into a row change.

    One conditional UPDATE, no read before it: as the first statement of its own
    transaction it waits for SQLite's write lock instead of failing with "database is
    locked" when another connection committed after this transaction's first read.
    """
    now = now_iso()
    session.execute(
        update(ApiKey)
        .where(
            ApiKey.id == key_id,
            or_(ApiKey.last_used_at.is_(None), ApiKey.last_used_at < now[:16]),
        )
        .values(last_used_at=now)
    )


def principal_for_session(session: Session, token: str) -> tuple[Principal, UiSession] | None:
    """The signed-in user of a browser session token, or None when unknown or expired."""
    row = session.scalars(select(UiSession).where(UiSession.digest == digest(token))).first()
    if row is None or row.expires_at <= now_iso():
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return principal_for_user(session, user), row

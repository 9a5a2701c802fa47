"""Administration of accounts beyond creation: listing, changing users, team members.

Complements :mod:`assay.core.account_service` (creation, keys, permissions).
Lists are read models (frozen dataclasses) so the API, the web pages and the
CLI show the same facts; a key is only ever shown by its prefix. Every change
is audited in the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from assay.core import audit
from assay.core.account_service import AccountError, add_member, remove_member
from assay.core.accounts import ApiKey, Membership, Team, UiSession, User
from assay.core.permissions import Principal, parse_permissions
from assay.core.tokens import digest


@dataclass(frozen=True, slots=True)
class TeamRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class UserView:
    id: int
    username: str
    is_admin: bool
    active: bool
    created_at: str
    last_login_at: str | None
    teams: tuple[TeamRef, ...]


@dataclass(frozen=True, slots=True)
class TeamView:
    id: int
    name: str
    permissions: tuple[str, ...]
    created_at: str
    members: tuple[str, ...]  # usernames
    active_keys: int


@dataclass(frozen=True, slots=True)
class KeyView:
    id: int
    team_id: int
    team: str
    name: str
    prefix: str
    created_at: str
    created_by: str
    last_used_at: str | None
    revoked_at: str | None


def count_users(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def list_users(session: Session, *, offset: int = 0, limit: int | None = None) -> list[UserView]:
    users = list(session.scalars(select(User).order_by(User.username).offset(offset).limit(limit)))
    teams: dict[int, list[TeamRef]] = {u.id: [] for u in users}
    if users:
        rows = session.execute(
            select(Membership.user_id, Team.id, Team.name)
            .join(Team, Team.id == Membership.team_id)
            .where(Membership.user_id.in_(list(teams)))
            .order_by(Team.name)
        )
        for user_id, team_id, name in rows:
            teams[user_id].append(TeamRef(team_id, name))
    return [_user_view(u, teams[u.id]) for u in users]


def user_view(session: Session, user: User) -> UserView:
    rows = session.execute(
        select(Team.id, Team.name)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.user_id == user.id)
        .order_by(Team.name)
    )
    return _user_view(user, [TeamRef(i, n) for i, n in rows])


def _user_view(user: User, teams: list[TeamRef]) -> UserView:
    return UserView(
        id=user.id, username=user.username, is_admin=user.is_admin, active=user.active,
        created_at=user.created_at, last_login_at=user.last_login_at, teams=tuple(teams),
    )  # fmt: skip


def count_teams(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Team)) or 0


def list_teams(session: Session, *, offset: int = 0, limit: int | None = None) -> list[TeamView]:
    teams = list(session.scalars(select(Team).order_by(Team.name).offset(offset).limit(limit)))
    return [team_view(session, team) for team in teams]


def team_view(session: Session, team: Team) -> TeamView:
    members = session.scalars(
        select(User.username)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id == team.id)
        .order_by(User.username)
    )
    keys = session.scalar(
        select(func.count())
        .select_from(ApiKey)
        .where(ApiKey.team_id == team.id, ApiKey.revoked_at.is_(None))
    )
    perms = tuple(sorted(p.value for p in parse_permissions(team.permissions)))
    return TeamView(
        id=team.id, name=team.name, permissions=perms, created_at=team.created_at,
        members=tuple(members), active_keys=keys or 0,
    )  # fmt: skip


def count_keys(session: Session, team_id: int | None = None) -> int:
    query = select(func.count()).select_from(ApiKey)
    if team_id is not None:
        query = query.where(ApiKey.team_id == team_id)
    return session.scalar(query) or 0


def list_keys(
    session: Session, team_id: int | None = None, *, offset: int = 0, limit: int | None = None
) -> list[KeyView]:
    query = select(ApiKey)
    if team_id is not None:
        query = query.where(ApiKey.team_id == team_id)
    rows = session.scalars(query.order_by(ApiKey.id).offset(offset).limit(limit))
    return [key_view(session, key) for key in rows]


def key_view(session: Session, key: ApiKey) -> KeyView:
    team = session.get(Team, key.team_id)
    return KeyView(
        id=key.id, team_id=key.team_id, team=team.name if team else "", name=key.name,
        prefix=key.prefix, created_at=key.created_at, created_by=key.created_by,
        last_used_at=key.last_used_at, revoked_at=key.revoked_at,
    )  # fmt: skip


def key_for_secret(session: Session, secret: str) -> ApiKey | None:
    """The row of a whole key (just made and returned by ``create_api_key``)."""
    return session.scalars(select(ApiKey).where(ApiKey.digest == digest(secret))).first()


def end_sessions(session: Session, user_id: int) -> None:
    """Sign a user out of every browser."""
    session.execute(delete(UiSession).where(UiSession.user_id == user_id))


def update_user(
    session: Session,
    actor: Principal,
    user: User,
    *,
    active: bool | None = None,
    admin: bool | None = None,
) -> None:
    """Activate, deactivate, grant or withdraw administration. A deactivated user is
    signed out everywhere; nobody can deactivate themselves or drop their own rights."""
    if actor.user_id == user.id and (active is False or admin is False):
        raise AccountError("you cannot deactivate yourself or remove your own administration")
    changes: dict[str, bool] = {}
    if active is not None and active != user.active:
        user.active = active
        changes["active"] = active
        if not active:
            end_sessions(session, user.id)
    if admin is not None and admin != user.is_admin:
        user.is_admin = admin
        changes["admin"] = admin
    if changes:
        audit.record(session, actor, "user.update", "user", user.id, username=user.username,
                     **changes)  # fmt: skip


def set_user_teams(session: Session, actor: Principal, user: User, team_ids: Iterable[int]) -> None:
    """Make ``user`` a member of exactly these teams (unknown ids are an error)."""
    wanted = _teams(session, team_ids)
    current = {
        m.team_id for m in session.scalars(select(Membership).where(Membership.user_id == user.id))
    }
    for team in wanted.values():
        if team.id not in current:
            add_member(session, actor, team, user)
    for team_id in current - set(wanted):
        old = session.get(Team, team_id)
        if old is not None:
            remove_member(session, actor, old, user)


def set_team_members(
    session: Session, actor: Principal, team: Team, user_ids: Iterable[int]
) -> None:
    """Make exactly these users the members of ``team`` (unknown ids are an error)."""
    ids = sorted(set(user_ids))
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}
    missing = [i for i in ids if i not in users]
    if missing:
        raise AccountError(f"no user with id {missing[0]}")
    current = set(session.scalars(select(Membership.user_id).where(Membership.team_id == team.id)))
    for user_id in ids:
        if user_id not in current:
            add_member(session, actor, team, users[user_id])
    for user_id in current - set(ids):
        member = session.get(User, user_id)
        if member is not None:
            remove_member(session, actor, team, member)


def _teams(session: Session, team_ids: Iterable[int]) -> dict[int, Team]:
    ids = sorted(set(team_ids))
    teams = {t.id: t for t in session.scalars(select(Team).where(Team.id.in_(ids)))}
    missing = [i for i in ids if i not in teams]
    if missing:
        raise AccountError(f"no team with id {missing[0]}")
    return teams

"""Creating and changing users, teams and API keys; every change is audited.

Functions take a session (the caller's transaction) and the acting principal,
and raise :class:`AccountError` with a message a person can act on.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assay.core import audit
from assay.core.accounts import ApiKey, Membership, Team, User
from assay.core.clock import now_iso
from assay.core.errors import UsageError
from assay.core.passwords import check_strength, hash_password
from assay.core.permissions import Permission, Principal, format_permissions
from assay.core.tokens import digest, display_prefix, new_api_key

#: What a new team may do unless told otherwise: see and upload its own projects.
DEFAULT_TEAM_PERMISSIONS = frozenset({Permission.VIEW_PORTFOLIO, Permission.UPLOAD_BOM})


class AccountError(UsageError):
    """A request about users, teams or keys that cannot be done as asked."""


def _name(value: str, what: str) -> str:
    name = value.strip()
    if not name or len(name) > 128 or any(c in name for c in "\r\n\t"):
        raise AccountError(f"{what} name must be 1-128 printable characters")
    return name


def team_by_name(session: Session, name: str) -> Team | None:
    return session.scalars(select(Team).where(Team.name == name)).first()


def user_by_name(session: Session, name: str) -> User | None:
    return session.scalars(select(User).where(User.username == name)).first()


def create_team(
    session: Session,
    actor: Principal,
    name: str,
    permissions: frozenset[Permission] = DEFAULT_TEAM_PERMISSIONS,
) -> Team:
    name = _name(name, "team")
    if team_by_name(session, name) is not None:
        raise AccountError(f"team {name!r} already exists")
    team = Team(name=name, permissions=format_permissions(permissions), created_at=now_iso())
    session.add(team)
    try:
        session.flush()
    except IntegrityError:
        raise AccountError(f"team {name!r} already exists") from None
    audit.record(
        session, actor, "team.create", "team", team.id, team_id=team.id,
        name=name, permissions=sorted(permissions),
    )  # fmt: skip
    return team


def ensure_team(session: Session, actor: Principal, name: str) -> tuple[Team, bool]:
    """The team called ``name``, made (with default permissions) if missing."""
    team = team_by_name(session, name.strip())
    if team is not None:
        return team, False
    return create_team(session, actor, name), True


def set_team_permissions(
    session: Session, actor: Principal, team: Team, permissions: frozenset[Permission]
) -> None:
    before = team.permissions
    team.permissions = format_permissions(permissions)
    audit.record(
        session, actor, "team.permissions", "team", team.id, team_id=team.id,
        before=before, after=team.permissions,
    )  # fmt: skip


def create_user(
    session: Session, actor: Principal, username: str, password: str, *, admin: bool = False
) -> User:
    username = _name(username, "user")
    check_strength(password)
    if user_by_name(session, username) is not None:
        raise AccountError(f"user {username!r} already exists")
    user = User(
        username=username, password_hash=hash_password(password), is_admin=admin,
        active=True, created_at=now_iso(),
    )  # fmt: skip
    session.add(user)
    session.flush()
    audit.record(session, actor, "user.create", "user", user.id, username=username, admin=admin)
    return user


def add_member(session: Session, actor: Principal, team: Team, user: User) -> None:
    if session.get(Membership, (team.id, user.id)) is not None:
        return
    session.add(Membership(team_id=team.id, user_id=user.id))
    audit.record(
        session, actor, "team.member.add", "team", team.id, team_id=team.id, user=user.username
    )


def remove_member(session: Session, actor: Principal, team: Team, user: User) -> None:
    row = session.get(Membership, (team.id, user.id))
    if row is None or row in session.deleted:
        return
    session.delete(row)
    audit.record(
        session, actor, "team.member.remove", "team", team.id, team_id=team.id, user=user.username
    )


def create_api_key(session: Session, actor: Principal, team: Team, name: str = "") -> str:
    """Make a key for ``team`` and return it: the only time it is ever seen whole."""
    key = new_api_key()
    row = ApiKey(
        team_id=team.id, name=name.strip()[:128], prefix=display_prefix(key), digest=digest(key),
        created_at=now_iso(), created_by=actor.actor,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(
        session, actor, "key.create", "api_key", row.id, team_id=team.id,
        prefix=row.prefix, name=row.name,
    )  # fmt: skip
    return key


def revoke_api_key(session: Session, actor: Principal, key_id: int) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise AccountError(f"no API key with id {key_id}")
    if row.revoked_at is None:
        row.revoked_at = now_iso()
        audit.record(
            session, actor, "key.revoke", "api_key", row.id, team_id=row.team_id, prefix=row.prefix
        )
    return row

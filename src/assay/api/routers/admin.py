"""``/api/v1/admin``: users, teams and team API keys. Every endpoint needs ADMINISTER.

Thin: bodies are parsed by :mod:`assay.api.schemas.admin`, work is done by
:mod:`assay.core.account_service` and :mod:`assay.core.account_admin`, which
audit every change in the request's transaction.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from assay.api.deps import Admin, DbSession
from assay.api.errors import Conflict, NotFound
from assay.api.schemas.admin import (
    MAX_ID,
    KeyCreate,
    KeyCreated,
    KeyRead,
    Page,
    TeamCreate,
    TeamRead,
    TeamUpdate,
    UserCreate,
    UserRead,
    UserUpdate,
)
from assay.core import account_admin as admin
from assay.core import account_service as accounts
from assay.core.accounts import ApiKey, Team, User
from assay.core.passwords import WeakPassword

router = APIRouter(prefix="/admin", tags=["admin"])

PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
PageSize = Annotated[int, Query(ge=1, le=500)]
UserId = Annotated[int, Path(ge=1, le=MAX_ID)]
TeamId = Annotated[int, Path(ge=1, le=MAX_ID)]
KeyId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _user(session: DbSession, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user with id {user_id}")
    return user


def _team(session: DbSession, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(f"no team with id {team_id}")
    return team


def _user_read(session: DbSession, user: User) -> UserRead:
    return UserRead.model_validate(asdict(admin.user_view(session, user)))


def _team_read(session: DbSession, team: Team) -> TeamRead:
    return TeamRead.model_validate(asdict(admin.team_view(session, team)))


@router.get("/users", response_model=Page[UserRead])
def list_users(
    session: DbSession, _: Admin, page: PageNo = 1, page_size: PageSize = 50
) -> Page[UserRead]:
    views = admin.list_users(session, offset=(page - 1) * page_size, limit=page_size)
    return Page[UserRead](
        items=[UserRead.model_validate(asdict(v)) for v in views],
        total=admin.count_users(session), page=page, page_size=page_size,
    )  # fmt: skip


@router.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, session: DbSession, who: Admin) -> UserRead:
    if accounts.user_by_name(session, body.username.strip()) is not None:
        raise Conflict(f"user {body.username.strip()!r} already exists")
    try:
        user = accounts.create_user(session, who, body.username, body.password, admin=body.admin)
    except WeakPassword as exc:
        raise accounts.AccountError(f"password: {exc}") from None
    if body.teams:
        admin.set_user_teams(session, who, user, body.teams)
    return _user_read(session, user)


@router.patch("/users/{user_id}", response_model=UserRead)
def update_user(user_id: UserId, body: UserUpdate, session: DbSession, who: Admin) -> UserRead:
    user = _user(session, user_id)
    admin.update_user(session, who, user, active=body.active, admin=body.admin)
    if body.teams is not None:
        admin.set_user_teams(session, who, user, body.teams)
    return _user_read(session, user)


@router.get("/teams", response_model=Page[TeamRead])
def list_teams(
    session: DbSession, _: Admin, page: PageNo = 1, page_size: PageSize = 50
) -> Page[TeamRead]:
    views = admin.list_teams(session, offset=(page - 1) * page_size, limit=page_size)
    return Page[TeamRead](
        items=[TeamRead.model_validate(asdict(v)) for v in views],
        total=admin.count_teams(session), page=page, page_size=page_size,
    )  # fmt: skip


@router.post("/teams", response_model=TeamRead, status_code=status.HTTP_201_CREATED)
def create_team(body: TeamCreate, session: DbSession, who: Admin) -> TeamRead:
    if accounts.team_by_name(session, body.name.strip()) is not None:
        raise Conflict(f"team {body.name.strip()!r} already exists")
    if body.permissions is None:
        team = accounts.create_team(session, who, body.name)
    else:
        team = accounts.create_team(session, who, body.name, frozenset(body.permissions))
    return _team_read(session, team)


@router.patch("/teams/{team_id}", response_model=TeamRead)
def update_team(team_id: TeamId, body: TeamUpdate, session: DbSession, who: Admin) -> TeamRead:
    team = _team(session, team_id)
    if body.permissions is not None:
        accounts.set_team_permissions(session, who, team, frozenset(body.permissions))
    if body.members is not None:
        admin.set_team_members(session, who, team, body.members)
    return _team_read(session, team)


@router.get("/teams/{team_id}/keys", response_model=Page[KeyRead])
def list_keys(
    team_id: TeamId, session: DbSession, _: Admin, page: PageNo = 1, page_size: PageSize = 50
) -> Page[KeyRead]:
    _team(session, team_id)
    views = admin.list_keys(session, team_id, offset=(page - 1) * page_size, limit=page_size)
    return Page[KeyRead](
        items=[KeyRead.model_validate(asdict(v)) for v in views],
        total=admin.count_keys(session, team_id), page=page, page_size=page_size,
    )  # fmt: skip


@router.post("/teams/{team_id}/keys", response_model=KeyCreated, status_code=201)
def create_key(team_id: TeamId, body: KeyCreate, session: DbSession, who: Admin) -> KeyCreated:
    team = _team(session, team_id)
    key = accounts.create_api_key(session, who, team, body.name)
    row = admin.key_for_secret(session, key)
    assert row is not None  # just inserted in this transaction
    return KeyCreated(key=key, **asdict(admin.key_view(session, row)))


@router.delete("/keys/{key_id}", response_model=KeyRead)
def revoke_key(key_id: KeyId, session: DbSession, who: Admin) -> KeyRead:
    if session.get(ApiKey, key_id) is None:
        raise NotFound(f"no API key with id {key_id}")
    row = accounts.revoke_api_key(session, who, key_id)
    return KeyRead.model_validate(asdict(admin.key_view(session, row)))

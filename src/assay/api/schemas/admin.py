"""Request and response bodies of ``/api/v1/admin``: users, teams, API keys."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from assay.core.permissions import Permission

MAX_ID = 2_147_483_647  # ids are 32-bit integers in the store
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"

Name = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=NO_CONTROL)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    page: int
    page_size: int


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TeamRef(BaseModel):
    id: int
    name: str


class UserCreate(_Request):
    username: Name
    password: Annotated[str, StringConstraints(min_length=12, max_length=1024)] = Field(
        description="at least 12 characters, no leading or trailing spaces"
    )
    admin: bool = False
    teams: list[Id] = Field(default_factory=list, max_length=100, description="team ids")


class UserUpdate(_Request):
    active: bool | None = None
    admin: bool | None = None
    teams: list[Id] | None = Field(
        default=None, max_length=100, description="team ids: the user's complete membership"
    )


class UserRead(BaseModel):
    id: int
    username: str
    is_admin: bool
    active: bool
    created_at: str
    last_login_at: str | None
    teams: list[TeamRef]


class TeamCreate(_Request):
    name: Name
    permissions: list[Permission] | None = Field(
        default=None, max_length=16, description="default: view_portfolio, upload_bom"
    )


class TeamUpdate(_Request):
    permissions: list[Permission] | None = Field(default=None, max_length=16)
    members: list[Id] | None = Field(
        default=None, max_length=1000, description="user ids: the team's complete membership"
    )


class TeamRead(BaseModel):
    id: int
    name: str
    permissions: list[Permission]
    created_at: str
    members: list[str]
    active_keys: int


class KeyCreate(_Request):
    name: Annotated[str, StringConstraints(max_length=128, pattern=NO_CONTROL)] = ""


class KeyRead(BaseModel):
    id: int
    team_id: int
    team: str
    name: str
    prefix: str
    created_at: str
    created_by: str
    last_used_at: str | None
    revoked_at: str | None


class KeyCreated(KeyRead):
    key: str = Field(description="the whole key: shown this once, never again")

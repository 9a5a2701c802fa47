"""A real app on the ``database`` fixture (SQLite and PostgreSQL) and clients per role.

``api.key(team, permissions)`` makes a team (if new) with those permissions and
returns a fresh API key for it; ``api.client(key)`` is a TestClient sending it.
``api.drain()`` runs the queued background jobs (the worker thread is off in
tests, so each test decides when work happens).

Standard roles (teams and keys made on first use):
    admin       the "administrators" team: ADMINISTER
    auditor     "audit": VIEW_PORTFOLIO + PORTFOLIO_WIDE
    alpha       "alpha": VIEW_PORTFOLIO + UPLOAD_BOM + TRIAGE (owns alpha's projects)
    alpha_ci    "alpha-ci": UPLOAD_BOM only
    beta        "beta": VIEW_PORTFOLIO + UPLOAD_BOM + TRIAGE (another team)
    reviewer    "reviewers": VIEW_PORTFOLIO + MANAGE_CATALOGUE + MANAGE_POLICY (governance;
                sees no team's projects)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assay.api.app import create_app
from assay.api.tasks import TASKS
from assay.core import account_service as accounts
from assay.core.db import Database
from assay.core.jobs import drain
from assay.core.permissions import SYSTEM, Permission

P = Permission
ROLES: dict[str, tuple[str, frozenset[Permission]]] = {
    "admin": ("administrators", frozenset({P.ADMINISTER})),
    "auditor": ("audit", frozenset({P.VIEW_PORTFOLIO, P.PORTFOLIO_WIDE})),
    "alpha": ("alpha", frozenset({P.VIEW_PORTFOLIO, P.UPLOAD_BOM, P.TRIAGE})),
    "alpha_ci": ("alpha-ci", frozenset({P.UPLOAD_BOM})),
    "beta": ("beta", frozenset({P.VIEW_PORTFOLIO, P.UPLOAD_BOM, P.TRIAGE})),
    "reviewer": ("reviewers", frozenset({P.VIEW_PORTFOLIO, P.MANAGE_CATALOGUE, P.MANAGE_POLICY})),
}


@dataclass
class Api:
    app: FastAPI
    db: Database
    anonymous: TestClient
    _keys: dict[str, str] = field(default_factory=dict)

    def key(self, team: str, permissions: frozenset[Permission]) -> str:
        with self.db.session() as session:
            found = accounts.team_by_name(session, team)
            if found is None:
                found = accounts.create_team(session, SYSTEM, team, permissions)
            return accounts.create_api_key(session, SYSTEM, found, "test")

    def role(self, name: str) -> str:
        """The API key of a standard role (see the module docstring)."""
        if name not in self._keys:
            team, perms = ROLES[name]
            self._keys[name] = self.key(team, perms)
        return self._keys[name]

    def team_id(self, team: str) -> int:
        with self.db.session() as session:
            found = accounts.team_by_name(session, team)
            assert found is not None, team
            return found.id

    def client(self, key: str | None) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=True)
        if key is not None:
            client.headers["Authorization"] = f"Bearer {key}"
        return client

    def as_role(self, name: str) -> TestClient:
        return self.client(self.role(name))

    def drain(self) -> int:
        return drain(self.db, TASKS)


@pytest.fixture
def api(database: Database) -> Iterator[Api]:
    app = create_app(database.settings, database=database, start_worker=False)
    with TestClient(app) as anonymous:  # runs the lifespan (schema check) once
        yield Api(app=app, db=database, anonymous=anonymous)

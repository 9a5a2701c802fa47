"""Signed-in browsers (TestClient) for the page tests, on the ``database`` fixture.

``Site.login(username)`` signs a user in through the real ``/login`` form and
returns a client carrying the session cookie; ``Site.csrf(client)`` is that
session's CSRF token, read from a rendered page (as a browser would).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.testclient import TestClient

from assay.api.app import create_app
from assay.core import account_service as accounts
from assay.core.clock import now_iso
from assay.core.db import Database
from assay.core.permissions import SYSTEM, Permission
from assay.inventory import snapshots
from tests.inventory import factories as f

PASSWORD = "correct horse battery staple"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_META = re.compile(r'<meta name="csrf-token" content="([^"]*)"')


@dataclass
class Site:
    app: FastAPI
    db: Database

    def team(self, name: str, *permissions: Permission) -> int:
        with self.db.session() as session:
            found = accounts.team_by_name(session, name)
            if found is None:
                found = accounts.create_team(session, SYSTEM, name, frozenset(permissions))
            return found.id

    def user(self, username: str, *, admin: bool = False, team: str | None = None) -> None:
        with self.db.session() as session:
            user = accounts.create_user(session, SYSTEM, username, PASSWORD, admin=admin)
            if team is not None:
                found = accounts.team_by_name(session, team)
                assert found is not None, team
                accounts.add_member(session, SYSTEM, found, user)

    def client(self) -> TestClient:
        return TestClient(self.app, follow_redirects=False)

    def login(self, username: str) -> TestClient:
        client = self.client()
        form = client.get("/login")
        token = _TOKEN.search(form.text)
        assert token, form.text
        answer = client.post(
            "/login",
            data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert answer.status_code == 303, answer.text
        return client

    @staticmethod
    def csrf(client: TestClient) -> str:
        page = client.get("/")
        found = _META.search(page.text)
        assert found and found.group(1), page.text[:500]
        return found.group(1)


def site_for(database: Database) -> Iterator[Site]:
    """A real app on ``database`` (worker off) with its lifespan running."""
    app = create_app(database.settings, database=database, start_worker=False)
    with TestClient(app):
        yield Site(app, database)


@dataclass(frozen=True)
class Portfolio:
    """Two teams' projects: alpha's ``payments`` (a version with findings) and beta's ``ledger``."""

    project: int
    version: int
    finding: int
    other_project: int
    other_version: int


def seed(site: Site) -> Portfolio:
    """Users root (admin), alice (alpha: view, upload, triage), bob (beta: the same)."""
    perms = (Permission.VIEW_PORTFOLIO, Permission.UPLOAD_BOM, Permission.TRIAGE)
    alpha = site.team("alpha", *perms)
    beta = site.team("beta", *perms)
    site.user("root", admin=True)
    site.user("alice", team="alpha")
    site.user("bob", team="beta")
    with site.db.session() as s:
        project = f.make_project(s, "payments", alpha, tags=["pci"], criticality="high")
        version = f.make_version(s, project, "1.0", counts={"critical": 1}, analysed_at=now_iso())
        comps = f.add_components(
            s,
            version,
            [
                f.Comp.of("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1", "Apache-2.0"),
                f.Comp.of("pkg:pypi/requests@2.19.0", "Apache-2.0"),
            ],
        )
        f.add_edges(s, version, [(comps[1].bom_ref, comps[0].bom_ref)])
        finding = f.add_finding(
            s, version, comps[0], "CVE-2021-44228", severity="critical",
            aliases=["GHSA-jfh8-c2jp-5v3q"], fixed_versions=["2.15.0"], summary="Log4Shell",
        )  # fmt: skip
        f.add_advisory(
            s, "GHSA-jfh8-c2jp-5v3q", aliases=["CVE-2021-44228"], summary="Log4Shell RCE",
            severity_level="critical", cvss_score=10.0,
            packages=[("Maven", "org.apache.logging.log4j:log4j-core")],
            references=[{"type": "WEB", "url": "https://logging.apache.org/log4j/2.x/security.html"},
                        {"type": "WEB", "url": "javascript:alert(1)"}],
        )  # fmt: skip
        snapshots.record_snapshot(s, project.id)
        snapshots.record_snapshot(s, None)
        other = f.make_project(s, "ledger", beta)
        other_version = f.make_version(s, other, "2.0")
        ghost = f.add_components(s, other_version, ["pkg:npm/left-pad@1.0.0"])
        f.add_finding(s, other_version, ghost[0], "CVE-2099-0001", severity="high")
        return Portfolio(project.id, version.id, finding.id, other.id, other_version.id)

"""``/admin``: users, teams, permissions and API keys from the browser, administrators only."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from assay.core import account_admin
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.tokens import digest
from tests.web.pages_support import PASSWORD, Site, site_for

pytestmark = pytest.mark.parametrize("database", ["sqlite"], indirect=True)
KEY = re.compile(r'value="(assay_[A-Za-z0-9_-]+)" data-new-api-key')


@pytest.fixture
def site(database: Database) -> Iterator[Site]:
    yield from site_for(database)


@pytest.fixture
def root(site: Site) -> TestClient:
    site.team("alpha")
    site.user("root", admin=True)
    site.user("alice", team="alpha")
    return site.login("root")


def _post(site: Site, client: TestClient, path: str, **data: object) -> str:
    answer = client.post(path, data={"csrf_token": site.csrf(client), **data})
    assert answer.status_code in (200, 422), answer.text[:300]
    return answer.text


def _actions(site: Site) -> list[str]:
    with site.db.session() as s:
        return [e.action for e in s.query(AuditEntry).order_by(AuditEntry.id)]


def test_create_a_user_in_a_team(site: Site, root: TestClient) -> None:
    alpha = site.team("alpha")
    text = _post(site, root, "/admin/users", username="carol", password=PASSWORD, team_id=alpha)
    assert "User carol created." in text
    with site.db.session() as s:
        carol = next(u for u in account_admin.list_users(s) if u.username == "carol")
        assert [t.name for t in carol.teams] == ["alpha"]
        assert not carol.is_admin
    assert site.login("carol").get("/").status_code == 200
    assert "user.create" in _actions(site)


def test_a_user_without_a_team(site: Site, root: TestClient) -> None:
    assert "User dan created." in _post(
        site, root, "/admin/users", username="dan", password=PASSWORD, team_id=""
    )


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [
        ("eve", "short", "at least 12 characters"),
        ("alice", PASSWORD, "already exists"),
        ("   ", PASSWORD, "1-128 printable characters"),
    ],
)
def test_refused_users_are_explained(
    site: Site, root: TestClient, username: str, password: str, message: str
) -> None:
    before = _actions(site)
    text = _post(site, root, "/admin/users", username=username, password=password)
    assert message in text
    assert _actions(site) == before  # nothing written


def test_teams_and_permissions(site: Site, root: TestClient) -> None:
    assert "Team gamma created." in _post(site, root, "/admin/teams", name="gamma")
    assert "already exists" in _post(site, root, "/admin/teams", name="gamma")
    gamma = site.team("gamma")
    text = _post(
        site, root, f"/admin/teams/{gamma}/permissions", permission=["view_portfolio", "triage"]
    )
    assert "Permissions of gamma saved." in text
    with site.db.session() as s:
        team = next(t for t in account_admin.list_teams(s) if t.name == "gamma")
        assert team.permissions == ("triage", "view_portfolio")
    assert "unknown permission" in _post(
        site, root, f"/admin/teams/{gamma}/permissions", permission=["root"]
    )
    assert "alice added to gamma." in _post(
        site, root, f"/admin/teams/{gamma}/members", username="alice"
    )
    assert "no such team or user" in _post(
        site, root, f"/admin/teams/{gamma}/members", username="nobody"
    )


def test_a_new_key_is_shown_once_and_can_be_revoked(site: Site, root: TestClient) -> None:
    alpha = site.team("alpha")
    text = _post(site, root, "/admin/keys", team_id=alpha, name="ci")
    found = KEY.search(text)
    assert found, text[:1000]
    key = found.group(1)
    page = root.get("/admin").text
    assert key not in page  # never shown again
    assert key[:14] in page  # only its prefix
    with site.db.session() as s:
        (row,) = account_admin.list_keys(s)
        assert account_admin.key_for_secret(s, key) is not None
        assert row.prefix == key[:14]
    api = site.client()
    api.headers["Authorization"] = f"Bearer {key}"
    assert api.get("/api/v1/audit").status_code != 401
    assert f"Key {key[:14]}… revoked." in _post(site, root, f"/admin/keys/{row.id}/revoke")
    assert api.get("/api/v1/audit").status_code == 401
    assert digest(key) not in root.get("/admin").text


def test_others_are_told_admin_does_not_exist(site: Site, root: TestClient) -> None:
    alice = site.login("alice")
    token = site.csrf(alice)
    before = [a for a in _actions(site) if not a.startswith("login.")]
    for path in ("/admin/teams", "/admin/users", "/admin/keys"):
        data = {"csrf_token": token, "name": "x", "team_id": "1", "username": "x"}
        answer = alice.post(path, data={**data, "password": PASSWORD})
        assert answer.status_code == 404, path
    assert [a for a in _actions(site) if not a.startswith("login.")] == before


def test_admin_posts_need_the_csrf_token(site: Site, root: TestClient) -> None:
    before = _actions(site).count("team.create")
    answer = root.post("/admin/teams", data={"name": "sneaky"})
    assert answer.status_code == 403
    assert _actions(site).count("team.create") == before

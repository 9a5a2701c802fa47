"""``/api/v1/admin``: users, teams and keys, for administrators only, every change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from assay.core.accounts import ApiKey
from assay.core.audit import AuditEntry
from assay.core.tokens import digest
from assay.migrations.metadata import metadata
from tests.api.conftest import Api

STRONG = "correct horse battery staple"


def _actions(api: Api) -> list[str]:
    with api.db.session() as session:
        return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))


ENDPOINTS = [
    ("GET", "/api/v1/admin/users", None),
    ("POST", "/api/v1/admin/users", {"username": "x", "password": STRONG}),
    ("PATCH", "/api/v1/admin/users/1", {"active": False}),
    ("GET", "/api/v1/admin/teams", None),
    ("POST", "/api/v1/admin/teams", {"name": "t"}),
    ("PATCH", "/api/v1/admin/teams/1", {"permissions": ["administer"]}),
    ("GET", "/api/v1/admin/teams/1/keys", None),
    ("POST", "/api/v1/admin/teams/1/keys", {"name": "k"}),
    ("DELETE", "/api/v1/admin/keys/1", None),
]


@pytest.mark.parametrize("role", ["auditor", "alpha", "alpha_ci", "beta"])
def test_every_admin_endpoint_refuses_non_administrators(api: Api, role: str) -> None:
    client = api.as_role(role)
    before = _actions(api)
    for method, path, body in ENDPOINTS:
        response = client.request(method, path, json=body)
        assert response.status_code == 403, (method, path, response.text)
        assert "administer" in response.json()["detail"]
        assert api.anonymous.request(method, path, json=body).status_code == 401
    assert _actions(api) == before  # nothing changed, nothing recorded
    admin = api.as_role("admin")
    assert all(admin.request(m, p, json=b).status_code != 403 for m, p, b in ENDPOINTS)


def test_create_user_with_teams_then_list_and_update(api: Api) -> None:
    admin = api.as_role("admin")
    api.role("alpha")
    alpha = api.team_id("alpha")
    created = admin.post(
        "/api/v1/admin/users", json={"username": "carol", "password": STRONG, "teams": [alpha]}
    )
    assert created.status_code == 201, created.text
    user = created.json()
    assert user["username"] == "carol" and not user["is_admin"] and user["active"]
    assert user["teams"] == [{"id": alpha, "name": "alpha"}]
    assert "password" not in created.text and STRONG not in created.text

    listing = admin.get("/api/v1/admin/users", params={"page_size": 1}).json()
    assert listing["total"] == 1 and listing["page_size"] == 1
    assert [u["username"] for u in listing["items"]] == ["carol"]

    changed = admin.patch(
        f"/api/v1/admin/users/{user['id']}", json={"admin": True, "active": False, "teams": []}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["is_admin"] and not changed.json()["active"]
    assert changed.json()["teams"] == []
    assert _actions(api)[-4:] == [
        "user.create", "team.member.add", "user.update", "team.member.remove",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "match"),
    [
        ({"username": "dave", "password": "short"}, "at least 12"),
        ({"username": "dave", "password": " leading-space-pw"}, "spaces"),
        ({"username": "", "password": STRONG}, "at least 1"),
        ({"username": "a\x00b", "password": STRONG}, "pattern"),
        ({"username": "x" * 129, "password": STRONG}, "at most 128"),
        ({"username": "dave", "password": STRONG, "teams": [2**40]}, "less than or equal"),
        ({"username": "dave", "password": STRONG, "teams": [999]}, "no team with id 999"),
        ({"username": "dave", "password": STRONG, "extra": 1}, "Extra inputs"),
    ],
)
def test_bad_user_bodies_are_422(api: Api, body: dict[str, object], match: str) -> None:
    response = api.as_role("admin").post("/api/v1/admin/users", json=body)
    assert response.status_code == 422
    assert match in response.text
    with api.db.session() as session:
        assert session.execute(text("SELECT count(*) FROM app_user")).scalar() == 0


def test_duplicates_are_409_and_unknown_ids_404(api: Api) -> None:
    admin = api.as_role("admin")
    assert admin.post("/api/v1/admin/users", json={"username": "e", "password": STRONG}).is_success
    again = admin.post("/api/v1/admin/users", json={"username": "e", "password": STRONG})
    assert again.status_code == 409 and "already exists" in again.text
    assert admin.post("/api/v1/admin/teams", json={"name": "administrators"}).status_code == 409
    assert admin.patch("/api/v1/admin/users/999999", json={"active": True}).status_code == 404
    assert admin.patch("/api/v1/admin/teams/999999", json={}).status_code == 404
    assert admin.get("/api/v1/admin/teams/999999/keys").status_code == 404
    assert admin.post("/api/v1/admin/teams/999999/keys", json={}).status_code == 404
    assert admin.delete("/api/v1/admin/keys/999999").status_code == 404
    assert admin.delete(f"/api/v1/admin/keys/{2**40}").status_code == 422
    assert admin.get("/api/v1/admin/users", params={"page_size": 501}).status_code == 422


def test_team_permissions_and_members(api: Api) -> None:
    admin = api.as_role("admin")
    user = admin.post("/api/v1/admin/users", json={"username": "fay", "password": STRONG}).json()
    team = admin.post("/api/v1/admin/teams", json={"name": "gamma"})
    assert team.status_code == 201
    assert team.json()["permissions"] == ["upload_bom", "view_portfolio"]  # the defaults
    tid = team.json()["id"]
    patched = admin.patch(
        f"/api/v1/admin/teams/{tid}", json={"permissions": ["triage"], "members": [user["id"]]}
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["permissions"] == ["triage"] and patched.json()["members"] == ["fay"]
    assert (
        admin.patch(f"/api/v1/admin/teams/{tid}", json={"permissions": ["root"]}).status_code == 422
    )
    assert admin.patch(f"/api/v1/admin/teams/{tid}", json={"members": [4242]}).status_code == 422
    emptied = admin.patch(f"/api/v1/admin/teams/{tid}", json={"members": []}).json()
    assert emptied["members"] == []
    names = [t["name"] for t in admin.get("/api/v1/admin/teams").json()["items"]]
    assert "gamma" in names and "administrators" in names
    assert {"team.create", "team.permissions", "team.member.add", "team.member.remove"} <= set(
        _actions(api)
    )


def test_key_is_shown_once_stored_hashed_listed_by_prefix_and_revocable(api: Api) -> None:
    admin = api.as_role("admin")
    tid = admin.post("/api/v1/admin/teams", json={"name": "ci"}).json()["id"]
    made = admin.post(f"/api/v1/admin/teams/{tid}/keys", json={"name": "pipeline"})
    assert made.status_code == 201
    key = made.json()["key"]
    assert key.startswith("assay_") and made.json()["prefix"] == key[:14]

    ci = api.client(key)
    assert ci.get("/api/v1/audit").status_code == 200  # default team permissions: view
    listing = admin.get(f"/api/v1/admin/teams/{tid}/keys").json()
    assert listing["total"] == 1
    (row,) = listing["items"]
    assert row["name"] == "pipeline" and row["revoked_at"] is None
    assert row["last_used_at"] is not None
    assert key not in admin.get(f"/api/v1/admin/teams/{tid}/keys").text

    with api.db.session() as session:
        stored = session.scalars(select(ApiKey).where(ApiKey.id == row["id"])).one()
        assert stored.digest == digest(key)
        for table in metadata.sorted_tables:
            for values in session.execute(select(table)):
                assert all(key not in str(v) for v in values), table.name

    revoked = admin.delete(f"/api/v1/admin/keys/{row['id']}")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert ci.get("/api/v1/audit").status_code == 401
    assert admin.delete(f"/api/v1/admin/keys/{row['id']}").status_code == 200  # idempotent
    assert _actions(api).count("key.revoke") == 1


def test_admin_cannot_lock_themselves_out(api: Api) -> None:
    from assay.core import account_admin, account_service
    from assay.core.identity import principal_for_user
    from assay.core.permissions import SYSTEM

    with api.db.session() as session:
        user = account_service.create_user(session, SYSTEM, "root", STRONG, admin=True)
        me = principal_for_user(session, user)
        with pytest.raises(account_service.AccountError, match="cannot deactivate yourself"):
            account_admin.update_user(session, me, user, active=False)
        with pytest.raises(account_service.AccountError, match="own administration"):
            account_admin.update_user(session, me, user, admin=False)

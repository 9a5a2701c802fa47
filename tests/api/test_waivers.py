"""/api/v1/waivers: list with VIEW_PORTFOLIO, grant and revoke with GRANT_WAIVER on one's own
projects (both engines)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from assay.core.audit import AuditEntry
from assay.core.permissions import Permission
from tests.api.conftest import Api
from tests.inventory.factories import make_project, make_version

P = Permission
URL = "/api/v1/waivers"
SOON = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def setup(api: Api) -> dict[str, Any]:
    for role in ("alpha", "beta"):
        api.role(role)
    with api.db.session() as s:
        shop = make_project(s, "shop", api.team_id("alpha"))
        bank = make_project(s, "bank", api.team_id("beta"))
        make_version(s, shop, "1.0")
        ids = {"shop": shop.id, "bank": bank.id}
    owners = api.key("owners", frozenset({P.GRANT_WAIVER, P.VIEW_PORTFOLIO}))
    with api.db.session() as s:
        ids["vault"] = make_project(s, "vault", api.team_id("owners")).id
    granter = api.client(owners)
    admin = api.as_role("admin")
    return {"ids": ids, "granter": granter, "admin": admin}


def _body(project: int, **extra: Any) -> dict[str, Any]:
    return {"project_id": project, "policy": "no-malicious-packages", "reason": "vendor fix due",
            "expires": SOON, **extra}  # fmt: skip


def test_grant_list_revoke_audited(api: Api, setup: dict[str, Any]) -> None:
    admin, ids = setup["admin"], setup["ids"]
    made = admin.post(URL, json=_body(ids["shop"], component="pkg:npm/lodash", versions="<5"))
    assert made.status_code == 201, made.text
    waiver = made.json()
    assert (waiver["active"], waiver["component"], waiver["expires"]) == (
        True,
        "pkg:npm/lodash",
        SOON,
    )
    by_name = admin.post(URL, json={**_body(None), "project": "bank"})
    assert by_name.status_code == 201 and by_name.json()["project_id"] == ids["bank"]
    alpha = api.as_role("alpha")
    assert [w["id"] for w in alpha.get(URL).json()] == [waiver["id"]]  # not beta's
    assert [w["id"] for w in alpha.get(URL, params={"project": "shop"}).json()] == [waiver["id"]]
    assert alpha.get(URL, params={"project": "bank"}).status_code == 404
    revoked = admin.delete(f"{URL}/{waiver['id']}", params={"reason": "fixed"})
    assert revoked.status_code == 200 and revoked.json()["active"] is False
    assert alpha.get(URL).json() == []
    assert len(alpha.get(URL, params={"include_expired": "true"}).json()) == 1
    with api.db.session() as s:
        actions = list(
            s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("waiver.%")))
        )
    assert actions == ["waiver.create", "waiver.create", "waiver.revoke"]


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        ({"reason": ""}, 422, "reason"),
        ({"reason": "   "}, 422, "needs a reason"),
        ({"expires": "2000-01-01"}, 422, "must be after today"),
        ({"expires": (date.today() + timedelta(days=400)).isoformat()}, 422, "365"),
        ({"expires": "not a date"}, 422, "expires"),
        ({"policy": "no-such-policy"}, 422, "no policy named"),
        ({"component": "pkg:pypi/requests@1.0"}, 422, "component"),
        ({"versions": ">=1"}, 422, "give the component too"),
        ({"project_id": None}, 422, "give the project"),
        ({"extra": 1}, 422, "extra"),
    ],
)
def test_bad_grants_are_refused(
    api: Api, setup: dict[str, Any], change: dict[str, Any], code: int, message: str
) -> None:
    answer = setup["admin"].post(URL, json={**_body(setup["ids"]["shop"]), **change})
    assert answer.status_code == code and message in answer.text


def test_only_grant_waiver_holders_of_the_owning_team(api: Api, setup: dict[str, Any]) -> None:
    ids = setup["ids"]
    assert api.as_role("alpha").post(URL, json=_body(ids["shop"])).status_code == 403
    wide = api.client(
        api.key("wide", frozenset({P.GRANT_WAIVER, P.PORTFOLIO_WIDE, P.VIEW_PORTFOLIO}))
    )
    refused = wide.post(URL, json=_body(ids["shop"]))
    assert refused.status_code == 403 and "owning team" in refused.text
    hidden = api.client(api.key("grantors", frozenset({P.GRANT_WAIVER})))
    assert hidden.post(URL, json=_body(ids["shop"])).status_code == 404
    made = setup["admin"].post(URL, json=_body(ids["shop"])).json()
    assert hidden.delete(f"{URL}/{made['id']}", params={"reason": "x"}).status_code == 404
    assert (
        api.as_role("beta").delete(f"{URL}/{made['id']}", params={"reason": "x"}).status_code == 403
    )
    assert setup["admin"].delete(f"{URL}/{made['id']}").status_code == 422  # a reason is required
    assert api.anonymous.get(URL).status_code == 401
    own = setup["granter"].post(URL, json=_body(ids["vault"]))
    assert own.status_code == 201 and own.json()["created_by"].startswith("key:")
    assert setup["granter"].post(URL, json=_body(ids["shop"])).status_code == 404

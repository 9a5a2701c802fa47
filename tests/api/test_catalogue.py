"""The catalogue over REST on a real app: request, vet, decide, ban, affected, unify, remediate."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from assay.api.deps import CSRF_HEADER, SESSION_COOKIE
from assay.api.tasks import TASKS
from assay.catalogue.models import CatalogueEntry
from assay.core import account_service as accounts
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.core.jobs import Job, drain
from assay.core.permissions import SYSTEM, Permission
from assay.web.session import sign_in
from tests.api._portfolio_world import cyclonedx
from tests.api.conftest import Api
from tests.inventory.factories import add_components, make_project, make_version

P = Permission
V1 = "/api/v1"
MANAGE = frozenset({P.VIEW_PORTFOLIO, P.MANAGE_CATALOGUE})
TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@pytest.fixture
def world(api: Api) -> dict[str, int]:
    api.role("alpha"), api.role("beta")
    alpha, beta = api.team_id("alpha"), api.team_id("beta")
    with api.db.session() as s:
        shop = make_project(s, "shop", alpha)
        add_components(s, make_version(s, shop, "1.0"), ["pkg:pypi/requests@2.28.1"])
        web = make_project(s, "web", beta)
        add_components(s, make_version(s, web, "2.0"), ["pkg:pypi/requests@2.32.3"])
        return {"shop": shop.id, "web": web.id}


def _person(api: Api, username: str, team: str = "catalogue") -> TestClient:
    """A signed-in user of ``team`` (made with MANAGE if new): a browser session, as the
    web UI holds one, sending its CSRF token on unsafe methods."""
    api.key(team, MANAGE)  # makes the team if new
    password = "correct horse battery staple 42"
    with api.db.session() as s:
        found = accounts.team_by_name(s, team)
        assert found is not None
        user = accounts.create_user(s, SYSTEM, username, password)
        accounts.add_member(s, SYSTEM, found, user)
    with api.db.session() as s:
        signed = sign_in(s, username, password)
        assert signed is not None
        token, row = signed
        csrf = row.csrf_token
    client = api.client(None)
    client.cookies.set(SESSION_COOKIE, token)
    client.headers[CSRF_HEADER] = csrf
    return client


def _request(api: Api, purl: str = "pkg:pypi/requests@2.32.3") -> dict[str, object]:
    answer = api.as_role("alpha").post(
        f"{V1}/catalogue/requests", json={"purl": purl, "reason": "http"}
    )
    assert answer.status_code == 201, answer.text
    body: dict[str, object] = answer.json()
    return body


def test_request_review_approve_by_a_second_person(api: Api, world: dict[str, int]) -> None:
    entry = _request(api)
    assert (entry["purl"], entry["state"], entry["requested_version"]) == (
        "pkg:pypi/requests", "requested", "2.32.3",
    )  # fmt: skip
    assert str(entry["requested_by"]).startswith("key:")
    manager = api.client(api.key("catalogue", MANAGE))
    url = f"{V1}/catalogue/{entry['id']}/transitions"
    assert manager.post(url, json={"action": "review", "reason": "looking"}).status_code == 200
    approved = _person(api, "carol").post(
        url, json={"action": "approve", "reason": "ok", "allowed_versions": ">=2.28",
                   "recommended_version": "2.32.3"},
    )  # fmt: skip
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    detail = api.as_role("beta").get(f"{V1}/catalogue/{entry['id']}").json()
    assert [h["action"] for h in detail["history"]] == ["request", "review", "approve"]
    assert detail["history"][2]["detail"] == {
        "allowed_versions": ">=2.28",
        "recommended_version": "2.32.3",
        "requested_by": entry["requested_by"],  # a key asked: any person decides, on record
    }
    assert detail["history"][2]["actor"] == "user:carol"
    assert detail["remediation"] == {"open": 0, "done": 0, "overdue": 0}
    assert detail["affected"] == 1  # beta sees only its own project


def test_the_requester_cannot_approve_their_own_request(api: Api, world: dict[str, int]) -> None:
    bob = _person(api, "bob")
    made = bob.post(f"{V1}/catalogue/requests", json={"purl": "pkg:npm/lodash", "reason": "x"})
    assert made.status_code == 201
    assert made.json()["requested_by"] == "user:bob"
    url = f"{V1}/catalogue/{made.json()['id']}/transitions"
    refused = bob.post(url, json={"action": "approve", "reason": "mine"})
    assert (refused.status_code, refused.json()["detail"]) == (
        409,
        "user:bob requested this component and cannot approve it: a second person must decide",
    )
    # nor with the team's key: a key is not a person, whatever its actor
    team_key = api.client(api.key("catalogue", MANAGE))
    assert team_key.post(url, json={"action": "approve", "reason": "ok"}).status_code == 403
    other = _person(api, "carol")
    assert other.post(url, json={"action": "approve", "reason": "ok"}).status_code == 200


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_an_api_key_may_not_decide_even_on_another_keys_request(
    api: Api, world: dict[str, int], action: str
) -> None:
    first = api.client(api.key("catalogue", MANAGE))
    made = first.post(f"{V1}/catalogue/requests", json={"purl": "pkg:npm/lodash", "reason": "x"})
    url = f"{V1}/catalogue/{made.json()['id']}/transitions"
    second = api.client(api.key("catalogue", MANAGE))  # same team, another key and actor
    refused = second.post(url, json={"action": action, "reason": "ok"})
    assert (refused.status_code, refused.json()["detail"]) == (
        403,
        f"a person must decide: sign in to the web UI to {action} "
        "(an API key acts for a team, not a person)",
    )
    assert (
        api.as_role("alpha").get(f"{V1}/catalogue/{made.json()['id']}").json()["entry"]["state"]
        == "requested"
    )


def test_refusals_answer_403_404_409_and_422(api: Api, world: dict[str, int]) -> None:
    entry = _request(api)
    url = f"{V1}/catalogue/{entry['id']}/transitions"
    alpha = api.as_role("alpha")
    denied = alpha.post(url, json={"action": "approve", "reason": "me"})
    assert (denied.status_code, denied.json()["detail"]) == (
        403,
        "requires the manage_catalogue permission",
    )
    assert (
        alpha.post(f"{V1}/catalogue/bans", json={"purl": "pkg:npm/x", "reason": "r"}).status_code
        == 403
    )
    again = alpha.post(
        f"{V1}/catalogue/requests", json={"purl": "pkg:pypi/requests", "reason": "x"}
    )
    assert (again.status_code, again.json()["detail"]) == (
        409, "pkg:pypi/requests is already in the catalogue (requested)",
    )  # fmt: skip
    manager = api.client(api.key("catalogue", MANAGE))
    assert manager.get(f"{V1}/catalogue/999999").status_code == 404
    assert (
        manager.post(
            f"{V1}/catalogue/999999/transitions", json={"action": "review", "reason": "x"}
        ).status_code
        == 404
    )
    illegal = manager.post(
        url, json={"action": "deprecate", "reason": "x", "sunset_date": TOMORROW}
    )
    assert illegal.status_code == 409
    assert illegal.json()["detail"].startswith("cannot deprecate a component that is requested")
    bad = alpha.post(f"{V1}/catalogue/requests", json={"purl": "requests", "reason": "x"})
    assert (bad.status_code, bad.json()["detail"]) == (
        422,
        "component purl 'requests': must start with 'pkg:'",
    )
    assert (
        alpha.post(
            f"{V1}/catalogue/requests", json={"purl": "pkg:pypi/x", "reason": ""}
        ).status_code
        == 422
    )
    assert api.as_role("alpha_ci").get(f"{V1}/catalogue").status_code == 403


def test_a_range_ban_lists_the_affected_versions_and_opens_items(
    api: Api, world: dict[str, int]
) -> None:
    manager = api.client(api.key("catalogue", MANAGE))
    banned = manager.post(
        f"{V1}/catalogue/bans",
        json={
            "purl": "pkg:pypi/requests",
            "reason": "CVE",
            "versions": "<2.30",
            "due_date": TOMORROW,
        },
    )
    assert banned.status_code == 201, banned.text
    entry_id = banned.json()["id"]
    hit = api.as_role("auditor").get(
        f"{V1}/catalogue/{entry_id}/affected", params={"status": "banned"}
    )
    assert [(a["project"], a["component_version"]) for a in hit.json()] == [("shop", "2.28.1")]
    items = api.as_role("alpha").get(f"{V1}/remediation", params={"entry_id": entry_id}).json()
    assert [(i["project"], i["due_date"], i["state"]) for i in items["items"]] == [
        ("shop", TOMORROW, "open")
    ]
    assert api.as_role("beta").get(f"{V1}/remediation").json()["total"] == 0
    # the counts too cover only what the caller sees: beta has no item, alpha its one
    detail = api.as_role("beta").get(f"{V1}/catalogue/{entry_id}").json()
    assert detail["remediation"] == {"open": 0, "done": 0, "overdue": 0}
    detail = api.as_role("alpha").get(f"{V1}/catalogue/{entry_id}").json()
    assert detail["remediation"] == {"open": 1, "done": 0, "overdue": 0}
    with api.db.session() as s:
        assert s.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("catalogue.%"))
        ).all() == ["catalogue.ban"]
        assert {j.kind for j in s.scalars(select(Job))} == {"policy.evaluate"}


def test_list_filters_and_pages(api: Api, world: dict[str, int]) -> None:
    for purl in ("pkg:pypi/requests", "pkg:pypi/httpx", "pkg:npm/lodash"):
        _request(api, purl)
    beta = api.as_role("beta")
    page = beta.get(f"{V1}/catalogue", params={"q": "pypi", "page_size": 1}).json()
    assert (page["total"], [e["purl"] for e in page["items"]]) == (2, ["pkg:pypi/httpx"])
    assert beta.get(f"{V1}/catalogue", params={"state": "approved"}).json()["total"] == 0
    assert beta.get(f"{V1}/catalogue", params={"state": "nonsense"}).status_code == 422
    assert beta.get(f"{V1}/catalogue", params={"q": "50%_\\"}).json()["total"] == 0


def test_patch_may_only_restrict_ranges_with_a_reason(api: Api, world: dict[str, int]) -> None:
    entry = _request(api)
    url = f"{V1}/catalogue/{entry['id']}"
    manager = api.client(api.key("catalogue", MANAGE))
    no_reason = manager.patch(url, json={"allowed_versions": ">=2.28"})
    assert (no_reason.status_code, no_reason.json()["detail"]) == (
        422,
        "changing the allowed versions needs a reason",
    )
    narrowed = manager.patch(url, json={"allowed_versions": ">=2.28", "reason": "proxy leak"})
    assert narrowed.status_code == 200 and narrowed.json()["allowed_versions"] == ">=2.28"
    for change in ({"allowed_versions": None}, {"allowed_versions": ">=2.0"}):
        widened = manager.patch(url, json={**change, "reason": "wider"})
        assert widened.status_code == 409
        assert "needs a second person" in widened.json()["detail"]
    banned = manager.patch(url, json={"banned_versions": "<2.30", "reason": "CVE"})
    assert banned.status_code == 200 and banned.json()["banned_versions"] == "<2.30"
    for change in ({"banned_versions": None}, {"banned_versions": "<2.0"}):
        lifted = manager.patch(url, json={**change, "reason": "not so bad"})
        assert lifted.status_code == 409
        assert "would lift part of the ban" in lifted.json()["detail"]
    after = api.as_role("alpha").get(url).json()["entry"]
    assert (after["allowed_versions"], after["banned_versions"]) == (">=2.28", "<2.30")
    with api.db.session() as s:
        reasons = s.scalars(
            select(AuditEntry.detail).where(AuditEntry.action == "catalogue.update")
        ).all()
        assert ['"reason": "proxy leak"' in d for d in reasons] == [True, False]


def test_patch_and_unification(api: Api, world: dict[str, int]) -> None:
    entry = _request(api)
    manager = api.client(api.key("catalogue", MANAGE))
    patched = manager.patch(f"{V1}/catalogue/{entry['id']}", json={"recommended_version": "2.32.3"})
    assert patched.status_code == 200 and patched.json()["recommended_version"] == "2.32.3"
    assert api.as_role("alpha").patch(f"{V1}/catalogue/{entry['id']}", json={}).status_code == 403
    rows = api.as_role("auditor").get(f"{V1}/catalogue/unification").json()
    assert [(r["purl"], r["recommended"], r["converge"]) for r in rows] == [
        ("pkg:pypi/requests", "2.32.3", "upgrade 1 project from 2.28.1 to 2.32.3")
    ]
    mine = (
        api.as_role("alpha")
        .get(f"{V1}/catalogue/unification", params={"purl": "pkg:pypi/requests"})
        .json()
    )
    assert [v["projects"] for v in mine[0]["versions"]] == [["shop"]]
    assert (
        api.as_role("alpha").get(f"{V1}/catalogue/unification", params={"purl": "nope"}).status_code
        == 422
    )


def test_a_request_is_vetted_in_the_background(api: Api, world: dict[str, int]) -> None:
    pytest.importorskip("assay.vetting.vet")
    entry = _request(api, "pkg:pypi/zzz-not-a-real-package@1.0")
    with api.db.session() as s:  # the evaluation task belongs to the policy engine's tests
        s.query(Job).filter(Job.kind != "catalogue.vet").delete()
    offline = Database(dataclasses.replace(api.db.settings, offline=True))  # no registry calls
    try:
        assert drain(offline, TASKS) == 1
    finally:
        offline.dispose()
    reports = api.as_role("beta").get(f"{V1}/catalogue/{entry['id']}/vetting").json()
    assert len(reports) == 1
    assert reports[0]["purl"] == "pkg:pypi/zzz-not-a-real-package@1.0"
    assert reports[0]["verdict"] in {"pass", "review", "fail"}
    detail = api.as_role("beta").get(f"{V1}/catalogue/{entry['id']}").json()
    assert detail["vetting"]["id"] == reports[0]["id"]
    with api.db.session() as s:
        assert s.get(CatalogueEntry, entry["id"]) is not None


HOSTILE = [
    ("POST", "/catalogue/requests", '{"purl": "pkg:pypi/a\\ud800b", "reason": "x"}'),
    ("POST", "/catalogue/requests", '{"purl": "pkg:pypi/ok", "reason": "a\\ud800b"}'),
    ("POST", "/catalogue/requests", '{"purl": "pkg:pypi/ok", "reason": "a\\u0000b"}'),
    ("POST", "/catalogue/requests", '{"purl": "pkg:pypi/ok@1\\u0000", "reason": "x"}'),
    ("POST", "/catalogue/requests", '{"purl": "pkg:pypi/ok", "reason": NaN}'),
    ("POST", "/catalogue/bans", '{"purl": "pkg:npm/x", "reason": "r", "versions": "<\\ud800"}'),
    ("POST", "/catalogue/bans", '{"purl": "pkg:npm/x", "reason": "r", "due_date": "2026-13-45"}'),
    ("POST", "/catalogue/bans", '{"purl": "pkg:npm/%C0%80", "reason": "r"}'),
    ("POST", "/catalogue/{id}/transitions",
     '{"action": "approve", "reason": "ok", "recommended_version": "1\\ud800"}'),
    ("POST", "/catalogue/{id}/transitions", '{"action": "review", "reason": "' + "x" * 2001 + '"}'),
    ("PATCH", "/catalogue/{id}", '{"allowed_versions": ">=1\\u0000"}'),
    ("PATCH", "/catalogue/{id}", '{"owner_team_id": 1e400}'),
    ("GET", "/catalogue?q=a%00b", None),
    ("GET", "/catalogue?q=%ED%A0%80", None),
    ("GET", "/catalogue/unification?purl=pkg:pypi/a%00b", None),
    ("GET", "/catalogue/unification?purl=pkg:pypi/%ED%A0%80", None),
    ("GET", "/catalogue/{id}/affected?status=nonsense", None),
    ("GET", "/remediation?state=a%00b", None),
    ("POST", "/catalogue/requests", "[" * 100_000),
]  # fmt: skip


def test_hostile_values_are_refused_without_a_server_error_or_a_change(
    api: Api, world: dict[str, int]
) -> None:
    entry = _request(api, "pkg:pypi/target")
    admin = api.as_role("admin")
    with api.db.session() as s:
        before = s.scalars(select(AuditEntry.id)).all()
    for method, path, body in HOSTILE:
        url = V1 + path.replace("{id}", str(entry["id"]))
        headers = {"content-type": "application/json"} if body is not None else None
        answer = admin.request(method, url, content=body, headers=headers)
        refused = method == "GET" or 400 <= answer.status_code < 500  # a search may find nothing
        assert refused and answer.status_code < 500, (path, body and body[:80], answer.text[:200])
        assert "\\ud800" not in answer.text.lower() or "ud800" in url
    with api.db.session() as s:
        assert s.scalars(select(AuditEntry.id)).all() == before


def test_a_new_bom_without_the_banned_component_closes_its_item(
    api: Api, world: dict[str, int]
) -> None:
    """The whole path: ban, upload, analysis, policy evaluation, remediation refresh."""
    manager = api.client(api.key("catalogue", MANAGE))
    banned = manager.post(f"{V1}/catalogue/bans", json={"purl": "pkg:pypi/requests", "reason": "x"})
    entry_id = banned.json()["id"]
    alpha = api.as_role("alpha")
    before = alpha.get(f"{V1}/remediation", params={"entry_id": entry_id}).json()
    assert [(i["project"], i["version"], i["state"]) for i in before["items"]] == [
        ("shop", "1.0", "open")
    ]
    sent = alpha.post(
        f"{V1}/bom",
        data={"project": "shop", "version": "1.1", "auto_create": "true"},
        files={"bom": ("shop.cdx.json", cyclonedx("pkg:pypi/httpx@0.27.0"), "application/json")},
    )
    assert sent.status_code == 202, sent.text
    api.drain()
    after = alpha.get(f"{V1}/remediation", params={"entry_id": entry_id}).json()
    assert [(i["version"], i["state"]) for i in after["items"]] == [("1.0", "done")]
    assert after["items"][0]["closed_at"]
    detail = alpha.get(f"{V1}/catalogue/{entry_id}").json()
    assert detail["remediation"] == {"open": 0, "done": 1, "overdue": 0}  # alpha's only
    detail = api.as_role("auditor").get(f"{V1}/catalogue/{entry_id}").json()
    assert detail["remediation"] == {"open": 1, "done": 1, "overdue": 0}  # web's item is open

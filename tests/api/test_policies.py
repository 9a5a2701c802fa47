"""/api/v1/policies: read with VIEW_PORTFOLIO, write with MANAGE_POLICY (both engines)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from assay.core.audit import AuditEntry
from assay.core.permissions import Permission
from assay.policy.starter import starter_policies
from tests.api.conftest import Api

P = Permission
URL = "/api/v1/policies"
POLICY = {"verdict": "fail", "conditions": [{"severity": {"at_least": "critical"}}]}


def _doc(*policies: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "assay.dev/v1", "kind": "PolicySet", "policies": list(policies)}


@pytest.fixture
def manager(api: Api) -> Any:
    return api.client(api.key("policy-owners", frozenset({P.MANAGE_POLICY, P.VIEW_PORTFOLIO})))


def test_a_new_server_starts_with_the_starter_policies(api: Api) -> None:
    listed = api.as_role("auditor").get(URL)
    assert listed.status_code == 200
    assert [p["name"] for p in listed.json()] == sorted(p.name for p in starter_policies())
    one = api.as_role("alpha").get(f"{URL}/no-malicious-packages").json()
    assert one["conditions"] == [{"malicious": True}] and "starter" in one["source"]


def test_put_get_delete_one_policy(api: Api, manager: Any) -> None:
    put = manager.put(f"{URL}/no-critical", json={**POLICY, "description": "none"})
    assert put.status_code == 200, put.text
    body = put.json()
    assert (body["name"], body["verdict"], body["updated_by"]) == (
        "no-critical",
        "fail",
        body["updated_by"],
    )
    assert len(body["digest"]) == 64 and body["source"] == "api"
    assert api.as_role("alpha").get(f"{URL}/no-critical").json()["description"] == "none"
    gone = manager.delete(f"{URL}/no-critical")
    assert gone.status_code == 200 and gone.json()["name"] == "no-critical"
    assert manager.get(f"{URL}/no-critical").status_code == 404
    with api.db.session() as s:
        actions = list(
            s.scalars(select(AuditEntry.action).where(AuditEntry.target_id == "no-critical"))
        )
    assert actions == ["policy.create", "policy.delete"]


def test_apply_a_set_with_dry_run_and_prune(api: Api, manager: Any) -> None:
    doc = _doc({"name": "only-one", **POLICY})
    planned = manager.post(f"{URL}/apply", json={"document": doc, "prune": True, "dry_run": True})
    assert planned.status_code == 200, planned.text
    starters = sorted(p.name for p in starter_policies())
    assert planned.json() == {
        "created": ["only-one"],
        "updated": [],
        "unchanged": [],
        "removed": starters,
    }
    assert len(manager.get(URL).json()) == len(starters)  # nothing changed
    done = manager.post(f"{URL}/apply", json={"document": doc, "prune": True})
    assert done.json() == planned.json()
    assert [p["name"] for p in manager.get(URL).json()] == ["only-one"]
    again = manager.post(f"{URL}/apply", json={"document": doc}).json()
    assert again == {"created": [], "updated": [], "unchanged": ["only-one"], "removed": []}


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({}, "apiVersion"),
        ([], "expected a PolicySet document"),
        (_doc({"name": "x", "verdict": "fatal", "conditions": []}), "verdict"),
        (_doc({"name": "Bad Name", **POLICY}), "is not a policy name"),
        (_doc({"name": "x", **POLICY}, {"name": "x", **POLICY}), "defined twice"),
        (_doc({"name": "x", "verdict": "fail", "conditions": [{"nope": 1}]}), "nope"),
    ],
)
def test_unreadable_policies_are_refused_with_one_line_and_change_nothing(
    api: Api, manager: Any, document: Any, message: str
) -> None:
    before = manager.get(URL).json()
    answer = manager.post(f"{URL}/apply", json={"document": document})
    assert answer.status_code == 422 and message in answer.json()["detail"]
    assert "\n" not in answer.json()["detail"]
    assert manager.get(URL).json() == before


def test_hostile_put_bodies_and_names(api: Api, manager: Any) -> None:
    assert (
        manager.put(
            f"{URL}/x", json={"verdict": "fail", "conditions": [{"severity": {"at_least": "🙂"}}]}
        ).status_code
        == 422
    )
    assert manager.put(f"{URL}/UPPER", json=POLICY).status_code == 422
    assert manager.put(f"{URL}/{'a' * 101}", json=POLICY).status_code == 422
    assert manager.put(f"{URL}/x", json={"conditions": []}).status_code == 422
    assert manager.get(f"{URL}/x").status_code == 404


def test_writing_needs_manage_policy(api: Api) -> None:
    for role in ("alpha", "beta", "auditor"):
        client = api.as_role(role)
        assert client.put(f"{URL}/x", json=POLICY).status_code == 403
        assert client.delete(f"{URL}/no-malicious-packages").status_code == 403
        assert client.post(f"{URL}/apply", json={"document": _doc()}).status_code == 403
    assert api.anonymous.get(URL).status_code == 401
    assert api.as_role("alpha_ci").get(URL).status_code == 403

"""/api/v1/violations and /versions/{id}/policy: filtered to what the caller sees (both engines)."""

from __future__ import annotations

import pytest

from assay.core.permissions import Permission
from tests.api.conftest import Api
from tests.inventory.intake_support import APP_1, import_advisories

P = Permission
URL = "/api/v1/violations"
POLICY = {"verdict": "fail", "conditions": [{"severity": {"at_least": "critical"}}]}


def _upload(api: Api, role: str, project: str) -> None:
    answer = api.as_role(role).post(
        "/api/v1/bom",
        data={"project": project, "version": "1.0", "auto_create": "true"},
        files={"bom": ("bom.cdx.json", APP_1.read_bytes(), "application/json")},
    )
    assert answer.status_code == 202, answer.text


@pytest.fixture
def portfolio(api: Api) -> dict[str, int]:
    """alpha's shop and beta's bank, both holding requests 2.25.0 (a critical finding)."""
    import_advisories(api.db)
    manager = api.client(api.key("policy-owners", frozenset({P.MANAGE_POLICY})))
    document = {"apiVersion": "assay.dev/v1", "kind": "PolicySet",
                "policies": [{"name": "no-critical", **POLICY}]}  # fmt: skip
    assert (
        manager.post(
            "/api/v1/policies/apply", json={"document": document, "prune": True}
        ).status_code
        == 200
    )
    _upload(api, "alpha", "shop")
    _upload(api, "beta", "bank")
    api.drain()
    ids: dict[str, int] = {}
    for role, name in (("alpha", "shop"), ("beta", "bank")):
        (project,) = api.as_role(role).get("/api/v1/projects", params={"q": name}).json()["items"]
        ids[name] = project["id"]
        versions = api.as_role(role).get(f"/api/v1/projects/{project['id']}/versions").json()
        ids[f"{name}-version"] = (
            versions["items"][0]["id"] if isinstance(versions, dict) else versions[0]["id"]
        )
    return ids


def test_each_team_sees_its_own_violations(api: Api, portfolio: dict[str, int]) -> None:
    alpha = api.as_role("alpha").get(URL).json()
    assert alpha["total"] == 1
    (row,) = alpha["items"]
    assert (row["project_id"], row["policy"], row["state"], row["component_purl"]) == (
        portfolio["shop"], "no-critical", "open", "pkg:pypi/requests@2.25.0",
    )  # fmt: skip
    assert row["reasons"] and row["resolved_at"] is None
    assert api.as_role("auditor").get(URL).json()["total"] == 2
    assert api.as_role("beta").get(URL, params={"project_id": portfolio["shop"]}).status_code == 404


def test_filters_and_paging(api: Api, portfolio: dict[str, int]) -> None:
    auditor = api.as_role("auditor")
    shop = {"version_id": portfolio["shop-version"]}
    assert auditor.get(URL, params=shop).json()["total"] == 1
    assert auditor.get(URL, params={"verdict": "fail", "state": "open"}).json()["total"] == 2
    assert auditor.get(URL, params={"state": "waived"}).json()["total"] == 0
    assert auditor.get(URL, params={"state": "resolved"}).json()["total"] == 0
    assert auditor.get(URL, params={"policy": "other"}).json()["total"] == 0
    page = auditor.get(URL, params={"page_size": 1, "page": 2}).json()
    assert (len(page["items"]), page["total"], page["page"]) == (1, 2, 2)
    for bad in ({"state": "closed"}, {"verdict": "fatal"}, {"page_size": 501}, {"page": 0}):
        answer = auditor.get(URL, params=bad)
        assert answer.status_code == 422, bad


def test_a_versions_policy_summary(api: Api, portfolio: dict[str, int]) -> None:
    version = portfolio["shop-version"]
    summary = api.as_role("alpha").get(f"/api/v1/versions/{version}/policy").json()
    assert (
        summary["failed"] is True
        and summary["fail"] == 1
        and summary["policies"] == ["no-critical"]
    )
    assert (summary["waived"], summary["unevaluated"], summary["warn"]) == (0, 0, 0)
    hidden = api.as_role("beta").get(f"/api/v1/versions/{version}/policy")
    missing = api.as_role("beta").get("/api/v1/versions/2000000000/policy")
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert hidden.text.replace(str(version), "ID") == missing.text.replace("2000000000", "ID")


def test_reading_needs_view_portfolio(api: Api) -> None:
    assert api.anonymous.get(URL).status_code == 401
    assert api.as_role("alpha_ci").get(URL).status_code == 403

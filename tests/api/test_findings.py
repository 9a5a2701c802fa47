"""Tests for /findings, /decisions and /versions/{id}/vex against every role, on both engines."""

from __future__ import annotations

import json

import pytest

from assay.api.routers import findings as findings_router
from assay.core.clock import in_future
from assay.inventory.models import AnalysisDecision
from tests.api.conftest import Api
from tests.inventory._triage_data import World, build

ROLES = ("admin", "auditor", "alpha", "alpha_ci", "beta")


@pytest.fixture
def world(api: Api) -> World:
    for role in ROLES:
        api.role(role)
    with api.db.session() as s:
        return build(s, alpha_team=api.team_id("alpha"), beta_team=api.team_id("beta"))


@pytest.mark.parametrize(
    ("role", "code"),
    [
        ("admin", 200),
        ("auditor", 200),
        ("alpha", 200),
        ("alpha_ci", 403),
        ("beta", 404),
        (None, 401),
    ],
)
def test_get_finding_per_role(api: Api, world: World, role: str | None, code: int) -> None:
    client = api.as_role(role) if role else api.anonymous
    answer = client.get(f"/api/v1/findings/{world.f_v1_django}")
    assert answer.status_code == code, answer.text
    if code == 200:
        body = answer.json()
        assert (body["vuln_id"], body["state"], body["analysis"]) == (
            "CVE-2021-1",
            "in_triage",
            None,
        )
        assert body["aliases"] == ["CVE-2021-1", "GHSA-aaaa-bbbb-cccc"]
        assert body["fixed_versions"] == ["3.2.5"]


def test_unknown_finding_is_404_like_an_invisible_one(api: Api, world: World) -> None:
    answer = api.as_role("alpha").get("/api/v1/findings/999999")
    hidden = api.as_role("beta").get(f"/api/v1/findings/{world.f_v1_django}")
    assert (answer.status_code, hidden.status_code) == (404, 404)
    assert answer.json()["detail"] == "no finding with id 999999"
    assert hidden.json()["detail"] == f"no finding with id {world.f_v1_django}"


@pytest.mark.parametrize(
    ("role", "code"), [("alpha", 201), ("alpha_ci", 403), ("beta", 404), ("auditor", 403)]
)
def test_decide_on_a_finding_per_role(api: Api, world: World, role: str, code: int) -> None:
    body = {"state": "not_affected", "justification": "code_not_reachable", "detail": "dead code"}
    answer = api.as_role(role).post(f"/api/v1/findings/{world.f_v1_django}/analysis", json=body)
    assert answer.status_code == code, answer.text
    shown = api.as_role("alpha").get(f"/api/v1/findings/{world.f_v1_django}").json()
    assert shown["state"] == ("not_affected" if code == 201 else "in_triage")
    if code == 201:
        assert answer.json()["created_by"].startswith("key:")
        assert shown["analysis"]["justification"] == "code_not_reachable"


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"state": "maybe"}, "state"),
        ({"state": "not_affected"}, "state not_affected requires a justification"),
        ({"state": "exploitable", "response": ["pray"]}, "response"),
        ({"state": "exploitable", "detail": "x" * 10_001}, "detail"),
        ({"state": "exploitable", "surprise": 1}, "surprise"),
        ({"state": "exploitable", "expires_at": "yesterday"}, "not an ISO 8601 date"),
        ({"state": "exploitable", "expires_at": "2000-01-01"}, "must be in the future"),
    ],
)
def test_bad_analysis_is_422(
    api: Api, world: World, body: dict[str, object], fragment: str
) -> None:
    answer = api.as_role("alpha").post(f"/api/v1/findings/{world.f_v1_django}/analysis", json=body)
    assert answer.status_code == 422, answer.text
    assert fragment in answer.text


def test_history_and_comments(api: Api, world: World) -> None:
    alpha = api.as_role("alpha")
    url = f"/api/v1/findings/{world.f_v1_django}"
    assert alpha.post(f"{url}/analysis", json={"state": "in_triage"}).status_code == 201
    assert (
        alpha.post(f"{url}/comments", json={"text": "checking the call graph"}).status_code == 201
    )
    assert (
        alpha.post(
            f"{url}/analysis", json={"state": "exploitable", "response": ["update"]}
        ).status_code
        == 201
    )
    assert api.as_role("alpha_ci").post(f"{url}/comments", json={"text": "x"}).status_code == 403
    assert api.as_role("beta").post(f"{url}/comments", json={"text": "x"}).status_code == 404
    assert alpha.post(f"{url}/comments", json={"text": ""}).status_code == 422
    assert alpha.post(f"{url}/comments", json={"text": "x" * 10_001}).status_code == 422
    history = api.as_role("auditor").get(f"{url}/analysis").json()
    assert [(d["state"], d["in_force"]) for d in history["decisions"]] == [
        ("exploitable", True), ("in_triage", False),
    ]  # fmt: skip
    assert [c["text"] for c in history["comments"]] == ["checking the call graph"]
    assert api.as_role("beta").get(f"{url}/analysis").status_code == 404


def test_scoped_decisions(api: Api, world: World) -> None:
    suppress = {
        "vuln_id": "CVE-2021-1", "scope": "project", "target_id": world.alpha_project,
        "state": "not_affected", "justification": "requires_configuration",
    }  # fmt: skip
    alpha = api.as_role("alpha")
    missing = alpha.post("/api/v1/decisions", json=suppress)
    assert missing.status_code == 422
    assert "needs an expires_at" in missing.json()["detail"]
    made = alpha.post("/api/v1/decisions", json={**suppress, "expires_at": in_future(30)})
    assert made.status_code == 201, made.text
    assert (
        api.as_role("beta")
        .post("/api/v1/decisions", json={**suppress, "expires_at": in_future(3)})
        .status_code
        == 404
    )
    portfolio = {"vuln_id": "CVE-2021-1", "scope": "portfolio", "state": "exploitable"}
    assert alpha.post("/api/v1/decisions", json=portfolio).status_code == 403
    assert api.as_role("auditor").post("/api/v1/decisions", json=portfolio).status_code == 403
    assert api.as_role("admin").post("/api/v1/decisions", json=portfolio).status_code == 201
    states = {
        fid: api.as_role("admin").get(f"/api/v1/findings/{fid}").json()["state"]
        for fid in (world.f_v1_django, world.f_v2_django, world.f_beta_django)
    }
    assert states == {
        world.f_v1_django: "not_affected", world.f_v2_django: "not_affected",
        world.f_beta_django: "exploitable",
    }  # fmt: skip
    bad = alpha.post("/api/v1/decisions", json={**portfolio, "scope": "project", "target_id": None})
    assert bad.status_code == 422


def test_list_decisions_is_filtered_by_visibility(api: Api, world: World) -> None:
    alpha = api.as_role("alpha")
    alpha.post(f"/api/v1/findings/{world.f_v1_django}/analysis", json={"state": "exploitable"})
    api.as_role("beta").post(
        f"/api/v1/findings/{world.f_beta_django}/analysis", json={"state": "resolved"}
    )
    api.as_role("admin").post(
        "/api/v1/decisions",
        json={"vuln_id": "CVE-2021-2", "scope": "portfolio", "state": "in_triage"},
    )
    with api.db.session() as s:
        s.add(
            AnalysisDecision(
                vuln_id="CVE-2021-1", scope="version", version_id=world.v1,
                project_id=world.alpha_project, state="exploitable", response="[]", detail="",
                expires_at="2001-01-01T00:00:00.000000Z", created_at="2000-01-01T00:00:00.000000Z",
                created_by="user:old",
            )
        )  # fmt: skip
    seen = api.as_role("beta").get("/api/v1/decisions").json()
    assert sorted(d["state"] for d in seen["items"]) == ["in_triage", "resolved"]
    everything = api.as_role("auditor").get("/api/v1/decisions", params={"page_size": 2}).json()
    assert (everything["total"], len(everything["items"]), everything["page_size"]) == (4, 2, 2)
    mine = alpha.get("/api/v1/decisions", params={"vuln_id": "CVE-2021-1"}).json()["items"]
    assert [(d["state"], d["expired"]) for d in mine] == [
        ("exploitable", False),
        ("exploitable", True),
    ]
    project = alpha.get("/api/v1/decisions", params={"project_id": world.alpha_project}).json()
    assert project["total"] == 3
    assert (
        api.as_role("beta")
        .get("/api/v1/decisions", params={"project_id": world.alpha_project})
        .status_code
        == 404
    )
    assert alpha.get("/api/v1/decisions", params={"page_size": 501}).status_code == 422
    assert api.as_role("alpha_ci").get("/api/v1/decisions").status_code == 403


def test_vex_export_and_import_round_trip(api: Api, world: World) -> None:
    alpha = api.as_role("alpha")
    alpha.post(
        f"/api/v1/findings/{world.f_v1_django}/analysis",
        json={
            "state": "not_affected",
            "justification": "code_not_present",
            "response": ["will_not_fix"],
        },
    )
    exported = alpha.get(f"/api/v1/versions/{world.v1}/vex")
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/vnd.cyclonedx+json")
    assert api.as_role("beta").get(f"/api/v1/versions/{world.v1}/vex").status_code == 404
    assert api.as_role("alpha_ci").get(f"/api/v1/versions/{world.v1}/vex").status_code == 403
    raw = alpha.post(
        f"/api/v1/versions/{world.v2}/vex",
        content=exported.content,
        headers={"content-type": "application/vnd.cyclonedx+json"},
    )
    assert raw.status_code == 200, raw.text
    assert (raw.json()["applied"], raw.json()["unmatched_total"]) == (1, 1)
    assert alpha.get(f"/api/v1/findings/{world.f_v2_django}").json()["state"] == "not_affected"
    form = api.as_role("beta").post(
        f"/api/v1/versions/{world.beta_v1}/vex", files={"vex": ("alpha.json", exported.content)}
    )
    assert form.status_code == 200, form.text
    assert form.json()["applied"] == 1
    assert (
        api.as_role("beta").get(f"/api/v1/findings/{world.f_beta_django}").json()["state"]
        == "not_affected"
    )


@pytest.mark.parametrize(
    ("kwargs", "code", "fragment"),
    [
        ({"content": b""}, 422, "file is empty"),
        ({"content": b'{"bomFormat": "CycloneDX"'}, 422, "invalid JSON"),
        ({"content": b"<!DOCTYPE x [<!ENTITY a 'b'>]><bom/>"}, 422, "DTD or entities"),
        ({"content": json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.6",
          "vulnerabilities": [{"id": "CVE-2021-1", "analysis": {"state": "bogus"}}]}).encode()},
         422, "unknown state 'bogus'"),
        ({"files": {"other": ("x.json", b"{}")}}, 422, "'vex' file of the form"),
    ],
)  # fmt: skip
def test_bad_vex_is_422_and_changes_nothing(
    api: Api, world: World, kwargs: dict[str, object], code: int, fragment: str
) -> None:
    answer = api.as_role("alpha").post(f"/api/v1/versions/{world.v1}/vex", **kwargs)  # type: ignore[arg-type]
    assert answer.status_code == code, answer.text
    assert fragment in answer.json()["detail"]
    assert "\n" not in answer.json()["detail"]
    with api.db.session() as s:
        assert s.query(AnalysisDecision).count() == 0


def test_vex_import_permissions_and_size(
    api: Api, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": []}'
    url = f"/api/v1/versions/{world.v1}/vex"
    assert api.as_role("alpha_ci").post(url, content=doc).status_code == 403
    assert api.as_role("beta").post(url, content=doc).status_code == 404
    assert api.anonymous.post(url, content=doc).status_code == 401
    monkeypatch.setattr(findings_router, "MAX_VEX_BYTES", 16)
    assert api.as_role("alpha").post(url, content=doc).status_code == 413
    assert api.as_role("alpha").post(url, files={"vex": ("v.json", doc)}).status_code == 413

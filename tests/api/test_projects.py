"""/api/v1/projects and /api/v1/versions: roles, visibility (404 not 403), sorting, downloads."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from assay.core.audit import AuditEntry
from assay.inventory.models import Project
from tests.api.conftest import Api
from tests.inventory.factories import (
    Comp,
    add_components,
    add_edges,
    add_finding,
    make_project,
    make_version,
)

V1 = "/api/v1"
CDX = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.5",
    "version": 1,
    "components": [
        {"type": "library", "name": "lodash", "version": "4.17.20", "bom-ref": "a",
         "purl": "pkg:npm/lodash@4.17.20", "properties": [{"name": "n", "value": "v…"}]},
    ],
}  # fmt: skip


@dataclass(frozen=True)
class Seeded:
    shop: int  # alpha's project
    shop_v1: int
    shop_v2: int
    vault: int  # beta's project
    vault_v: int


@pytest.fixture
def seeded(api: Api) -> Seeded:
    for role in ("admin", "auditor", "alpha", "alpha_ci", "beta"):
        api.role(role)
    alpha, beta = api.team_id("alpha"), api.team_id("beta")
    digest, _ = api.app.state.assay.blobs.put(json.dumps(CDX).encode())
    with api.db.session() as s:
        shop = make_project(s, "shop", alpha, criticality="high", tags=["pci"])
        v1 = make_version(s, shop, "1.0", counts={"critical": 1, "components": 2})
        v2 = make_version(
            s, shop, "2.0", counts={"critical": 3, "high": 1}, bom_digest=digest,
            bom_format="cyclonedx-json",
        )  # fmt: skip
        rows = add_components(
            s, v2, [Comp("npm", "lodash", "4.17.20", "pkg:npm/lodash@4.17.20", "MIT", "a"),
                    Comp("npm", "left-pad", "1.3.0", "pkg:npm/left-pad@1.3.0", None, "b")],
        )  # fmt: skip
        add_edges(s, v2, [("a", "b")])
        add_finding(s, v2, rows[0], "CVE-2021-23337", severity="critical")
        vault = make_project(s, "vault", beta, criticality="critical")
        vv = make_version(
            s, vault, "9", counts={"critical": 99}, bom_digest=digest, bom_format="cyclonedx-json"
        )
        (secret,) = add_components(s, vv, ["pkg:npm/secret-lib@1.0.0"])
        add_finding(s, vv, secret, "CVE-2099-1", severity="critical")
        return Seeded(shop.id, v1.id, v2.id, vault.id, vv.id)


def test_list_is_per_team_with_latest_counts(api: Api, seeded: Seeded) -> None:
    body = api.as_role("alpha").get(f"{V1}/projects").json()
    assert [p["name"] for p in body["items"]] == ["shop"]
    assert body["total"] == 1
    assert body["items"][0]["latest"]["critical"] == 3
    assert body["items"][0]["latest"]["version"] == "2.0"
    assert body["items"][0]["tags"] == ["pci"]
    assert body["items"][0]["team"] == "alpha"
    beta = api.as_role("beta").get(f"{V1}/projects", params={"q": "shop"}).json()
    assert (beta["items"], beta["total"]) == ([], 0)
    wide = api.as_role("auditor").get(
        f"{V1}/projects", params={"sort": "critical", "order": "desc"}
    )
    assert [p["name"] for p in wide.json()["items"]] == ["vault", "shop"]
    paged = api.as_role("admin").get(f"{V1}/projects", params={"page": 2, "page_size": 1})
    assert paged.json()["items"][0]["name"] == "vault"
    assert paged.json()["total"] == 2


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "password"},
        {"order": "up"},
        {"page": 0},
        {"page_size": 501},
        {"q": "x" * 257},
        {"team": "abc"},
        {"criticality": "extreme"},
        {"q": "a\x00b"},
        {"tag": "\x00"},
    ],
)
def test_bad_list_parameters_are_422(api: Api, params: dict[str, object]) -> None:
    assert api.as_role("admin").get(f"{V1}/projects", params=params).status_code == 422


def test_authentication_and_permissions(api: Api, seeded: Seeded) -> None:
    assert api.anonymous.get(f"{V1}/projects").status_code == 401
    ci = api.as_role("alpha_ci")  # UPLOAD_BOM only: may not read the portfolio
    assert ci.get(f"{V1}/projects").status_code == 403
    assert ci.get(f"{V1}/projects/{seeded.shop}").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/projects/{vault}",
        "/projects/{vault}/versions",
        "/versions/{vault_v}",
        "/versions/{vault_v}/components",
        "/versions/{vault_v}/graph",
        "/versions/{vault_v}/findings",
        "/versions/{vault_v}/sbom",
        "/versions/{vault_v}/sbom?format=spdx-json",
    ],
)
def test_another_teams_project_is_404_like_a_missing_one(
    api: Api, seeded: Seeded, path: str
) -> None:
    alpha = api.as_role("alpha")
    hidden = alpha.get(V1 + path.format(vault=seeded.vault, vault_v=seeded.vault_v))
    missing = alpha.get(V1 + path.format(vault=999_999, vault_v=999_999))
    assert (hidden.status_code, missing.status_code) == (404, 404)
    assert "secret" not in hidden.text and "vault" not in hidden.text
    allowed = api.as_role("beta").get(V1 + path.format(vault=seeded.vault, vault_v=seeded.vault_v))
    assert allowed.status_code == 200


def test_project_detail_versions_components_graph_findings(api: Api, seeded: Seeded) -> None:
    alpha = api.as_role("alpha")
    detail = alpha.get(f"{V1}/projects/{seeded.shop}").json()
    assert (detail["name"], detail["children"], detail["parent"]) == ("shop", [], None)
    versions = alpha.get(f"{V1}/projects/{seeded.shop}/versions").json()
    assert [(v["version"], v["is_latest"]) for v in versions] == [("2.0", True), ("1.0", False)]
    assert alpha.get(f"{V1}/versions/{seeded.shop_v1}").json()["critical"] == 1
    comps = alpha.get(f"{V1}/versions/{seeded.shop_v2}/components", params={"sort": "version"})
    assert [c["name"] for c in comps.json()["items"]] == ["left-pad", "lodash"]
    graph = alpha.get(f"{V1}/versions/{seeded.shop_v2}/graph").json()
    ids = {n["bom_ref"]: n["id"] for n in graph["nodes"]}
    assert graph["edges"] == [{"source": ids["a"], "target": ids["b"]}]
    assert graph["truncated"] is False
    findings = alpha.get(
        f"{V1}/versions/{seeded.shop_v2}/findings", params={"state": "open"}
    ).json()
    assert [f["vuln_id"] for f in findings["items"]] == ["CVE-2021-23337"]
    assert findings["items"][0]["analysis_state"] == "in_triage"
    bad = alpha.get(f"{V1}/versions/{seeded.shop_v2}/findings", params={"severity": "urgent"})
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("fmt", "media"),
    [
        ("cyclonedx-json", "application/vnd.cyclonedx+json"),
        ("cyclonedx-xml", "application/vnd.cyclonedx+xml"),
        ("spdx-json", "application/spdx+json"),
        ("spdx-tv", "text/spdx"),
    ],
)
def test_sbom_download(api: Api, seeded: Seeded, fmt: str, media: str) -> None:
    got = api.as_role("alpha").get(f"{V1}/versions/{seeded.shop_v2}/sbom", params={"format": fmt})
    assert got.status_code == 200
    assert got.headers["content-type"].startswith(media)
    assert "attachment" in got.headers["content-disposition"]
    assert "lodash" in got.text
    if fmt.startswith("spdx"):  # SPDX 2.3 has no properties: said in one printable header
        assert "properties" in got.headers["x-assay-lost"]


def test_sbom_download_errors(api: Api, seeded: Seeded) -> None:
    alpha = api.as_role("alpha")
    none = alpha.get(f"{V1}/versions/{seeded.shop_v1}/sbom")
    assert (none.status_code, none.json()["detail"]) == (
        404, f"version {seeded.shop_v1} has no stored BOM",
    )  # fmt: skip
    assert alpha.get(f"{V1}/versions/{seeded.shop_v2}/sbom?format=pdf").status_code == 422
    digest, _ = api.app.state.assay.blobs.put(b'{"bomFormat": "CycloneDX", "components": [')
    with api.db.session() as s:
        version = make_version(
            s, s.get(Project, seeded.shop), "3.0",
            bom_digest=digest, bom_format="cyclonedx-json",
        )  # fmt: skip
        vid = version.id
    broken = alpha.get(f"{V1}/versions/{vid}/sbom")
    assert broken.status_code == 422  # a stored BOM that no longer reads: one line, no 500
    assert "\n" not in broken.json()["detail"]


def test_create_update_and_audit(api: Api, seeded: Seeded) -> None:
    alpha = api.as_role("alpha")
    made = alpha.post(
        f"{V1}/projects",
        json={"name": "billing", "tags": ["pci"], "criticality": "high", "parent_id": seeded.shop},
    )
    assert made.status_code == 201, made.text
    body = made.json()
    assert (body["team_id"], body["parent"]["name"]) == (api.team_id("alpha"), "shop")
    assert [c["name"] for c in alpha.get(f"{V1}/projects/{seeded.shop}").json()["children"]] == [
        "billing"
    ]
    patched = alpha.patch(
        f"{V1}/projects/{body['id']}", json={"description": "bills", "parent_id": None}
    )
    assert patched.status_code == 200, patched.text
    assert (patched.json()["description"], patched.json()["parent"]) == ("bills", None)
    kept = alpha.patch(f"{V1}/projects/{body['id']}", json={"criticality": "low"})
    assert kept.json()["description"] == "bills"
    with api.db.session() as s:
        actions = s.scalars(
            select(AuditEntry.action).where(AuditEntry.target_type == "project")
        ).all()
        assert actions == ["project.create", "project.update", "project.update"]


def test_create_and_update_refusals(api: Api, seeded: Seeded) -> None:
    alpha, beta = api.as_role("alpha"), api.as_role("beta")
    assert alpha.post(f"{V1}/projects", json={"name": "shop"}).status_code == 409
    other_team = alpha.post(f"{V1}/projects", json={"name": "x", "team_id": api.team_id("beta")})
    assert other_team.status_code == 422
    assert "is not one of your teams" in other_team.json()["detail"]
    assert beta.patch(f"{V1}/projects/{seeded.shop}", json={"name": "mine"}).status_code == 404
    auditor = api.as_role("auditor")  # sees everything, may change nothing
    assert auditor.post(f"{V1}/projects", json={"name": "y"}).status_code == 403
    assert auditor.patch(f"{V1}/projects/{seeded.shop}", json={"name": "z"}).status_code == 403
    for body in (
        {"name": ""},
        {"name": "a\u0000b"},
        {"name": "x" * 257},
        {"name": "x", "unknown": 1},
        {"name": "x", "tags": ["t"] * 51},
        {"name": "x", "criticality": "extreme"},
        {"name": "x", "team_id": 0},
        [],
    ):
        assert alpha.post(f"{V1}/projects", json=body).status_code == 422, body
    broken = alpha.post(
        f"{V1}/projects", content=b"{", headers={"content-type": "application/json"}
    )
    assert broken.status_code == 422
    ci = api.as_role("alpha_ci")  # may upload, so may create a project of its own team
    assert ci.post(f"{V1}/projects", json={"name": "ci-made"}).status_code == 201

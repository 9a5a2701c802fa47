"""``POST /api/v1/gate``: an SBOM judged by the organisation's policies, on both engines."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import httpx
import jsonschema
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from assay.api.app import create_app
from assay.core.audit import AuditEntry
from assay.core.permissions import SYSTEM
from assay.inventory.models import Project, ProjectVersion
from assay.policy import waiver_service
from assay.policy.gate.report import GateReport
from assay.policy.store import ViolationRow
from tests.api.conftest import Api
from tests.matching.advisories import add_advisory, affected
from tests.policy.gate.test_report import SCHEMA

V1 = "/api/v1"
DJANGO = "pkg:pypi/django@3.2.4"
EVIL = "pkg:npm/evil-pkg@1.0.0"


def cyclonedx(*purls: str, licences: bool = False) -> bytes:
    components = []
    for purl in purls:
        name, _, version = purl.rpartition("/")[2].partition("@")
        c: dict[str, Any] = {"type": "library", "name": name, "version": version, "purl": purl}
        if licences:
            c["licenses"] = [{"license": {"id": "MIT"}}]
        components.append(c)
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": components}
    return json.dumps(doc).encode()


CYCLONEDX_XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1">
  <components>
    <component type="library">
      <name>evil-pkg</name><version>1.0.0</version><purl>pkg:npm/evil-pkg@1.0.0</purl>
    </component>
  </components>
</bom>
"""


@pytest.fixture
def world(api: Api) -> Api:
    """Advisories (a malicious evil-pkg, a critical django), alpha's "shop" in production
    and "lab" without tags, beta's "vault"."""
    add_advisory(
        api.db,
        "MAL-2024-1",
        [affected("npm", "evil-pkg", None, versions=["1.0.0"])],
        malicious=True,
        level="critical",
    )
    add_advisory(
        api.db, "PYSEC-2021-1", [affected("PyPI", "django", "3.0", "3.2.5")], level="critical"
    )
    alpha, beta = api.as_role("alpha"), api.as_role("beta")
    for client, name, tags in (
        (alpha, "shop", ["production"]),
        (alpha, "lab", []),
        (beta, "vault", []),
    ):
        answer = client.post(f"{V1}/projects", json={"name": name, "tags": tags})
        assert answer.status_code == 201, answer.text
    return api


def post(client: TestClient, body: bytes, **params: str) -> httpx.Response:
    return client.post(
        f"{V1}/gate", params=params, content=body, headers={"Content-Type": "application/json"}
    )


def valid(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    doc: dict[str, Any] = answer.json()
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text())).validate(doc)
    return doc


def _fails(doc: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted(
        (v["policy"], v["component"]["name"])
        for v in doc["violations"]
        if v["verdict"] == "fail" and v["waiver"] is None
    )


def test_the_organisations_policies_and_the_projects_tags_decide(world: Api) -> None:
    alpha = world.as_role("alpha")
    shop = valid(post(alpha, cyclonedx(DJANGO, EVIL, licences=True), project="shop", version="2"))
    assert shop["verdict"] == "fail" and shop["mode"] == "server"
    assert shop["subject"]["tags"] == ["production"] and shop["subject"]["team"] == "alpha"
    assert _fails(shop) == [
        ("no-critical-vulnerabilities-in-production", "django"),
        ("no-critical-vulnerabilities-in-production", "evil-pkg"),
        ("no-malicious-packages", "evil-pkg"),
    ]
    assert shop["database"]["location"] == "server"
    lab = valid(post(alpha, cyclonedx(DJANGO, licences=True), project="lab"))
    assert lab["verdict"] == "pass"
    assert "no-critical-vulnerabilities-in-production" in lab["skipped"]
    assert GateReport.from_dict(lab).verdict == "pass"


def test_nothing_is_stored_but_one_audit_entry(world: Api) -> None:
    alpha = world.as_role("alpha")
    valid(post(alpha, cyclonedx(EVIL), project="shop", version="7"))
    with world.db.session() as s:
        assert s.scalar(select(func.count(ProjectVersion.id))) == 0
        assert s.scalar(select(func.count(ViolationRow.id))) == 0
        (entry,) = s.scalars(select(AuditEntry).where(AuditEntry.action == "gate.evaluate"))
        shop = s.scalar(select(Project).where(Project.name == "shop"))
        assert shop is not None
        assert (entry.target_type, entry.target_id, entry.team_id) == (
            "project",
            str(shop.id),
            shop.team_id,
        )
        detail = json.loads(entry.detail)
    assert detail["verdict"] == "fail" and detail["version"] == "7"
    assert detail["fail"] == 2 and detail["components"] == 1


def test_a_waiver_of_the_project_turns_a_failure_into_a_reported_pass(world: Api) -> None:
    with world.db.session() as s:
        shop = s.scalar(select(Project).where(Project.name == "shop"))
        assert shop is not None
        waiver_service.create(
            s,
            SYSTEM,
            shop.id,
            "no-critical-vulnerabilities-in-production",
            "the vulnerable view is not routed",
            date.today() + timedelta(days=30),
            component="pkg:pypi/django",
        )
    doc = valid(post(world.as_role("alpha"), cyclonedx(DJANGO, licences=True), project="shop"))
    assert doc["verdict"] == "pass"
    (waived,) = [v for v in doc["violations"] if v["waiver"] is not None]
    assert waived["waiver"]["reason"] == "the vulnerable view is not routed"
    assert doc["counts"]["waived"] == 1


def test_licences_of_a_document_generated_from_lockfiles_stay_unknown(world: Api) -> None:
    alpha = world.as_role("alpha")
    licence = "no-unknown-licences"
    stated = valid(post(alpha, cyclonedx(DJANGO), project="lab"))
    assert [v["component"]["name"] for v in stated["violations"] if v["policy"] == licence] == [
        "django"
    ]
    unknown = valid(post(alpha, cyclonedx(DJANGO), project="lab", licenses_known="false"))
    assert [v for v in unknown["violations"] if v["policy"] == licence] == []
    assert [u["component"]["name"] for u in unknown["unevaluated"] if u["policy"] == licence] == [
        "django"
    ]
    assert any(m["data"] == "license" for m in unknown["missing_data"])


def test_strict_is_echoed_and_decides_the_verdict(world: Api) -> None:
    alpha = world.as_role("alpha")
    body = cyclonedx(DJANGO)
    lenient = valid(post(alpha, body, project="lab", licenses_known="false"))
    strict = valid(post(alpha, body, project="lab", licenses_known="false", strict="true"))
    assert strict["strict"] is True and lenient["strict"] is False
    fail_unknown = any(u["verdict"] == "fail" for u in strict["unevaluated"])
    assert strict["verdict"] == ("fail" if fail_unknown else "pass")


def test_xml_and_multipart_documents_are_read(world: Api) -> None:
    alpha = world.as_role("alpha")
    xml = alpha.post(
        f"{V1}/gate",
        params={"project": "lab"},
        content=CYCLONEDX_XML,
        headers={"Content-Type": "application/xml"},
    )
    assert _fails(valid(xml)) == [("no-malicious-packages", "evil-pkg")]
    form = alpha.post(
        f"{V1}/gate",
        params={"project": "lab"},
        files={"bom": ("app.cdx.json", cyclonedx(EVIL), "application/json")},
    )
    doc = valid(form)
    assert doc["source"]["path"] == "app.cdx.json"
    assert _fails(doc) == [("no-malicious-packages", "evil-pkg")]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty document"),
        (b"   \n", "empty document"),
        (b'{"bomFormat": "CycloneDX", "components": [', "bom"),
        (b'{"hello": "world"}', "not an SBOM assay can read"),
        (b"\x00\x01\x02\xff", "bom"),
        (b"<bom><components><component>" * 2, "bom"),
    ],
    ids=["empty", "blank", "truncated", "wrong-format", "binary", "broken-xml"],
)
def test_a_bad_document_is_refused_in_one_line_and_nothing_is_audited(
    world: Api, body: bytes, message: str
) -> None:
    answer = post(world.as_role("alpha"), body, project="lab")
    assert answer.status_code == 422, answer.text
    detail = answer.json()["detail"]
    assert message in detail and "\n" not in detail
    assert "/tmp" not in detail  # the server's temporary path is never shown
    with world.db.session() as s:
        assert s.scalar(select(func.count()).where(AuditEntry.action == "gate.evaluate")) == 0


def test_a_hostile_xml_document_is_refused(world: Api) -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE bom [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>&b;</components></bom>'
    )
    answer = world.as_role("alpha").post(
        f"{V1}/gate",
        params={"project": "lab"},
        content=bomb,
        headers={"Content-Type": "application/xml"},
    )
    assert answer.status_code == 422, answer.text


def test_a_document_over_the_limit_is_413(world: Api) -> None:
    settings = replace(world.db.settings, max_input_bytes=2000)
    app = create_app(settings, database=world.db, start_worker=False)
    with TestClient(app) as client:
        client.headers["Authorization"] = f"Bearer {world.role('alpha')}"
        big = cyclonedx(*(f"pkg:npm/p{i}@1.0.0" for i in range(100)))
        answer = post(client, big, project="lab")
    assert answer.status_code == 413
    assert "limited to 2,000 bytes" in answer.json()["detail"]


@pytest.mark.parametrize("project", ["vault", "nowhere"])
def test_a_project_the_caller_cannot_see_answers_like_a_missing_one(
    world: Api, project: str
) -> None:
    answer = post(world.as_role("alpha"), cyclonedx(EVIL), project=project)
    assert answer.status_code == 404
    assert answer.json() == {"detail": f"no project named {project!r}"}


def test_the_project_is_required_and_control_characters_are_refused(world: Api) -> None:
    alpha = world.as_role("alpha")
    assert post(alpha, cyclonedx(EVIL)).status_code == 422
    assert post(alpha, cyclonedx(EVIL), project="lab\x00").status_code == 422
    assert post(alpha, cyclonedx(EVIL), project="lab", version="1\n2").status_code == 422


def test_a_nul_in_a_component_name_does_not_fail_the_document(world: Api) -> None:
    doc = json.loads(cyclonedx(EVIL))
    doc["components"].append({"type": "library", "name": "bad\u0000name", "version": "1"})
    answer = post(world.as_role("alpha"), json.dumps(doc).encode(), project="lab")
    assert _fails(valid(answer)) == [("no-malicious-packages", "evil-pkg")]

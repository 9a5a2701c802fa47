"""Tests for VEX export and import: a valid export, round trip, matching rules, hostile input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource
from sqlalchemy import func, select

from assay.api.errors import NotFound
from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.inventory import triage, vex
from assay.inventory.models import AnalysisDecision, ProjectVersion
from assay.inventory.vex_read import InvalidVex, read_vex
from assay.inventory.vex_terms import NotPermitted
from tests.inventory._triage_data import World, build
from tests.inventory.factories import add_components, add_finding, make_project, make_version

TESTDATA = Path(__file__).parent / "testdata"


@pytest.fixture(scope="module")
def validator(shared_data: Path) -> jsonschema.Draft7Validator:
    folder = shared_data / "schemas" / "cyclonedx"
    resources = []
    for name in ("bom-1.6", "spdx", "jsf-0.82", "cryptography-defs"):
        path = folder / f"{name}.schema.json"
        if path.exists():
            contents = json.loads(path.read_text())
            resources.append((contents["$id"], Resource.from_contents(contents)))
    schema = json.loads((folder / "bom-1.6.schema.json").read_text())
    return jsonschema.Draft7Validator(schema, registry=Registry().with_resources(resources))


@pytest.fixture
def world(database: Database) -> World:
    with database.session() as s:
        return build(s)


def _decide_v1(database: Database, world: World) -> None:
    with database.session() as s:
        triage.decide(
            s, world.alpha, finding_id=world.f_v1_django, state="not_affected",
            justification="code_not_reachable", response=["will_not_fix"], detail="never called",
        )  # fmt: skip
        triage.decide(
            s, world.alpha, finding_id=world.f_v1_lodash, state="exploitable", response=["update"]
        )


def _decisions(database: Database) -> int:
    with database.session() as s:
        return int(s.scalar(select(func.count()).select_from(AnalysisDecision)) or 0)


def test_export_is_valid_cyclonedx_1_6(
    database: Database, world: World, validator: jsonschema.Draft7Validator
) -> None:
    with database.session() as s:
        undecided = vex.export_vex(s, world.alpha, world.v1)
    validator.validate(undecided)
    _decide_v1(database, world)
    with database.session() as s:
        doc = vex.export_vex(s, world.alpha_viewer, world.v1)
    validator.validate(doc)
    assert (doc["bomFormat"], doc["specVersion"]) == ("CycloneDX", "1.6")
    assert doc["metadata"]["component"]["name"] == "alpha-app"
    vulns = {v["id"]: v for v in doc["vulnerabilities"]}
    sqli = vulns["CVE-2021-1"]
    assert sqli["analysis"]["state"] == "not_affected"
    assert sqli["analysis"]["justification"] == "code_not_reachable"
    assert sqli["analysis"]["response"] == ["will_not_fix"]
    assert sqli["references"] == [{"id": "GHSA-aaaa-bbbb-cccc", "source": {"name": "GitHub"}}]
    assert sqli["affects"] == [
        {"ref": "pkg:pypi/django@3.2.4", "versions": [{"version": "3.2.4", "status": "unaffected"}]}
    ]
    assert sqli["ratings"] == [{"severity": "critical", "score": 9.8}]
    assert sqli["recommendation"] == "Upgrade: django 3.2.5"
    assert vulns["CVE-2021-2"]["analysis"]["state"] == "exploitable"
    refs = {c["bom-ref"] for c in doc["components"]}
    assert refs == {"pkg:pypi/django@3.2.4", "pkg:npm/lodash@4.17.0"}
    assert {v["analysis"]["state"] for v in undecided["vulnerabilities"]} == {"in_triage"}


def test_findings_of_one_vulnerability_with_different_analyses_are_separate_entries(
    database: Database, world: World, validator: jsonschema.Draft7Validator
) -> None:
    with database.session() as s:
        version = s.get(ProjectVersion, world.v1)
        assert version is not None
        (flask,) = add_components(s, version, ["pkg:pypi/flask@1.0"])
        add_finding(s, version, flask, "CVE-2021-1", severity="critical")
        triage.decide(s, world.alpha, finding_id=world.f_v1_django, state="exploitable")
        doc = vex.export_vex(s, world.alpha, world.v1)
    validator.validate(doc)
    entries = [v for v in doc["vulnerabilities"] if v["id"] == "CVE-2021-1"]
    assert sorted(v["analysis"]["state"] for v in entries) == ["exploitable", "in_triage"]
    assert len({v["bom-ref"] for v in entries}) == 2


def test_export_respects_visibility(database: Database, world: World) -> None:
    with database.session() as s, pytest.raises(NotFound, match="no project version"):
        vex.export_vex(s, world.beta, world.v1)


def test_round_trip_applies_the_same_states_on_another_version(
    database: Database, world: World
) -> None:
    """Export then import is lossless for the analyses of findings both versions share."""
    _decide_v1(database, world)
    with database.session() as s:
        data = json.dumps(vex.export_vex(s, world.alpha, world.v1)).encode()
    with database.session() as s:
        report = vex.import_vex(s, world.beta, world.beta_v1, data, "alpha.vex.json")
        assert (report.statements, report.applied, report.unchanged) == (2, 1, 0)
        assert [(u.vuln_id, u.reason) for u in report.unmatched] == [
            ("CVE-2021-2", "no finding of this vulnerability in the version")
        ]
    with database.session() as s:
        current = triage.effective(s, [world.f_beta_django])[world.f_beta_django]
        assert current.analysis.state == "not_affected"
        assert current.analysis.justification == "code_not_reachable"
        assert current.analysis.response == ("will_not_fix",)
        assert current.analysis.detail == "never called"
        assert current.scope == "finding"
        version = s.get(ProjectVersion, world.beta_v1)
        assert version is not None
        assert (version.critical, version.suppressed) == (0, 1)
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "vex.import")).one()
        assert entry.team_id == world.beta_team
        assert json.loads(entry.detail)["applied"] == 1
    with database.session() as s:  # again: nothing new to decide
        again = vex.import_vex(s, world.beta, world.beta_v1, data)
        assert (again.applied, again.unchanged) == (0, 1)
    assert _decisions(database) == 3


def test_import_matches_by_alias_bom_link_subject_and_purl_qualifiers(
    database: Database, world: World, shared_data: Path
) -> None:
    with database.session() as s:
        project = s.get(ProjectVersion, world.v2)
        assert project is not None
        (jackson,) = add_components(
            s, project, ["pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0"]
        )
        found = add_finding(s, project, jackson, "GHSA-288c-cq4h-88gq", aliases=["CVE-2020-25649"])
        jackson_id = found.id
    example = (shared_data / "sbom" / "cyclonedx-examples" / "VEX" / "vex.json").read_bytes()
    subject = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "metadata": {"component": {"bom-ref": "product-ABC", "name": "ABC"}},
        "vulnerabilities": [
            {
                "id": "GHSA-aaaa-bbbb-cccc",
                "analysis": {"state": "resolved"},
                "affects": [{"ref": "product-ABC"}],
            },
        ],
    }
    with database.session() as s:
        report = vex.import_vex(s, world.alpha, world.v2, example)
        assert (report.applied, report.unmatched) == (1, ())
        report = vex.import_vex(s, world.alpha, world.v2, json.dumps(subject).encode())
        assert (report.applied, report.unmatched) == (1, ())
        states = triage.effective_states(s, [jackson_id, world.f_v2_django])
        assert states == {jackson_id: "not_affected", world.f_v2_django: "resolved"}


def test_import_reports_what_it_cannot_match(database: Database, world: World) -> None:
    doc = {
        "bomFormat": "CycloneDX", "specVersion": "1.6",
        "components": [
            {"type": "library", "name": "x", "bom-ref": "c1", "purl": "pkg:pypi/flask@1.0"}
        ],
        "vulnerabilities": [
            {"id": "CVE-2021-1", "analysis": {"state": "exploitable"}, "affects": [{"ref": "c1"}]},
            {"id": "CVE-2099-9", "analysis": {"state": "exploitable"}},
            {"id": "CVE-2021-2"},
        ],
    }  # fmt: skip
    with database.session() as s:
        report = vex.import_vex(s, world.alpha, world.v1, json.dumps(doc).encode())
    assert report.applied == 0
    assert [(u.vuln_id, u.ref, u.reason) for u in report.unmatched] == [
        ("CVE-2021-1", "c1", "no finding of this vulnerability in that component"),
        ("CVE-2099-9", None, "no finding of this vulnerability in the version"),
        ("CVE-2021-2", None, "the statement has no analysis state"),
    ]
    assert report.unmatched_total == 3


def test_import_reads_xml(database: Database, world: World) -> None:
    with database.session() as s:
        report = vex.import_vex(
            s, world.alpha, world.v1, (TESTDATA / "vex.xml").read_bytes(), "vex.xml"
        )
        assert (report.statements, report.applied, report.unmatched) == (1, 1, ())
        found = triage.effective(s, [world.f_v1_lodash])[world.f_v1_lodash].analysis
    assert (found.state, found.justification, found.response) == (
        "not_affected", "requires_environment", ("will_not_fix", "workaround_available"),
    )  # fmt: skip


def test_import_needs_triage_and_visibility(database: Database, world: World) -> None:
    data = b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": []}'
    with database.session() as s:
        with pytest.raises(NotPermitted):
            vex.import_vex(s, world.alpha_viewer, world.v1, data)
        with pytest.raises(NotFound):
            vex.import_vex(s, world.beta, world.v1, data)


def _doc(**vuln: Any) -> bytes:
    return json.dumps(
        {
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "vulnerabilities": [{"id": "CVE-2021-1", **vuln}],
        }
    ).encode()


HOSTILE = [
    (b"", "vex: file is empty"),
    (b'{"bomFormat": "CycloneDX", "specV', "vex:1: invalid JSON"),
    (b"[1, 2]", "document: expected an object"),
    (b'{"bomFormat": "SPDX"}', "not a CycloneDX document"),
    (b'{"bomFormat": "CycloneDX", "specVersion": 1.6, "vulnerabilities": []}',
     "specVersion must be"),
    (b'{"bomFormat": "CycloneDX", "specVersion": "1.6"}', "has no vulnerabilities"),
    (b'{"bomFormat": "CycloneDX", "specVersion": "1.6", "vulnerabilities": {}}',
     "vulnerabilities: expected a list"),
    (_doc(analysis={"state": "maybe"}), r"vulnerabilities\[0\].analysis: unknown state 'maybe'"),
    (_doc(analysis={"state": "not_affected"}), "requires a justification"),
    (_doc(analysis={"state": "exploitable", "response": "update"}), "response: expected a list"),
    (_doc(analysis={"state": "exploitable", "detail": 5}), "detail: expected a string"),
    (_doc(affects=[{"ref": 7}]), r"affects\[0\].ref: expected a non-empty string"),
    (_doc(id=None), r"vulnerabilities\[0\].id: expected a non-empty string"),
    (_doc(id="x" * 129), "longer than 128 characters"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON nested"),
    (b"\x00\x01binary", "binary file"),
    (b"<bom xmlns='http://cyclonedx.org/schema/bom/1.6'><vulnerabilities>", "invalid XML"),
    (b"<?xml version='1.0'?><!DOCTYPE bom [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
     b"<bom>&x;</bom>", "DTD or entities"),
    (b"<?xml version='1.0'?><!DOCTYPE l [<!ENTITY a 'aaaa'><!ENTITY b '&a;&a;&a;'>]>"
     b"<bom>&b;</bom>", "DTD or entities"),
    (b"<html><body/></html>", "root element is 'html'"),
    (b"<bom xmlns='urn:evil'/>", "unknown XML namespace"),
]  # fmt: skip


@pytest.mark.parametrize(("data", "message"), HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_documents_are_one_line_errors_and_change_nothing(
    database: Database, world: World, data: bytes, message: str
) -> None:
    with database.session() as s, pytest.raises(InvalidVex, match=message) as caught:
        vex.import_vex(s, world.alpha, world.v1, data)
    assert "\n" not in str(caught.value)
    assert _decisions(database) == 0
    with database.session() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "vex.import")
            )
            == 0
        )


def test_a_bad_statement_late_in_the_document_applies_nothing(
    database: Database, world: World
) -> None:
    doc = json.loads(_doc(analysis={"state": "exploitable"}))
    doc["vulnerabilities"].append({"id": "CVE-2021-2", "analysis": {"state": "nope"}})
    with database.session() as s, pytest.raises(InvalidVex, match=r"vulnerabilities\[1\]"):
        vex.import_vex(s, world.alpha, world.v1, json.dumps(doc).encode())
    assert _decisions(database) == 0


def test_every_shared_vex_example_reads(shared_data: Path) -> None:
    """Each VEX of the CycloneDX examples reads; each plain BOM beside them is refused."""
    folder = shared_data / "sbom" / "cyclonedx-examples" / "VEX"
    files = sorted(folder.rglob("*.json"))
    assert len(files) > 20
    for path in files:
        if path.name.startswith("vex"):
            doc = read_vex(path.read_bytes(), path.name)
            assert doc.statements
            assert all(st.analysis is not None for st in doc.statements), path
        else:
            with pytest.raises(
                InvalidVex, match=f"^{path.name}: the document has no vulnerabilities$"
            ):
                read_vex(path.read_bytes(), path.name)


def test_a_project_without_team_is_only_for_wide_principals(
    database: Database, world: World
) -> None:
    with database.session() as s:
        orphan = make_project(s, "orphan", None)
        version = make_version(s, orphan, "1")
        version_id = version.id
    with database.session() as s:
        with pytest.raises(NotFound):
            vex.export_vex(s, world.alpha, version_id)
        assert vex.export_vex(s, world.admin, version_id)["vulnerabilities"] == []

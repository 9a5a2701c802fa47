from __future__ import annotations

import json
from pathlib import Path

import pytest

from assay.sbom import _validate_model, _validate_schema
from assay.sbom.formats.interface import InvalidSbom
from assay.sbom.validate import Report, Severity, validate

DATA = Path(__file__).parent / "testdata" / "validate"
FORMATS = Path(__file__).parent / "formats" / "testdata"


def found(report: Report) -> set[tuple[str, str, str]]:
    return {(p.severity.value, p.where, p.check) for p in report.problems}


@pytest.mark.parametrize(
    ("name", "fmt", "spec", "components"),
    [  # CycloneDX: 3 packages and a file without a purl; SPDX: the subject and 2 packages
        ("full-1.6.cdx.json", "cyclonedx-json", "CycloneDX 1.6", 4),
        ("full-1.6.cdx.xml", "cyclonedx-xml", "CycloneDX 1.6", 4),
        ("full-2.3.spdx.json", "spdx-json", "SPDX 2.3", 2),
        ("full-2.3.spdx", "spdx-tv", "SPDX 2.3", 2),
    ],
)
def test_valid_documents(name: str, fmt: str, spec: str, components: int) -> None:
    report = validate(FORMATS / name)
    assert report.valid and report.problems == () and (report.errors, report.warnings) == (0, 0)
    assert (report.format, report.spec) == (fmt, spec)
    assert report.components == components


def test_cyclonedx_json_schema_and_semantic_problems() -> None:
    report = validate(DATA / "broken.cdx.json")
    assert not report.valid and (report.errors, report.warnings) == (6, 2)
    assert report.schema == "CycloneDX 1.5 JSON schema (cyclonedx-python-lib, strict)"
    assert found(report) == {
        ("error", "/components/6/type", "schema"),  # "gadget" is no component type
        ("error", "/components/1/bom-ref", "duplicate-ref"),
        ("error", "/components/2/purl", "purl"),
        ("error", "/components/4/licenses/0/expression", "licence"),
        ("error", "/dependencies/0/dependsOn/1", "dangling-ref"),
        ("error", "/dependencies/1/ref", "dangling-ref"),
        ("warning", "/components/3/version", "version"),
        ("warning", "/components/5/licenses/0/expression", "licence"),
    }
    messages = {p.where: p.message for p in report.problems}
    assert messages["/components/1/bom-ref"] == (
        "bom-ref 'a' is used twice (first at /components/0/bom-ref)"
    )
    assert "'ghost', which no component has" in messages["/dependencies/0/dependsOn/1"]
    assert messages["/components/5/licenses/0/expression"] == (
        "licence Acme-Proprietary is not on the SPDX licence list"  # LicenseRef-acme is fine
    )
    assert report.problems[0].severity is Severity.ERROR  # errors come first
    assert all("\n" not in p.message for p in report.problems)


def test_cyclonedx_xml_problems_name_their_lines() -> None:
    report = validate(DATA / "broken.cdx.xml")
    assert report.schema.startswith("XML schema validation not available")
    assert found(report) == {
        ("error", "line 9", "duplicate-ref"),
        ("error", "line 9", "purl"),
        ("error", "line 15", "dangling-ref"),
        ("warning", "line 9", "version"),
    }


def test_spdx_json_problems() -> None:
    report = validate(DATA / "broken.spdx.json")
    assert report.schema == "SPDX 2.x conformance (spdx-tools)"
    assert found(report) == {
        ("error", "/", "schema"),  # spdx-tools refuses the licence expression
        ("error", "/packages/1/SPDXID", "duplicate-ref"),
        ("error", "/packages/0/licenseConcluded", "licence"),
        ("error", "/packages/1/externalRefs/0/referenceLocator", "purl"),
        ("error", "/relationships/1/relatedSpdxElement", "dangling-ref"),
        ("warning", "/packages/1/versionInfo", "version"),
    }  # DocumentRef- and NOASSERTION targets are not dangling


def test_spdx_tag_value_problems_name_their_lines() -> None:
    report = validate(DATA / "broken.spdx")
    assert found(report) == {
        ("error", "/", "schema"),
        ("error", "line 16", "duplicate-ref"),
        ("error", "line 21", "purl"),
        ("error", "line 16", "licence"),
        ("error", "line 24", "dangling-ref"),
        ("warning", "line 16", "version"),
    }


def test_provides_and_services_refs(tmp_path: Path) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [{"type": "library", "bom-ref": "lib", "name": "lib", "version": "1"}],
        "services": [{"bom-ref": "api", "name": "api"}],
        "dependencies": [{"ref": "api", "dependsOn": ["lib"], "provides": ["lib", "crypto"]}],
    }
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(doc))
    assert found(validate(path)) == {("error", "/dependencies/0/provides/1", "dangling-ref")}


def test_a_schema_valid_document_the_model_cannot_read_is_invalid(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.4", "version": 1, "components": {}}
    path.write_text(json.dumps(doc))
    report = validate(path)
    assert ("error", "/", "read") in found(report)
    assert ("error", "/components", "schema") in found(report)


def test_spdx_goes_by_content_not_file_name(tmp_path: Path) -> None:
    tag_value = tmp_path / "sbom.json"  # parse_file of spdx-tools would take it for JSON
    tag_value.write_bytes((FORMATS / "full-2.3.spdx").read_bytes())
    as_json = tmp_path / "document"
    as_json.write_bytes((FORMATS / "full-2.3.spdx.json").read_bytes())
    for path in (tag_value, as_json):
        report = validate(path)
        assert report.valid and report.schema == "SPDX 2.x conformance (spdx-tools)", path


def test_problems_are_bounded_but_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_validate_model, "MAX_PROBLEMS", 10)
    components = [
        {"type": "library", "name": f"c{i}", "purl": f"bad{i}"}  # a bad purl, no version
        for i in range(15)
    ]
    path = tmp_path / "bom.json"
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": components}
    path.write_text(json.dumps(doc))
    report = validate(path)
    assert len(report.problems) == 10 and {p.check for p in report.problems} == {"purl"}
    assert (report.errors, report.warnings, report.dropped) == (15, 15, 20)
    assert report.to_dict()["problems_not_shown"] == 20


def test_deep_json_is_not_given_to_the_recursive_schema_validator(tmp_path: Path) -> None:
    component: dict[str, object] = {"type": "library", "name": "leaf", "version": "1"}
    for i in range(240):
        component = {"type": "library", "name": f"c{i}", "version": "1", "components": [component]}
    path = tmp_path / "bom.json"
    path.write_text(
        json.dumps({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [component]})
    )
    report = validate(path)
    assert report.schema.startswith("CycloneDX 1.5 JSON schema not run: nested 483 levels")
    # every nested component is kept: 241 with no purl
    assert found(report) == {("error", "/", "schema")} and report.components == 241


def test_spdx_tools_is_skipped_where_it_would_take_minutes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_validate_schema, "SPDX_TOOLS_BUDGET", 0)
    doc = json.loads((FORMATS / "full-2.3.spdx.json").read_text())
    doc["packages"][0]["hasFiles"] = ["SPDXRef-file-index"]
    what, problems = _validate_schema.spdx(FORMATS / "full-2.3.spdx.json", doc, tag_value=False)
    assert what.startswith("SPDX conformance by spdx-tools skipped: 4 hasFiles x relationship")
    assert list(problems) == []


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not an SBOM assay reads"),
        (b"hello", "not an SBOM assay reads"),
        (b'{"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [', "invalid JSON"),
        (b'{"bomFormat": "CycloneDX", "specVersion": "9.9"}', "unsupported CycloneDX specVersion"),
        (b'{"bomFormat": "Other", "$schema": "cyclonedx.org/schema/bom"}', "bomFormat is not"),
        (b'{"spdxVersion": "SPDX-2.1", "SPDXID": "SPDXRef-DOCUMENT"}', "unsupported spdxVersion"),
        (
            b'<?xml version="1.0"?>\n<!DOCTYPE bom [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5">&x;</bom>',
            "DTD not allowed",
        ),
        (b"SPDXVersion: SPDX-2.3\nnot a tag\n", "expected 'Tag: value'"),
    ],
    ids=["empty", "text", "truncated", "version", "bom-format", "spdx-2.1", "xxe", "bad-tv"],
)
def test_unreadable_documents_raise(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "doc"
    path.write_bytes(data)
    with pytest.raises(InvalidSbom, match=reason) as info:
        validate(path)
    assert str(info.value).startswith(f"{path}")


def test_shared_documents(shared_data: Path) -> None:
    base = shared_data / "sbom"
    real = base / "real-world"
    issue = validate(next(real.glob("DependencyTrack__*bom-issue2519.xml")))
    # the npm tool lists 12 packages twice under one bom-ref, and two dependency
    # entries name components the document does not have (the BOM of a bug report)
    checks = [p.check for p in issue.problems]
    assert (checks.count("duplicate-ref"), checks.count("dangling-ref"), len(checks)) == (12, 2, 14)
    assert issue.problems[0].where == "line 49630"
    assert ("error", "line 62839", "dangling-ref") in found(issue)
    jabref = validate(real / "JabRef__jabref__b6609ab8d4__bom.json")
    assert jabref.valid and jabref.components == 453
    for version in ("2.2", "2.3"):
        spec = base / f"spdx-examples/spdx-spec-v{version}/examples"
        for name in (f"SPDXJSONExample-v{version}.spdx.json", f"SPDXTagExample-v{version}.spdx"):
            report = validate(spec / name)
            assert report.valid, (name, report.problems)
            assert [p.message for p in report.problems] == [
                "package 'Apache Commons Lang' has no version"
            ]
    for path in sorted((base / "cyclonedx-examples/SBOM/laravel-7.12.0").glob("bom.1.[234].*")):
        assert validate(path).valid, path

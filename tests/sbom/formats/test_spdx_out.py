"""SPDX 2.3 output: valid per spdx-tools, faithful to the model, honest about losses.

SPDX 2.3 clause 7.2 (SPDX identifier): "SPDXRef-[idstring]" where idstring
"shall only contain letters, numbers, . and/or -"; clause 7.7 (package
download location) allows NOASSERTION "if the SPDX document creator has
attempted to but cannot reach a reasonable objective determination".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

from assay.sbom.discover import catalog
from assay.sbom.formats.spdx_json import SpdxJsonReader
from assay.sbom.formats.spdx_out import SpdxJsonWriter, SpdxTagValueWriter
from assay.sbom.model import Bom, Component
from tests.sbom.formats._sample import hashes, rich_bom, shared_lockfiles

EXAMPLES = Path(__file__).parents[3] / "examples"


def assert_valid(tmp_path: Path, text: str, suffix: str) -> Any:
    """Parse the written file back with spdx-tools and validate it in full."""
    path = tmp_path / f"out{suffix}"
    path.write_text(text, encoding="utf-8")
    document = parse_file(str(path))
    messages = validate_full_spdx_document(document)
    assert messages == [], [m.validation_message for m in messages[:5]]
    return document


def write_json(tmp_path: Path, bom: Bom) -> tuple[dict[str, Any], tuple[str, ...]]:
    result = SpdxJsonWriter().write(bom)
    assert_valid(tmp_path, result.text, ".spdx.json")
    doc: dict[str, Any] = json.loads(result.text)
    return doc, result.lost


def packages_by_purl(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for package in doc["packages"]:
        for ref in package.get("externalRefs", []):
            if ref["referenceType"] == "purl":
                out[ref["referenceLocator"]] = package
    return out


def test_rich_bom_is_valid_and_maps_every_field(tmp_path: Path) -> None:
    doc, _ = write_json(tmp_path, rich_bom())
    info = doc["creationInfo"]
    assert doc["spdxVersion"] == "SPDX-2.3" and doc["dataLicense"] == "CC0-1.0"
    assert info["creators"] == ["Tool: assay-0.1.0", "Tool: syft-1.0.0", "Person: Jane Doe"]
    assert info["created"] == "2024-05-01T12:00:00Z"
    assert doc["documentNamespace"].startswith("https://spdx.org/spdxdocs/")
    packages = packages_by_purl(doc)
    assert len(packages) == 6  # Flask and flask from two files are one package
    log4j = packages["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"]
    assert log4j["SPDXID"] == "SPDXRef-Maven-org.apache.logging.log4j-log4j-core-2.14.1"
    assert log4j["versionInfo"] == "2.14.1"
    assert log4j["licenseConcluded"] == "NOASSERTION"
    assert log4j["licenseDeclared"] == "Apache-2.0 OR MIT"
    assert log4j["checksums"] == [
        {"algorithm": "SHA256", "checksumValue": rich_bom().components[2].hashes[0][1]}
    ]
    assert log4j["supplier"] == "Organization: The Apache Software Foundation"
    assert log4j["originator"] == "Person: Ralph Goers"
    assert log4j["homepage"] == "https://logging.apache.org/log4j/2.x/"
    assert log4j["downloadLocation"] == "https://github.com/apache/logging-log4j2"
    assert {
        "referenceCategory": "SECURITY",
        "referenceType": "cpe23Type",
        "referenceLocator": "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*",
    } in log4j["externalRefs"]
    assert "assay:scope=optional" in log4j["comment"] and "build=ci-42" in log4j["comment"]
    babel = packages["pkg:npm/%40babel/cli@7.14.8"]
    assert babel["name"] == "@babel/cli" and babel["downloadLocation"] == "NOASSERTION"
    assert babel["checksums"][0]["algorithm"] == "SHA512"
    assert len(babel["checksums"][0]["checksumValue"]) == 128
    flask = packages["pkg:pypi/flask@2.0.1"]
    assert "assay:source=tools/requirements-dev.txt" in flask["comment"]
    ids = [p["SPDXID"] for p in doc["packages"]]
    assert len(ids) == len(set(ids))


def test_licences_outside_the_spdx_list(tmp_path: Path) -> None:
    doc, lost = write_json(tmp_path, rich_bom())
    packages = packages_by_purl(doc)
    assert packages["pkg:cargo/serde@1.0.0"]["licenseDeclared"] == "LicenseRef-BSD"
    assert packages["pkg:composer/vendor/pkg@1.2.3"]["licenseDeclared"] == "LicenseRef-Acme"
    assert packages["pkg:npm/left-pad@1.3.0"]["licenseDeclared"] == "NOASSERTION"
    extracted = {e["licenseId"]: e for e in doc["hasExtractedLicensingInfos"]}
    assert set(extracted) == {"LicenseRef-BSD", "LicenseRef-Acme"}
    assert extracted["LicenseRef-BSD"]["name"] == "BSD"
    assert any("NOASSERTION: 1 (e.g. left-pad@1.3.0: Foo OR MIT)" in line for line in lost)


def test_relationships(tmp_path: Path) -> None:
    doc, _ = write_json(tmp_path, rich_bom())
    rels = {
        (r["spdxElementId"], r["relationshipType"], r["relatedSpdxElement"])
        for r in doc["relationships"]
    }
    subject = doc["packages"][0]["SPDXID"]
    ids = {purl: p["SPDXID"] for purl, p in packages_by_purl(doc).items()}
    assert rels == {
        ("SPDXRef-DOCUMENT", "DESCRIBES", subject),
        (subject, "DEPENDS_ON", ids["pkg:pypi/flask@2.0.1"]),
        (subject, "DEPENDS_ON", ids["pkg:npm/%40babel/cli@7.14.8"]),
        (
            ids["pkg:pypi/flask@2.0.1"],
            "DEPENDS_ON",
            ids["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"],
        ),
        (ids["pkg:npm/%40babel/cli@7.14.8"], "DEPENDS_ON", ids["pkg:npm/left-pad@1.3.0"]),
    }


def test_losses(tmp_path: Path) -> None:
    _, lost = write_json(tmp_path, rich_bom())
    text = "\n".join(lost)
    assert "SPDX 2.3 has no component scope: dev components" in text
    assert "SPDX 2.3 has no component scope: optional components" in text
    assert "SPDX 2.3 has no properties" in text
    assert "GO-H1 hashes" in text
    assert "external references SPDX 2.3 has no field for, dropped: 2" in text
    assert "direct/transitive unknown" in text


def test_json_round_trip_through_assays_reader(tmp_path: Path) -> None:
    original = rich_bom()
    path = tmp_path / "rt.spdx.json"
    path.write_text(SpdxJsonWriter().write(original).text, encoding="utf-8")
    back = SpdxJsonReader().read(path)
    got = {c.purl: c for c in back}
    want = {c.purl: c for c in original}
    assert set(got) == set(want)
    for purl, c in got.items():
        assert c.version == want[purl].version
        assert set(c.hashes) == hashes(want[purl])
    assert {p: c.licenses for p, c in got.items()} == {
        "pkg:pypi/flask@2.0.1": None,
        "pkg:npm/%40babel/cli@7.14.8": "MIT",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1": "Apache-2.0 OR MIT",
        "pkg:cargo/serde@1.0.0": "LicenseRef-BSD",
        "pkg:composer/vendor/pkg@1.2.3": "LicenseRef-Acme",
        "pkg:npm/left-pad@1.3.0": None,  # reported lost: "Foo" is on no list
    }
    purl_of = {c.ref: c.purl for c in back}
    assert {(purl_of[a], purl_of[b]) for a, b in back.edges} == {
        ("pkg:pypi/flask@2.0.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
        ("pkg:npm/%40babel/cli@7.14.8", "pkg:npm/left-pad@1.3.0"),
    }
    assert {p for p, c in got.items() if c.direct} == {
        "pkg:pypi/flask@2.0.1",
        "pkg:npm/%40babel/cli@7.14.8",
    }


def test_tag_value_is_valid_and_holds_the_same_packages(tmp_path: Path) -> None:
    result = SpdxTagValueWriter().write(rich_bom())
    assert result.text.startswith("## Document Information\nSPDXVersion: SPDX-2.3\n")
    document = assert_valid(tmp_path, result.text, ".spdx")
    doc, _ = write_json(tmp_path, rich_bom())
    assert sorted(p.name for p in document.packages) == sorted(p["name"] for p in doc["packages"])
    assert len(document.relationships) == len(doc["relationships"])


def test_each_document_gets_its_own_namespace() -> None:
    bom = rich_bom()
    first = json.loads(SpdxJsonWriter().write(bom).text)["documentNamespace"]
    assert first != json.loads(SpdxJsonWriter().write(bom).text)["documentNamespace"]


def test_empty_bom_and_awkward_names(tmp_path: Path) -> None:
    write_json(tmp_path, Bom())
    bom = Bom.of(
        [
            Component("npm", "@scope/weird name!", "1.0.0+build/7", source="p/package-lock.json"),
            Component("NoSuchEcosystem", "thing", "", kind="hologram"),
            Component("PyPI", "a", "1", bom_ref="SPDXRef-kept"),
            Component("PyPI", "b", "1", bom_ref="SPDXRef-kept", purl_override="pkg:pypi/b@1"),
        ],
        "p/package-lock.json",
    )
    bom.subject = Component("", "my app/ü", "2.0", kind="application")
    doc, lost = write_json(tmp_path, bom)
    ids = [p["SPDXID"] for p in doc["packages"]]
    assert ids[0] == "SPDXRef-my-app-2.0" and "SPDXRef-kept" in ids and "SPDXRef-kept-2" in ids
    assert doc["name"] == "my app/ü"
    assert any("hologram" in line for line in lost)


def test_undecodable_file_names_do_not_break_tag_value(tmp_path: Path) -> None:
    source = "dir/\udcffpackage-lock.json"  # a byte that is not UTF-8, as os.walk gives it
    result = SpdxTagValueWriter().write(Bom.of([Component("npm", "a", "1", source=source)]))
    assert_valid(tmp_path, result.text, ".spdx")
    assert "\ufffd" in result.text
    assert any("not Unicode text" in line for line in result.lost)


def check_lockfiles(tmp_path: Path, files: list[Path]) -> None:
    assert files
    for path in files:
        bom = catalog(path)
        result = SpdxJsonWriter().write(bom)
        assert_valid(tmp_path, result.text, ".spdx.json")
        assert_valid(tmp_path, SpdxTagValueWriter().write(bom).text, ".spdx")
        out = tmp_path / "rt.spdx.json"
        out.write_text(result.text, encoding="utf-8")
        back = SpdxJsonReader().read(out)
        want = {c.purl for c in bom if c.purl}  # unpinned ones too (version "")
        if bom.subject is not None and bom.subject.purl:  # a package too in SPDX (pom.xml)
            want.add(bom.subject.purl)
        assert {c.purl for c in back} == want, path.name


def test_examples_and_small_shared_lockfiles(shared_data: Path, tmp_path: Path) -> None:
    check_lockfiles(tmp_path, [EXAMPLES, *shared_lockfiles(shared_data, limit=9)])


@pytest.mark.slow
def test_all_shared_lockfiles(shared_data: Path, tmp_path: Path) -> None:
    """spdx-tools' validation of a 2,000-package document takes ~25 s."""
    check_lockfiles(tmp_path, shared_lockfiles(shared_data))


def test_exceptions_used_as_licences_stay_valid(tmp_path: Path) -> None:
    """Found in a real SBOM (JabRef): a deprecated id that spdx-tools reads as an exception."""
    bom = Bom.of(
        [
            Component(
                "Maven", "g:a", "1", licenses="CDDL-1.1 AND GPL-2.0-with-classpath-exception"
            ),
            Component("Maven", "g:b", "1", licenses="GPL-2.0-with-classpath-exception"),
            Component("Maven", "g:c", "1", licenses="GPL-2.0-only WITH Classpath-exception-2.0"),
        ]
    )
    doc, lost = write_json(tmp_path, bom)
    declared = {p["name"]: p["licenseDeclared"] for p in doc["packages"]}
    assert declared["g:a"] == "NOASSERTION"
    assert declared["g:b"] == "LicenseRef-GPL-2.0-with-classpath-exception"
    assert declared["g:c"] == "GPL-2.0-only WITH Classpath-exception-2.0"
    assert any("misused exceptions), written as NOASSERTION: 1" in line for line in lost)


def test_an_exception_misused_beside_licence_refs(tmp_path: Path) -> None:
    """JabRef's bom.json: LicenseRef-s and a deprecated exception id in one expression."""
    text = "LicenseRef-Public-Domain AND GPL-2.0-with-classpath-exception AND MIT"
    doc, lost = write_json(tmp_path, Bom.of([Component("Maven", "g:j", "1", licenses=text)]))
    assert doc["packages"][1]["licenseDeclared"] == "NOASSERTION"
    assert any("g:j@1" in line for line in lost)


def test_unmodelled_cyclonedx_fields_are_reported(tmp_path: Path) -> None:
    from assay.sbom.formats.cyclonedx_json import CycloneDxJsonReader

    bom = CycloneDxJsonReader().read(Path(__file__).parent / "testdata" / "cbom-1.6.cdx.json")
    _, lost = write_json(tmp_path, bom)
    text = "\n".join(lost)
    for key in ("cryptoProperties", "evidence", "pedigree", "swid", "tags"):
        assert f"CycloneDX {key!r}, which SPDX 2.3 cannot hold: 1" in text
    assert "'copyright', which SPDX 2.3 cannot hold: 2" in text  # a component and the subject
    tv = SpdxTagValueWriter().write(bom)
    assert tv.lost == SpdxJsonWriter().write(bom).lost

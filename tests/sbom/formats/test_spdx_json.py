from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assay.sbom.formats.spdx_json import SpdxJsonReader
from tests.sbom.formats._bad import COMMON, assert_refused

FIXTURE = Path(__file__).parent / "testdata" / "sbom-2.3.spdx.json"
READER = SpdxJsonReader()

EXPRESS = "pkg:npm/express@4.17.1"
DEBUG = "pkg:npm/debug@2.6.9"
MS = "pkg:npm/ms@2.0.0"
TEXT = "pkg:maven/org.apache.commons/commons-text@1.9"
OPENSSL = "pkg:deb/debian/openssl@1.1.1n-0%2Bdeb11u3?arch=amd64&distro=debian-11"


def write_doc(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "sbom.spdx.json"
    path.write_text(json.dumps(doc))
    return path


def test_packages_purls_licences_checksums_relationships() -> None:
    bom = READER.read(FIXTURE)
    got = {c.purl: (c.ecosystem, c.name, c.version, c.licenses, c.direct) for c in bom}
    assert got == {
        # no purl: kept, not scannable (the subject, app, is the subject only)
        None: ("", "vendored-lib", "0.1", None, False),
        EXPRESS: ("npm", "express", "4.17.1", "MIT", True),  # the subject DEPENDS_ON it
        DEBUG: ("npm", "debug", "2.6.9", None, False),  # NOASSERTION twice
        MS: ("npm", "ms", "2.0.0", "MIT", False),  # concluded NONE -> declared
        TEXT: ("Maven", "org.apache.commons:commons-text", "1.9", "(Apache-2.0 OR MIT)", True),
        OPENSSL: ("Debian:11", "openssl", "1.1.1n-0+deb11u3", None, False),
    }
    express = next(c for c in bom if c.name == "express")
    assert express.hashes == (
        ("SHA-1", "4491fc38605cf51f8629d39c2b5d026f98a4c134"),
        ("SHA-256", "d9e4c2a1b0f8e7d6c5b4a392817161514131211100f0e0d0c0b0a09080706050"),
    )
    assert bom.edges == {  # edges use the document's SPDXIDs
        ("SPDXRef-express", "SPDXRef-debug"),  # debug DEPENDENCY_OF express
        ("SPDXRef-debug", "SPDXRef-ms"),
        (
            "SPDXRef-commons-text",
            "SPDXRef-openssl",
        ),  # DEV_DEPENDENCY_OF; CONTAINS of a file and DESCENDANT_OF give none
    }
    assert bom.warnings == [
        f"{FIXTURE}: 1 component(s) have no usable purl and cannot be matched against "
        "advisories (kept in the SBOM; e.g. 'library vendored-lib@0.1')"
    ]
    assert bom.subject is not None and bom.subject.name == "app"
    assert "SPDXRef-app" not in {c.ref for c in bom}
    assert bom.metadata == {
        "format": "SPDX-2.3",
        "name": "example-app",
        "documentNamespace": "https://example.com/spdx/example-app-1.0.0",
    }


def test_document_describes_field_and_no_subject(tmp_path: Path) -> None:
    doc = json.loads(FIXTURE.read_text())
    doc["relationships"] = [r for r in doc["relationships"] if r["relationshipType"] != "DESCRIBES"]
    assert {c.direct for c in READER.read(write_doc(tmp_path, doc))} == {None}
    doc["documentDescribes"] = ["SPDXRef-debug"]
    got = {c.name.rsplit(":")[-1]: c.direct for c in READER.read(write_doc(tmp_path, doc))}
    assert got == {
        "app": False,  # no longer the subject: a component like any other
        "vendored-lib": False,
        "express": False,
        "debug": True,
        "ms": True,
        "commons-text": False,
        "openssl": False,
    }


def test_spdx_2_2(tmp_path: Path) -> None:
    doc = json.loads(FIXTURE.read_text())
    doc["spdxVersion"] = "SPDX-2.2"
    bom = READER.read(write_doc(tmp_path, doc))
    assert len(bom) == 6 and bom.metadata["format"] == "SPDX-2.2"


@pytest.mark.parametrize("case", sorted(COMMON))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    data, reason, line = COMMON[case]
    path = tmp_path / "sbom.spdx.json"
    path.write_bytes(data)
    assert_refused(READER, path, reason, line)


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ({"bomFormat": "CycloneDX"}, "unsupported spdxVersion None"),
        ({"spdxVersion": "SPDX-3.0"}, "unsupported spdxVersion 'SPDX-3.0'"),
        ({"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld"}, "unsupported spdxVersion"),
        ({"spdxVersion": "SPDX-2.3", "packages": {}}, "'packages' is not an array"),
        ({"spdxVersion": "SPDX-2.3", "packages": [1]}, "a package is not an object"),
        ({"spdxVersion": "SPDX-2.3", "relationships": "x"}, "'relationships' is not an array"),
        ({"spdxVersion": "SPDX-2.3", "relationships": [[]]}, "a relationship is not an object"),
        ({"spdxVersion": "SPDX-2.3", "documentDescribes": 5}, "'documentDescribes' is not"),
    ],
)
def test_bad_documents(tmp_path: Path, doc: dict[str, Any], reason: str) -> None:
    assert_refused(READER, write_doc(tmp_path, doc), reason)


def test_odd_but_valid_entries_are_tolerated(tmp_path: Path) -> None:
    doc = {
        "spdxVersion": "SPDX-2.3",
        "documentDescribes": [{"not": "an id"}, "SPDXRef-a"],
        "packages": [
            {"SPDXID": "SPDXRef-a", "name": "a", "externalRefs": "nope"},
            {
                "SPDXID": "SPDXRef-b",
                "name": "b",
                "checksums": "nope",
                "externalRefs": [{"referenceType": "purl", "referenceLocator": "pkg:npm/b"}],
            },
        ],
        "relationships": [{"spdxElementId": 1, "relationshipType": None}],
    }
    bom = READER.read(write_doc(tmp_path, doc))
    # a (no purl) is the subject; b has a purl without a version (unpinned)
    assert bom.subject is not None and bom.subject.name == "a"
    assert [(c.ecosystem, c.name, c.version, c.hashes) for c in bom] == [("npm", "b", "", ())]
    assert bom.warnings == []


def test_packages_without_purl_or_spdxid_are_kept_apart(tmp_path: Path) -> None:
    doc = {
        "spdxVersion": "SPDX-2.3",
        "packages": [
            {"name": "fw", "versionInfo": "2", "primaryPackagePurpose": "OPERATING_SYSTEM"},
            {"name": "fw", "versionInfo": "2"},
            {"SPDXID": "SPDXRef-x", "name": "x"},
            {"SPDXID": "SPDXRef-x", "name": "x again"},  # a repeated SPDXID is one package
        ],
        "relationships": [
            {
                "spdxElementId": "SPDXRef-x",
                "relationshipType": "CONTAINS",
                "relatedSpdxElement": "SPDXRef-ghost",
            }
        ],
    }
    bom = READER.read(write_doc(tmp_path, doc))
    assert [(c.ref, c.name, c.version, c.kind) for c in bom] == [
        ("assay:package-1", "fw", "2", "operating-system"),
        ("assay:package-2", "fw", "2", "library"),
        ("SPDXRef-x", "x", "", "library"),
    ]
    assert bom.edges == set()
    assert len(bom.warnings) == 1 and "3 component(s) have no usable purl" in bom.warnings[0]


def test_shared_spdx_examples(shared_data: Path) -> None:
    base = shared_data / "sbom/spdx-examples"
    for version in ("2.2", "2.3"):
        bom = READER.read(
            base / f"spdx-spec-v{version}/examples/SPDXJSONExample-v{version}.spdx.json"
        )
        # 4 packages; the subject and 3 components, of which only Jena has a purl
        assert bom.subject is not None and bom.subject.bom_ref == "SPDXRef-Package"
        assert [(c.ecosystem, c.name, c.version) for c in bom] == [
            ("", "Apache Commons Lang", ""),
            ("Maven", "org.apache.jena:apache-jena", "3.12.0"),
            ("", "Saxon", "8.8"),
        ]
        assert len(bom.warnings) == 1
    example11 = READER.read(base / "spdx-examples-repo/software/example11/spdx2.3/sbom.spdx.json")
    assert sorted(c.ecosystem for c in example11) == [
        "Debian",
        "crates.io",
        "crates.io",
        "crates.io",
    ]


def test_shared_real_world(shared_data: Path) -> None:
    base = shared_data / "sbom/real-world"
    neo4j = READER.read(base / "guacsec__guac-data__62cc8abcb9__top-dh-sboms_neo4j.json")
    # 365 packages, 320 distinct purls (syft lists a jar found twice twice): 214 Maven, 106 deb
    assert len(neo4j) == 320
    assert sum(c.ecosystem == "Maven" for c in neo4j) == 214
    assert sum(c.ecosystem == "Debian:11" for c in neo4j) == 106
    kapacitor = READER.read(base / "guacsec__guac-data__62cc8abcb9__top-dh-sboms_kapacitor.json")
    assert len(kapacitor) == 345
    assert sum(c.ecosystem == "Ubuntu:22.04" for c in kapacitor) == 135
    assert sum(c.ecosystem == "Go" for c in kapacitor) == 210


def test_document_and_package_fields_for_round_trips() -> None:
    bom = READER.read(FIXTURE.parent / "full-2.3.spdx.json")
    assert (bom.spec, bom.timestamp) == ("SPDX 2.3", "2026-11-23T10:00:00Z")
    assert bom.serial == "https://example.com/spdx/shop-3.0.0"
    assert bom.authors == ["Jane Doe (jane@example.com)", "Example Bank"]
    assert bom.tools == ["sbom-maker-2.1.0"]
    assert bom.subject is not None and bom.subject.bom_ref == "SPDXRef-shop"
    express = next(c for c in bom if c.name == "express")
    assert (express.kind, express.supplier, express.author) == (
        "framework",
        "OpenJS Foundation",
        "TJ Holowaychuk",
    )
    assert express.properties == (
        ("spdx:licenseDeclared", "(MIT OR Apache-2.0)"),
        (
            "spdx:copyrightText",
            "Copyright (c) 2009-2014 TJ Holowaychuk\nCopyright (c) 2013-2014 Roman Shtylman",
        ),
    )


def test_first_described_package_is_the_subject_and_no_creation_info(tmp_path: Path) -> None:
    doc = json.loads(FIXTURE.read_text())
    del doc["creationInfo"]
    bom = READER.read(write_doc(tmp_path, doc))
    assert bom.subject is not None and bom.subject.name == "app"
    assert (bom.authors, bom.tools, bom.timestamp) == ([], [], None)


def test_hostile_packages_without_purl_are_kept_without_crashing(tmp_path: Path) -> None:
    doc = {
        "spdxVersion": "SPDX-2.3",
        "packages": [
            {"SPDXID": 7, "name": ["x"], "versionInfo": {"v": 1}, "primaryPackagePurpose": 3},
            {"SPDXID": "SPDXRef-e", "name": "  ", "externalRefs": [{"referenceType": "purl"}]},
        ],
    }
    bom = READER.read(write_doc(tmp_path, doc))
    assert [(c.ref, c.name, c.version, c.kind, c.purl) for c in bom] == [
        ("assay:package-1", "unnamed", "", "library", None),
        ("SPDXRef-e", "unnamed", "", "library", None),
    ]
    assert len(bom.warnings) == 1

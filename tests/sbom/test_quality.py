"""SBOM quality: every check's numbers and the weighted total, computed by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.sbom.discover import read_file
from assay.sbom.model import Bom, Component
from assay.sbom.quality import SCHEMA, Quality, assess, spec_name

TESTDATA = Path(__file__).parent / "testdata" / "quality"
SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def _checks(q: Quality) -> dict[str, tuple[float, int, int]]:
    return {c.id: (round(c.score, 2), c.have, c.total) for c in q.checks}


def _full_bom() -> Bom:
    a = Component(
        "npm",
        "a",
        "1.0.0",
        purl_override="pkg:npm/a@1.0.0",
        supplier="Acme",
        licenses="MIT",
        hashes=(("SHA-256", SHA256),),
        bom_ref="a",
    )
    b = Component(
        "PyPI",
        "b",
        "2.0",
        cpe="cpe:2.3:a:b:b:2.0:*:*:*:*:*:*:*",
        purl_override="pkg:pypi/b@2.0",
        supplier="B Org",
        licenses="Apache-2.0",
        hashes=(("SHA-512", "00" * 64),),
        bom_ref="b",
    )
    return Bom(
        components=[a, b],
        edges={("a", "b")},
        authors=["Jane"],
        timestamp="2024-01-02T03:04:05Z",
        spec="CycloneDX 1.6",
    )


def test_a_complete_document_scores_ten() -> None:
    q = assess(_full_bom(), "full.json")
    assert q.score == 10.0
    assert all(c.score == 10 and c.hint == "" and not c.examples for c in q.checks)


def test_known_document_scores_by_hand() -> None:
    """4 components: 1 supplier, 2 in the graph, 2 licences, 1 hash, 1 unregistered purl type.

    (2.5 + 10 + 10 + 1.5*10 + 1.5*5 + 10 + 10 + 5 + 2.5 + 7.5 + 0.5*10) / 11.5 = 85 / 11.5 = 7.39
    """
    q = assess(read_file(TESTDATA / "known-7.4.cdx.json"))
    assert _checks(q) == {
        "supplier": (2.5, 1, 4),
        "name": (10.0, 4, 4),
        "version": (10.0, 4, 4),
        "unique-id": (10.0, 4, 4),
        "dependencies": (5.0, 2, 4),
        "author": (10.0, 1, 1),
        "timestamp": (10.0, 1, 1),
        "licenses": (5.0, 2, 4),
        "hashes": (2.5, 1, 4),
        "purl-valid": (7.5, 3, 4),
        "spec-version": (10.0, 1, 1),
    }
    assert q.score == 7.4
    by_id = {c.id: c for c in q.checks}
    assert by_id["supplier"].detail == "1 of 4 components have a supplier"
    assert by_id["purl-valid"].examples == ("pkg:alpine/d@1.0-r0",)
    assert by_id["hashes"].examples == ("b@2.0.0", "c@3.0", "d@1.0-r0")
    assert by_id["supplier"].hint and not by_id["name"].hint


def test_empty_document_scores_zero_with_reasons() -> None:
    q = assess(Bom())
    assert q.score == 0.0
    assert q.components == 0
    details = {c.id: c.detail for c in q.checks}
    assert details["supplier"] == "the document lists no components"
    assert details["purl-valid"] == "the document gives no purls"
    assert details["author"] == "no author (tools: none)"
    assert details["spec-version"] == "not an SBOM document (no spec version)"


def test_a_lockfile_has_no_spec_and_no_purl_given() -> None:
    bom = Bom.of([Component("PyPI", "requests", "2.31.0", source="requirements.txt")])
    checks = _checks(assess(bom))
    assert checks["spec-version"] == (0.0, 0, 1)
    assert checks["unique-id"] == (0.0, 0, 1)  # purls assay would build are not the document's


@pytest.mark.parametrize(
    ("timestamp", "score"),
    [
        ("2024-01-02T03:04:05Z", 10.0),
        ("2024-01-02T03:04:05.123456+02:00", 10.0),
        ("2024-01-02", 10.0),
        ("yesterday", 0.0),
        ("", 0.0),
        (None, 0.0),
    ],
)
def test_timestamp_must_be_iso_8601(timestamp: str | None, score: float) -> None:
    checks = _checks(assess(Bom(timestamp=timestamp)))
    assert checks["timestamp"][0] == score


@pytest.mark.parametrize(
    ("spec", "name", "score"),
    [
        ("CycloneDX 1.6", "CycloneDX 1.6", 10.0),
        ("CycloneDX 1.5", "CycloneDX 1.5", 10.0),
        ("CycloneDX 1.4", "CycloneDX 1.4", 7.0),
        ("CycloneDX 1.2", "CycloneDX 1.2", 4.0),
        ("SPDX-2.3", "SPDX 2.3", 10.0),
        ("spdx 2.2", "SPDX 2.2", 7.0),
        ("SPDX 3.0", "SPDX 3.0", 0.0),
        ("something", None, 0.0),
    ],
)
def test_spec_version(spec: str, name: str | None, score: float) -> None:
    assert spec_name(spec) == name
    assert _checks(assess(Bom(spec=spec)))["spec-version"][0] == score


def test_spec_falls_back_to_the_format_a_reader_recorded() -> None:
    bom = Bom(metadata={"format": "CycloneDX 1.4"})
    assert assess(bom).spec == "CycloneDX 1.4"


@pytest.mark.parametrize(
    ("purl", "valid"),
    [
        ("pkg:npm/%40angular/core@15.2.0", True),
        ("pkg:deb/debian/curl@7.74.0?distro=debian-11", True),
        ("pkg:generic/openssl@3.0.0", True),
        ("pkg:alpine/musl@1.2.3", False),  # never registered: pkg:apk
        ("pkg:nosuchtype/x@1", False),
        ("not a purl", False),
        ("pkg:", False),
    ],
)
def test_purl_validity(purl: str, valid: bool) -> None:
    bom = Bom(components=[Component("npm", "x", "1", purl_override=purl)])
    assert _checks(assess(bom))["purl-valid"] == (10.0 * valid, int(valid), 1)


def test_direct_components_count_as_in_the_graph() -> None:
    c = Component("npm", "x", "1", purl_override="pkg:npm/x@1", direct=True)
    d = Component("npm", "y", "1", purl_override="pkg:npm/y@1", direct=False)
    assert _checks(assess(Bom(components=[c, d])))["dependencies"] == (5.0, 1, 2)


def test_author_ignores_blank_names_and_names_the_tools() -> None:
    q = assess(Bom(authors=["  "], tools=["syft 0.57.0"]))
    author = next(c for c in q.checks if c.id == "author")
    assert author.score == 0 and author.detail == "no author (tools: syft 0.57.0)"


def test_json_is_versioned_and_complete() -> None:
    data = assess(_full_bom(), "x.json").to_json()
    assert data["schema"] == SCHEMA
    assert data["score"] == 10.0 and data["source"] == "x.json" and data["components"] == 2
    assert [c["id"] for c in data["checks"]] == [
        "supplier",
        "name",
        "version",
        "unique-id",
        "dependencies",
        "author",
        "timestamp",
        "licenses",
        "hashes",
        "purl-valid",
        "spec-version",
    ]
    assert set(data["checks"][0]) == {
        "id",
        "category",
        "score",
        "weight",
        "have",
        "total",
        "detail",
        "hint",
        "examples",
    }


def test_real_world_documents(shared_data: Path) -> None:
    root = shared_data / "sbom" / "real-world"
    jabref = assess(read_file(root / "JabRef__jabref__b6609ab8d4__bom.json"))
    assert jabref.spec == "CycloneDX 1.6" and jabref.components == 453
    checks = _checks(jabref)
    assert checks["dependencies"] == (10.0, 453, 453)
    assert checks["hashes"][1:] == (427, 453)
    assert 0 < jabref.score < 10
    vault = assess(
        read_file(
            root / "guacsec__guac-data__5f0ddb94ad__docs_cyclonedx_syft-cyclonedx-docker.io-"
            "library-vault.latest.json"
        )
    )
    purls = next(c for c in vault.checks if c.id == "purl-valid")
    # syft 0.57 wrote Alpine packages as pkg:alpine, a type the purl spec never registered
    assert purls.have < purls.total and purls.examples[0].startswith("pkg:alpine/")


def test_components_without_purl_fail_the_identity_checks_without_crashing() -> None:
    """A file, a device and an OS image without purl or CPE: nothing identifies them."""
    bom = Bom.of(
        [
            Component("", "README.md", "", kind="file", bom_ref="r"),
            Component("", "board", "1", kind="device", bom_ref="b", supplier="Acme"),
            Component("", "alpine", "3.19", kind="operating-system", bom_ref="o", cpe="cpe:/o:x"),
        ]
    )
    checks = _checks(assess(bom))
    assert checks["unique-id"] == (3.33, 1, 3)  # only the CPE identifies one
    assert checks["purl-valid"] == (0.0, 0, 0)  # no purls at all: nothing to validate
    assert checks["supplier"] == (3.33, 1, 3)

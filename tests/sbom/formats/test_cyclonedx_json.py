from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pytest

from assay.sbom.formats.cyclonedx_json import CycloneDxJsonReader, licence_expression
from assay.sbom.formats.interface import InvalidSbom
from assay.sbom.model import Scope
from tests.sbom.formats._bad import COMMON, assert_refused

FIXTURE = Path(__file__).parent / "testdata" / "bom-1.5.cdx.json"
READER = CycloneDxJsonReader()


def write_doc(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "bom.json"
    path.write_text(json.dumps(doc))
    return path


def test_components_nested_purls_licences_hashes_scopes() -> None:
    bom = READER.read(FIXTURE)
    got = {c.purl or c.ref: (c.ecosystem, c.name, c.version, c.scope, c.direct) for c in bom}
    assert got == {
        # no purl, or one no advisory database covers: kept, with no ecosystem
        "debian": ("", "debian", "11", Scope.REQUIRED, True),
        "pkg:generic/thing@1.0": ("", "thing", "1.0", Scope.REQUIRED, False),
        "not a purl": ("", "broken", "1.0", Scope.REQUIRED, False),
        "pkg:npm/%40angular/core@15.2.0": ("npm", "@angular/core", "15.2.0", Scope.REQUIRED, True),
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar": (
            "Maven",
            "org.apache.logging.log4j:log4j-core",
            "2.14.1",
            Scope.REQUIRED,
            True,
        ),
        "pkg:maven/org.apache.logging.log4j/log4j-api@2.14.1": (
            "Maven",
            "org.apache.logging.log4j:log4j-api",
            "2.14.1",
            Scope.OPTIONAL,
            False,
        ),
        "pkg:golang/github.com/stretchr/testify@v1.8.0": (
            "Go",
            "github.com/stretchr/testify",
            "v1.8.0",  # the purl's version wins over the component's "1.8.0"
            Scope.DEV,  # scope "excluded"
            False,
        ),
        "pkg:pypi/requests@2.25.0": ("PyPI", "requests", "2.25.0", Scope.REQUIRED, False),
        "pkg:deb/debian/curl@7.74.0-1.3%2Bdeb11u7?arch=amd64&distro=debian-11": (
            "Debian:11",
            "curl",
            "7.74.0-1.3+deb11u7",
            Scope.REQUIRED,
            False,
        ),
    }
    by_name = {c.name: c for c in bom}
    angular = by_name["@angular/core"]
    assert angular.namespace == "@angular"
    assert angular.purl == angular.purl_override == "pkg:npm/%40angular/core@15.2.0"
    assert [alg for alg, _ in angular.hashes] == ["SHA-512", "SHA-1"]
    assert angular.licenses == "MIT"
    assert by_name["org.apache.logging.log4j:log4j-core"].licenses == "Apache-2.0 OR MIT"
    assert by_name["requests"].licenses == "LicenseRef-Apache-License-Version-2.0 AND MIT"
    assert by_name["curl"].licenses is None
    # edges use the document's bom-refs
    assert bom.edges == {("log4j", "log4j-api"), ("log4j-api", "testify")}
    assert len(bom.warnings) == 3
    assert bom.warnings[0] == (
        f"{FIXTURE}: 3 component(s) have no usable purl and cannot be matched against "
        "advisories (kept in the SBOM; e.g. 'operating-system debian@11', 'library thing@1.0', "
        "'library broken@1.0')"
    )
    assert bom.warnings[1].startswith(f"{FIXTURE}: component 'thing@1.0': purl type 'generic'")
    assert "invalid purl 'not a purl'" in bom.warnings[2]
    by_ref = {c.bom_ref: c for c in bom}
    assert by_ref["debian"].kind == "operating-system" and by_ref["debian"].purl is None
    assert by_ref["broken"].purl == "not a purl"  # kept verbatim for the writers
    assert bom.metadata["format"] == "CycloneDX 1.5"
    assert bom.metadata["component"] == "shop"
    assert all(c.source == str(FIXTURE) for c in bom)


@pytest.mark.parametrize("version", ["1.2", "1.3", "1.4", "1.6"])
def test_spec_versions(tmp_path: Path, version: str) -> None:
    doc = json.loads(FIXTURE.read_text())
    doc["specVersion"] = version
    bom = READER.read(write_doc(tmp_path, doc))
    assert len(bom) == 9 and len(bom.warnings) == 3


def test_newer_minor_version_is_read_with_a_warning(tmp_path: Path) -> None:
    doc = json.loads(FIXTURE.read_text())
    doc["specVersion"] = "1.7"
    bom = READER.read(write_doc(tmp_path, doc))
    assert len(bom) == 9
    assert any("CycloneDX 1.7 read as 1.6" in w for w in bom.warnings)


def test_without_dependency_graph_direct_is_unknown(tmp_path: Path) -> None:
    doc = json.loads(FIXTURE.read_text())
    del doc["dependencies"]
    bom = READER.read(write_doc(tmp_path, doc))
    assert {c.direct for c in bom} == {None}
    assert not bom.edges


def test_vex_only_document_is_empty(tmp_path: Path) -> None:
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.4", "vulnerabilities": [{"id": "CVE-1"}]}
    bom = READER.read(write_doc(tmp_path, doc))
    assert len(bom) == 0 and not bom.warnings


def test_many_purl_less_components_give_one_warning(tmp_path: Path) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "components": [{"type": "file", "name": f"f{i % 5000}"} for i in range(10_000)],
    }
    bom = READER.read(write_doc(tmp_path, doc))
    assert len(bom) == 10_000  # without bom-refs, none is merged with another
    refs = [c.ref for c in bom.components]
    assert refs[0] == "assay:file/f0" and refs[5000] == "assay:file/f0#2"
    assert len(set(refs)) == 10_000
    assert bom.warnings == [
        f"{tmp_path / 'bom.json'}: 10000 component(s) have no usable purl and cannot be matched "
        "against advisories (kept in the SBOM; e.g. 'file f0', 'file f1', 'file f2', ...)"
    ]


def test_purl_less_components_are_one_per_bom_ref(tmp_path: Path) -> None:
    doc = _graph_doc(
        [
            {"type": "device", "name": "board", "version": "2", "bom-ref": "b"},
            {"type": "device", "name": "board", "version": "2", "bom-ref": "b"},  # repeated
            {"type": "device", "name": "board", "version": "2", "bom-ref": "c"},
            {"type": "file", "group": "docs", "name": "README"},
        ],
        ["b"],
    )
    doc["dependencies"].append({"ref": "b", "dependsOn": ["c"]})
    bom = READER.read(write_doc(tmp_path, doc))
    assert [(c.ref, c.name, c.ecosystem, c.purl, c.direct) for c in bom] == [
        ("b", "board", "", None, True),
        ("c", "board", "", None, False),
        ("assay:file/docs/README", "docs/README", "", None, False),
    ]
    assert bom.edges == {("b", "c")}


@pytest.mark.parametrize(
    ("licenses", "expected"),
    [
        (None, None),
        ([], None),
        ([{"license": {"id": "MIT"}}, {"license": {"id": "MIT"}}], "MIT"),
        (
            [{"expression": "MIT OR Apache-2.0"}, {"license": {"id": "BSD-3-Clause"}}],
            "(MIT OR Apache-2.0) AND BSD-3-Clause",
        ),
        ([{"license": {"name": "  Some Licence (v2)  "}}], "LicenseRef-Some-Licence-v2"),
        ([{"license": {}}, "junk", {"license": "MIT"}], None),
    ],
)
def test_licence_expression(licenses: Any, expected: str | None) -> None:
    assert licence_expression(licenses) == expected


@pytest.mark.parametrize("case", sorted(COMMON))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    data, reason, line = COMMON[case]
    path = tmp_path / "bom.json"
    path.write_bytes(data)
    assert_refused(READER, path, reason, line)


@pytest.mark.parametrize(
    ("doc", "reason"),
    [
        ({"bomFormat": "SPDX", "specVersion": "1.5"}, "bomFormat is not 'CycloneDX'"),
        ({"spdxVersion": "SPDX-2.3"}, "bomFormat is not 'CycloneDX'"),
        (
            {"bomFormat": "CycloneDX", "specVersion": "1.1"},
            "unsupported CycloneDX specVersion '1.1'",
        ),
        ({"bomFormat": "CycloneDX", "specVersion": 1.5}, "unsupported CycloneDX specVersion 1.5"),
        ({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": {}}, "'components' is not"),
        ({"bomFormat": "CycloneDX", "specVersion": "1.5", "components": ["x"]}, "not an object"),
        (
            {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": [{"components": 3}]},
            "'components' is not an array",
        ),
        ({"bomFormat": "CycloneDX", "specVersion": "1.5", "dependencies": [1]}, "dependencies"),
        (
            {"bomFormat": "CycloneDX", "specVersion": "1.5", "dependencies": [{"dependsOn": "x"}]},
            "'dependsOn' is not an array",
        ),
    ],
)
def test_bad_documents(tmp_path: Path, doc: dict[str, Any], reason: str) -> None:
    assert_refused(READER, write_doc(tmp_path, doc), reason)


def test_shared_cyclonedx_examples(shared_data: Path) -> None:
    base = shared_data / "sbom/cyclonedx-examples/SBOM"
    for version in ("1.2", "1.3", "1.4"):
        bom = READER.read(base / f"juice-shop/via_npm/bare/bom.{version}.json")
        # 1115 components (nested), 978 distinct purls; 71 direct dependencies of the subject
        assert len(bom) == 978
        assert sum(c.direct is True for c in bom) == 71
        assert {c.ecosystem for c in bom} == {"npm"}
        laravel = READER.read(base / f"laravel-7.12.0/bom.{version}.json")
        assert len(laravel) == 62 and {c.ecosystem for c in laravel} == {"Packagist"}
        assert all("/" in c.name for c in laravel)
    assert len(READER.read(base / "dropwizard-1.3.15/bom.json")) == 167
    assert len(READER.read(base / "keycloak-10.0.2/bom.json")) == 903


def test_shared_real_world(shared_data: Path) -> None:
    base = shared_data / "sbom/real-world"
    jabref = READER.read(base / "JabRef__jabref__b6609ab8d4__bom.json")
    assert len(jabref) == 453 and {c.ecosystem for c in jabref} == {"Maven"}
    assert jabref.metadata["format"] == "CycloneDX 1.6"
    assert ("org.slf4j:slf4j-api", "2.0.17") in {(c.name, c.version) for c in jabref}
    vault = READER.read(next(base.glob("guacsec__guac-data__5f0ddb94ad__*vault.latest.json")))
    # 384 components: 364 Go modules, 19 Alpine packages (syft's old pkg:alpine/ type),
    # and the operating system itself, which has no purl
    counts: dict[str, int] = {}
    for c in vault:
        counts[c.ecosystem] = counts.get(c.ecosystem, 0) + 1
    assert counts == {"Go": 364, "Alpine:v3.14": 19, "": 1}
    assert len(vault.warnings) == 1 and "'operating-system alpine@3.14.8')" in vault.warnings[0]


def test_document_and_component_fields_for_round_trips() -> None:
    bom = READER.read(FIXTURE.parent / "full-1.6.cdx.json")
    assert bom.spec == "CycloneDX 1.6" and bom.timestamp == "2026-11-23T10:00:00Z"
    assert bom.serial == "urn:uuid:5a1b5f4c-8f27-4a35-9b0e-0c4c1e2d3f40"
    assert bom.authors == ["Jane Doe", "ci@example.com"]
    assert bom.tools == ["acme sbom-maker 2.1.0", "build-farm 7"]
    assert bom.subject is not None
    assert (bom.subject.ecosystem, bom.subject.purl, bom.subject.bom_ref) == (
        "npm",
        "pkg:npm/shop@3.0.0",
        "shop",
    )
    express = next(c for c in bom if c.name == "express")
    assert (express.kind, express.supplier, express.author, express.cpe) == (
        "framework",
        "OpenJS Foundation",
        "TJ Holowaychuk",
        "cpe:2.3:a:expressjs:express:4.17.1:*:*:*:*:node.js:*:*",
    )
    assert express.external_refs[0] == ("website", "https://expressjs.com/")
    assert express.properties[1] == ("internal:reviewed", "yes")


def test_legacy_tools_and_a_subject_without_purl(tmp_path: Path) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.4",
        "metadata": {
            "tools": [
                {"vendor": "CycloneDX", "name": "cyclonedx-gomod", "version": "v1.4.0"},
                {"vendor": "CycloneDX", "name": "CycloneDX Maven plugin"},
                {"version": "no name"},
                "not a tool",
            ],
            "authors": [{"name": "A"}, "not an author"],
            "component": {"type": "application", "group": "acme", "name": "app"},
        },
    }
    bom = READER.read(write_doc(tmp_path, doc))
    # the vendor is left out where the name already says it
    assert bom.tools == ["cyclonedx-gomod v1.4.0", "CycloneDX Maven plugin"]
    assert bom.authors == ["A", "not an author"]
    assert bom.subject is not None
    assert (bom.subject.ecosystem, bom.subject.name, bom.subject.version) == ("", "acme/app", "")


def test_a_purl_listed_twice_is_one_component_under_its_first_bom_ref() -> None:
    bom = READER.read(FIXTURE)
    requests = [c for c in bom if c.name == "requests"]
    assert [c.bom_ref for c in requests] == ["requests"]


def _graph_doc(components: list[Any], direct: list[Any]) -> dict[str, Any]:
    return {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "metadata": {"component": {"type": "application", "name": "app", "bom-ref": "app"}},
        "components": components,
        "dependencies": [{"ref": "app", "dependsOn": direct}],
    }


def test_a_repeated_purl_is_direct_when_a_later_listing_is(tmp_path: Path) -> None:
    purl = "pkg:npm/left-pad@1.3.0"
    doc = _graph_doc(
        [
            {"name": "first", "purl": "pkg:npm/a@1", "bom-ref": "a"},
            {"name": "left-pad", "purl": purl, "bom-ref": "lp-1"},
            {"name": "left-pad", "purl": purl, "bom-ref": "lp-2"},
            {"name": "last", "purl": "pkg:npm/z@1", "bom-ref": "z"},
        ],
        ["lp-2"],
    )
    bom = READER.read(write_doc(tmp_path, doc))
    assert [(c.name, c.bom_ref, c.direct) for c in bom] == [
        ("a", "a", False),
        ("left-pad", "lp-1", True),  # kept under its first bom-ref, in its first place
        ("z", "z", False),
    ]


def test_a_repeated_purl_without_version_is_one_component(tmp_path: Path) -> None:
    purl = "pkg:npm/left-pad"
    doc = _graph_doc(
        [
            {"name": "left-pad", "purl": purl, "version": "1.3.0", "bom-ref": "lp-1"},
            {"name": "left-pad", "purl": purl, "bom-ref": "lp-2"},
        ],
        [],
    )
    bom = READER.read(write_doc(tmp_path, doc))
    assert [(c.version, c.bom_ref) for c in bom] == [("1.3.0", "lp-1")]
    assert bom.warnings == []


def test_hostile_bom_refs_and_scopes_are_not_a_traceback(tmp_path: Path) -> None:
    doc = _graph_doc(
        [{"name": "x", "purl": "pkg:npm/x@1", "bom-ref": ["not", "hashable"], "scope": {}}],
        ["x"],
    )
    bom = READER.read(write_doc(tmp_path, doc))
    assert [(c.name, c.direct, c.scope, c.bom_ref) for c in bom] == [
        ("x", False, Scope.REQUIRED, None)
    ]


def test_reading_leaves_the_garbage_collector_as_it_was(tmp_path: Path) -> None:
    assert gc.isenabled()
    READER.read(FIXTURE)
    assert gc.isenabled()
    gc.disable()
    try:
        READER.read(FIXTURE)
        assert not gc.isenabled()
    finally:
        gc.enable()
    with pytest.raises(InvalidSbom, match="a component is not an object"):
        READER.read(write_doc(tmp_path, _graph_doc([1], [])))
    assert gc.isenabled()


def test_hostile_purl_less_components_are_kept_without_crashing(tmp_path: Path) -> None:
    doc = {
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "components": [
            {"type": ["file"], "name": 5, "version": {"x": 1}, "bom-ref": {"no": "ref"}},
            {"type": "file", "name": "", "bom-ref": ""},
            {"purl": "   ", "name": "spaces", "hashes": "nope", "licenses": {"id": "MIT"}},
        ],
        "dependencies": [{"ref": {"bad": 1}, "dependsOn": [None, 3]}],
    }
    bom = READER.read(write_doc(tmp_path, doc))
    assert [(c.kind, c.name, c.version, c.ref, c.hashes, c.licenses) for c in bom] == [
        ("library", "unnamed", "", "assay:library/unnamed", (), None),
        ("file", "unnamed", "", "assay:file/unnamed", (), None),
        ("library", "spaces", "", "assay:library/spaces", (), None),
    ]
    assert bom.edges == set() and len(bom.warnings) == 1

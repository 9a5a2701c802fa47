"""CycloneDX 1.6 output: schema-valid, faithful to the model, and honest about losses.

CycloneDX 1.6, ``scope``: "Specifies the scope of the component. If scope is
not specified, 'required' scope SHOULD be assumed by the consumer"; excluded
components "provide the ability to document component usage for test and
other non-runtime purposes" -- which is how dev dependencies are written.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from defusedxml import ElementTree

from assay.sbom.discover import catalog
from assay.sbom.formats.cyclonedx_json import CycloneDxJsonReader
from assay.sbom.formats.cyclonedx_out import (
    CycloneDxJsonWriter,
    CycloneDxXmlWriter,
    licence_choice,
)
from assay.sbom.model import Bom, Component, Scope
from tests.sbom.formats._sample import hashes, rich_bom, shared_lockfiles

EXAMPLES = Path(__file__).parents[3] / "examples"
NS = "{http://cyclonedx.org/schema/bom/1.6}"
XSD = "{http://www.w3.org/2001/XMLSchema}"
VALIDATOR = JsonStrictValidator(SchemaVersion.V1_6)


def assert_valid_json(text: str) -> dict[str, Any]:
    error = VALIDATOR.validate_str(text)
    assert error is None, str(error)
    doc: dict[str, Any] = json.loads(text)
    return doc


def xsd_sequences(shared_data: Path) -> dict[str, list[str]]:
    """Ordered child elements of the CycloneDX 1.6 XSD types assay writes."""
    tree = ElementTree.parse(shared_data / "schemas" / "cyclonedx" / "bom-1.6.xsd")
    out: dict[str, list[str]] = {}
    for node in tree.getroot():
        name = node.get("name")
        if node.tag in (f"{XSD}complexType", f"{XSD}element") and name:
            seq = node.find(f".//{XSD}sequence")
            if seq is not None:
                out[name] = [e.get("name") or "" for e in seq.findall(f"{XSD}element")]
    return out


def assert_schema_order(root: Element, sequences: dict[str, list[str]]) -> None:
    """xs:sequence is ordered: children of bom, metadata and component follow the XSD."""
    checks = [(root, "bom")]
    checks += [(m, "metadata") for m in root.iter(f"{NS}metadata")]
    checks += [(c, "component") for c in root.iter(f"{NS}component")]
    for node, type_name in checks:
        order = sequences[type_name]
        names = [child.tag.removeprefix(NS) for child in node]
        assert all(n in order for n in names), (type_name, names)
        positions = [order.index(n) for n in names]
        assert positions == sorted(positions), (type_name, names)


def assert_valid_xml(text: str, sequences: dict[str, list[str]] | None = None) -> Element:
    root: Element = ElementTree.fromstring(text.encode())
    assert root.tag == f"{NS}bom"
    if sequences is not None:
        assert_schema_order(root, sequences)
    if importlib.util.find_spec("lxml") is None:  # the library's XML validator needs lxml
        return root
    from cyclonedx.validation.xml import XmlValidator

    error = XmlValidator(SchemaVersion.V1_6).validate_str(text)
    assert error is None, str(error)
    return root


def read_back(tmp_path: Path, text: str) -> Bom:
    path = tmp_path / "out.cdx.json"
    path.write_text(text, encoding="utf-8")
    return CycloneDxJsonReader().read(path)


def by_purl(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["purl"]: c for c in doc["components"]}


def test_rich_bom_is_valid_and_maps_every_field() -> None:
    result = CycloneDxJsonWriter().write(rich_bom())
    doc = assert_valid_json(result.text)
    assert doc["specVersion"] == "1.6" and doc["serialNumber"].startswith("urn:uuid:")
    meta = doc["metadata"]
    assert meta["timestamp"] == "2024-05-01T12:00:00Z"
    assert [t["name"] for t in meta["tools"]["components"]] == ["assay", "syft"]
    assert meta["authors"] == [{"name": "Jane Doe"}]
    assert meta["component"]["type"] == "application"
    comps = by_purl(doc)
    flask = comps["pkg:pypi/flask@2.0.1"]  # Flask and flask from two files: one component
    assert flask["scope"] == "required"
    assert {(p["name"], p["value"]) for p in flask["properties"]} == {
        ("assay:source", "app/requirements.txt"),
        ("assay:source", "tools/requirements-dev.txt"),
        ("assay:direct", "true"),
    }
    babel = comps["pkg:npm/%40babel/cli@7.14.8"]
    assert (babel["group"], babel["name"], babel["scope"]) == ("@babel", "cli", "excluded")
    assert {"name": "assay:scope", "value": "dev"} in babel["properties"]
    assert babel["licenses"] == [{"license": {"id": "MIT"}}]
    assert babel["hashes"][0]["alg"] == "SHA-512" and len(babel["hashes"][0]["content"]) == 128
    log4j = comps["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"]
    assert (log4j["group"], log4j["name"], log4j["scope"]) == (
        "org.apache.logging.log4j",
        "log4j-core",
        "optional",
    )
    assert log4j["licenses"] == [{"expression": "Apache-2.0 OR MIT"}]
    assert log4j["supplier"] == {"name": "The Apache Software Foundation"}
    assert log4j["authors"] == [{"name": "Ralph Goers"}]
    assert log4j["cpe"].startswith("cpe:2.3:a:apache:log4j")
    assert [r["type"] for r in log4j["externalReferences"]] == ["website", "vcs", "other"]
    assert {"name": "build", "value": "ci-42"} in log4j["properties"]
    assert comps["pkg:composer/vendor/pkg@1.2.3"]["group"] == "vendor"
    refs = [c["bom-ref"] for c in doc["components"]] + [meta["component"]["bom-ref"]]
    assert len(refs) == len(set(refs))


def test_dependencies_carry_edges_and_direct_and_drop_dangling_and_self_edges() -> None:
    doc = json.loads(CycloneDxJsonWriter().write(rich_bom()).text)
    deps = {d["ref"]: d["dependsOn"] for d in doc["dependencies"]}
    root = doc["metadata"]["component"]["bom-ref"]
    assert deps[root] == ["pkg:pypi/flask@2.0.1", "pkg:npm/%40babel/cli@7.14.8"]
    assert deps["pkg:pypi/flask@2.0.1"] == ["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"]
    assert deps["pkg:npm/%40babel/cli@7.14.8"] == ["pkg:npm/left-pad@1.3.0"]
    assert set(deps) == {root} | {c["bom-ref"] for c in doc["components"]}


def test_losses_are_reported_one_line_per_kind() -> None:
    lost = CycloneDxJsonWriter().write(rich_bom()).lost
    assert any(line.startswith("GO-H1 hashes") and ": 1 " in line for line in lost)
    assert any("written as 'other': 1 (e.g. chat-room)" in line for line in lost)
    assert any("not URIs, dropped: 1" in line for line in lost)
    assert any("while others are known: read back as transitive: 3" in line for line in lost)
    assert len(lost) == 4


def test_json_round_trip_through_assays_reader(tmp_path: Path) -> None:
    original = rich_bom()
    back = read_back(tmp_path, CycloneDxJsonWriter().write(original).text)
    got = {c.purl: c for c in back}
    want = {c.purl: c for c in original}
    assert set(got) == set(want)
    for purl, c in got.items():
        assert c.version == want[purl].version
        assert set(c.hashes) == hashes(want[purl])
    assert got["pkg:npm/%40babel/cli@7.14.8"].scope is Scope.DEV
    assert got["pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"].scope is Scope.OPTIONAL
    assert got["pkg:pypi/flask@2.0.1"].scope is Scope.REQUIRED
    licences = {purl: c.licenses for purl, c in got.items()}
    assert licences == {
        "pkg:pypi/flask@2.0.1": None,
        "pkg:npm/%40babel/cli@7.14.8": "MIT",
        "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1": "Apache-2.0 OR MIT",
        "pkg:cargo/serde@1.0.0": "LicenseRef-BSD",  # a name, not an SPDX id: the reader's form
        "pkg:composer/vendor/pkg@1.2.3": "LicenseRef-Acme",
        "pkg:npm/left-pad@1.3.0": "Foo OR MIT",
    }
    assert {p for p, c in got.items() if c.direct} == {
        "pkg:pypi/flask@2.0.1",
        "pkg:npm/%40babel/cli@7.14.8",
    }
    purl_of = {c.ref: c.purl for c in back}
    assert {(purl_of[a], purl_of[b]) for a, b in back.edges} == {
        ("pkg:pypi/flask@2.0.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
        ("pkg:npm/%40babel/cli@7.14.8", "pkg:npm/left-pad@1.3.0"),
    }


def test_unknown_direct_stays_unknown(tmp_path: Path) -> None:
    bom = Bom.of([Component("PyPI", "a", "1", source="r.txt")], "r.txt")
    doc = assert_valid_json(CycloneDxJsonWriter().write(bom).text)
    assert [d["ref"] for d in doc["dependencies"]] == ["pkg:pypi/a@1"]
    back = read_back(tmp_path, json.dumps(doc))
    assert [c.direct for c in back] == [None]


def test_empty_bom_is_a_valid_document() -> None:
    doc = assert_valid_json(CycloneDxJsonWriter().write(Bom()).text)
    assert doc["components"] == []
    assert doc["metadata"]["component"]["name"] == "unnamed"


def test_unknown_kind_and_component_without_purl_type() -> None:
    bom = Bom.of(
        [
            Component("NoSuchEcosystem", "thing", "1.0", kind="hologram"),
            Component("npm", "a", "1", bom_ref="dup"),
            Component("npm", "b", "1", bom_ref="dup#2", purl_override="pkg:npm/b@1"),
        ]
    )
    result = CycloneDxJsonWriter().write(bom)
    doc = assert_valid_json(result.text)
    thing = doc["components"][0]
    assert thing["type"] == "library" and "purl" not in thing
    assert {"name": "assay:ecosystem", "value": "NoSuchEcosystem"} in thing["properties"]
    assert any("hologram" in line for line in result.lost)
    refs = [c["bom-ref"] for c in doc["components"]]
    assert len(refs) == len(set(refs))


@pytest.mark.parametrize(
    ("expression", "choice"),
    [
        ("mit", {"license": {"id": "MIT"}}),
        ("MIT OR Apache-2.0", {"expression": "MIT OR Apache-2.0"}),
        ("LicenseRef-Acme", {"expression": "LicenseRef-Acme"}),
        ("Foo and Bar", {"expression": "Foo and Bar"}),
        ("Public Domain", {"license": {"name": "Public Domain"}}),
    ],
)
def test_licence_choice(expression: str, choice: dict[str, Any]) -> None:
    assert licence_choice(expression) == choice


HOSTILE = 'evil\x01<name> & "q" \ud800]]>'


def test_hostile_strings_stay_well_formed(shared_data: Path) -> None:
    bom = Bom.of(
        [
            Component(
                "npm",
                "x",
                "1",
                description=HOSTILE,
                properties=((HOSTILE, HOSTILE),),
                bom_ref=HOSTILE,
                supplier=HOSTILE,
            )
        ],
        "p/x.json",
    )
    bom.authors = [HOSTILE]
    root = assert_valid_xml(CycloneDxXmlWriter().write(bom).text, xsd_sequences(shared_data))
    description = root.find(f"{NS}components/{NS}component/{NS}description")
    assert description is not None
    assert description.text == 'evil\ufffd<name> & "q" \ufffd]]>'
    # JSON has escapes for all of it; the lone surrogate cannot be UTF-8 and is escaped too
    text = CycloneDxJsonWriter().write(bom).text
    text.encode("utf-8")  # raises if a lone surrogate were left raw
    assert json.loads(text)["components"][0]["description"] == HOSTILE


def test_xml_matches_json_and_the_xsd_order(shared_data: Path) -> None:
    bom = rich_bom()
    doc = json.loads(CycloneDxJsonWriter().write(bom).text)
    root = assert_valid_xml(CycloneDxXmlWriter().write(bom).text, xsd_sequences(shared_data))
    components = root.findall(f"{NS}components/{NS}component")
    assert [c.get("bom-ref") for c in components] == [c["bom-ref"] for c in doc["components"]]
    purls = [c.findtext(f"{NS}purl") for c in components]
    assert purls == [c["purl"] for c in doc["components"]]
    deps = {
        d.get("ref"): [x.get("ref") for x in d]
        for d in root.findall(f"{NS}dependencies/{NS}dependency")
    }
    assert deps == {d["ref"]: d["dependsOn"] for d in doc["dependencies"]}
    log4j = components[2]
    assert log4j.findtext(f"{NS}scope") == "optional"
    assert log4j.findtext(f"{NS}licenses/{NS}expression") == "Apache-2.0 OR MIT"
    assert log4j.find(f"{NS}hashes/{NS}hash").get("alg") == "SHA-256"  # type: ignore[union-attr]


def test_xml_reads_back_through_cyclonedx_python_lib() -> None:
    from cyclonedx.model.bom import Bom as CdxBom

    text = CycloneDxXmlWriter().write(rich_bom()).text
    parsed = CdxBom.from_xml(ElementTree.fromstring(text))  # type: ignore[attr-defined]
    assert {str(c.purl) for c in parsed.components} == {
        c["purl"] for c in json.loads(CycloneDxJsonWriter().write(rich_bom()).text)["components"]
    }


def test_examples_generate_valid_documents(shared_data: Path) -> None:
    bom = catalog(EXAMPLES)
    doc = assert_valid_json(CycloneDxJsonWriter().write(bom).text)
    assert len(doc["components"]) == len({c.purl for c in bom})
    assert_valid_xml(CycloneDxXmlWriter().write(bom).text, xsd_sequences(shared_data))


def check_lockfiles(shared_data: Path, tmp_path: Path, files: list[Path]) -> None:
    sequences = xsd_sequences(shared_data)
    assert files
    for path in files:
        bom = catalog(path)
        result = CycloneDxJsonWriter().write(bom)
        assert_valid_json(result.text)
        assert_valid_xml(CycloneDxXmlWriter().write(bom).text, sequences)
        back = read_back(tmp_path, result.text)
        written = {c.purl for c in bom if c.purl}  # unpinned ones too (version "")
        assert {c.purl for c in back} == written, path.name
        key = {c.ref: c.purl for c in bom}
        want_edges = {(key[a], key[b]) for a, b in bom.edges if a in key and b in key and a != b}
        back_key = {c.ref: c.purl for c in back}
        got_edges = {(back_key[a], back_key[b]) for a, b in back.edges}
        assert got_edges == {(a, b) for a, b in want_edges if a in written and b in written}


def test_small_shared_lockfiles_generate_valid_documents_that_round_trip(
    shared_data: Path, tmp_path: Path
) -> None:
    """One lockfile per ecosystem at least: every file under 200 components."""
    check_lockfiles(shared_data, tmp_path, shared_lockfiles(shared_data, limit=9))


@pytest.mark.slow
def test_all_shared_lockfiles_generate_valid_documents_that_round_trip(
    shared_data: Path, tmp_path: Path
) -> None:
    """Schema validation of 2,000-component documents takes ~10 s each (jsonschema)."""
    check_lockfiles(shared_data, tmp_path, shared_lockfiles(shared_data))


CBOM = Path(__file__).parent / "testdata" / "cbom-1.6.cdx.json"
#: fields assay does not model, compared per bom-ref after a round trip
KEPT = ("cryptoProperties", "evidence", "pedigree", "swid", "tags", "copyright", "publisher")


def by_ref(doc: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every component of a CycloneDX JSON document (nested too), by bom-ref.

    One without a bom-ref (assay gives it one) by ``name@version`` instead.
    """
    out: dict[str, dict[str, Any]] = {}
    stack = list(doc.get("components", []))
    while stack:
        item = stack.pop()
        ref = item.get("bom-ref")
        if ref is None or ref.startswith("assay:"):
            ref = f"{item.get('name')}@{item.get('version')}"
        out.setdefault(ref, item)
        stack.extend(item.get("components", []))
    return out


def assert_keeps_unmodelled_fields(source: Path, tmp_path: Path) -> dict[str, Any]:
    """Issue 3: read and written as CycloneDX JSON, the fields assay does not model survive."""
    original = json.loads(source.read_text(encoding="utf-8"))
    written = CycloneDxJsonWriter().write(CycloneDxJsonReader().read(source))
    doc = assert_valid_json(written.text)
    before, after = by_ref(original), by_ref(doc)
    compared = 0
    for ref, item in before.items():
        for key in KEPT:
            if key in item:
                assert after[ref][key] == item[key], (source, ref, key)
                compared += 1
    assert compared
    assert not [line for line in written.lost if "does not have" in line]
    # a second trip changes nothing more
    again = assert_valid_json(CycloneDxJsonWriter().write(read_back(tmp_path, written.text)).text)
    for ref, item in by_ref(again).items():
        for key in KEPT:
            assert item.get(key) == after[ref].get(key)
    return doc


def test_cbom_round_trip_keeps_crypto_evidence_pedigree(tmp_path: Path) -> None:
    doc = assert_keeps_unmodelled_fields(CBOM, tmp_path)
    bc = by_ref(doc)["pkg:maven/org.bouncycastle/bcprov-jdk18on@1.78"]
    # authors' entries verbatim (the model holds their names joined)
    assert bc["authors"] == [
        {"name": "Legion of the Bouncy Castle", "email": "feedback@bouncycastle.org"}
    ]
    assert "author" not in bc
    assert doc["metadata"]["component"]["copyright"] == "(c) Example Bank"


def test_shared_cboms_round_trip(shared_data: Path, tmp_path: Path) -> None:
    files = sorted((shared_data / "sbom" / "cyclonedx-examples" / "CBOM").rglob("*.json"))
    assert files
    for path in files:
        assert_keeps_unmodelled_fields(path, tmp_path)


def test_older_spec_fields_pass_through(shared_data: Path, tmp_path: Path) -> None:
    """1.2 ``publisher`` and 1.4 ``swid`` are still 1.6 fields: written back, valid."""
    for name in (
        "sbom/cyclonedx-examples/SBOM/dropwizard-1.3.15/bom.json",
        "sbom/real-world/guacsec__guac-data__5f0ddb94ad__docs_cyclonedx_syft-cyclonedx-docker.io-library-vault.latest.json",
    ):
        assert_keeps_unmodelled_fields(shared_data / name, tmp_path)


def test_model_author_and_extension_authors_both_written() -> None:
    c = Component(
        "PyPI",
        "x",
        "1",
        author="Alice",
        extensions='{"authors":[{"name":"Bob"}]}',
    )
    doc = assert_valid_json(CycloneDxJsonWriter().write(Bom.of([c])).text)
    item = doc["components"][0]
    assert item["author"] == "Alice"
    assert item["authors"] == [{"name": "Bob"}]


def test_extension_never_overrides_written_fields_and_17_fields_are_reported() -> None:
    c = Component(
        "PyPI",
        "x",
        "1",
        extensions='{"isExternal":true,"name":"evil","purl":"pkg:npm/evil@6","tags":["t"]}',
    )
    written = CycloneDxJsonWriter().write(Bom.of([c]))
    item = assert_valid_json(written.text)["components"][0]
    assert (item["name"], item["purl"], item["tags"]) == ("x", "pkg:pypi/x@1", ["t"])
    assert "isExternal" not in item
    assert any(
        "CycloneDX 1.6 does not have" in line and "isExternal" in line for line in written.lost
    )
    assert any("input's value dropped" in line for line in written.lost)


def test_xml_reports_unmodelled_fields() -> None:
    written = CycloneDxXmlWriter().write(CycloneDxJsonReader().read(CBOM))
    assert_valid_xml(written.text)
    lost = "\n".join(written.lost)
    assert "CycloneDX 'cryptoProperties', which CycloneDX XML output cannot hold: 1" in lost
    assert "CycloneDX 'evidence', which CycloneDX XML output cannot hold: 1" in lost
    assert "'copyright'" in lost  # the subject's too
    assert "cryptoProperties" not in written.text

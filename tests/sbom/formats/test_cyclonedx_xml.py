from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assay.sbom.formats.cyclonedx_json import CycloneDxJsonReader
from assay.sbom.formats.cyclonedx_xml import CycloneDxXmlReader
from assay.sbom.model import Bom, Scope
from tests.sbom.formats._bad import assert_refused

DATA = Path(__file__).parent / "testdata"
XML = DATA / "full-1.6.cdx.xml"
JSON = DATA / "full-1.6.cdx.json"
READER = CycloneDxXmlReader()


def comparable(bom: Bom) -> tuple[object, ...]:
    """Everything a reader produced, with the source file names taken out.

    ``extensions`` too: only the JSON reader keeps the fields assay does not model.
    """

    def plain(c: object) -> object:
        if c is None:
            return None
        return dataclasses.replace(c, source="", extensions=None)  # type: ignore[type-var]

    return (
        sorted(map(repr, map(plain, bom.components))),
        bom.edges,
        plain(bom.subject),
        bom.authors,
        bom.tools,
        bom.timestamp,
        bom.serial,
        bom.spec,
        [w.split(": ", 1)[1] for w in bom.warnings],
    )


def test_reads_every_field_like_the_json_reader() -> None:
    bom = READER.read(XML)
    assert comparable(bom) == comparable(CycloneDxJsonReader().read(JSON))
    express, debug, log4j, readme = bom.components
    assert (express.kind, express.bom_ref, express.supplier, express.author) == (
        "framework",
        "express",
        "OpenJS Foundation",
        "TJ Holowaychuk",
    )
    assert express.description == "Fast, unopinionated, minimalist web framework"
    assert express.cpe == "cpe:2.3:a:expressjs:express:4.17.1:*:*:*:*:node.js:*:*"
    assert express.external_refs == (
        ("website", "https://expressjs.com/"),
        ("vcs", "https://github.com/expressjs/express.git"),
    )
    assert express.properties == (
        ("cdx:npm:package:path", "node_modules/express"),
        ("internal:reviewed", "yes"),
    )
    assert express.hashes == (
        ("SHA-256", "9f2f4e0e3f1b1e7d2ab4e4c2c1e6a3b5d8f7e6c5b4a3928170615243342516a7"),
    )
    assert (express.licenses, express.direct, express.scope) == ("MIT", True, Scope.REQUIRED)
    assert (debug.author, debug.licenses, debug.scope, debug.direct) == (
        "Ann, Bob",
        "MIT OR Apache-2.0",
        Scope.OPTIONAL,
        False,
    )
    assert (log4j.name, log4j.supplier, log4j.licenses, log4j.scope) == (
        "org.apache.logging.log4j:log4j-core",
        "Apache Software Foundation",  # publisher, when no supplier is named
        "LicenseRef-Apache-License-2.0",
        Scope.DEV,
    )
    assert bom.edges == {("express", "debug")}
    assert bom.subject is not None
    assert (bom.subject.name, bom.subject.kind, bom.subject.supplier) == (
        "shop",
        "application",
        "Example Bank",
    )
    assert bom.authors == ["Jane Doe", "ci@example.com"]
    assert bom.tools == ["acme sbom-maker 2.1.0", "build-farm 7"]
    assert (bom.timestamp, bom.spec) == ("2026-11-23T10:00:00Z", "CycloneDX 1.6")
    assert bom.serial == "urn:uuid:5a1b5f4c-8f27-4a35-9b0e-0c4c1e2d3f40"
    assert (readme.kind, readme.name, readme.version, readme.bom_ref, readme.purl) == (
        "file",
        "README.md",
        "",
        "readme",
        None,
    )
    assert bom.warnings == [
        f"{XML}: 1 component(s) have no usable purl and cannot be matched against advisories "
        "(kept in the SBOM; e.g. 'file README.md')"
    ]


@pytest.mark.parametrize("version", ["1.2", "1.3", "1.4", "1.5", "1.6"])
def test_namespaces_give_the_spec_version(tmp_path: Path, version: str) -> None:
    path = tmp_path / "bom.xml"
    path.write_text(XML.read_text().replace("bom/1.6", f"bom/{version}"))
    bom = READER.read(path)
    assert bom.spec == f"CycloneDX {version}" and len(bom) == 4


def test_legacy_tools_and_prefixed_namespace(tmp_path: Path) -> None:
    path = tmp_path / "bom.xml"
    path.write_text(
        '<c:bom xmlns:c="http://cyclonedx.org/schema/bom/1.3" version="1">\n'
        "<c:metadata><c:tools><c:tool><c:vendor>CycloneDX</c:vendor><c:name>Maven plugin</c:name>"
        "<c:version>2.0.2</c:version></c:tool></c:tools></c:metadata>\n"
        '<c:components><c:component type="library"><c:name>a</c:name><c:version>1</c:version>'
        "<c:purl>pkg:pypi/a@1</c:purl><c:hashes><c:hash>no-alg</c:hash></c:hashes>"
        "</c:component></c:components></c:bom>"
    )
    bom = READER.read(path)
    assert bom.tools == ["CycloneDX Maven plugin 2.0.2"]
    assert [(c.name, c.hashes, c.bom_ref) for c in bom] == [("a", (), None)]


def test_newer_minor_version_is_read_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "bom.xml"
    path.write_text(XML.read_text().replace("bom/1.6", "bom/1.7"))
    bom = READER.read(path)
    assert len(bom) == 4 and "CycloneDX 1.7 read as 1.6" in bom.warnings[1]


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE bom [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components><component type="library">
<name>&lol3;</name></component></components></bom>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>

<!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><metadata><timestamp>&xxe;</timestamp>
</metadata></bom>
"""
EXTERNAL_DTD = (
    b'<?xml version="1.0"?>\n<!DOCTYPE bom SYSTEM "http://attacker.example/x.dtd">\n'
    b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5"/>'
)


@pytest.mark.parametrize(
    ("data", "reason", "line"),
    [
        (BILLION_LAUGHS, "DTD not allowed", 2),
        (EXTERNAL_ENTITY, "DTD not allowed", 3),
        (EXTERNAL_DTD, "DTD not allowed", 2),
        (b"", "file is empty", None),
        (b"  \n", "file is empty", None),
        (
            b'<?xml version="1.0"?>\n<bom xmlns="http://cyclonedx.org/schema/bom/1.5">\n'
            b"<components><component>",
            "invalid XML: no element found",
            3,
        ),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", "invalid XML", 1),
        (b'{"bomFormat": "CycloneDX"}', "invalid XML: not well-formed", 1),
        (b'<bom xmlns="http://example.com/bom"/>', "not a CycloneDX <bom>", 1),
        (b'<project xmlns="http://cyclonedx.org/schema/bom/1.5"/>', "not a CycloneDX <bom>", 1),
        (
            b'<bom xmlns="http://cyclonedx.org/schema/bom/1.1"/>',
            "unsupported CycloneDX specVersion '1.1'",
            None,
        ),
        (b'<?xml version="1.0" encoding="nope"?><bom/>', "invalid XML", None),
        (b"<bom>" * 1000 + b"x", "XML nested deeper than 200 levels", 1),
    ],
    ids=[
        "billion-laughs",
        "external-entity",
        "external-dtd",
        "empty",
        "blank",
        "truncated",
        "binary",
        "json",
        "other-namespace",
        "other-root",
        "version-1.1",
        "bad-encoding",
        "deep-unclosed",
    ],
)
def test_bad_documents(tmp_path: Path, data: bytes, reason: str, line: int | None) -> None:
    path = tmp_path / "bom.xml"
    path.write_bytes(data)
    assert_refused(READER, path, reason, line)


def test_nesting_is_bounded(tmp_path: Path) -> None:
    def nested(levels: int) -> str:
        return (
            '<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components>\n'
            + '<component type="library"><name>a</name><components>' * levels
            + "</components></component>" * levels
            + "</components></bom>"
        )

    path = tmp_path / "bom.xml"
    path.write_text(nested(60))
    # 60 purl-less components, all kept, one warning line
    bom = READER.read(path)
    assert len(bom) == 60 and len({c.ref for c in bom}) == 60
    assert len(bom.warnings) == 1 and "60 component(s) have no usable purl" in bom.warnings[0]
    path.write_text(nested(120))
    assert_refused(READER, path, "XML nested deeper than 200 levels", 2)


def test_shared_examples_read_like_their_json_twins(shared_data: Path) -> None:
    base = shared_data / "sbom/cyclonedx-examples/SBOM"
    pairs = [(x, x.with_suffix(".json")) for x in sorted(base.rglob("*.xml"))]
    pairs = [(x, j) for x, j in pairs if j.exists() and ".1.1." not in x.name]
    assert len(pairs) >= 12
    for xml, twin in pairs:
        bom, other = READER.read(xml), CycloneDxJsonReader().read(twin)
        assert {c.purl for c in bom} == {c.purl for c in other}, xml
        assert bom.edges == other.edges, xml
        assert (bom.subject and bom.subject.name) == (other.subject and other.subject.name)
        assert bom.tools == other.tools, xml  # timestamps differ: generated apart


def test_shared_real_world(shared_data: Path) -> None:
    path = (
        shared_data / "sbom/real-world"
        "/DependencyTrack__dependency-track__30819d7b88__apiserver_src_test_resources_unit_bom-issue2519.xml"
    )
    bom = READER.read(path)
    # 2185 <component> elements (metadata's tools and subject included), 1756 distinct purls
    assert len(bom) == 1756 and bom.spec == "CycloneDX 1.5"
    assert {c.ecosystem for c in bom} == {"npm", "Maven"}
    assert bom.subject is not None and bom.subject.name == "projx-client"
    # cyclonedx-npm listed twice in metadata.tools, kept once
    assert bom.tools == [
        "@cyclonedx cyclonedx-npm 1.7.2",
        "OWASP Foundation CycloneDX Maven plugin 2.7.4",
    ]


TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1)
COMPONENT = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["library", "framework", "application", "file"]),
        "name": st.from_regex(r"[a-z][a-z0-9-]{0,12}", fullmatch=True),
        "version": st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3}){0,2}", fullmatch=True),
        "scope": st.sampled_from(["required", "optional", "excluded"]),
        "description": TEXT,
        "author": TEXT,
        "licenses": st.lists(
            st.one_of(
                st.builds(lambda i: {"license": {"id": i}}, st.sampled_from(["MIT", "0BSD"])),
                st.builds(lambda n: {"license": {"name": n}}, TEXT),
                st.builds(lambda e: {"expression": e}, st.just("MIT OR Apache-2.0")),
            ),
            max_size=3,
        ),
        "properties": st.lists(
            st.builds(lambda n, v: {"name": n, "value": v}, TEXT, TEXT), max_size=2
        ),
    }
)


def to_xml(doc: dict[str, Any]) -> bytes:
    ns = "http://cyclonedx.org/schema/bom/1.5"
    ET.register_namespace("", ns)

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        elem = ET.SubElement(parent, f"{{{ns}}}{tag}", attrs)
        elem.text = text
        return elem

    root = ET.Element(f"{{{ns}}}bom", {"version": "1"})
    components = sub(root, "components")
    for c in doc["components"]:
        elem = sub(components, "component", type=c["type"], **{"bom-ref": c["bom-ref"]})
        for key in ("author", "name", "version", "description", "scope", "purl"):
            sub(elem, key, c[key])
        licences = sub(elem, "licenses")
        for lic in c["licenses"]:
            if "expression" in lic:
                sub(licences, "expression", lic["expression"])
            else:
                choice = sub(licences, "license")
                for key, value in lic["license"].items():
                    sub(choice, key, value)
        properties = sub(elem, "properties")
        for prop in c["properties"]:
            sub(properties, "property", prop["value"], name=prop["name"])
    dependencies = sub(root, "dependencies")
    for dep in doc["dependencies"]:
        elem = sub(dependencies, "dependency", ref=dep["ref"])
        for ref in dep["dependsOn"]:
            sub(elem, "dependency", ref=ref)
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(COMPONENT, max_size=6), st.data())
def test_both_encodings_of_one_bom_read_the_same(
    tmp_path: Path, components: list[dict[str, Any]], data: st.DataObject
) -> None:
    """CycloneDX 1.5 defines one object model with a JSON and an XML encoding:
    the same BOM in either encoding must give the same :class:`Bom`."""
    for i, c in enumerate(components):
        c["bom-ref"] = f"ref-{i}"
        c["purl"] = f"pkg:npm/{c['name']}@{c['version']}"
    refs = [c["bom-ref"] for c in components]
    dependencies = [
        {"ref": ref, "dependsOn": data.draw(st.lists(st.sampled_from(refs), unique=True))}
        for ref in refs
    ]
    doc = {"bomFormat": "CycloneDX", "specVersion": "1.5", "components": components}
    doc["dependencies"] = dependencies
    as_json, as_xml = tmp_path / "bom.json", tmp_path / "bom.xml"
    as_json.write_text(json.dumps(doc))
    as_xml.write_bytes(to_xml(doc))
    assert comparable(READER.read(as_xml)) == comparable(CycloneDxJsonReader().read(as_json))

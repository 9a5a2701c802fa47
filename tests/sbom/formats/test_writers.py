"""The writer registry, and every writer read back by assay's own reader of its format.

Issue 3: "Everything the target format can hold survives a round trip; what it
cannot hold is reported, not silently dropped."
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from assay.core.errors import UsageError
from assay.sbom.discover import read_file
from assay.sbom.formats.writer import SbomWriter, WriteResult
from assay.sbom.formats.writers import NAMES, WRITERS, writer_for
from assay.sbom.model import Bom
from tests.sbom.formats._sample import hashes, rich_bom

SUFFIX = {
    "cyclonedx-json": ".cdx.json",
    "cyclonedx-xml": ".cdx.xml",
    "spdx-json": ".spdx.json",
    "spdx-tv": ".spdx",
}
#: what each format keeps of the sample's licences (see test_cyclonedx_out/test_spdx_out)
LICENCES = {
    "pkg:pypi/flask@2.0.1": None,
    "pkg:npm/%40babel/cli@7.14.8": "MIT",
    "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1": "Apache-2.0 OR MIT",
    "pkg:cargo/serde@1.0.0": "LicenseRef-BSD",
    "pkg:composer/vendor/pkg@1.2.3": "LicenseRef-Acme",
}


def test_registry() -> None:
    assert NAMES == ("cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tv")
    for writer in WRITERS:
        assert isinstance(writer, SbomWriter)
        assert writer_for(writer.name.upper()) is writer
    with pytest.raises(UsageError, match=r"unknown SBOM format 'spdx-rdf' \(choose one of"):
        writer_for("spdx-rdf")


@pytest.mark.parametrize("name", NAMES)
def test_round_trip_through_assays_reader(name: str, tmp_path: Path) -> None:
    original = rich_bom()
    result = writer_for(name).write(original)
    assert isinstance(result, WriteResult) and result.lost
    path = tmp_path / f"bom{SUFFIX[name]}"
    path.write_text(result.text, encoding="utf-8")
    back = read_file(path)
    got = {str(c.purl): c for c in back if c.purl}
    want = {str(c.purl): c for c in original}
    assert set(got) >= set(want)
    for purl, c in want.items():
        assert got[purl].version == c.version
        assert set(got[purl].hashes) == hashes(c)
    for purl, licence in LICENCES.items():
        assert got[purl].licenses == licence, (name, purl)
    purl_of = {c.ref: c.purl for c in back}
    assert {(purl_of[a], purl_of[b]) for a, b in back.edges} == {
        ("pkg:pypi/flask@2.0.1", "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"),
        ("pkg:npm/%40babel/cli@7.14.8", "pkg:npm/left-pad@1.3.0"),
    }


@pytest.mark.parametrize("name", NAMES)
def test_empty_bom(name: str, tmp_path: Path) -> None:
    path = tmp_path / f"empty{SUFFIX[name]}"
    path.write_text(writer_for(name).write(Bom()).text, encoding="utf-8")
    assert [c for c in read_file(path) if c.purl] == []


@pytest.mark.parametrize("name", ["cyclonedx-json", "cyclonedx-xml"])
def test_cyclonedx_survives_its_own_reader_whole(name: str, tmp_path: Path) -> None:
    """Components, properties (incl. assay:source provenance), graph, subject, tools, authors."""
    import json

    json_writer = writer_for("cyclonedx-json")
    path = tmp_path / f"bom{SUFFIX[name]}"
    path.write_text(writer_for(name).write(rich_bom()).text, encoding="utf-8")
    first = json.loads(json_writer.write(rich_bom()).text)
    again = json.loads(json_writer.write(read_file(path)).text)
    for doc in (first, again):
        del doc["serialNumber"]  # new for every document
        for component in doc["components"]:
            component["name"] = component["name"].lower()  # the reader names PyPI packages by purl
            # reported in ``lost``: unknown beside known direct reads back as transitive
            component["properties"] = [
                p
                for p in component["properties"]
                if p != {"name": "assay:direct", "value": "false"}
            ]
    # a licence name is read back as LicenseRef-<name> (the reader's normal form)
    serde = next(c for c in first["components"] if c["name"] == "serde")
    serde["licenses"] = [{"expression": "LicenseRef-BSD"}]
    assert again == first


@pytest.mark.parametrize("name", ["spdx-json", "spdx-tv"])
def test_spdx_survives_its_own_reader_with_assays_comment(name: str, tmp_path: Path) -> None:
    """SPDX has no scope or source field: assay's package comment carries them through."""
    import json

    path = tmp_path / f"bom{SUFFIX[name]}"
    path.write_text(writer_for(name).write(rich_bom()).text, encoding="utf-8")
    back = read_file(path)
    first = json.loads(writer_for("spdx-json").write(rich_bom()).text)
    again = json.loads(writer_for("spdx-json").write(back).text)

    def packages(doc: dict[str, Any]) -> dict[str, tuple[Any, ...]]:
        # unknown direct/transitive reads back as transitive (reported in ``lost``)
        return {
            p["SPDXID"]: (
                p.get("versionInfo"),
                p.get("comment", "").replace("\nassay:direct=false", ""),
                p.get("checksums"),
                p.get("licenseDeclared"),
            )
            for p in doc["packages"]
            if p.get("externalRefs")
        }

    assert packages(again) == packages(first)
    cdx = json.loads(writer_for("cyclonedx-json").write(back).text)
    scopes = {c["purl"]: c["scope"] for c in cdx["components"]}
    assert scopes.pop("pkg:npm/%40babel/cli@7.14.8") == "excluded"
    assert scopes.pop("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1") == "optional"
    assert set(scopes.values()) == {"required"}


TESTDATA = Path(__file__).parent / "testdata"
#: every format once, back to the first
CHAIN = ("cyclonedx-json", "cyclonedx-xml", "spdx-json", "spdx-tv", "cyclonedx-json")


def _licence(expression: str | None) -> str | None:
    """One spelling of an expression: spdx-tools drops outer parentheses."""
    if expression and expression.startswith("(") and expression.endswith(")"):
        return expression[1:-1]
    return expression


def _snapshot(bom: Bom) -> tuple[Any, ...]:
    """What every format holds of a component, and the graph, by (name, version)."""
    components = sorted(
        (c.name, c.version, frozenset(hashes(c)), _licence(c.licenses), bool(c.purl)) for c in bom
    )
    label = {c.ref: (c.name, c.version) for c in bom}
    edges = sorted((label[a], label[b]) for a, b in bom.edges)
    direct = sorted((c.name, c.version) for c in bom if c.direct)
    return len(bom), components, edges, direct


@pytest.mark.parametrize(
    ("start", "chain"),
    [
        ("purl-less-1.6.cdx.json", CHAIN),
        # a package without externalRefs (no purl), in a document SPDX wrote
        ("sbom-2.3.spdx.json", ("spdx-json", *CHAIN[1:], "spdx-json")),
    ],
)
def test_components_without_purl_survive_every_format(
    start: str, chain: tuple[str, ...], tmp_path: Path
) -> None:
    """Issue 3: files, devices, cryptographic assets, OS images and packages without a purl
    keep their count, names, versions, hashes, licences and edges through every format."""
    bom = read_file(TESTDATA / start)
    first = _snapshot(bom)
    assert any(not c.purl for c in bom)
    kinds = sorted(c.kind for c in bom)
    for step, name in enumerate(chain[1:], start=1):
        path = tmp_path / f"step{step}{SUFFIX[name]}"
        path.write_text(writer_for(name).write(bom).text, encoding="utf-8")
        bom = read_file(path)
        assert _snapshot(bom) == first, name
    # SPDX has no purpose for some CycloneDX types: assay's package comment carries them
    assert sorted(c.kind for c in bom) == kinds
    assert all(c.ecosystem == "" for c in bom if not c.purl)


def test_purl_less_components_keep_type_and_ref_in_cyclonedx(tmp_path: Path) -> None:
    import json

    bom = read_file(TESTDATA / "purl-less-1.6.cdx.json")
    doc = json.loads(writer_for("cyclonedx-json").write(bom).text)
    got = {c["bom-ref"]: (c["type"], "purl" in c) for c in doc["components"]}
    assert got == {
        "express": ("library", True),
        "file-1": ("file", False),
        "hw-1": ("device", False),
        "crypto-1": ("cryptographic-asset", False),
        "os-1": ("operating-system", False),
        "assay:firmware/bios@2.3": ("firmware", False),
    }


def test_what_spdx_cannot_hold_is_reported() -> None:
    bom = read_file(TESTDATA / "purl-less-1.6.cdx.json")
    lost = writer_for("spdx-json").write(bom).lost
    assert (
        "component types SPDX 2.3 has no purpose for, written as OTHER (type kept in the "
        "package comment): 1 (e.g. cryptographic-asset)"
    ) in lost


def _cyclonedx_json_count(text: str) -> int:
    import json

    doc = json.loads(text)
    keys: set[str] = set()
    stack = list(doc.get("components") or [])
    while stack:
        item = stack.pop()
        stack.extend(item.get("components") or [])
        keys.add(item.get("purl") or item.get("bom-ref") or f"#{len(keys)}")
    return len(keys)


def _cyclonedx_xml_count(text: str) -> int:
    from defusedxml import ElementTree

    root = ElementTree.fromstring(text.encode())
    ns = root.tag[: root.tag.index("}") + 1]
    keys: set[str] = set()
    top = root.find(f"{ns}components")
    stack = list(top) if top is not None else []
    while stack:
        item = stack.pop()
        nested = item.find(f"{ns}components")
        stack.extend(nested if nested is not None else [])
        purl = (item.findtext(f"{ns}purl") or "").strip()
        keys.add(purl or item.get("bom-ref") or f"#{len(keys)}")
    return len(keys)


def _spdx_json_count(text: str) -> int:
    import json

    keys: set[str] = set()
    for package in json.loads(text).get("packages") or []:
        purls = [
            r["referenceLocator"]
            for r in package.get("externalRefs") or []
            if r.get("referenceType") == "purl"
        ]
        keys.add(purls[0] if purls else package["SPDXID"])
    return len(keys)


def _spdx_tv_count(text: str) -> int:
    keys: list[list[str]] = []  # per package: its SPDXID, then its purls
    section = ""
    for line in text.splitlines():
        tag, _, value = line.partition(":")
        value = value.strip()
        if tag in ("PackageName", "FileName", "SnippetSPDXID", "LicenseID"):
            section = tag
            if tag == "PackageName":
                keys.append([])
        elif section == "PackageName" and tag == "SPDXID":
            keys[-1].insert(0, value)
        elif section == "PackageName" and tag == "ExternalRef" and " purl " in f" {value} ":
            keys[-1].append(value.split()[2])
    return len({k[1] if len(k) > 1 else k[0] for k in keys})


COUNTERS = {
    "cyclonedx-json": _cyclonedx_json_count,
    "cyclonedx-xml": _cyclonedx_xml_count,
    "spdx-json": _spdx_json_count,
    "spdx-tv": _spdx_tv_count,
}


def _shared_documents(shared_data: Path) -> list[tuple[Path, str]]:
    base = shared_data / "sbom"
    found: list[tuple[Path, str]] = []
    for kind in ("HBOM", "CBOM", "OBOM", "SBOM"):
        for path in sorted((base / "cyclonedx-examples" / kind).rglob("*")):
            text = path.read_text(errors="replace") if path.is_file() else ""
            if path.suffix == ".json" and '"bomFormat"' in text:
                found.append((path, "cyclonedx-json"))
            elif path.suffix == ".xml" and "schema/bom/1.1" not in text:  # 1.1: not read
                found.append((path, "cyclonedx-xml"))
    for path in sorted((base / "spdx-examples").rglob("*")):
        if path.name.endswith(".spdx.json") or path.parent.name == "SPDXVersion2.3":
            found.append((path, "spdx-json"))
        elif path.suffix == ".spdx":
            found.append((path, "spdx-tv"))
    for path in sorted((base / "real-world").iterdir()):
        if path.suffix == ".xml":
            found.append((path, "cyclonedx-xml"))
        elif path.suffix == ".json":
            text = path.read_text()
            found.append((path, "cyclonedx-json" if '"bomFormat"' in text else "spdx-json"))
    return found


#: documents above this size (~500 components) run in the slow test only
LARGE = 200_000


def test_shared_documents_keep_every_component_in_their_own_format(shared_data: Path) -> None:
    """Issue 3: reading a real document and writing it in its own format keeps every
    component (CycloneDX) or package (SPDX), purl or not, counted independently of assay's
    readers: one per purl, else per bom-ref/SPDXID. HBOM, CBOM, OBOM, SPDX examples and
    the smaller SBOMs here; the large ones in the slow test below."""
    documents = [(p, f) for p, f in _shared_documents(shared_data) if p.stat().st_size < LARGE]
    assert {fmt for _, fmt in documents} == set(COUNTERS) and len(documents) >= 30
    for kind in ("HBOM", "CBOM", "OBOM"):
        assert any(kind in p.parts for p, _ in documents), kind
    _check_counts(documents)


@pytest.mark.slow
def test_large_shared_documents_keep_every_component_in_their_own_format(
    shared_data: Path,
) -> None:
    documents = [(p, f) for p, f in _shared_documents(shared_data) if p.stat().st_size >= LARGE]
    assert len(documents) >= 10
    _check_counts(documents)


def _check_counts(documents: list[tuple[Path, str]]) -> None:
    for path, fmt in documents:
        want = COUNTERS[fmt](path.read_text(encoding="utf-8"))
        bom = read_file(path)
        if bom.subject is None and fmt.startswith("spdx"):
            want += 1  # a document that describes nothing: the writer names its product
        text = writer_for(fmt).write(bom).text
        assert COUNTERS[fmt](text) == want, path

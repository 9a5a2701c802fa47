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

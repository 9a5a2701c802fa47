from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from assay.sbom.formats.cyclonedx_json import CycloneDxJsonReader
from assay.sbom.formats.cyclonedx_xml import CycloneDxXmlReader
from assay.sbom.formats.interface import InvalidSbom, SbomReader
from assay.sbom.formats.registry import BY_NAME, READERS, reader_for
from assay.sbom.formats.spdx_json import SpdxJsonReader
from assay.sbom.formats.spdx_tv import SpdxTagValueReader

DATA = Path(__file__).parent / "testdata"


def test_readers_conform_and_are_named_uniquely() -> None:
    assert all(isinstance(r, SbomReader) for r in READERS)
    assert set(BY_NAME) == {"cyclonedx-json", "spdx-json", "cyclonedx-xml", "spdx-tv"}


def test_sniffs_by_content_not_name(tmp_path: Path) -> None:
    cdx = shutil.copy(DATA / "bom-1.5.cdx.json", tmp_path / "anything.txt")
    spdx = shutil.copy(DATA / "sbom-2.3.spdx.json", tmp_path / "bom.json")
    assert isinstance(reader_for(Path(cdx)), CycloneDxJsonReader)
    assert isinstance(reader_for(Path(spdx)), SpdxJsonReader)


def test_sniff_late_markers(tmp_path: Path) -> None:
    # spdxVersion after 4 KiB of files: the SPDXID markers decide
    doc = {"files": [{"SPDXID": f"SPDXRef-f{i}", "fileName": f"./{i}"} for i in range(200)]}
    spdx = tmp_path / "late.json"
    spdx.write_text(json.dumps({**doc, "spdxVersion": "SPDX-2.2"}))
    assert isinstance(reader_for(spdx), SpdxJsonReader)
    # bomFormat after 4 KiB, but the $schema first
    cdx = tmp_path / "late-cdx.json"
    cdx.write_text(
        json.dumps(
            {
                "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
                "metadata": {"x": "y" * 5000},
                "bomFormat": "CycloneDX",
            }
        )
    )
    assert isinstance(reader_for(cdx), CycloneDxJsonReader)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x00\x01binary",
        b'[{"bomFormat": "CycloneDX"}]',
        b'{"name": "not an sbom"}',
        b'<?xml version="1.0"?><bom xmlns="http://example.com/not-cyclonedx"/>',
        b"<project><bom/></project>",
        b"PackageName: x\nSPDXID: SPDXRef-x\n",
        b'{"@context": "https://spdx.org/rdf/3.0.1/spdx-context.jsonld", "spdxId": "x"}',
        b'{"lockfileVersion": 3, "packages": {}}',
    ],
    ids=[
        "empty",
        "binary",
        "array",
        "plain-json",
        "other-xml",
        "xml-without-namespace",
        "tag-value-without-version",
        "spdx3",
        "package-lock",
    ],
)
def test_unrecognised_documents(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "doc"
    path.write_bytes(data)
    assert reader_for(path) is None


def test_sniffs_xml_and_tag_value(tmp_path: Path) -> None:
    xml = tmp_path / "bom.txt"
    xml.write_bytes(
        b'<?xml version="1.0"?>\n<!-- a comment -->\n'
        b'<cdx:bom xmlns:cdx="http://cyclonedx.org/schema/bom/1.4" version="1"/>'
    )
    assert isinstance(reader_for(xml), CycloneDxXmlReader)
    tv = tmp_path / "doc"
    tv.write_bytes(b"## comment\n\nSPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n")
    assert isinstance(reader_for(tv), SpdxTagValueReader)


def test_unreadable_path(tmp_path: Path) -> None:
    with pytest.raises(InvalidSbom, match="cannot read"):
        reader_for(tmp_path / "missing.json")
    with pytest.raises(InvalidSbom, match="not a regular file"):
        reader_for(tmp_path)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InvalidSbom, match="not a regular file"):
        reader_for(fifo)


def test_every_shared_json_document_is_claimed_or_spdx3(shared_data: Path) -> None:
    docs = sorted((shared_data / "sbom").rglob("*.json"))
    assert len(docs) > 100
    unclaimed = [p for p in docs if reader_for(p) is None]
    assert unclaimed and all("spdx3" in str(p) or "spdx-schema" in p.name for p in unclaimed)
    for path in docs:
        reader = reader_for(path)
        if reader is not None:
            reader.read(path)  # no document in the set is refused

"""SPDX 2.2 and 2.3 tag-value documents (``.spdx``).

A line-based reader of our own rather than spdx-tools' parser: spdx-tools
builds its grammar with ply at import (hundreds of milliseconds, and it writes
parser tables), collects errors as free text without a dependable line, and
accepts only what its model holds. This reader keeps a line number for every
element, so each error is ``FILE:LINE: reason``, and reads the document in one
pass with memory bounded by the input size limit. spdx-tools is still used, by
``assay sbom validate``, for conformance checking.

The document is turned into the SPDX JSON shape (``packages``,
``relationships``, ``creationInfo`` ...) and built by
:func:`assay.sbom.formats.spdx_json.build_bom`, so the two encodings of one
document give the same :class:`Bom`. Tags this reader does not need (files,
snippets, annotations, extracted licences) are skipped; a file's or snippet's
``SPDXID`` never attaches to a package. Multi-line values are
``<text>...</text>``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from assay.core.inputs import read_bytes
from assay.sbom.formats.interface import InvalidSbom
from assay.sbom.formats.spdx_json import SUPPORTED, build_bom
from assay.sbom.model import Bom

_SNIFF = re.compile(rb"(?m)^[ \t]*SPDXVersion:[ \t]*SPDX-")
_TAG = re.compile(r"^([A-Za-z][A-Za-z0-9]*):[ \t]?(.*)$")
#: tags that start a new element; what follows (SPDXID ...) belongs to it
_SECTIONS = {
    "PackageName": "package",
    "FileName": "file",
    "SnippetSPDXID": "snippet",
    "LicenseID": "license",
    "Annotator": "annotation",
}
_PACKAGE_TEXT = {
    "SPDXID": "SPDXID",
    "PackageVersion": "versionInfo",
    "PackageSupplier": "supplier",
    "PackageOriginator": "originator",
    "PackageDownloadLocation": "downloadLocation",
    "PackageHomePage": "homepage",
    "PackageLicenseConcluded": "licenseConcluded",
    "PackageLicenseDeclared": "licenseDeclared",
    "PackageCopyrightText": "copyrightText",
    "PackageSummary": "summary",
    "PackageDescription": "description",
    "PackageComment": "comment",
    "PackageSourceInfo": "sourceInfo",
    "PrimaryPackagePurpose": "primaryPackagePurpose",
    "PackageFileName": "packageFileName",
}
_DOCUMENT_TEXT = {
    "SPDXID": "SPDXID",
    "DocumentName": "name",
    "DocumentNamespace": "documentNamespace",
    "DataLicense": "dataLicense",
}


class SpdxTagValueReader:
    name = "spdx-tv"

    def sniff(self, path: Path, head: bytes) -> bool:
        return _SNIFF.search(head) is not None

    def read(self, path: Path) -> Bom:
        doc = load_document(path)
        return build_bom(path, doc, str(doc["spdxVersion"]))


def lines_of(path: Path) -> list[tuple[int, str, str]]:
    """``(line, tag, value)`` for every tag, ``<text>`` values joined; InvalidSbom otherwise."""
    data = read_bytes(path, error=InvalidSbom)
    if b"\x00" in data[:8192]:
        raise InvalidSbom(path, "binary file, not an SPDX tag-value document")
    text = data.decode("utf-8-sig", errors="replace")
    if not text.strip():
        raise InvalidSbom(path, "file is empty")
    out: list[tuple[int, str, str]] = []
    raw = text.splitlines()
    i = 0
    while i < len(raw):
        line, number = raw[i].strip(), i + 1
        i += 1
        if not line or line.startswith("#"):
            continue
        m = _TAG.match(line)
        if m is None:
            raise InvalidSbom(path, f"expected 'Tag: value', got {line[:60]!r}", line=number)
        tag, value = m.group(1), m.group(2).strip()
        if value.startswith("<text>"):
            parts = [value[len("<text>") :]]
            while "</text>" not in parts[-1]:  # each line is searched once: linear time
                if i >= len(raw):
                    raise InvalidSbom(path, f"{tag}: <text> is never closed", line=number)
                parts.append(raw[i])
                i += 1
            parts[-1] = parts[-1][: parts[-1].index("</text>")]
            value = "\n".join(parts).strip()
        out.append((number, tag, value))
    return out


def load_document(path: Path) -> dict[str, Any]:
    """The document in SPDX JSON's shape; packages and relationships keep their ``"__line"``."""
    tags = lines_of(path)
    if not tags or tags[0][1] != "SPDXVersion":
        line = tags[0][0] if tags else None
        raise InvalidSbom(path, "an SPDX tag-value document starts with SPDXVersion", line=line)
    version = tags[0][2]
    if version not in SUPPORTED:
        raise InvalidSbom(
            path,
            f"unsupported SPDXVersion {version!r} (reads {', '.join(SUPPORTED)})",
            line=tags[0][0],
        )
    doc: dict[str, Any] = {"spdxVersion": version, "packages": [], "relationships": []}
    creators: list[str] = []
    section = "document"
    package: dict[str, Any] = {}
    for number, tag, value in tags[1:]:
        if tag in _SECTIONS:
            section = _SECTIONS[tag]
            if section == "package":
                package = {"name": value, "__line": number}
                doc["packages"].append(package)
            elif section == "snippet":  # the tag is the snippet's SPDXID
                doc.setdefault("snippets", []).append({"SPDXID": value, "__line": number})
            continue
        if tag == "SPDXID" and section == "file":  # kept so relationships to files resolve
            doc.setdefault("files", []).append({"SPDXID": value, "__line": number})
            continue
        if tag == "Relationship":
            doc["relationships"].append(_relationship(path, number, value))
        elif section == "document" and tag in _DOCUMENT_TEXT:
            doc[_DOCUMENT_TEXT[tag]] = value
        elif section == "document" and tag == "Creator":
            creators.append(value)
        elif section == "document" and tag == "Created":
            doc.setdefault("creationInfo", {})["created"] = value
        elif section == "package":
            _package_tag(path, package, number, tag, value)
    if creators:
        doc.setdefault("creationInfo", {})["creators"] = creators
    return doc


def _package_tag(path: Path, package: dict[str, Any], number: int, tag: str, value: str) -> None:
    if tag in _PACKAGE_TEXT:
        package[_PACKAGE_TEXT[tag]] = value
    elif tag == "ExternalRef":
        parts = value.split(None, 2)
        if len(parts) != 3:
            raise InvalidSbom(path, "ExternalRef needs 'CATEGORY TYPE LOCATOR'", line=number)
        package.setdefault("externalRefs", []).append(
            {
                "referenceCategory": parts[0].replace("_", "-"),
                "referenceType": parts[1],
                "referenceLocator": parts[2],
                "__line": number,
            }
        )
    elif tag == "PackageChecksum":
        algorithm, sep, checksum = value.partition(":")
        if not sep or not algorithm.strip() or not checksum.strip():
            raise InvalidSbom(path, "PackageChecksum needs 'ALGORITHM: value'", line=number)
        package.setdefault("checksums", []).append(
            {"algorithm": algorithm.strip(), "checksumValue": checksum.strip()}
        )


def _relationship(path: Path, number: int, value: str) -> dict[str, Any]:
    parts = value.split()
    if len(parts) != 3:
        raise InvalidSbom(
            path, f"Relationship needs 'SPDXID TYPE SPDXID', got {value[:60]!r}", line=number
        )
    return {
        "spdxElementId": parts[0],
        "relationshipType": parts[1],
        "relatedSpdxElement": parts[2],
        "__line": number,
    }

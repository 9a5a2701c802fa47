"""SPDX 2.3 output, JSON and tag-value, built and serialised with ``spdx-tools``.

Mapping from the model (one package per package version, see ``_output``):

- creation info: ``created`` (the Bom's timestamp, else now), creators
  ``Tool: assay-VERSION`` plus the input's tools and authors, a
  ``documentNamespace`` unique to each written document.
- the subject (``Bom.subject``, else a synthetic package named after the
  input) is the package the document ``DESCRIBES``; it ``DEPENDS_ON`` the
  direct components, and ``Bom.edges`` become ``DEPENDS_ON`` relationships.
- package: SPDXID from the document's own ref when it is an SPDXID, else from
  the sanitised ref; ``versionInfo``; ``downloadLocation`` from a
  ``distribution``/``vcs`` reference, else NOASSERTION; ``homepage`` from a
  ``website`` reference; ``licenseConcluded`` NOASSERTION (assay concludes
  nothing) and ``licenseDeclared`` the stated expression; checksums (hex);
  supplier (Organization), originator (Person, from the author); external
  refs ``PACKAGE-MANAGER purl`` and ``SECURITY cpe23Type``/``cpe22Type``.
- SPDX 2.3 has no component scope, no free-form properties, no field for
  the file a package came from and no purpose for some CycloneDX types
  (cryptographic-asset, platform ...): these go into the package ``comment``
  as ``assay:scope=dev`` / ``assay:kind=...`` lines and are reported as lost
  (a comment is not data); assay reads them back from its own documents.
- CycloneDX component fields the model does not hold (``Component.extensions``:
  cryptoProperties, evidence, pedigree ...) are not written; how many
  components had each is reported as lost.
- A package without a purl (a file, a device ...) is written without the
  ``purl`` reference; a subject that is also a component is written once.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from uuid import uuid4

from assay.sbom.formats._output import (
    SPDX_COMMENT,
    TOOL_NAME,
    TOOL_VERSION,
    Entry,
    Losses,
    canonical_hash,
    entries,
    note_extensions,
    replace_surrogates,
    split_tool,
    subject,
    timestamp,
)
from assay.sbom.formats._spdx_licences import Licences
from assay.sbom.formats.writer import SbomWriteError, WriteResult
from assay.sbom.model import Bom, Component, Scope

if TYPE_CHECKING:
    from spdx_tools.spdx.model.document import Document
    from spdx_tools.spdx.model.package import Package

_ID_CHARS = re.compile(r"[^A-Za-z0-9.]+")  # "-" too: runs of dashes collapse to one
_SPDXID = re.compile(r"^SPDXRef-[A-Za-z0-9.-]+$")
_CPE23 = "cpe:2.3:"
#: what SPDX 2.3 (Annex F) accepts as a purl locator
_PURL = re.compile(r"^pkg:.+(/.+)?/.+(@.+)?(\?.+)?(#.+)?$")
#: properties the SPDX readers keep that have their own package field
_PACKAGE_FIELDS = frozenset({"spdx:copyrightText", "spdx:sourceInfo"})
#: model hash algorithm -> spdx-tools ChecksumAlgorithm member name
_CHECKSUM = {
    "MD5": "MD5",
    "SHA-1": "SHA1",
    "SHA-256": "SHA256",
    "SHA-384": "SHA384",
    "SHA-512": "SHA512",
    "SHA3-256": "SHA3_256",
    "SHA3-384": "SHA3_384",
    "SHA3-512": "SHA3_512",
    "BLAKE2b-256": "BLAKE2B_256",
    "BLAKE2b-384": "BLAKE2B_384",
    "BLAKE2b-512": "BLAKE2B_512",
    "BLAKE3": "BLAKE3",
}
_PURPOSE = {
    "application": "APPLICATION",
    "framework": "FRAMEWORK",
    "library": "LIBRARY",
    "container": "CONTAINER",
    "operating-system": "OPERATING_SYSTEM",
    "device": "DEVICE",
    "firmware": "FIRMWARE",
    "file": "FILE",
    # SPDX's own purposes, read back from SPDX documents, kept for SPDX output
    "source": "SOURCE",
    "archive": "ARCHIVE",
    "install": "INSTALL",
    "other": "OTHER",
}


class SpdxJsonWriter:
    name = "spdx-json"

    def write(self, bom: Bom) -> WriteResult:
        from spdx_tools.spdx.writer.json.json_writer import write_document_to_stream

        return _write(bom, write_document_to_stream)


class SpdxTagValueWriter:
    name = "spdx-tv"

    def write(self, bom: Bom) -> WriteResult:
        from spdx_tools.spdx.writer.tagvalue.tagvalue_writer import write_document_to_stream

        return _write(bom, write_document_to_stream)


def _write(bom: Bom, serialise: Callable[..., None]) -> WriteResult:
    document, losses = build(bom)
    out = io.StringIO()
    try:
        # validated in the tests (validate_full_spdx_document); here it would
        # cost more than building the document. build() makes no duplicates,
        # and spdx-tools' de-duplication deep-copies the whole document.
        serialise(document, out, validate=False, drop_duplicates=False)
    except (ValueError, TypeError) as exc:
        raise SbomWriteError(f"cannot write SPDX: {exc}") from None
    text = replace_surrogates(out.getvalue(), losses)
    return WriteResult(text if text.endswith("\n") else text + "\n", losses.lines())


def build(bom: Bom) -> tuple[Document, Losses]:
    """The spdx-tools Document for ``bom`` and what did not fit."""
    from spdx_tools.spdx.model.actor import Actor, ActorType
    from spdx_tools.spdx.model.document import CreationInfo, Document
    from spdx_tools.spdx.model.relationship import Relationship, RelationshipType

    losses = Losses()
    ids = _Ids()
    root = subject(bom)
    creators = [Actor(ActorType.TOOL, f"{TOOL_NAME}-{TOOL_VERSION}")]
    for tool in bom.tools:
        name, version = split_tool(tool)
        if name and name != TOOL_NAME:
            creators.append(Actor(ActorType.TOOL, f"{name}-{version}" if version else name))
    creators.extend(Actor(ActorType.PERSON, a.strip()) for a in bom.authors if a.strip())
    namespace = f"https://spdx.org/spdxdocs/{quote(root.name or 'sbom', safe='')}-{uuid4()}"
    info = CreationInfo(
        spdx_version="SPDX-2.3",
        spdx_id="SPDXRef-DOCUMENT",
        name=root.name or "sbom",
        document_namespace=namespace,
        creators=creators,
        created=timestamp(bom),
    )
    licences = Licences(losses)
    merged = entries(bom)
    # a subject that is also one of the components (an SPDX document's described
    # package with a purl) is written once, as that component
    root_key = next(
        (e.key for e in merged.items if root.bom_ref and root.bom_ref == e.component.bom_ref),
        None,
    )
    packages = []
    if root_key is None:
        packages.append(_package(Entry("", root, ()), ids, licences, losses, is_subject=True))
    by_ref: dict[str, str] = {}
    for entry in merged.items:
        package = _package(entry, ids, licences, losses)
        packages.append(package)
        by_ref[entry.key] = package.spdx_id
    root_package = packages[0] if root_key is None else packages[list(by_ref).index(root_key)]
    _note_model_losses(merged.items, losses)
    if root_key is None:
        note_extensions(root, losses, "SPDX 2.3")
    relationships = [
        Relationship("SPDXRef-DOCUMENT", RelationshipType.DESCRIBES, root_package.spdx_id)
    ]
    relationships.extend(
        Relationship(root_package.spdx_id, RelationshipType.DEPENDS_ON, by_ref[e.key])
        for e in merged.items
        if e.component.direct and e.key != root_key
    )
    for parent, children in merged.edges(bom).items():
        relationships.extend(
            Relationship(by_ref[parent], RelationshipType.DEPENDS_ON, by_ref[child])
            for child in children
        )
    document = Document(
        creation_info=info,
        packages=packages,
        relationships=relationships,
        extracted_licensing_info=licences.extracted(),
    )
    return document, losses


def _note_model_losses(merged: list[Entry], losses: Losses) -> None:
    for entry in merged:
        c = entry.component
        label = f"{c.name}@{c.version}"
        if c.scope is not Scope.REQUIRED:
            losses.add(
                f"SPDX 2.3 has no component scope: {c.scope.value} components written as plain "
                "packages (scope kept in the package comment)",
                label,
            )
        if any(k not in _PACKAGE_FIELDS and k != SPDX_COMMENT for k, _ in c.properties):
            losses.add("SPDX 2.3 has no properties: kept in the package comment", label)
        if c.direct is None:
            losses.add(
                "direct/transitive unknown: read back as transitive (not linked to the subject)",
                label,
            )
        note_extensions(c, losses, "SPDX 2.3")


class _Ids:
    """Unique SPDXIDs: a second package wanting the same id gets ``-2``, ``-3`` ..."""

    def __init__(self) -> None:
        self.used: set[str] = {"SPDXRef-DOCUMENT"}

    def take(self, c: Component) -> str:
        if c.bom_ref and _SPDXID.match(c.bom_ref):
            wanted = c.bom_ref
        else:
            raw = c.ref if c.ecosystem else f"{c.name}-{c.version}".rstrip("-")
            wanted = "SPDXRef-" + (_ID_CHARS.sub("-", raw).strip("-") or "package")
        spdx_id, n = wanted, 1
        while spdx_id in self.used:
            n += 1
            spdx_id = f"{wanted}-{n}"
        self.used.add(spdx_id)
        return spdx_id


def _package(
    entry: Entry, ids: _Ids, licences: Licences, losses: Losses, *, is_subject: bool = False
) -> Package:
    from spdx_tools.spdx.model.actor import Actor, ActorType
    from spdx_tools.spdx.model.package import Package, PackagePurpose
    from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

    c = entry.component
    label = f"{c.name}@{c.version}" if c.version else c.name
    download, homepage = _locations(c, label, losses)
    purpose = _PURPOSE.get(c.kind)
    if purpose is None:
        losses.add(
            "component types SPDX 2.3 has no purpose for, written as OTHER "
            "(type kept in the package comment)",
            c.kind,
        )
    return Package(
        spdx_id=ids.take(c),
        name=c.name or "unnamed",
        download_location=download or SpdxNoAssertion(),
        version=c.version or None,
        supplier=Actor(ActorType.ORGANIZATION, c.supplier) if c.supplier else None,
        originator=Actor(ActorType.PERSON, c.author) if c.author else None,
        files_analyzed=False,
        checksums=_checksums(c, label, losses),
        homepage=homepage,
        license_concluded=SpdxNoAssertion(),
        license_declared=licences.declared(c.licenses, label),
        copyright_text=_field(c, "spdx:copyrightText") or SpdxNoAssertion(),
        source_info=_field(c, "spdx:sourceInfo"),
        description=c.description,
        comment=None if is_subject else _comment(entry),
        external_references=_external_refs(c, label, losses),
        primary_package_purpose=PackagePurpose[purpose or "OTHER"],
    )


def _comment(entry: Entry) -> str | None:
    c = entry.component
    lines = [f"assay:source={s}" for s in entry.sources]
    if c.scope is not Scope.REQUIRED:
        lines.append(f"assay:scope={c.scope.value}")
    if c.direct is not None:
        lines.append(f"assay:direct={str(c.direct).lower()}")
    if c.kind not in _PURPOSE:
        lines.append(f"assay:kind={c.kind}")
    for key, value in c.properties:
        if key == SPDX_COMMENT:
            lines.append(value)
        elif key not in _PACKAGE_FIELDS:
            lines.append(f"{key}={value}")
    return "\n".join(lines) or None


def _field(c: Component, key: str) -> str | None:
    return next((v for k, v in c.properties if k == key), None)


def _locations(c: Component, label: str, losses: Losses) -> tuple[str | None, str | None]:
    from spdx_tools.spdx.validation.uri_validators import (
        validate_download_location,
        validate_url,
    )

    download = homepage = None
    for kind, url in c.external_refs:
        url = url.strip()
        if kind in ("distribution", "vcs") and download is None:
            if not validate_download_location(url):
                download = url
                continue
        elif kind == "website" and homepage is None and not validate_url(url):
            homepage = url
            continue
        losses.add("external references SPDX 2.3 has no field for, dropped", f"{label}: {kind}")
    return download, homepage


def _checksums(c: Component, label: str, losses: Losses) -> list[Any]:
    from spdx_tools.spdx.model.checksum import Checksum, ChecksumAlgorithm

    out = []
    for algorithm, value in dict.fromkeys(c.hashes):
        clean = canonical_hash(algorithm, value)
        if clean is None:
            losses.add(f"{algorithm} hashes (not a digest SPDX has an algorithm for)", label)
            continue
        out.append(Checksum(ChecksumAlgorithm[_CHECKSUM[clean[0]]], clean[1]))
    return out


def _external_refs(c: Component, label: str, losses: Losses) -> list[Any]:
    from spdx_tools.spdx.model.package import ExternalPackageRef, ExternalPackageRefCategory

    out = []
    purl = c.purl if (c.ecosystem or c.purl_override) else None
    if purl and not _PURL.match(purl):  # kept verbatim from a CycloneDX input
        losses.add("purls that are not Package URLs (SPDX 2.3 refuses them), dropped", label)
    elif purl:
        out.append(ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", purl))
    if c.cpe:
        kind = "cpe23Type" if c.cpe.startswith(_CPE23) else "cpe22Type"
        out.append(ExternalPackageRef(ExternalPackageRefCategory.SECURITY, kind, c.cpe))
    return out

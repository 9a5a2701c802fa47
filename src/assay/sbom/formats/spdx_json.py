"""SPDX 2.2 and 2.3 JSON documents.

Every package with an ``externalRefs`` entry of type ``purl`` becomes a
:class:`Component` (``purl_override`` = that purl as written). Packages
without one (or whose purl does not parse, kept verbatim) are components
too, with ``ecosystem=""``, one per SPDXID; they cannot be matched against
advisories, and one line of ``Bom.warnings`` says how many there are. Licence:
``licenseConcluded``, else ``licenseDeclared``; ``NOASSERTION`` and ``NONE``
state nothing. Checksums keep their value; algorithm names are spelled the
CycloneDX way (``SHA256`` -> ``SHA-256``).

Edges: ``A DEPENDS_ON B`` and ``A CONTAINS B`` give A -> B; ``A DEPENDENCY_OF
B`` (and its qualified forms, ``DEV_DEPENDENCY_OF`` ...) gives B -> A. The
packages the document describes (``documentDescribes`` or ``DESCRIBES``) are
its subject: they and what they depend on or contain are direct, the rest
transitive; a document without a subject leaves ``direct`` unknown.

For round trips: ``SPDXID`` is the component's ``bom_ref`` (so edges use the
document's own identifiers; a purl listed twice is one component, under its
first SPDXID); ``primaryPackagePurpose`` its kind; ``supplier`` and
``originator`` (without the ``Organization:``/``Person:`` prefix) its supplier
and author; ``description`` (else ``summary``), the first ``cpe23Type``/``cpe22Type``
reference, ``homepage`` (website) and ``downloadLocation`` (vcs or
distribution) are kept, and what has no field of its own (a declared licence
differing from the concluded one, copyright text, source info, comment) becomes
an ``spdx:`` property. The first described package is ``Bom.subject``, purl or
not; ``creationInfo`` gives authors (persons, organisations), tools and the
timestamp; ``documentNamespace`` the serial.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from assay.sbom.formats._json import (
    Warnings,
    as_list,
    json_object_head,
    load_object,
    unscannable_summary,
)
from assay.sbom.formats._purl import PurlError, parse_purl
from assay.sbom.formats.interface import InvalidSbom
from assay.sbom.model import Bom, Component

SUPPORTED = ("SPDX-2.2", "SPDX-2.3")
_NO_LICENCE = frozenset({"", "NOASSERTION", "NONE"})
_FORWARD = frozenset({"DEPENDS_ON", "CONTAINS"})
_SHA = re.compile(r"^SHA(\d+)$")
_CPE_TYPES = frozenset({"cpe23Type", "cpe22Type"})


class SpdxJsonReader:
    name = "spdx-json"

    def sniff(self, path: Path, head: bytes) -> bool:
        body = json_object_head(head)
        if body is None:
            return False
        if b'"spdxVersion"' in body and b"SPDX-2." in body:
            return True
        # 2.x documents may list files or packages before spdxVersion.
        return b'"SPDXID"' in body and b'"SPDXRef-' in body

    def read(self, path: Path) -> Bom:
        doc = load_object(path, "SPDX JSON")
        version = doc.get("spdxVersion")
        if version not in SUPPORTED:
            raise InvalidSbom(
                path, f"unsupported spdxVersion {version!r} (reads {', '.join(SUPPORTED)})"
            )
        return build_bom(path, doc, str(version))


def _algorithm(name: str) -> str:
    m = _SHA.match(name.upper())
    return f"SHA-{m.group(1)}" if m else name


def _checksums(value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        (_algorithm(c["algorithm"]), c["checksumValue"])
        for c in value
        if isinstance(c, dict)
        and isinstance(c.get("algorithm"), str)
        and isinstance(c.get("checksumValue"), str)
    )


def _licence(package: dict[str, Any]) -> str | None:
    for key in ("licenseConcluded", "licenseDeclared"):
        value = package.get(key)
        if isinstance(value, str) and value.strip() not in _NO_LICENCE:
            return value.strip()
    return None


def _purl(package: dict[str, Any]) -> str | None:
    refs = package.get("externalRefs")
    if not isinstance(refs, list):
        return None
    for ref in refs:
        if (
            isinstance(ref, dict)
            and ref.get("referenceType") == "purl"
            and isinstance(ref.get("referenceLocator"), str)
            and ref["referenceLocator"].strip()
        ):
            return str(ref["referenceLocator"]).strip()
    return None


def _party(value: Any) -> str | None:
    """``Person: Jane (jane@x)`` / ``Organization: Acme`` -> the name; NOASSERTION -> None."""
    if not isinstance(value, str) or value.strip() in _NO_LICENCE:
        return None
    _, sep, rest = value.partition(":")
    return (rest if sep else value).strip() or None


def _cpe(package: dict[str, Any]) -> str | None:
    for ref in package.get("externalRefs") or ():
        if (
            isinstance(ref, dict)
            and ref.get("referenceType") in _CPE_TYPES
            and isinstance(ref.get("referenceLocator"), str)
        ):
            return str(ref["referenceLocator"]).strip()
    return None


def _external_refs(package: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """homepage -> website; downloadLocation -> vcs (``git+``...) or distribution."""
    refs: list[tuple[str, str]] = []
    home = package.get("homepage")
    if isinstance(home, str) and home.strip() not in _NO_LICENCE:
        refs.append(("website", home.strip()))
    where = package.get("downloadLocation")
    if isinstance(where, str) and where.strip() not in _NO_LICENCE:
        kind = "vcs" if where.startswith(("git+", "git://", "hg+", "svn+")) else "distribution"
        refs.append((kind, where.strip()))
    return tuple(refs)


def _properties(package: dict[str, Any], licence: str | None) -> tuple[tuple[str, str], ...]:
    """What SPDX states that the model has no field for, as ``spdx:`` properties."""
    props: list[tuple[str, str]] = []
    declared = package.get("licenseDeclared")
    if isinstance(declared, str) and declared.strip() not in _NO_LICENCE | {licence}:
        props.append(("spdx:licenseDeclared", declared.strip()))
    for key in ("copyrightText", "sourceInfo", "comment"):
        value = package.get(key)
        if isinstance(value, str) and value.strip() not in _NO_LICENCE:
            props.append((f"spdx:{key}", value.strip()))
    return tuple(props)


def _details(package: dict[str, Any]) -> dict[str, Any]:
    purpose = package.get("primaryPackagePurpose")
    licence = _licence(package)
    description = package.get("description") or package.get("summary")
    return {
        "kind": purpose.strip().lower().replace("_", "-")  # OPERATING_SYSTEM -> operating-system
        if isinstance(purpose, str) and purpose.strip()
        else "library",
        "bom_ref": package.get("SPDXID") if isinstance(package.get("SPDXID"), str) else None,
        "supplier": _party(package.get("supplier")),
        "author": _party(package.get("originator")),
        "description": description.strip() if isinstance(description, str) else None,
        "cpe": _cpe(package),
        "external_refs": _external_refs(package),
        "properties": _properties(package, licence),
        "licenses": licence,
        "hashes": _checksums(package.get("checksums")),
    }


def _subject(path: Path, package: dict[str, Any]) -> Component:
    """A described package becomes ``Bom.subject`` whether or not it has a purl."""
    name, version, namespace = str(package.get("name") or "?"), package.get("versionInfo"), None
    ecosystem, purl = "", _purl(package)
    if purl is not None:
        try:
            pkg = parse_purl(purl)
            ecosystem, name, namespace = pkg.ecosystem, pkg.name, pkg.namespace
        except PurlError:
            pass
    return Component(
        ecosystem,
        name,
        version if isinstance(version, str) else "",
        source=str(path),
        purl_override=purl,
        namespace=namespace,
        **_details(package),
    )


def _component(path: Path, package: dict[str, Any], warnings: Warnings) -> Component:
    """A package as a component; without a usable purl it has no ecosystem (not scannable)."""
    purl = _purl(package)
    version = package.get("versionInfo")
    version = version.strip() if isinstance(version, str) else ""
    if purl is not None:
        try:
            pkg = parse_purl(purl)
        except PurlError as exc:
            label = f"{package.get('name', '?')}@{version}"
            warnings.add(f"package {label!r}: {exc}; kept, not scannable")
        else:
            return Component(
                pkg.ecosystem,
                pkg.name,
                pkg.version or version,
                source=str(path),
                purl_override=purl,
                namespace=pkg.namespace,
                **_details(package),
            )
    name = package.get("name")
    return Component(
        "",
        name.strip() if isinstance(name, str) and name.strip() else "unnamed",
        version,
        source=str(path),
        purl_override=purl,
        **_details(package),
    )


def _label(c: Component) -> str:
    return f"{c.kind} {c.name}@{c.version}".rstrip("@")


def _creators(doc: dict[str, Any]) -> tuple[list[str], list[str], str | None]:
    """``creationInfo``: (authors, tools, created)."""
    info = doc.get("creationInfo")
    if not isinstance(info, dict):
        return [], [], None
    authors: list[str] = []
    tools: list[str] = []
    for creator in info.get("creators") or ():
        if not isinstance(creator, str):
            continue
        kind, _, who = creator.partition(":")
        if not who.strip():
            continue
        who = who.strip().removesuffix("()").strip()  # "Person: Jane Doe ()": no e-mail
        (tools if kind.strip() == "Tool" else authors).append(who)
    created = info.get("created")
    return authors, tools, created.strip() if isinstance(created, str) else None


def build_bom(path: Path, doc: dict[str, Any], version: str) -> Bom:
    """A JSON-shaped SPDX document (the tag-value reader builds one too) -> :class:`Bom`."""
    warnings = Warnings(path)
    by_id: dict[str, str] = {}  # SPDXID -> Component.ref
    packages: dict[str, dict[str, Any]] = {}  # SPDXID -> package, for the subject
    components: dict[str, Component] = {}  # purl (else "\0" SPDXID) -> first package with it
    for number, package in enumerate(as_list(doc.get("packages"), path, "packages"), start=1):
        if not isinstance(package, dict):
            raise InvalidSbom(path, "a package is not an object")
        spdx_id = package.get("SPDXID")
        if isinstance(spdx_id, str):
            packages.setdefault(spdx_id, package)
        component = _component(path, package, warnings)
        if component.bom_ref is None:  # no SPDXID: a stable ref from its place
            component = replace(component, bom_ref=f"assay:package-{number}")
        # one component per purl; packages without one are told apart by SPDXID
        key = component.purl_override if component.ecosystem else None
        kept = components.get(key or f"\x00{component.ref}")
        if kept is None:
            kept = components[key or f"\x00{component.ref}"] = component
        if isinstance(spdx_id, str):
            by_id[spdx_id] = kept.ref

    doc_id = doc.get("SPDXID", "SPDXRef-DOCUMENT")
    described = as_list(doc.get("documentDescribes"), path, "documentDescribes")
    subjects = {s for s in described if isinstance(s, str)}
    children: dict[str, set[str]] = {}  # SPDXID -> SPDXIDs it depends on / contains
    for rel in as_list(doc.get("relationships"), path, "relationships"):
        if not isinstance(rel, dict):
            raise InvalidSbom(path, "a relationship is not an object")
        kind, a, b = (
            rel.get("relationshipType"),
            rel.get("spdxElementId"),
            rel.get("relatedSpdxElement"),
        )
        if not (isinstance(kind, str) and isinstance(a, str) and isinstance(b, str)):
            continue
        if kind == "DESCRIBES" and a == doc_id:
            subjects.add(b)
        elif kind == "DESCRIBED_BY" and b == doc_id:
            subjects.add(a)
        elif kind in _FORWARD:
            children.setdefault(a, set()).add(b)
        elif kind.endswith("DEPENDENCY_OF"):
            children.setdefault(b, set()).add(a)

    edges = {
        (by_id[parent], by_id[child])
        for parent, kids in children.items()
        if parent in by_id
        for child in kids
        if child in by_id and by_id[child] != by_id[parent]
    }
    subject_pkgs = [packages[s] for s in sorted(subjects) if s in packages]
    subject = _subject(path, subject_pkgs[0]) if subject_pkgs else None
    result = list(components.values())
    if subject is not None and not subject.ecosystem:
        # the product a document describes is a component only when it can be scanned
        # (as before); otherwise it is the subject alone, as CycloneDX's metadata.component
        result = [c for c in result if c.ref != subject.ref]
        edges = {(a, b) for a, b in edges if subject.ref not in (a, b)}
    if subjects:
        direct = {by_id[s] for s in subjects if s in by_id}
        direct |= {by_id[c] for s in subjects for c in children.get(s, ()) if c in by_id}
        result = [replace(c, direct=c.ref in direct) for c in result]
    authors, tools, created = _creators(doc)
    namespace = doc.get("documentNamespace")
    lines = warnings.lines()
    unscannable = [_label(c) for c in result if not c.ecosystem]
    if unscannable:  # first: never cut by the bound on warnings
        lines.insert(0, f"{path}: {unscannable_summary(unscannable)}")
    bom = Bom(
        components=result,
        edges=edges,
        sources=[str(path)],
        warnings=lines,
        subject=subject,
        authors=authors,
        tools=tools,
        timestamp=created,
        serial=namespace if isinstance(namespace, str) else None,
        spec=version.replace("-", " "),
    )
    bom.metadata["format"] = version
    for key in ("name", "documentNamespace"):
        if isinstance(doc.get(key), str):
            bom.metadata[key] = doc[key]
    return bom

"""From a CycloneDX document, JSON-shaped, to a :class:`Bom`: shared by the JSON and XML readers.

The XML reader converts its element tree into the JSON document's shape
(``components``, ``metadata``, ``dependencies`` ...), so both formats go
through this one builder. Elements converted from XML carry their line in a
``"__line"`` key, which JSON documents never have.

Every component (nested ones too) that has a ``purl`` becomes a
:class:`Component` whose ``purl_override`` is that purl as written and whose
``bom_ref`` is its ``bom-ref`` (so edges use the document's own identities);
a purl listed twice is one component, under its first bom-ref. A purl
without a version (an unpinned dependency) gives version ``""``.

Components without a purl (files, devices, cryptographic assets, OS images)
are kept too, with ``ecosystem=""`` and no purl, one per bom-ref (one without
a bom-ref gets a stable ``assay:<type>/<name>@<version>`` ref); a purl that
does not parse is kept verbatim on such a component, with a warning. None of
them can be matched against advisories: one line of ``Bom.warnings`` says how
many there are. The document's subject (``metadata.component``) becomes
``Bom.subject``, not a component; what it ``dependsOn`` is direct.

For round trips each component also keeps its ``type`` (kind), supplier
(else publisher), author (1.6's ``authors`` joined), description, cpe,
external references and properties; the document its ``metadata.authors``,
``metadata.tools`` (a list up to 1.4, ``{components, services}`` from 1.5;
``vendor name version`` each, repeats dropped), timestamp, ``serialNumber``
and spec version. Every other key of a JSON component (cryptoProperties,
evidence, pedigree, swid, 1.6's ``authors``, ``publisher`` ...) is kept verbatim
in ``Component.extensions`` for the CycloneDX JSON writer; components read from
XML have none. Services and vulnerabilities are not read.

Licences: each ``license.id`` is kept, each ``license.name`` becomes
``LicenseRef-<name>`` (it is not an SPDX identifier), each ``expression`` is
kept; several are joined with ``AND``. Scope: ``optional`` -> optional,
``excluded`` (not shipped) -> dev, otherwise required.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from assay.sbom.formats._cyclonedx_fields import (
    as_list_soft,
    author,
    entity_name,
    extensions,
    licence_expression,
    pairs,
    text,
    tool_names,
)
from assay.sbom.formats._json import Warnings, as_list, unscannable_summary
from assay.sbom.formats._purl import PurlError, parse_purl
from assay.sbom.formats.interface import InvalidSbom
from assay.sbom.model import Bom, Component, Scope

SUPPORTED = ("1.2", "1.3", "1.4", "1.5", "1.6")
#: newer minor versions only add fields: read as the newest supported, with a warning
NEWER = ("1.7",)
_SCOPES = {"optional": Scope.OPTIONAL, "excluded": Scope.DEV}


@contextmanager
def _gc_paused() -> Iterator[None]:
    """The cyclic garbage collector off while a document becomes a model.

    Building allocates tens of thousands of lasting objects and no cycles, which
    makes CPython walk the whole just-loaded document in a full collection
    (measured: ~15% of a 10,000-component read). Reference counting still frees
    everything meanwhile; the previous state is restored, so nesting is safe.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def check_spec(path: Path, spec: Any) -> str:
    """The spec version as a string, or InvalidSbom when this reader does not read it."""
    if spec not in SUPPORTED and spec not in NEWER:
        raise InvalidSbom(
            path, f"unsupported CycloneDX specVersion {spec!r} (reads {', '.join(SUPPORTED)})"
        )
    return str(spec)


def _scope(item: dict[str, Any]) -> Scope:
    scope = item.get("scope")
    return _SCOPES.get(scope, Scope.REQUIRED) if isinstance(scope, str) else Scope.REQUIRED


def _label(item: dict[str, Any]) -> str:
    """``group/name@version`` for warnings about a component that is not scannable."""
    label = f"{item.get('group', '')}/{item.get('name', '?')}@{item.get('version', '')}"
    return label.lstrip("/")


def _details(item: dict[str, Any]) -> dict[str, Any]:
    """The fields every component has whether or not it is scannable."""
    get = item.get
    return {
        "kind": text(get("type")) or "library",
        "bom_ref": text(get("bom-ref")),
        "supplier": entity_name(get("supplier")) or text(get("publisher")),
        "author": author(item),
        "description": text(get("description")),
        "cpe": text(get("cpe")),
        "external_refs": pairs(get("externalReferences"), "type", "url"),
        "properties": pairs(get("properties"), "name", "value"),
        "licenses": licence_expression(get("licenses")),
        "hashes": pairs(get("hashes"), "alg", "content"),
        "extensions": extensions(item),
    }


def subject_component(path: Path, item: Any) -> Component | None:
    """``metadata.component``: the product the document describes, purl or not."""
    if not isinstance(item, dict) or not text(item.get("name")):
        return None
    name = str(item["name"]).strip()
    group = text(item.get("group"))
    purl = text(item.get("purl"))
    ecosystem, namespace = "", group
    if purl is not None:
        try:
            pkg = parse_purl(purl)
            ecosystem, name, namespace = pkg.ecosystem, pkg.name, pkg.namespace
        except PurlError:
            pass
    elif group:
        name = f"{group}/{name}"
    return Component(
        ecosystem,
        name,
        text(item.get("version")) or "",
        source=str(path),
        purl_override=purl,
        namespace=namespace,
        **_details(item),
    )


class CycloneDxBuilder:
    """Builds one :class:`Bom` from one JSON-shaped CycloneDX document."""

    def __init__(self, path: Path, doc: dict[str, Any], spec: str) -> None:
        self.path = path
        self.doc = doc
        self.spec = spec
        self.warnings = Warnings(path)
        if spec in NEWER:
            self.warnings.add(f"CycloneDX {spec} read as {SUPPORTED[-1]}; new fields ignored")
        self.by_ref: dict[str, str] = {}  # bom-ref -> Component.ref
        self.components: dict[str, Component] = {}  # purl -> first component with it
        self.direct_refs: set[str] | None = None  # bom-refs the subject depends on
        self.late_direct: set[str] = set()  # purls first listed indirect, later direct
        self.purl_versions: dict[str, str | None] = {}  # purl -> its version, if it has one
        self.unscannable: list[str] = []  # labels of the components kept without a purl
        self.source = str(path)

    def build(self) -> Bom:
        with _gc_paused():
            return self._build()

    def _build(self) -> Bom:
        metadata = self.doc.get("metadata")
        metadata = metadata if isinstance(metadata, dict) else {}
        subject = metadata.get("component")
        self.direct_refs = self._subject_children(subject)
        stack = list(reversed(as_list(self.doc.get("components"), self.path, "components")))
        while stack:
            item = stack.pop()
            if not isinstance(item, dict):
                raise InvalidSbom(self.path, "a component is not an object")
            self._component(item)
            nested = item.get("components")
            if nested is not None:
                stack.extend(reversed(as_list(nested, self.path, "components")))
        for purl in self.late_direct:  # rare (repeated purls): replaced in place, order kept
            self.components[purl] = replace(self.components[purl], direct=True)
        warnings = self.warnings.lines()
        if self.unscannable:  # first: never cut by the bound on warnings
            warnings.insert(0, f"{self.path}: {unscannable_summary(self.unscannable)}")
        bom = Bom(
            components=list(self.components.values()),
            edges=self._edges(),
            sources=[str(self.path)],
            warnings=warnings,
            subject=subject_component(self.path, subject),
            authors=[n for n in map(entity_name, as_list_soft(metadata.get("authors"))) if n],
            tools=tool_names(metadata.get("tools")),
            timestamp=text(metadata.get("timestamp")),
            serial=text(self.doc.get("serialNumber")),
            spec=f"CycloneDX {self.spec}",
        )
        bom.metadata["format"] = f"CycloneDX {self.spec}"
        if bom.serial:
            bom.metadata["serialNumber"] = bom.serial
        if isinstance(subject, dict) and isinstance(subject.get("name"), str):
            bom.metadata["component"] = subject["name"]
        return bom

    def _component(self, item: dict[str, Any]) -> None:
        purl = item.get("purl")
        purl = purl.strip() if isinstance(purl, str) else ""
        if not purl:
            self._unscannable(item, None)
            return
        kept = self.components.get(purl)
        if kept is None:
            try:
                pkg = parse_purl(purl)
            except PurlError as exc:
                self.warnings.add(f"component {_label(item)!r}: {exc}; kept, not scannable")
                self._unscannable(item, purl)
                return
            purl_version = pkg.version
        else:  # a repeated purl is parsed once, with its first listing
            purl_version = self.purl_versions[purl]
        version = purl_version or item.get("version")
        version = version.strip() if isinstance(version, str) else ""
        raw_ref = item.get("bom-ref")
        direct = self._direct(raw_ref)
        if kept is not None:
            if direct and not kept.direct:
                self.late_direct.add(purl)  # a later listing is direct: set once, in build
        else:
            kept = self.components[purl] = Component(
                pkg.ecosystem,
                pkg.name,
                version,
                source=self.source,
                scope=_scope(item),
                purl_override=purl,
                namespace=pkg.namespace,
                direct=direct,
                **_details(item),
            )
            self.purl_versions[purl] = purl_version
        # One component per purl: a package listed twice (npm's nested trees) is one
        # package; every bom-ref it was listed under points at the first listing.
        bom_ref = text(raw_ref)
        if bom_ref is not None:
            self.by_ref[bom_ref] = kept.ref

    def _direct(self, raw_ref: Any) -> bool | None:
        if self.direct_refs is None:
            return None
        return isinstance(raw_ref, str) and raw_ref in self.direct_refs

    def _unscannable(self, item: dict[str, Any], purl: str | None) -> None:
        """A component without a usable purl: kept under its bom-ref, never matched."""
        details = _details(item)
        name = text(item.get("name")) or "unnamed"
        group = text(item.get("group"))
        if group:
            name = f"{group}/{name}"
        version = text(item.get("version")) or ""
        ref = details["bom_ref"]
        if purl is None and ref is None:  # neither: a stable ref from what it is
            ref = details["bom_ref"] = self.unique_ref(
                f"assay:{details['kind']}/{name}@{version}".rstrip("@")
            )
        # bom-refs are keyed apart from purls: a ref may be spelt like another's purl
        key = purl or f"\x00{ref}"
        kept = self.components.get(key)
        if kept is None:
            self.unscannable.append(f"{details['kind']} {name}@{version}".rstrip("@"))
            kept = self.components[key] = Component(
                "",
                name,
                version,
                source=self.source,
                scope=_scope(item),
                purl_override=purl,
                namespace=group,
                direct=self._direct(item.get("bom-ref")),
                **details,
            )
        elif self._direct(item.get("bom-ref")) and not kept.direct:
            self.late_direct.add(key)
        if ref is not None:
            self.by_ref[ref] = kept.ref

    def unique_ref(self, wanted: str) -> str:
        """``wanted``, else ``wanted#2``, ``#3`` ...: not a bom-ref of this document so far."""
        ref, n = wanted, 1
        while ref in self.by_ref or f"\x00{ref}" in self.components:
            n += 1
            ref = f"{wanted}#{n}"
        return ref

    def _subject_children(self, subject: Any) -> set[str] | None:
        """The bom-refs the subject ``dependsOn``; None when the graph does not say."""
        root = subject.get("bom-ref") if isinstance(subject, dict) else None
        if root is None:
            return None
        children: set[str] | None = None
        for dep in as_list(self.doc.get("dependencies"), self.path, "dependencies"):
            if isinstance(dep, dict) and dep.get("ref") == root:
                depends = as_list(dep.get("dependsOn"), self.path, "dependsOn")
                children = (children or set()) | {c for c in depends if isinstance(c, str)}
        return children

    def _edges(self) -> set[tuple[str, str]]:
        edges: set[tuple[str, str]] = set()
        for dep in as_list(self.doc.get("dependencies"), self.path, "dependencies"):
            if not isinstance(dep, dict):
                raise InvalidSbom(self.path, "a dependencies entry is not an object")
            depends = as_list(dep.get("dependsOn"), self.path, "dependsOn")
            ref = dep.get("ref")
            parent = self.by_ref.get(ref) if isinstance(ref, str) else None
            if parent is None:
                continue
            for child in depends:
                kid = self.by_ref.get(child) if isinstance(child, str) else None
                if kid is not None and kid != parent:
                    edges.add((parent, kid))
        return edges

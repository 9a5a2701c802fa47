"""From a CycloneDX document, JSON-shaped, to a :class:`Bom`: shared by the JSON and XML readers.

The XML reader converts its element tree into the JSON document's shape
(``components``, ``metadata``, ``dependencies`` ...), so both formats go
through this one builder. Elements converted from XML carry their line in a
``"__line"`` key, which JSON documents never have.

Every component (nested ones too) that has a ``purl`` becomes a
:class:`Component` whose ``purl_override`` is that purl as written and whose
``bom_ref`` is its ``bom-ref`` (so edges use the document's own identities);
a purl listed twice is one component, under its first bom-ref;
the others cannot be matched against advisories and are listed in
``Bom.warnings``. The document's subject (``metadata.component``) becomes
``Bom.subject``, not a component; what it ``dependsOn`` is direct.

For round trips each component also keeps its ``type`` (kind), supplier
(else publisher), author (1.6's ``authors`` joined), description, cpe,
external references and properties; the document its ``metadata.authors``,
``metadata.tools`` (a list up to 1.4, ``{components, services}`` from 1.5;
``vendor name version`` each, repeats dropped), timestamp, ``serialNumber``
and spec version. Anything else (pedigree, evidence, services, vulnerabilities)
is not read.

Licences: each ``license.id`` is kept, each ``license.name`` becomes
``LicenseRef-<name>`` (it is not an SPDX identifier), each ``expression`` is
kept; several are joined with ``AND``. Scope: ``optional`` -> optional,
``excluded`` (not shipped) -> dev, otherwise required.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

from assay.sbom.formats._json import Warnings, as_list
from assay.sbom.formats._purl import PurlError, parse_purl
from assay.sbom.formats.interface import InvalidSbom
from assay.sbom.model import Bom, Component, Scope

SUPPORTED = ("1.2", "1.3", "1.4", "1.5", "1.6")
#: newer minor versions only add fields: read as the newest supported, with a warning
NEWER = ("1.7",)
_SCOPES = {"optional": Scope.OPTIONAL, "excluded": Scope.DEV}
_LICENSE_REF = re.compile(r"[^A-Za-z0-9.-]+")


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


def _licence_part(item: Any) -> str | None:
    """One ``licenses`` entry: its expression, SPDX id, or ``LicenseRef-<name>``."""
    if not isinstance(item, dict):
        return None
    expression = item.get("expression")
    if isinstance(expression, str) and expression.strip():
        return expression.strip()
    lic = item.get("license")
    if not isinstance(lic, dict):
        return None
    ident, name = lic.get("id"), lic.get("name")
    if isinstance(ident, str) and ident.strip():
        return ident.strip()
    if isinstance(name, str) and name.strip():
        return "LicenseRef-" + _LICENSE_REF.sub("-", name.strip()).strip("-")
    return None


def licence_expression(licenses: Any) -> str | None:
    """CycloneDX ``licenses`` -> one SPDX expression, or None when none is stated."""
    if not isinstance(licenses, list):
        return None
    if len(licenses) == 1:  # the usual case
        return _licence_part(licenses[0])
    parts = [p for p in map(_licence_part, licenses) if p is not None]
    unique = list(dict.fromkeys(parts))
    if len(unique) <= 1:
        return unique[0] if unique else None
    return " AND ".join(f"({p})" if " " in p else p for p in unique)


def _text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _pairs(value: Any, key: str, val: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, list):
        return ()
    pairs: list[tuple[str, str]] = []
    for item in value:  # a plain loop: this runs several times per component
        if isinstance(item, dict):
            first, second = item.get(key), item.get(val)
            if isinstance(first, str) and isinstance(second, str):
                pairs.append((first, second))
    return tuple(pairs)


def _entity_name(value: Any) -> str | None:
    """An organizationalEntity / contact (``{"name": ..., "email": ...}``) as one string."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return _text(value)
    return _text(value.get("name")) or _text(value.get("email"))


def _label(item: dict[str, Any]) -> str:
    """``group/name@version`` for warnings about a component that is not scannable."""
    label = f"{item.get('group', '')}/{item.get('name', '?')}@{item.get('version', '')}"
    return label.lstrip("/")


def _author(item: dict[str, Any]) -> str | None:
    author = _text(item.get("author"))  # 1.2-1.6
    if author:
        return author
    authors = item.get("authors")
    if not authors:
        return None
    names = [n for n in (_entity_name(a) for a in as_list_soft(authors)) if n]
    return ", ".join(names) or None  # 1.6 component.authors


def as_list_soft(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def tool_names(tools: Any) -> list[str]:
    """``metadata.tools``: a list of tools (1.2-1.4) or ``{components, services}`` (1.5+)."""
    if isinstance(tools, dict):
        items = as_list_soft(tools.get("components")) + as_list_soft(tools.get("services"))
    else:
        items = as_list_soft(tools)
    names: list[str] = []
    for tool in items:
        if not isinstance(tool, dict):
            continue
        name = _text(tool.get("name"))
        if name is None:
            continue
        vendor = _entity_name(tool.get("vendor")) or _text(tool.get("group"))
        label = f"{vendor} {name}" if vendor and vendor.lower() not in name.lower() else name
        version = _text(tool.get("version"))
        names.append(f"{label} {version}" if version else label)
    return list(dict.fromkeys(names))


def _details(item: dict[str, Any]) -> dict[str, Any]:
    """The fields every component has whether or not it is scannable."""
    get = item.get
    return {
        "kind": _text(get("type")) or "library",
        "bom_ref": _text(get("bom-ref")),
        "supplier": _entity_name(get("supplier")) or _text(get("publisher")),
        "author": _author(item),
        "description": _text(get("description")),
        "cpe": _text(get("cpe")),
        "external_refs": _pairs(get("externalReferences"), "type", "url"),
        "properties": _pairs(get("properties"), "name", "value"),
        "licenses": licence_expression(get("licenses")),
        "hashes": _pairs(get("hashes"), "alg", "content"),
    }


def subject_component(path: Path, item: Any) -> Component | None:
    """``metadata.component``: the product the document describes, purl or not."""
    if not isinstance(item, dict) or not _text(item.get("name")):
        return None
    name = str(item["name"]).strip()
    group = _text(item.get("group"))
    purl = _text(item.get("purl"))
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
        _text(item.get("version")) or "",
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
        bom = Bom(
            components=list(self.components.values()),
            edges=self._edges(),
            sources=[str(self.path)],
            warnings=self.warnings.lines(),
            subject=subject_component(self.path, subject),
            authors=[n for n in map(_entity_name, as_list_soft(metadata.get("authors"))) if n],
            tools=tool_names(metadata.get("tools")),
            timestamp=_text(metadata.get("timestamp")),
            serial=_text(self.doc.get("serialNumber")),
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
            self.warnings.add(f"component {_label(item)!r} has no purl; not scannable")
            return
        kept = self.components.get(purl)
        if kept is None:
            try:
                pkg = parse_purl(purl)
            except PurlError as exc:
                self.warnings.add(f"component {_label(item)!r}: {exc}; not scannable")
                return
            purl_version = pkg.version
        else:  # a repeated purl is parsed once, with its first listing
            purl_version = self.purl_versions[purl]
        version = purl_version or item.get("version")
        if not isinstance(version, str) or not version:
            self.warnings.add(f"component {_label(item)!r} has no version; not scannable")
            return
        raw_ref = item.get("bom-ref")
        direct = None
        if self.direct_refs is not None:
            direct = isinstance(raw_ref, str) and raw_ref in self.direct_refs
        if kept is not None:
            if direct and not kept.direct:
                self.late_direct.add(purl)  # a later listing is direct: set once, in build
        else:
            scope = item.get("scope")
            scope = _SCOPES.get(scope, Scope.REQUIRED) if isinstance(scope, str) else Scope.REQUIRED
            kept = self.components[purl] = Component(
                pkg.ecosystem,
                pkg.name,
                version,
                source=self.source,
                scope=scope,
                purl_override=purl,
                namespace=pkg.namespace,
                direct=direct,
                **_details(item),
            )
            self.purl_versions[purl] = purl_version
        # One component per purl: a package listed twice (npm's nested trees) is one
        # package; every bom-ref it was listed under points at the first listing.
        bom_ref = _text(raw_ref)
        if bom_ref is not None:
            self.by_ref[bom_ref] = kept.ref

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

"""One SBOM for a product made of several parts.

Each part (one document, or one lockfile's BOM) becomes a component of type
``application`` that the product depends on; its document subject gives it a
name and version, else the file name does. Components are deduplicated by
purl (as written; qualifiers count), or by ecosystem, normalised name and
version when there is no purl; components without an ecosystem either (files,
devices ...) by type, name and version, two of one name in one part staying
two. Fields of duplicates are combined:

* licences: every distinct expression is kept, joined with ``AND`` (as the
  CycloneDX reader joins a component's several licences), and reported;
* hashes, properties and external references: the union; a hash algorithm
  with two different values is reported;
* supplier, author, description, CPE, kind, namespace: the first stated value;
  a later different value is reported and dropped;
* scope: the widest (required over optional over dev);
* unmodelled CycloneDX fields (``extensions``): the first part's that has any.

Every merged component's ``bom_ref`` is its deduplication key, so refs are
unique in the product; each part's edges are remapped onto them. Each part
depends on its direct components (those marked direct, or when the part does
not tell, the roots of its graph). The product (``Bom.subject``) depends on
the parts: they are its direct components (``direct=True``) and every other
component is ``direct=False``, reached through a part (writers turn ``direct``
into the subject's dependencies).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from assay.sbom.formats._output import canonical_hash
from assay.sbom.model import Bom, Component, Scope

#: conflict lines kept; the rest are counted in one closing line
MAX_CONFLICTS = 200
_SCOPE_RANK = {Scope.REQUIRED: 0, Scope.OPTIONAL: 1, Scope.DEV: 2}


@dataclass(frozen=True, slots=True)
class Merged:
    """The product's BOM and what could not be combined cleanly."""

    bom: Bom
    conflicts: tuple[str, ...]


class _Conflicts:
    __slots__ = ("dropped", "lines")

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.dropped = 0

    def add(self, line: str) -> None:
        if len(self.lines) < MAX_CONFLICTS:
            self.lines.append(line)
        else:
            self.dropped += 1

    def result(self) -> tuple[str, ...]:
        if self.dropped:
            return (*self.lines, f"... and {self.dropped} more conflicts")
        return tuple(self.lines)


def _canonical_purl(purl: str) -> str:
    from packageurl import PackageURL  # ~15 ms, only paid when merging

    try:
        return str(PackageURL.from_string(purl).to_string())
    except ValueError:
        return purl


def merge_key(c: Component) -> str:
    """The deduplication key, also the merged component's bom-ref."""
    purl = c.purl
    if purl:
        return _canonical_purl(purl)
    if not c.ecosystem:  # a file, device ... without a purl: what it is, its name, version
        return f"{c.kind}:{c.name}@{c.version}".rstrip("@")
    return f"{c.ecosystem}:{c.key_name}@{c.version}"


def _union(
    first: Iterable[tuple[str, str]], second: Iterable[tuple[str, str]]
) -> tuple[tuple[str, str], ...]:
    return tuple(dict.fromkeys((*first, *second)))


def _terms(expression: str) -> set[str]:
    return {t.strip().strip("()").strip() for t in expression.split(" AND ")}


def _licences(a: str | None, b: str | None) -> str | None:
    """``a`` with ``b`` added as an ``AND`` term unless ``a`` already holds it."""
    if not a or not b:
        return a or b
    if b == a or b.strip("()") in _terms(a):
        return a
    return f"{_group(a)} AND {_group(b)}"


def _group(expression: str) -> str:
    return f"({expression})" if " " in expression else expression


def _digest(algorithm: str, value: str) -> tuple[str, str]:
    """One spelling per digest: hex and base64 (npm ``integrity``) of one value are equal."""
    return canonical_hash(algorithm, value) or (algorithm.upper(), value.lower())


class _Combiner:
    """Folds a later duplicate into the kept component, reporting what disagrees."""

    def __init__(self, key: str, label: str, out: _Conflicts) -> None:
        self.key, self.label, self.out = key, label, out

    def first(self, what: str, mine: str | None, theirs: str | None) -> str | None:
        if mine and theirs and mine != theirs:
            self.out.add(
                f"{self.key}: {what} {theirs!r} in {self.label} differs from {mine!r}; "
                "kept the first"
            )
        return mine or theirs

    def licences(self, mine: str | None, theirs: str | None) -> str | None:
        combined = _licences(mine, theirs)
        if mine and combined != mine:
            self.out.add(
                f"{self.key}: licence {theirs!r} in {self.label} differs from {mine!r}; kept both"
            )
        return combined

    def hashes(
        self, mine: tuple[tuple[str, str], ...], theirs: tuple[tuple[str, str], ...]
    ) -> tuple[tuple[str, str], ...]:
        known: dict[str, set[str]] = {}
        for alg, value in mine:
            name, digest = _digest(alg, value)
            known.setdefault(name, set()).add(digest)
        clash: set[str] = set()
        for alg, value in theirs:
            name, digest = _digest(alg, value)
            if name in known and digest not in known[name]:
                clash.add(alg)
        if clash:
            self.out.add(
                f"{self.key}: {', '.join(sorted(clash))} hash in {self.label} differs from the "
                "first part's; kept both"
            )
        return _union(mine, theirs)

    def combine(self, kept: Component, new: Component) -> Component:
        scope = new.scope if _SCOPE_RANK[new.scope] < _SCOPE_RANK[kept.scope] else kept.scope
        return replace(
            kept,
            supplier=self.first("supplier", kept.supplier, new.supplier),
            author=self.first("author", kept.author, new.author),
            description=self.first("description", kept.description, new.description),
            cpe=self.first("cpe", kept.cpe, new.cpe),
            namespace=self.first("namespace", kept.namespace, new.namespace),
            kind=self.first("kind", kept.kind, new.kind) or kept.kind,
            licenses=self.licences(kept.licenses, new.licenses),
            hashes=self.hashes(kept.hashes, new.hashes),
            properties=_union(kept.properties, new.properties),
            external_refs=_union(kept.external_refs, new.external_refs),
            extensions=kept.extensions or new.extensions,
            scope=scope,
        )


def _part_component(index: int, label: str, bom: Bom) -> Component:
    ref = f"assay-part-{index}"
    if bom.subject is not None:
        return replace(bom.subject, kind="application", bom_ref=ref, direct=True)
    return Component(
        "", Path(label).name or label, "", kind="application", bom_ref=ref, direct=True
    )


def _entry_points(bom: Bom) -> list[str]:
    """Refs the part itself depends on: marked direct, else the roots of its graph."""
    direct = [c.ref for c in bom.components if c.direct is True]
    if direct:
        return direct
    children = {child for _, child in bom.edges}
    return [c.ref for c in bom.components if c.ref not in children]


def merge(
    parts: Sequence[tuple[str, Bom]],
    name: str,
    version: str = "",
    *,
    timestamp: str | None = None,
) -> Merged:
    """Merge ``(label, bom)`` parts, in order (the first stated value wins)."""
    out = _Conflicts()
    merged: dict[str, Component] = {}
    product = Component("", name, version, kind="application", bom_ref="assay-product")
    edges: set[tuple[str, str]] = set()
    result = Bom(subject=product)  # writers name assay among the tools themselves
    for index, (label, bom) in enumerate(parts, start=1):
        part = _part_component(index, label, bom)
        remap: dict[str, str] = {}
        named: dict[str, str] = {}  # this part's purl-less keys -> the ref that took each
        for c in bom.components:
            key = merge_key(c)
            # without purl or ecosystem, two of one name in one document are two things
            if not (c.ecosystem or c.purl) and named.setdefault(key, c.ref) != c.ref:
                key = f"{key}#{c.ref}"
            remap[c.ref] = key
            kept = merged.get(key)
            if kept is None:
                merged[key] = replace(c, bom_ref=key, direct=False)
            else:
                merged[key] = _Combiner(key, label, out).combine(kept, c)
        for parent, child in bom.edges:
            a, b = remap.get(parent), remap.get(child)
            if a is None or b is None:
                out.add(f"{label}: dependency {parent} -> {child} names an unknown component")
            elif a != b:
                edges.add((a, b))
        edges.update((part.ref, remap[ref]) for ref in _entry_points(bom) if ref in remap)
        merged[part.ref] = part
        result.sources.extend(bom.sources or [label])
        result.warnings.extend(bom.warnings)
        result.authors.extend(a for a in bom.authors if a not in result.authors)
        result.tools.extend(t for t in bom.tools if t not in result.tools)
    result.components = list(merged.values())
    result.edges = edges
    result.timestamp = timestamp or datetime.now(UTC).replace(microsecond=0).isoformat()
    result.serial = f"urn:uuid:{uuid.uuid4()}"
    return Merged(result, out.result())

"""What changed between two SBOMs of one product: components added, removed,
upgraded, downgraded, their licence changes, and hash changes at one version.

Components are matched by package identity: the base ecosystem (``Debian:11``
and ``Debian:12`` are one), the name normalised for its ecosystem, and the purl
namespace where the name does not already hold it (``pkg:deb/debian/curl`` and
``pkg:deb/ubuntu/curl`` are two packages). A package may be present at several
versions (npm installs them side by side): versions present on both sides are
unchanged; the remaining ones are sorted by the ecosystem's version order
(:func:`assay.versions.compare`) and paired highest with highest, and each pair
is an upgrade or a downgrade; what is left unpaired was added or removed.

A licence change is any difference in the stated SPDX expression (compared
without case and spacing), including a licence appearing or disappearing.
A hash change is reported only for the same version, when both sides give a
hash of one algorithm and no value of it is common to both: the same release
with different content means a rebuilt or tampered artefact.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cmp_to_key
from typing import Any

from assay.core.ecosystems import base_ecosystem
from assay.sbom.formats._output import canonical_hash
from assay.sbom.model import Bom, Component
from assay.versions import compare

#: identifies the JSON layout of :meth:`BomDiff.to_json`
SCHEMA = "assay.sbom.diff/1"


class ChangeKind(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    UPGRADED = "upgraded"
    DOWNGRADED = "downgraded"
    UNCHANGED = "unchanged"


_ORDER = {kind: i for i, kind in enumerate(ChangeKind)}
Key = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Change:
    """One package version's fate between the old and the new document."""

    kind: ChangeKind
    ecosystem: str
    name: str
    old_version: str | None
    new_version: str | None
    old_licenses: str | None = None
    new_licenses: str | None = None
    #: algorithms for which the same version has no hash value in common
    hash_changed: tuple[str, ...] = ()

    @property
    def licence_changed(self) -> bool:
        if self.kind in (ChangeKind.ADDED, ChangeKind.REMOVED):
            return False
        return _norm_licence(self.old_licenses) != _norm_licence(self.new_licenses)

    @property
    def notable(self) -> bool:
        """Worth listing: anything but an unchanged version with unchanged facts."""
        return (
            self.kind is not ChangeKind.UNCHANGED or self.licence_changed or bool(self.hash_changed)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "ecosystem": self.ecosystem,
            "name": self.name,
            "old_version": self.old_version,
            "new_version": self.new_version,
            "old_licenses": self.old_licenses,
            "new_licenses": self.new_licenses,
            "licence_changed": self.licence_changed,
            "hash_changed": list(self.hash_changed),
        }


@dataclass(frozen=True, slots=True)
class BomDiff:
    old: str
    new: str
    changes: tuple[Change, ...]

    def count(self, kind: ChangeKind) -> int:
        return sum(1 for c in self.changes if c.kind is kind)

    @property
    def licence_changes(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.licence_changed)

    @property
    def hash_changes(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.hash_changed)

    def summary(self) -> dict[str, int]:
        counts = {str(kind): self.count(kind) for kind in ChangeKind}
        counts["licence_changed"] = len(self.licence_changes)
        counts["hash_changed"] = len(self.hash_changes)
        return counts

    def to_json(self) -> dict[str, Any]:
        """The documented layout (docs/sbom-diff.md); unchanged packages only counted."""
        return {
            "schema": SCHEMA,
            "old": self.old,
            "new": self.new,
            "summary": self.summary(),
            "changes": [c.to_json() for c in self.changes if c.notable],
        }


@dataclass(slots=True)
class _Version:
    """One package version on one side, folded over duplicate entries."""

    ecosystem: str
    name: str
    licenses: str | None = None
    hashes: dict[str, set[str]] = field(default_factory=dict)

    def add(self, c: Component) -> None:
        if self.licenses is None:
            self.licenses = c.licenses
        for alg, value in c.hashes:
            # hex and base64 (npm integrity) spellings of one digest compare equal
            canonical = canonical_hash(alg, value) or (alg.upper(), value.lower())
            self.hashes.setdefault(canonical[0], set()).add(canonical[1])


def _norm_licence(expression: str | None) -> str | None:
    return " ".join(expression.split()).casefold() if expression else None


def package_key(c: Component) -> Key:
    """(base ecosystem, normalised name, namespace the name does not already hold).

    A component without an ecosystem (an SBOM's file, device, cryptographic asset ...)
    is keyed by ``("", name, kind)``: a file and a library of one name are two things.
    """
    if not c.ecosystem:
        return "", c.name, c.kind
    name = c.key_name
    namespace = (c.namespace or "").lower()
    if namespace and name.lower().startswith(namespace):
        namespace = ""
    return base_ecosystem(c.ecosystem), name, namespace


def _index(components: Iterable[Component]) -> dict[Key, dict[str, _Version]]:
    index: dict[Key, dict[str, _Version]] = defaultdict(dict)
    for c in components:
        versions = index[package_key(c)]
        entry = versions.get(c.version)
        if entry is None:
            entry = versions[c.version] = _Version(c.ecosystem, c.name)
        entry.add(c)
    return index


def _hash_changed(old: _Version, new: _Version) -> tuple[str, ...]:
    common = sorted(set(old.hashes) & set(new.hashes))
    return tuple(alg for alg in common if not old.hashes[alg] & new.hashes[alg])


def _package(key: Key, old: dict[str, _Version], new: dict[str, _Version]) -> Iterable[Change]:
    ecosystem = key[0]
    for version in sorted(old.keys() & new.keys()):
        o, n = old[version], new[version]
        yield Change(
            ChangeKind.UNCHANGED,
            n.ecosystem,
            n.name,
            version,
            version,
            o.licenses,
            n.licenses,
            _hash_changed(o, n),
        )

    def cmp(a: str, b: str) -> int:
        return compare(ecosystem, a, b)

    order = cmp_to_key(cmp)
    gone = sorted(old.keys() - new.keys(), key=order)
    came = sorted(new.keys() - old.keys(), key=order)
    paired = min(len(gone), len(came))
    for version in gone[: len(gone) - paired]:
        o = old[version]
        yield Change(ChangeKind.REMOVED, o.ecosystem, o.name, version, None, o.licenses, None)
    for version in came[: len(came) - paired]:
        n = new[version]
        yield Change(ChangeKind.ADDED, n.ecosystem, n.name, None, version, None, n.licenses)
    for was, now in zip(gone[len(gone) - paired :], came[len(came) - paired :], strict=True):
        o, n = old[was], new[now]
        order_of = compare(ecosystem, was, now)
        kind = (
            ChangeKind.UPGRADED
            if order_of < 0
            else ChangeKind.DOWNGRADED
            if order_of > 0
            else ChangeKind.UNCHANGED
        )
        yield Change(kind, n.ecosystem, n.name, was, now, o.licenses, n.licenses)


def diff(old: Bom, new: Bom, old_name: str = "", new_name: str = "") -> BomDiff:
    """Compare two documents; changes sorted by kind, ecosystem, name, version."""
    before, after = _index(old.components), _index(new.components)
    changes: list[Change] = []
    for key in before.keys() | after.keys():
        changes.extend(_package(key, before.get(key, {}), after.get(key, {})))
    changes.sort(
        key=lambda c: (
            _ORDER[c.kind],
            c.ecosystem,
            c.name.lower(),
            c.new_version or c.old_version or "",
        )
    )
    return BomDiff(old_name, new_name, tuple(changes))

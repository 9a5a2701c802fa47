"""What the JavaScript lockfile readers share: hashes, manifests, merging, scopes.

npm, yarn and pnpm all record a package's tarball digest as a Subresource
Integrity string (``sha512-<base64>``, several separated by spaces). It becomes
``("SHA-512", "<base64>")``: the digest stays **base64 as written**, not hex, so
it can be compared with the lockfile byte for byte; convert with
``base64.b64decode(value).hex()`` where hex is needed.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from assay.core.inputs import load_json, parse_yaml
from assay.sbom.catalogers._lockcommon import sibling
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component, Scope

ECOSYSTEM = "npm"

_SRI_ALGORITHMS = {"sha1": "SHA-1", "sha256": "SHA-256", "sha384": "SHA-384", "sha512": "SHA-512"}
_SCOPE_RANK = {Scope.REQUIRED: 0, Scope.OPTIONAL: 1, Scope.DEV: 2}

K = TypeVar("K", bound=Hashable)


def integrity_hashes(value: object) -> tuple[tuple[str, str], ...]:
    """``sha512-AbC== sha1-xyz=`` -> ``(("SHA-512", "AbC=="), ("SHA-1", "xyz="))``; base64 kept."""
    if not isinstance(value, str) or not value:
        return ()
    if value.startswith("sha512-") and " " not in value and "?" not in value:
        return (("SHA-512", value[7:]),)  # the common case, kept cheap
    out: list[tuple[str, str]] = []
    for token in value.split():
        alg, sep, digest = token.partition("-")
        name = _SRI_ALGORITHMS.get(alg.lower())
        digest = digest.split("?", 1)[0]
        if sep and name and digest:
            out.append((name, digest))
    return tuple(out)


def load_yaml(text: str, path: Path) -> Any:
    """:func:`assay.core.inputs.parse_yaml` (which refuses nesting that would crash libyaml)."""
    return parse_yaml(text, path, error=InvalidLockfile)


def line_of(text: str, *needles: str) -> int | None:
    """1-based line of the first needle found; needles start with the newline before them."""
    for needle in needles:
        at = text.find(needle)
        if at >= 0:
            return text.count("\n", 0, at) + 2
    return None


def split_spec(spec: str) -> tuple[str, str]:
    """``@scope/name@^1.0`` -> ``("@scope/name", "^1.0")``; ``name`` -> ``("name", "")``."""
    at = spec.find("@", 1)
    if at < 0:
        return spec, ""
    return spec[:at], spec[at + 1 :]


@dataclass(frozen=True, slots=True)
class Manifest:
    """The dependency sections of a ``package.json``: name -> requested range."""

    prod: dict[str, str]
    dev: dict[str, str]
    optional: dict[str, str]


def _section(data: Mapping[str, Any], key: str) -> dict[str, str]:
    value = data.get(key)
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def manifest_sections(data: Mapping[str, Any]) -> Manifest:
    return Manifest(
        prod=_section(data, "dependencies"),
        dev=_section(data, "devDependencies"),
        optional=_section(data, "optionalDependencies"),
    )


def read_sibling_manifest(lockfile: Path, base: str) -> Manifest | None:
    """The ``package.json`` beside ``lockfile`` (named ``base``, perhaps with a copy
    prefix: ``app__yarn.lock`` -> ``app__package.json``), or None when there is none."""
    path = sibling(lockfile, base, "package.json")
    if not path.is_file():
        return None
    data = load_json(path, limit=16 * 1024 * 1024, error=InvalidLockfile)
    if not isinstance(data, dict):
        raise InvalidLockfile(path, "expected a JSON object (package.json)")
    return manifest_sections(data)


def reachable_scopes(
    graph: Mapping[K, Iterable[K]], prod: Iterable[K], dev: Iterable[K]
) -> dict[K, Scope]:
    """Scope of every node reachable from the roots: DEV only when no production root reaches it."""
    scopes: dict[K, Scope] = {}
    for roots, scope in ((prod, Scope.REQUIRED), (dev, Scope.DEV)):
        queue = deque(k for k in roots if k not in scopes)
        for k in queue:
            scopes.setdefault(k, scope)
        while queue:
            node = queue.popleft()
            for child in graph.get(node, ()):
                if child not in scopes:
                    scopes[child] = scope
                    queue.append(child)
    return scopes


class Collector:
    """Merges a package seen at several places into one component per (name, version).

    Each (name, version) gets a small integer index when first added; edges are
    kept as index pairs, which hash far faster than pairs of string tuples.
    """

    __slots__ = (
        "_direct",
        "_hashes",
        "_index",
        "_scope",
        "direct_known",
        "edges",
        "source",
        "warnings",
    )

    def __init__(self, source: str) -> None:
        self.source = source
        #: when True, components never marked direct are transitive (False), not unknown (None)
        self.direct_known = False
        self._index: dict[tuple[str, str], int] = {}
        self._scope: list[Scope] = []
        self._direct: list[bool | None] = []
        self._hashes: list[tuple[tuple[str, str], ...]] = []
        self.edges: set[tuple[int, int]] = set()
        self.warnings: list[str] = []

    def __contains__(self, key: tuple[str, str]) -> bool:
        return key in self._index

    def index(self, key: tuple[str, str]) -> int | None:
        return self._index.get(key)

    def add(
        self,
        key: tuple[str, str],
        scope: Scope = Scope.REQUIRED,
        direct: bool | None = None,
        hashes: tuple[tuple[str, str], ...] = (),
    ) -> int:
        i = self._index.get(key)
        if i is None:
            i = self._index[key] = len(self._scope)
            self._scope.append(scope)
            self._direct.append(direct)
            self._hashes.append(hashes)
            return i
        if _SCOPE_RANK[scope] < _SCOPE_RANK[self._scope[i]]:
            self._scope[i] = scope
        if direct is not None and not self._direct[i]:
            self._direct[i] = direct
        if hashes and not self._hashes[i]:
            self._hashes[i] = hashes
        return i

    def link(self, parent: tuple[str, str], child: tuple[str, str]) -> None:
        """An edge between two packages (by name and version); ignored unless both were added."""
        a, b = self._index.get(parent), self._index.get(child)
        if a is not None and b is not None:
            self.edges.add((a, b))

    def set_scope(self, key: tuple[str, str], scope: Scope) -> None:
        self._scope[self._index[key]] = scope

    def set_direct(self, key: tuple[str, str] | int, direct: bool) -> None:
        i = key if isinstance(key, int) else self._index.get(key)
        if i is not None and not self._direct[i]:
            self._direct[i] = direct

    def bom(self) -> Bom:
        source = self.source
        unknown = None if not self.direct_known else False
        scopes, directs, hashes = self._scope, self._direct, self._hashes
        components = [
            Component(
                ECOSYSTEM,
                name,
                version,
                source=source,
                scope=scopes[i],
                direct=unknown if directs[i] is None else directs[i],
                hashes=hashes[i],
                namespace=name.partition("/")[0] if name[:1] == "@" else None,
            )
            for (name, version), i in self._index.items()
        ]
        refs = [f"npm:{name}@{version}" for name, version in self._index]
        edges = {(refs[a], refs[b]) for a, b in self.edges if a != b}
        return Bom(components=components, edges=edges, sources=[source], warnings=self.warnings)

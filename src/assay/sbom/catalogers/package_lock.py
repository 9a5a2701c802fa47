"""npm's ``package-lock.json`` and ``npm-shrinkwrap.json``, lockfileVersion 1, 2 and 3.

Versions 2 and 3 list every installed folder in ``packages``, keyed by its path
(``node_modules/a/node_modules/@s/b``); the root ``""`` and workspace folders
are the project itself, ``link: true`` entries point at workspaces, neither is
a component. A dependency is resolved the way Node resolves ``require``: the
nearest ``node_modules`` folder upward from the requiring package. Version 1
nests ``dependencies`` objects instead; ``requires`` names are resolved in the
same nearest-first way. Hashes: see :mod:`assay.sbom.catalogers._npm`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assay.core.inputs import load_json
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._npm import (
    Collector,
    integrity_hashes,
    read_sibling_manifest,
    split_spec,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Scope

_FILE_NAMES = ("package-lock.json", "npm-shrinkwrap.json")
_NM = "node_modules/"
_NESTED = "/node_modules/"
_DEP_SECTIONS = ("dependencies", "optionalDependencies", "peerDependencies")
_ROOT_SECTIONS = (*_DEP_SECTIONS, "devDependencies")
_REQUIRED = Scope.REQUIRED


def _plain(integrity: str) -> bool:
    return " " not in integrity and "?" not in integrity


def _flags_scope(entry: dict[str, Any]) -> Scope:
    # "dev": only in the devDependencies tree (an optional dependency of a dev
    # dependency has both flags); "devOptional": a dev dependency that is also an
    # optional dependency of a production package, so it can ship.
    if entry.get("dev"):
        return Scope.DEV
    if entry.get("optional") or entry.get("devOptional"):
        return Scope.OPTIONAL
    return Scope.REQUIRED


class PackageLockCataloger:
    name = "npm-package-lock"
    ecosystem = "npm"

    def matches(self, path: Path) -> bool:
        return claims.package_lock(path)

    def read(self, path: Path) -> Bom:
        data = load_json(path, error=InvalidLockfile)
        if not isinstance(data, dict):
            raise InvalidLockfile(path, "expected a JSON object (npm package-lock.json)")
        version = data.get("lockfileVersion")
        packages = data.get("packages")
        out = Collector(str(path))
        if version in (2, 3) and packages is not None:
            if not isinstance(packages, dict):
                raise InvalidLockfile(path, "'packages' is not an object")
            _read_packages(path, packages, out)
        elif version == 1 or (version in (None, 2) and "dependencies" in data):
            deps = data.get("dependencies", {})
            if not isinstance(deps, dict):
                raise InvalidLockfile(path, "'dependencies' is not an object")
            _read_v1(path, deps, out)
        elif "lockfileVersion" in data:
            raise InvalidLockfile(
                path, f"unsupported lockfileVersion {version!r} (expected 1, 2 or 3)"
            )
        else:
            raise InvalidLockfile(path, "no lockfileVersion or packages: not an npm lockfile")
        return out.bom()


def _parent_folder(base: str) -> str:
    """The folder above ``base`` in which Node looks next (``""`` is the project root)."""
    i = base.rfind("/" + _NM)
    if i >= 0:
        return base[:i]
    if base.startswith(_NM):
        return ""
    return base.rpartition("/")[0]


def _read_packages(path: Path, packages: dict[str, Any], out: Collector) -> None:
    ids: dict[str, int] = {}  # packages key -> component index
    projects: list[str] = []  # the root "" and workspace folders
    nested: set[str] = set()  # folders that have a node_modules of their own
    add = out.add
    for key, entry in packages.items():
        if not isinstance(entry, dict):
            raise InvalidLockfile(path, f"packages[{key!r}] is not an object")
        i = key.rfind(_NM)
        if i < 0:
            projects.append(key)
            continue
        if i > 0:
            nested.add(key[: i - 1])
        if entry.get("link"):
            continue
        version = entry.get("version")
        if not isinstance(version, str) or not version:
            out.warnings.append(f"{path}: packages[{key!r}] has no version; skipped")
            continue
        name = entry.get("name")
        if not isinstance(name, str) or not name:
            name = key[i + len(_NM) :]
        flagged = "dev" in entry or "optional" in entry or "devOptional" in entry
        scope = _flags_scope(entry) if flagged else _REQUIRED
        integrity = entry.get("integrity")
        if integrity.__class__ is str and integrity[:7] == "sha512-" and _plain(integrity):
            hashes: tuple[tuple[str, str], ...] = (("SHA-512", integrity[7:]),)
        else:
            hashes = integrity_hashes(integrity)
        ids[key] = add((name, version), scope, None, hashes)

    def follow(key: str) -> int | None:
        """The component at ``key``, through workspace links (which are not components)."""
        for _ in range(8):
            index = ids.get(key)
            if index is not None:
                return index
            entry = packages[key]
            resolved = entry.get("resolved") if entry.get("link") else None
            if not isinstance(resolved, str) or resolved not in packages:
                return None
            key = resolved
        return None

    hoisted: dict[str, int | None] = {}

    def target(chain: list[str], dep: str) -> int | None:
        """What ``require(dep)`` loads: the nearest node_modules upward, else the hoisted one."""
        for base in chain:
            candidate = f"{base}/{_NM}{dep}"
            if candidate in packages:
                return follow(candidate)
        return hoisted_target(dep)

    def hoisted_target(dep: str) -> int | None:
        top = _NM + dep
        found = hoisted[dep] = follow(top) if top in packages else None
        return found

    def lookup_chain(base: str) -> list[str]:
        """The folders from ``base`` upward that hold a node_modules (usually none)."""
        chain = []
        while base:
            if base in nested:
                chain.append(base)
            base = _parent_folder(base)
        return chain

    edges = out.edges
    missing = -1
    for key, parent in ids.items():
        entry = packages[key]
        for section in _DEP_SECTIONS:
            deps = entry.get(section)
            if not deps or not isinstance(deps, dict):
                continue
            if not nested:
                chain = None
            elif key.find(_NESTED) < 0:  # a hoisted package: only its own node_modules
                chain = [key] if key in nested else None
            else:
                chain = lookup_chain(key)
            for dep in deps:
                # the hot path: no nested node_modules on the way up, already resolved once
                child = target(chain, dep) if chain else hoisted.get(dep, missing)
                if child == missing:
                    child = hoisted_target(dep)
                if child is not None:
                    edges.add((parent, child))
    if "" in packages:
        out.direct_known = True
    for project in projects:
        entry = packages[project]
        chain = lookup_chain(project)
        for section in _ROOT_SECTIONS:
            deps = entry.get(section)
            if isinstance(deps, dict):
                for dep in deps:
                    child = target(chain, dep)
                    if child is not None:
                        out.set_direct(child, True)


def _name_version(key: str, entry: dict[str, Any]) -> tuple[str, str] | None:
    version = entry.get("version")
    if not isinstance(version, str) or not version:
        return None
    if version.startswith("npm:"):  # an alias: "npm:real-name@1.2.3"
        name, real = split_spec(version[4:])
        return (name, real) if name and real else None
    return key, version


# A v1 lookup scope: a ``dependencies`` object and the scope enclosing it (None
# above the root). Linked, so each nesting level costs one small tuple.
_Scope = tuple[dict[str, Any], "_Scope | None"]


def _read_v1(path: Path, root: dict[str, Any], out: Collector) -> None:
    base = next((n for n in _FILE_NAMES if path.name.endswith(n)), _FILE_NAMES[0])
    manifest = read_sibling_manifest(path, base)
    top: _Scope = (root, None)
    # Each item: (the scope holding the entry, the entry's name, the entry).
    stack: list[tuple[_Scope, str, Any]] = [(top, k, v) for k, v in root.items()]
    edges: list[tuple[tuple[str, str], tuple[str, str]]] = []
    while stack:
        holder, key, entry = stack.pop()
        if not isinstance(entry, dict):
            raise InvalidLockfile(path, f"dependencies[{key!r}] is not an object")
        ident = _name_version(key, entry)
        if ident is None:
            out.warnings.append(f"{path}: dependency {key!r} has no usable version; skipped")
            continue
        out.add(ident, _flags_scope(entry), None, integrity_hashes(entry.get("integrity")))
        nested = entry.get("dependencies")
        scope = holder
        if isinstance(nested, dict) and nested:
            scope = (nested, holder)
            stack.extend((scope, k, v) for k, v in nested.items())
        requires = entry.get("requires")
        if isinstance(requires, dict):
            for dep in requires:
                child = _lookup(scope, dep)
                if child is not None:
                    edges.append((ident, child))
    for parent, child in edges:  # after the loop: a child may be added after its parent
        out.link(parent, child)
    if manifest is not None:
        out.direct_known = True
        for section in (manifest.prod, manifest.dev, manifest.optional):
            for dep in section:
                child = _lookup(top, dep)
                if child is not None:
                    out.set_direct(child, True)


def _lookup(scope: _Scope | None, dep: str) -> tuple[str, str] | None:
    """Where Node finds ``dep``: the innermost enclosing ``dependencies`` that has it."""
    while scope is not None:
        deps, scope = scope
        entry = deps.get(dep)
        if isinstance(entry, dict):
            return _name_version(dep, entry)
    return None

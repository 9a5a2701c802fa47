"""bun's text lockfile ``bun.lock`` (JSONC, lockfileVersion 0, 1 and 2).

``workspaces`` maps each workspace folder (``""`` is the root) to its declared
``dependencies``, ``devDependencies``, ``optionalDependencies`` and
``peerDependencies``. ``packages`` maps an install path to a resolution array
whose first item is ``name@version``: ``[ident, registry, {deps}, integrity]``
for registry packages, ``[ident, {deps}]`` for folders, links and tarballs,
``[ident, {deps}, tag]`` for git, and ``[ident]`` for workspaces (the project
itself, not a component). A hoisted package's key is its name; a nested one's
key is its parent's key, ``/``, its name (``send/ms``, ``@a/b/@c/d``), and a
dependency resolves to the nearest such key upward, like Node's ``require``.

The binary ``bun.lockb`` is not read: bun writes the text form on request.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import Any

from assay.core.inputs import parse_json, read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._jsonc import to_json
from assay.sbom.catalogers._lockcommon import NameLines, field, quote, sibling
from assay.sbom.catalogers._npm import Collector, integrity_hashes, split_spec
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Scope

_PACKAGE_KEY = re.compile(r'"([^"\\]*)"\s*:\s*\[')
#: deepest install path accepted (``a/b/c``: 3); real trees nest a handful of levels
MAX_NESTING = 64
_TEXT = "bun.lock"
_BINARY = "bun.lockb"
_VERSIONS = (0, 1, 2)
_PROD = ("dependencies", "peerDependencies")
_OPTIONAL = ("optionalDependencies",)
_DEV = ("devDependencies",)
# resolutions that are not from the registry: kept, with a warning naming them
_NON_REGISTRY = ("link:", "file:", "git+", "github:", "http:", "https:")


class BunLockCataloger:
    name = "bun-lock"
    ecosystem = "npm"

    def matches(self, path: Path) -> bool:
        return claims.by_name("bun.lock", "bun.lockb")(path)

    def read(self, path: Path) -> Bom:
        if path.name.endswith(_BINARY):
            return _binary(path)
        text = read_text(path, error=InvalidLockfile)
        data = parse_json(to_json(text, path), path, error=InvalidLockfile)
        if not isinstance(data, dict):
            raise InvalidLockfile(path, "expected a JSON object (bun.lock)", line=1)
        version = data.get("lockfileVersion")
        if version not in _VERSIONS or isinstance(version, bool):
            raise InvalidLockfile(
                path,
                f"unsupported lockfileVersion {quote(repr(version))} (expected 0, 1 or 2)",
                line=_line(text, "lockfileVersion") or 1,
            )
        packages = _object(data.get("packages", {}), path, text, "packages")
        workspaces = _object(data.get("workspaces", {}), path, text, "workspaces")
        return _Reader(path, text, packages, workspaces).bom()


def _binary(path: Path) -> Bom:
    text_lock = sibling(path, _BINARY, _TEXT)
    if text_lock.is_file():
        bom = Bom(sources=[str(path)])
        bom.warnings.append(f"{path}: binary lockfile not read; {text_lock.name} beside it is read")
        return bom
    raise InvalidLockfile(
        path,
        "binary bun.lockb is not read; run `bun install --save-text-lockfile` to write bun.lock",
    )


def _line(text: str, key: str) -> int | None:
    """Line of ``"key": [`` (a packages entry) or else of the first ``"key"``."""
    at = text.find(f'"{key}": [')
    if at < 0:
        at = text.find(f'"{key}"')
    return None if at < 0 else text.count("\n", 0, at) + 1


def _object(value: object, path: Path, text: str, key: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise InvalidLockfile(
            path, f"'{key}' must be an object, found {type(value).__name__}", line=_line(text, key)
        )
    return value


def _segments(key: str) -> list[str]:
    """``@a/b/c/@d/e`` -> ``["@a/b", "c", "@d/e"]``: the package names along an install path."""
    parts = key.split("/")
    out: list[str] = []
    i = 0
    while i < len(parts):
        if parts[i].startswith("@") and i + 1 < len(parts):
            out.append(f"{parts[i]}/{parts[i + 1]}")
            i += 2
        else:
            out.append(parts[i])
            i += 1
    return out


class _Reader:
    def __init__(
        self, path: Path, text: str, packages: dict[str, Any], workspaces: dict[str, Any]
    ) -> None:
        self.path = path
        self.text = text
        self.packages = packages
        self.workspaces = workspaces
        self.out = Collector(str(path))
        self.lines = NameLines(text, _PACKAGE_KEY)  # one pass, only if a warning needs it
        self.ids: dict[str, int] = {}  # packages key -> component index
        self.idents: dict[int, tuple[str, str]] = {}  # component index -> (name, version)
        self.deps: dict[str, list[str]] = {}  # packages key -> dependency names

    def where(self, key: str) -> str:
        return self.lines.where(self.path, key)

    def bom(self) -> Bom:
        for key, entry in self.packages.items():
            self._package(key, entry)
        graph: dict[int, set[int]] = {}
        for key, names in self.deps.items():
            parent = self.ids[key]
            for dep in names:
                child = self._resolve(_segments(key), dep)
                if child is not None and child != parent:
                    graph.setdefault(parent, set()).add(child)
                    self.out.edges.add((parent, child))
        self._scopes(graph)
        return self.out.bom()

    def _package(self, key: str, entry: object) -> None:
        path = self.path
        if not isinstance(entry, list) or not entry:
            raise InvalidLockfile(
                path,
                f"packages[{quote(key)}] must be a non-empty array",
                line=_line(self.text, key),
            )
        if key.count("/") > 2 * MAX_NESTING:  # resolution walks the path: keep it short
            raise InvalidLockfile(
                path,
                f"packages[{quote(key)}] is nested more than {MAX_NESTING} levels deep",
                line=_line(self.text, key),
            )
        try:
            ident = field(entry[0], path, f"packages[{quote(key)}][0]")
        except InvalidLockfile as exc:  # the line is looked up only on this error path
            raise InvalidLockfile(path, exc.reason, line=_line(self.text, key)) from None
        name, version = split_spec(ident)
        if not name or not version:
            raise InvalidLockfile(
                path,
                f"packages[{quote(key)}]: {quote(ident)} is not name@version",
                line=_line(self.text, key),
            )
        if version.startswith(("workspace:", "root:")):
            return  # the project itself
        info: object = None
        hashes: tuple[tuple[str, str], ...] = ()
        if len(entry) >= 4 and isinstance(entry[2], dict):  # registry: ident, url, info, integrity
            info, hashes = entry[2], integrity_hashes(entry[3])
        elif len(entry) >= 2 and isinstance(entry[1], dict):
            info = entry[1]
        if version.startswith(_NON_REGISTRY):
            self.out.warnings.append(
                f"{self.where(key)}: {quote(name)} comes from {quote(version)}, not the registry"
            )
        index = self.ids[key] = self.out.add((name, version), Scope.REQUIRED, None, hashes)
        self.idents[index] = (name, version)
        if isinstance(info, dict):
            names = [
                dep
                for section in (*_PROD, *_OPTIONAL)
                if isinstance(info.get(section), dict)
                for dep in info[section]
            ]
            if names:
                self.deps[key] = names

    def _resolve(self, chain: list[str], dep: str) -> int | None:
        """The component ``require(dep)`` loads from the package at install path ``chain``."""
        for depth in range(len(chain), -1, -1):
            key = "/".join([*chain[:depth], dep])
            found = self.ids.get(key)
            if found is not None:
                return found
        return None

    def _scopes(self, graph: dict[int, set[int]]) -> None:
        roots: dict[Scope, list[int]] = {Scope.REQUIRED: [], Scope.OPTIONAL: [], Scope.DEV: []}
        for folder, ws in self.workspaces.items():
            if not isinstance(ws, dict):
                raise InvalidLockfile(
                    self.path,
                    f"workspaces[{quote(folder)}] must be an object",
                    line=_line(self.text, folder),
                )
            own = ws.get("name")
            chain = [own] if isinstance(own, str) and own else []
            for sections, scope in (
                (_PROD, Scope.REQUIRED),
                (_OPTIONAL, Scope.OPTIONAL),
                (_DEV, Scope.DEV),
            ):
                for section in sections:
                    declared = ws.get(section)
                    if not isinstance(declared, dict):
                        continue
                    for dep in declared:
                        child = self._resolve(chain, dep)
                        if child is not None:
                            roots[scope].append(child)
                            self.out.set_direct(child, True)
        self.out.direct_known = bool(self.workspaces)
        seen: set[int] = set()
        for scope in (Scope.REQUIRED, Scope.OPTIONAL, Scope.DEV):
            queue = deque(i for i in roots[scope] if i not in seen)
            seen.update(queue)
            while queue:
                node = queue.popleft()
                self.out.set_scope(self.idents[node], scope)
                for child in graph.get(node, ()):
                    if child not in seen:
                        seen.add(child)
                        queue.append(child)

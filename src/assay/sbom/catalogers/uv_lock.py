"""uv's ``uv.lock`` (TOML, ``version = 1``).

* Every ``[[package]]`` is a component except the project itself and its
  workspace members (``source = { editable = ... }`` or ``{ virtual = ... }``):
  those are roots. A root's ``dependencies`` are direct and required, its
  ``optional-dependencies`` direct and optional, its ``dev-dependencies``
  (``[package.dev-dependencies]`` groups) direct and dev.
* Scope of the rest: required when reachable from a root's required
  dependencies, else optional when reachable from an extra, else dev when
  reachable from a dev group; with no root at all everything is required and
  ``direct`` is None.
* Hashes: ``sdist.hash`` and every ``wheels[].hash`` (``sha256:<hex>``).
* Edges: from ``dependencies``, ``optional-dependencies`` and
  ``dev-dependencies`` entries; an entry with ``version`` picks that version
  when a name is locked several times, otherwise every locked version.
* ``git``, ``url``, ``path`` and ``directory`` sources are kept as components
  (declared version) and noted in the warnings: the code does not come from
  a registry, so a PyPI advisory may or may not apply.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import (
    NameLines,
    array,
    check_versions,
    line_of,
    load_toml,
    parse_hash,
    quote,
    table,
)
from assay.sbom.catalogers._lockcommon import (
    field as text_field,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component, Scope

ECOSYSTEM = "PyPI"
_NORMALISE = re.compile(r"[-_.]+")
_ROOT_SOURCES = ("editable", "virtual")
_NON_REGISTRY = ("git", "url", "path", "directory")


@dataclass(slots=True)
class _Pkg:
    name: str
    version: str
    entry: dict[str, Any]
    root: bool
    deps: list[tuple[str, str | None, str]] = field(default_factory=list)  # key, version, kind


class UvLockCataloger:
    name = "uv-lock"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("uv.lock")(path)

    def read(self, path: Path) -> Bom:
        text, doc = load_toml(path)
        if "package" not in doc and "version" not in doc:
            raise InvalidLockfile(path, "not a uv.lock: no 'version' and no [[package]]")
        entries = array(doc.get("package", []), path, "[[package]]")
        pkgs = [_package(path, text, e) for e in entries]
        by_key: dict[str, list[_Pkg]] = {}
        for p in pkgs:
            same = by_key.setdefault(_key(p.name), [])
            same.append(p)
            check_versions(path, p.name, len(same))
        scope = _scopes(pkgs, by_key)
        has_root = any(p.root for p in pkgs)
        direct: set[int] = set()
        for p in pkgs:
            if p.root:
                direct.update(id(c) for c in _targets(by_key, p.deps))
        bom = Bom(sources=[str(path)])
        lines = NameLines(text)
        comps: dict[int, Component] = {}
        for p in pkgs:
            if p.root:
                continue
            comp = Component(
                ecosystem=ECOSYSTEM,
                name=p.name,
                version=p.version,
                source=str(path),
                scope=scope.get(id(p), Scope.REQUIRED),
                direct=(id(p) in direct) if has_root else None,
                hashes=_hashes(path, text, p),
            )
            comps[id(p)] = comp
            bom.components.append(comp)
            src = p.entry.get("source")
            kind = next((k for k in _NON_REGISTRY if isinstance(src, dict) and k in src), None)
            if kind is not None:
                bom.warnings.append(
                    f"{lines.where(path, p.name)}: {p.name} {p.version} comes from a {kind} source"
                )
        for p in pkgs:
            parent = comps.get(id(p))
            if parent is None:
                continue
            for child in _targets(by_key, p.deps):
                bom.edges.add((parent.ref, comps[id(child)].ref))
        return bom


def _key(name: str) -> str:
    return _NORMALISE.sub("-", name).lower()


def _package(path: Path, text: str, value: object) -> _Pkg:
    """One ``[[package]]``; a structural error gets the line of its ``name = "..."``."""
    try:
        return _unchecked_package(path, value)
    except InvalidLockfile as exc:
        name = value.get("name") if isinstance(value, dict) else None
        if exc.line is not None or not isinstance(name, str):
            raise
        raise InvalidLockfile(path, exc.reason, line=_line(text, name)) from None


def _line(text: str, name: str) -> int | None:
    return line_of(text, f'name = "{name}"')


def _unchecked_package(path: Path, value: object) -> _Pkg:
    entry = table(value, path, "[[package]]")
    name = text_field(entry.get("name"), path, "package name")
    source = entry.get("source")
    root = isinstance(source, dict) and any(k in source for k in _ROOT_SOURCES)
    version = entry.get("version")
    if version is None and root:
        version = ""  # a project with a dynamic version
    else:
        version = text_field(version, path, f"version of {quote(name)}")
    pkg = _Pkg(name=name, version=version, entry=entry, root=root)
    _deps(path, pkg, entry.get("dependencies"), "required")
    for kind, key in (("optional", "optional-dependencies"), ("dev", "dev-dependencies")):
        groups = entry.get(key)
        if groups is not None:
            for items in table(groups, path, f"{key} of {quote(name)}").values():
                _deps(path, pkg, items, kind)
    return pkg


def _deps(path: Path, pkg: _Pkg, items: object, kind: str) -> None:
    if items is None:
        return
    for item in array(items, path, f"dependencies of {quote(pkg.name)}"):
        dep = table(item, path, f"dependency of {quote(pkg.name)}")
        name = text_field(dep.get("name"), path, f"dependency of {quote(pkg.name)}")
        version = dep.get("version")
        pkg.deps.append((_key(name), version if isinstance(version, str) else None, kind))


def _targets(
    by_key: dict[str, list[_Pkg]], deps: Iterable[tuple[str, str | None, str]]
) -> list[_Pkg]:
    out: list[_Pkg] = []
    for key, version, _kind in deps:
        candidates = by_key.get(key, ())
        if version is not None and len(candidates) > 1:
            candidates = [c for c in candidates if c.version == version] or list(candidates)
        out.extend(c for c in candidates if not c.root)
    return out


def _scopes(pkgs: list[_Pkg], by_key: dict[str, list[_Pkg]]) -> dict[int, Scope]:
    """Breadth-first from the roots: required beats optional beats dev."""
    scope: dict[int, Scope] = {}
    for wanted, kind in (
        (Scope.REQUIRED, "required"),
        (Scope.OPTIONAL, "optional"),
        (Scope.DEV, "dev"),
    ):
        queue: deque[_Pkg] = deque()
        for p in pkgs:
            if p.root:
                queue.extend(_targets(by_key, (d for d in p.deps if d[2] == kind)))
        while queue:
            p = queue.popleft()
            if id(p) in scope:
                continue
            scope[id(p)] = wanted
            queue.extend(_targets(by_key, p.deps))
    return scope


def _hashes(path: Path, text: str, pkg: _Pkg) -> tuple[tuple[str, str], ...]:
    artefacts: list[Any] = []
    sdist = pkg.entry.get("sdist")
    if sdist is not None:
        artefacts.append(sdist)
    wheels = pkg.entry.get("wheels")
    if wheels is not None:
        if not isinstance(wheels, list):
            raise InvalidLockfile(
                path, f"wheels of {quote(pkg.name)} must be an array", line=_line(text, pkg.name)
            )
        artefacts.extend(wheels)
    out: list[tuple[str, str]] = []
    for art in artefacts:
        raw = art.get("hash") if isinstance(art, dict) else None
        if raw is None:
            continue
        parsed = parse_hash(raw) if isinstance(raw, str) else None
        if parsed is None:
            raise InvalidLockfile(
                path,
                f"invalid hash {quote(str(raw))} for {quote(pkg.name)}",
                line=_line(text, pkg.name),
            )
        out.append(parsed)
    return tuple(dict.fromkeys(out))

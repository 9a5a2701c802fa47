"""``pnpm-lock.yaml``, lockfileVersion 5.x, 6.x and 9.x.

Package keys by version (peer suffixes name the peers a copy was built with
and are stripped: one component per name and version):

* 5.x: ``/name/1.2.3``, ``/@scope/name/1.2.3_peer@2.0.0``; importers map a
  name to ``1.2.3_peer@2.0.0`` and keep the ranges in ``specifiers``.
* 6.x: ``/name@1.2.3(peer@2.0.0)``; importers map a name to
  ``{specifier, version}``.
* 9.x: ``packages`` keyed ``name@1.2.3`` (resolution, integrity) and
  ``snapshots`` keyed ``name@1.2.3(peer@2.0.0)`` (dependencies).

``importers`` (or, in single-project 5.x/6.x files, the top-level sections)
name the direct dependencies; ``link:`` versions are workspace packages, not
components. 5.x/6.x mark dev-only packages ``dev: true``; 9.x does not, so the
dev scope is what only ``devDependencies`` reach.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assay.core.inputs import read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._npm import (
    Collector,
    integrity_hashes,
    line_of,
    load_yaml,
    reachable_scopes,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Scope

Ident = tuple[str, str]
_PROD = ("dependencies", "optionalDependencies")
_SECTIONS = ("dependencies", "optionalDependencies", "devDependencies")


class PnpmLockCataloger:
    name = "pnpm-lock"
    ecosystem = "npm"

    def matches(self, path: Path) -> bool:
        return claims.by_name("pnpm-lock.yaml")(path)

    def read(self, path: Path) -> Bom:
        text = read_text(path, error=InvalidLockfile)
        data = load_yaml(text, path)
        if not isinstance(data, dict) or "lockfileVersion" not in data:
            raise InvalidLockfile(path, "no lockfileVersion: not a pnpm lockfile")
        raw = str(data["lockfileVersion"])
        major = raw.split(".", 1)[0]
        if major not in ("5", "6", "7", "9"):
            raise InvalidLockfile(
                path, f"unsupported lockfileVersion {raw!r} (expected 5.x, 6.x or 9.x)"
            )
        return _Reader(path, text, data, int(major)).read()


def _strip_peers(version: str, major: int) -> str:
    cut = version.find("(")
    if cut >= 0:
        version = version[:cut]
    if major == 5:
        cut = version.find("_")
        if cut >= 0:
            version = version[:cut]
    return version


class _Reader:
    def __init__(self, path: Path, text: str, data: dict[str, Any], major: int) -> None:
        self.path = path
        self.text = text
        self.data = data
        self.major = major
        self.out = Collector(str(path))

    def _mapping(self, value: Any, what: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise InvalidLockfile(self.path, f"{what} is not a mapping")
        return value

    def parse_key(self, key: str, entry: dict[str, Any]) -> Ident:
        """(name, version) of a ``packages``/``snapshots`` key."""
        name, version = entry.get("name"), entry.get("version")
        if isinstance(name, str) and name and version is not None:
            return name, str(version)
        body = key[1:] if key.startswith("/") else key
        if self.major == 5:
            parts = body.split("/", 2 if body.startswith("@") else 1)
            version = _strip_peers(parts[-1], 5)
            if len(parts) == (3 if body.startswith("@") else 2) and version and "/" not in version:
                return "/".join(parts[:-1]), version
        else:
            body = _strip_peers(body, self.major)
            at = body.rfind("@")
            if at > 0 and at < len(body) - 1:
                return body[:at], body[at + 1 :]
        raise InvalidLockfile(
            self.path,
            f"cannot read name and version from key {key!r}",
            line=line_of(self.text, f"\n  {key}:", f"\n  '{key}':"),
        )

    def dep_key(self, name: str, ref: Any) -> str | None:
        """The ``packages``/``snapshots`` key a dependency reference points at."""
        if isinstance(ref, dict):  # 6.x/9.x importers: {specifier, version}
            ref = ref.get("version")
        if ref is None:
            return None
        ref = str(ref)
        if ref.startswith("link:"):
            return None
        if self.major == 5:
            return ref if "/" in ref else f"/{name}/{ref}"
        if self.major == 6:
            return ref if ref.startswith("/") or "/" in ref.split("(", 1)[0] else f"/{name}@{ref}"
        return ref if "@" in ref.split("(", 1)[0][1:] else f"{name}@{ref}"

    def read(self) -> Bom:
        out = self.out
        packages = self._mapping(self.data.get("packages"), "'packages'")
        snapshots = self._mapping(self.data.get("snapshots"), "'snapshots'")
        ids: dict[str, Ident] = {}
        snapshot_format = self.major >= 7  # 9.x: the graph and flags live in snapshots
        pending: dict[Ident, tuple[tuple[str, str], ...]] = {}
        for key, entry in packages.items():
            entry = self._mapping(entry, f"packages[{key!r}]")
            ident = self.parse_key(str(key), entry)
            ids[str(key)] = ident
            resolution = entry.get("resolution")
            hashes = (
                integrity_hashes(resolution.get("integrity"))
                if isinstance(resolution, dict)
                else ()
            )
            if snapshot_format:
                pending[ident] = hashes
                continue
            scope = Scope.REQUIRED
            if entry.get("dev") is True:
                scope = Scope.DEV
            elif entry.get("optional") is True:
                scope = Scope.OPTIONAL
            out.add(ident, scope, hashes=hashes)
        nodes = snapshots if snapshot_format else packages
        graph: dict[Ident, list[Ident]] = {}
        for key, entry in nodes.items():
            entry = self._mapping(entry, f"snapshots[{key!r}]")
            ident = ids.get(str(key)) or self.parse_key(str(key), entry)
            ids[str(key)] = ident
            if snapshot_format:
                optional = entry.get("optional") is True
                out.add(
                    ident,
                    Scope.OPTIONAL if optional else Scope.REQUIRED,
                    hashes=pending.get(ident, ()),
                )
            children = graph.setdefault(ident, [])
            for section in _PROD:
                for dep, ref in self._mapping(entry.get(section), f"{key!r} {section}").items():
                    child = self._target(str(dep), ref, ids)
                    if child is not None:
                        children.append(child)
        for ident, hashes in pending.items():
            if ident not in out:
                out.add(ident, hashes=hashes)
        for parent, children in graph.items():  # now that every package is added
            for child in children:
                out.link(parent, child)
        self._importers(ids, graph)
        return out.bom()

    def _target(self, name: str, ref: Any, ids: dict[str, Ident]) -> Ident | None:
        key = self.dep_key(name, ref)
        if key is None:
            return None
        ident = ids.get(key)
        if ident is None and self.major >= 7:
            # 9.x snapshots may be absent for a package: fall back to the bare key
            ident = ids.get(key.split("(", 1)[0])
        return ident

    def _importers(self, ids: dict[str, Ident], graph: dict[Ident, list[Ident]]) -> None:
        importers = self._mapping(self.data.get("importers"), "'importers'")
        if not importers and any(s in self.data for s in _SECTIONS):
            importers = {".": self.data}  # a single-project 5.x/6.x lockfile
        if not importers:
            return
        self.out.direct_known = True
        prod: list[Ident] = []
        dev: list[Ident] = []
        for where, importer in importers.items():
            importer = self._mapping(importer, f"importers[{where!r}]")
            for section in _SECTIONS:
                deps = self._mapping(importer.get(section), f"importers[{where!r}] {section}")
                bucket = dev if section == "devDependencies" else prod
                for dep, ref in deps.items():
                    child = self._target(str(dep), ref, ids)
                    if child is not None:
                        bucket.append(child)
                        self.out.set_direct(child, True)
        if self.major >= 7:
            for ident, scope in reachable_scopes(graph, prod, dev).items():
                if ident in self.out and scope is Scope.DEV:
                    self.out.set_scope(ident, scope)

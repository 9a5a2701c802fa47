"""NuGet's ``packages.lock.json`` (lock file version 1 and 2).

* ``dependencies`` maps each target framework (``net6.0``, ``net6.0/win-x64``)
  to the packages restored for it: ``type`` ``Direct``, ``Transitive``,
  ``CentralTransitive`` or ``Project``. A package restored for several
  frameworks at one version is one component; it is direct when it is
  ``Direct`` for any of them.
* ``Project`` entries are other projects of the same solution: not
  components (their own lock files list what they restore).
* ``resolved`` is the version; ``contentHash`` (base64 of the SHA-512 of the
  ``.nupkg``) becomes ``("SHA-512", <base64>)``, base64 kept as written.
* Edges: an entry's ``dependencies`` name packages by id (with the requested
  range); each points at the version resolved for the same framework.
* NuGet records no development scope: every component is required.
"""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any

from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import (
    field,
    load_json_object,
    locate,
    quote,
    table,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "NuGet"
_TYPES = frozenset({"direct", "transitive", "centraltransitive", "project"})


class NugetLockCataloger:
    name = "nuget-lock"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("packages.lock.json")(path)

    def read(self, path: Path) -> Bom:
        data = load_json_object(path)
        version = data.get("version")
        if version not in (1, 2):
            if "dependencies" not in data:
                raise InvalidLockfile(path, "not a NuGet packages.lock.json: no 'dependencies'")
            raise InvalidLockfile(path, f"unsupported lock file version {quote(str(version))}")
        frameworks = table(data.get("dependencies"), path, "'dependencies'")
        return _Reader(path).read(frameworks)


class _Reader:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.bom = Bom(sources=[str(path)])
        # (lower-case id, version) -> component; direct wins over transitive
        self.comps: dict[tuple[str, str], Component] = {}

    def read(self, frameworks: dict[str, Any]) -> Bom:
        pending: list[tuple[tuple[str, str], dict[str, str], dict[str, Any]]] = []
        for framework, packages in frameworks.items():
            packages = table(packages, self.path, f"framework {quote(framework)}")
            resolved: dict[str, str] = {}
            for name, entry in packages.items():
                try:
                    key, deps = self.entry(framework, name, entry)
                except InvalidLockfile as exc:
                    raise locate(exc, self.path, f'"{name}"') from None
                if key is not None:
                    resolved[key[0]] = key[1]
                    if deps:
                        pending.append((key, resolved, deps))
        self.bom.components.extend(self.comps.values())
        for parent_key, resolved, deps in pending:
            parent = self.comps[parent_key]
            for dep in deps:
                version = resolved.get(dep.lower())
                child = self.comps.get((dep.lower(), version)) if version else None
                if child is not None and child is not parent:
                    self.bom.edges.add((parent.ref, child.ref))
        return self.bom

    def entry(
        self, framework: str, name: str, value: object
    ) -> tuple[tuple[str, str] | None, dict[str, Any]]:
        where = f"{quote(name)} ({quote(framework)})"
        entry = table(value, self.path, where)
        field(name, self.path, "package id")
        kind = field(entry.get("type"), self.path, f"type of {where}")
        if kind.lower() not in _TYPES:
            raise InvalidLockfile(self.path, f"unknown type {quote(kind)} for {where}")
        deps_value = entry.get("dependencies")
        deps = (
            {} if deps_value is None else table(deps_value, self.path, f"dependencies of {where}")
        )
        if kind.lower() == "project":
            return None, {}
        version = field(entry.get("resolved"), self.path, f"resolved version of {where}")
        key = (name.lower(), version)
        direct = kind.lower() == "direct"
        known = self.comps.get(key)
        if known is None or (direct and not known.direct):
            self.comps[key] = Component(
                ECOSYSTEM,
                name,
                version,
                source=str(self.path),
                direct=direct,
                hashes=self.content_hash(entry.get("contentHash"), where),
            )
        return key, deps

    def content_hash(self, value: object, where: str) -> tuple[tuple[str, str], ...]:
        if value is None or value == "":
            return ()
        text = field(value, self.path, f"contentHash of {where}")
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) != 64:
            raise InvalidLockfile(
                self.path, f"contentHash of {where} is not a base64 SHA-512 digest"
            )
        return (("SHA-512", text),)

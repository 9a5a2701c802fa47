"""Composer's ``composer.lock``: ``packages`` are required, ``packages-dev`` dev.

* Versions are kept as written, leading ``v`` included (``v4.3.1``); matching
  strips it. Branch versions (``dev-master``) are kept too.
* ``dist.shasum`` (SHA-1 of the archive, often empty) becomes ``("SHA-1", hex)``.
* ``license`` arrays: several entries mean the user may choose, so
  ``["MIT", "BSD-3-Clause"]`` is ``MIT OR BSD-3-Clause``; the expression is
  SPDX-normalised where it parses and kept as written otherwise (``BSD``).
* Edges come from ``require`` (platform requirements such as ``php`` and
  ``ext-json`` are not packages and have no edge).
* Direct vs transitive: from the sibling ``composer.json`` (``require`` and
  ``require-dev``) when it exists; otherwise None.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assay.core.inputs import load_json
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import (
    array,
    field,
    hex_hash,
    load_json_object,
    locate,
    quote,
    sibling,
    spdx_expression,
    table,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component, Scope

ECOSYSTEM = "Packagist"


class ComposerLockCataloger:
    name = "composer-lock"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("composer.lock")(path)

    def read(self, path: Path) -> Bom:
        data = load_json_object(path)
        if "packages" not in data:
            raise InvalidLockfile(path, "not a composer.lock: no 'packages' list")
        direct = _direct_names(sibling(path, "composer.lock", "composer.json"))
        bom = Bom(sources=[str(path)])
        by_name: dict[str, Component] = {}
        requires: list[tuple[Component, dict[str, Any]]] = []
        for section, scope in (("packages", Scope.REQUIRED), ("packages-dev", Scope.DEV)):
            value = data.get(section)
            entries = [] if value is None else array(value, path, f"'{section}'")
            for index, entry in enumerate(entries):
                where = f"{section}[{index}]"
                entry = table(entry, path, where)
                name = field(entry.get("name"), path, f"{where}.name")
                key = name.lower()
                try:
                    comp = Component(
                        ECOSYSTEM,
                        name,
                        field(entry.get("version"), path, f"version of {quote(name)}"),
                        source=str(path),
                        scope=scope,
                        direct=None if direct is None else key in direct,
                        licenses=_licenses(path, name, entry.get("license")),
                        hashes=_hashes(path, name, entry.get("dist")),
                    )
                except InvalidLockfile as exc:
                    raise locate(exc, path, f'"{name}"') from None
                if key in by_name:  # Composer locks one version per name
                    continue
                by_name[key] = comp
                bom.components.append(comp)
                require = entry.get("require")
                if require:
                    requires.append((comp, table(require, path, f"require of {quote(name)}")))
        for comp, require in requires:
            for dep in require:
                child = by_name.get(dep.lower())
                if child is not None:
                    bom.edges.add((comp.ref, child.ref))
        return bom


def _licenses(path: Path, name: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = [value]
    items = [
        item.strip()
        for item in (
            field(v, path, f"licence of {quote(name)}", required=False)
            for v in array(value, path, "license")
        )
        if item.strip()
    ]
    if not items:
        return None
    if len(items) == 1:
        return spdx_expression(items[0])
    return spdx_expression(" OR ".join(f"({i})" if " " in i.strip() else i for i in items))


def _hashes(path: Path, name: str, dist: object) -> tuple[tuple[str, str], ...]:
    if not isinstance(dist, dict):
        return ()
    shasum = dist.get("shasum")
    if not shasum:
        return ()
    parsed = hex_hash("sha1", shasum) if isinstance(shasum, str) else None
    if parsed is None:
        raise InvalidLockfile(path, f"invalid dist.shasum {quote(str(shasum))} for {quote(name)}")
    return (parsed,)


def _direct_names(manifest: Path) -> set[str] | None:
    if not manifest.is_file():
        return None
    data = load_json(manifest, error=InvalidLockfile)
    if not isinstance(data, dict):
        raise InvalidLockfile(manifest, "expected a JSON object")
    names: set[str] = set()
    for section in ("require", "require-dev"):
        value = data.get(section)
        if isinstance(value, dict):
            names.update(n.lower() for n in value)
    return names

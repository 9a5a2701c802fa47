"""Cargo's ``Cargo.lock``, format versions 1 to 4.

* v1: no ``version`` key, checksums in ``[metadata]`` as
  ``"checksum <name> <version> (<source>)" = "<sha256>"``, dependencies always
  ``"name version (source)"``; very old files also carry a ``[root]`` table.
* v2 (no ``version`` key), v3 (``version = 3``), v4 (``version = 4``):
  per-package ``checksum``; dependencies ``"name"`` when the name is locked
  once, ``"name version"`` or ``"name version (source)"`` otherwise.
* Packages without ``source`` are the workspace's own crates (path
  dependencies, workspace members): not components. Their dependencies are
  direct, everything else transitive. Cargo.lock does not record dev or build
  dependencies separately, so every component is scope required.
* ``git+`` sources are kept as components (declared version) with a warning:
  their code is a commit, not the crates.io release of that version.
* Checksums become ``("SHA-256", hex)``; edges link components (never the
  workspace's own crates).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import (
    NameLines,
    array,
    check_versions,
    field,
    hex_hash,
    line_of,
    load_toml,
    quote,
    table,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component

ECOSYSTEM = "crates.io"


@dataclass(slots=True)
class _Crate:
    name: str
    version: str
    source: str | None
    checksum: str | None
    deps: list[str]


class CargoLockCataloger:
    name = "cargo-lock"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("Cargo.lock")(path)

    def read(self, path: Path) -> Bom:
        text, doc = load_toml(path)
        version = doc.get("version", 1)
        if not isinstance(version, int) or not 1 <= version <= 4:
            raise InvalidLockfile(
                path, f"unsupported Cargo.lock version {quote(str(version))}", line=1
            )
        if "package" not in doc and "root" not in doc:
            raise InvalidLockfile(path, "not a Cargo.lock: no [[package]]")
        crates = [_crate(path, text, e) for e in array(doc.get("package", []), path, "[[package]]")]
        if "root" in doc:  # pre-2017 files: the root crate in its own table
            crates.append(_crate(path, text, doc["root"], root=True))
        checksums = _metadata_checksums(path, doc.get("metadata"))
        index = _Index(path, crates)
        bom = Bom(sources=[str(path)])
        direct: set[int] = set()
        for crate in crates:
            if crate.source is None:
                direct.update(id(c) for c in index.resolve(path, text, crate))
        comps: dict[int, Component] = {}
        lines = NameLines(text)
        for crate in crates:
            if crate.source is None:
                continue
            digest = crate.checksum or checksums.get(
                f"{crate.name} {crate.version} ({crate.source})"
            )
            hashes = _hash(path, text, crate, digest)
            comp = Component(
                ECOSYSTEM,
                crate.name,
                crate.version,
                source=str(path),
                direct=id(crate) in direct,
                hashes=hashes,
            )
            comps[id(crate)] = comp
            bom.components.append(comp)
            if crate.source.startswith("git+"):
                bom.warnings.append(
                    f"{lines.where(path, crate.name)}: {crate.name} {crate.version} comes from git"
                    f" ({quote(crate.source)}), not crates.io"
                )
        for crate in crates:
            parent = comps.get(id(crate))
            if parent is not None:
                for child in index.resolve(path, text, crate):
                    if id(child) in comps:
                        bom.edges.add((parent.ref, comps[id(child)].ref))
        return bom


def _crate(path: Path, text: str, value: object, *, root: bool = False) -> _Crate:
    entry = table(value, path, "[root]" if root else "[[package]]")
    name = field(entry.get("name"), path, "package name")
    try:
        return _checked_crate(path, name, entry, root)
    except InvalidLockfile as exc:
        if exc.line is not None:
            raise
        raise InvalidLockfile(path, exc.reason, line=line_of(text, f'name = "{name}"')) from None


def _checked_crate(path: Path, name: str, entry: dict[str, Any], root: bool) -> _Crate:
    version = field(entry.get("version"), path, f"version of {quote(name)}")
    source = entry.get("source")
    if source is not None:
        source = field(source, path, f"source of {quote(name)}")
    checksum = entry.get("checksum")
    if checksum is not None:
        checksum = field(checksum, path, f"checksum of {quote(name)}")
    deps = array(entry.get("dependencies", []), path, f"dependencies of {quote(name)}")
    for dep in deps:
        field(dep, path, f"dependency of {quote(name)}")
    return _Crate(name, version, None if root else source, checksum, deps)


def _hash(path: Path, text: str, crate: _Crate, digest: str | None) -> tuple[tuple[str, str], ...]:
    if not digest:
        return ()
    parsed = hex_hash("sha256", digest)
    if parsed is None:
        raise InvalidLockfile(
            path,
            f"invalid checksum {quote(digest)} for {crate.name} {crate.version}",
            line=line_of(text, digest),
        )
    return (parsed,)


def _metadata_checksums(path: Path, metadata: object) -> dict[str, str]:
    """v1 ``[metadata]``: ``"checksum name version (source)" = "hex"`` -> by the quoted key."""
    if metadata is None:
        return {}
    out: dict[str, str] = {}
    for key, value in table(metadata, path, "[metadata]").items():
        if key.startswith("checksum ") and isinstance(value, str) and value != "<none>":
            out[key[len("checksum ") :]] = value
    return out


class _Index:
    """Resolves ``"name"``, ``"name version"`` and ``"name version (source)"`` references."""

    def __init__(self, path: Path, crates: list[_Crate]) -> None:
        self.by_name: dict[str, list[_Crate]] = {}
        for crate in crates:
            same = self.by_name.setdefault(crate.name, [])
            same.append(crate)
            check_versions(path, crate.name, len(same))

    def resolve(self, path: Path, text: str, crate: _Crate) -> list[_Crate]:
        out: list[_Crate] = []
        for dep in crate.deps:
            parts = dep.split(" ", 2)
            candidates = self.by_name.get(parts[0], [])
            if len(parts) >= 2:
                candidates = [c for c in candidates if c.version == parts[1]]
            if len(parts) == 3 and len(candidates) > 1:
                source = parts[2].strip("()")
                candidates = [c for c in candidates if c.source == source] or candidates
            if not candidates:
                raise InvalidLockfile(
                    path,
                    f"{crate.name} {crate.version} depends on {quote(dep)}, which is not locked",
                    line=line_of(text, f'"{dep}"'),
                )
            out.append(candidates[0] if len(parts) >= 2 else candidates[-1])
        return out

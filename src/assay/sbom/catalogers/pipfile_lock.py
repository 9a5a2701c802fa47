"""Pipenv's ``Pipfile.lock`` (pipfile-spec 6): ``default`` is required, ``develop`` is dev.

Each entry's ``"version": "==x"`` is the pin and its ``hashes`` become
``("SHA-256", hex)`` pairs. Editable, path, file and VCS entries (no
``version``) are warnings, not components. A package in both sections is
reported once, as required. The lock does not say which packages are direct:
when the sibling ``Pipfile`` exists its ``[packages]``/``[dev-packages]`` names
are direct and the rest transitive; without it ``direct`` is None.
"""

from __future__ import annotations

import re
from pathlib import Path

from assay.core.inputs import parse_toml, read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import (
    JSON_KEY,
    NameLines,
    field,
    line_of,
    load_json_object,
    locate,
    parse_hash,
    quote,
    sibling,
    table,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component, Scope

ECOSYSTEM = "PyPI"
_NORMALISE = re.compile(r"[-_.]+")


class PipfileLockCataloger:
    name = "pipfile-lock"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("Pipfile.lock")(path)

    def read(self, path: Path) -> Bom:
        data = load_json_object(path)
        if "_meta" not in data or not ("default" in data or "develop" in data):
            raise InvalidLockfile(path, "not a Pipfile.lock: no '_meta' and 'default' sections")
        direct = _direct_names(sibling(path, "Pipfile.lock", "Pipfile"))
        bom = Bom(sources=[str(path)])
        lines = NameLines(path, JSON_KEY)
        seen: set[tuple[str, str]] = set()
        for section, scope in (("default", Scope.REQUIRED), ("develop", Scope.DEV)):
            value = data.get(section)
            entries = {} if value is None else table(value, path, f"'{section}'")
            for name, entry in entries.items():
                _entry(path, name, entry, scope, direct, seen, bom, lines)
        return bom


def _entry(
    path: Path,
    name: str,
    entry: object,
    scope: Scope,
    direct: set[str] | None,
    seen: set[tuple[str, str]],
    bom: Bom,
    lines: NameLines,
) -> None:
    field(name, path, "package name")
    if not isinstance(entry, dict):
        raise InvalidLockfile(
            path, f"entry {quote(name)} must be an object", line=_line(path, name)
        )
    version = entry.get("version")
    if version is None:
        kinds = [k for k in ("editable", "git", "hg", "svn", "bzr", "path", "file") if entry.get(k)]
        kind = ", ".join(kinds) or "no source"
        bom.warnings.append(
            f"{lines.where(path, name)}: {quote(name)} has no version ({kind}); not scanned"
        )
        return
    try:
        version = field(version, path, f"version of {quote(name)}")
    except InvalidLockfile as exc:
        raise locate(exc, path, f'"{name}"') from None
    if not version.startswith("=="):
        bom.warnings.append(
            f"{lines.where(path, name)}: {quote(name)} {quote(version)} is not pinned; not scanned"
        )
        return
    version = version.lstrip("=").strip()
    key = _NORMALISE.sub("-", name).lower()
    if (key, version) in seen:
        return
    seen.add((key, version))
    hashes: list[tuple[str, str]] = []
    for value in entry.get("hashes") or ():
        parsed = parse_hash(value) if isinstance(value, str) else None
        if parsed is None:
            raise InvalidLockfile(
                path, f"invalid hash {quote(str(value))} for {quote(name)}", line=_line(path, name)
            )
        hashes.append(parsed)
    bom.components.append(
        Component(
            ecosystem=ECOSYSTEM,
            name=name,
            version=version,
            source=str(path),
            scope=scope,
            direct=None if direct is None else key in direct,
            hashes=tuple(hashes),
        )
    )


def _line(path: Path, name: str) -> int | None:
    # only on errors: re-read the text to point at the entry
    try:
        return line_of(path.read_text("utf-8", errors="replace"), f'"{name}"')
    except OSError:
        return None


def _direct_names(pipfile: Path) -> set[str] | None:
    if not pipfile.is_file():
        return None
    doc = parse_toml(read_text(pipfile, error=InvalidLockfile), pipfile, error=InvalidLockfile)
    names: set[str] = set()
    for section in ("packages", "dev-packages"):
        value = doc.get(section)
        if isinstance(value, dict):
            names.update(_NORMALISE.sub("-", n).lower() for n in value)
    return names

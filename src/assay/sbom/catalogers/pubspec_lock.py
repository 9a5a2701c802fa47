"""Dart and Flutter's ``pubspec.lock`` (YAML).

* ``packages`` maps each package name to ``dependency`` (``direct main``,
  ``direct dev``, ``direct overridden`` or ``transitive``), ``source``,
  ``description`` and ``version``.
* ``source: hosted`` packages are components; ``description.sha256`` (of the
  archive, Dart 3) becomes ``("SHA-256", hex)``. ``source: git`` packages are
  components too, with a warning: their code is a commit
  (``description.resolved-ref``), not the release of that version.
* ``source: sdk`` (``flutter``, ``flutter_test``: part of the SDK) and
  ``source: path`` (the project's own packages) are not components.
* ``direct dev`` is scope dev; the lock records no edges, so transitive
  packages cannot be told apart by scope and are required.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assay.core.inputs import parse_yaml, read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import (
    field,
    hex_hash,
    line_of,
    quote,
    table,
)
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component, Scope

ECOSYSTEM = "Pub"
_KINDS = {
    "direct main": (True, Scope.REQUIRED),
    "direct dev": (True, Scope.DEV),
    "direct overridden": (True, Scope.REQUIRED),
    "transitive": (False, Scope.REQUIRED),
}
_SOURCES = frozenset({"hosted", "git", "path", "sdk"})


class PubspecLockCataloger:
    name = "pubspec-lock"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.by_name("pubspec.lock")(path)

    def read(self, path: Path) -> Bom:
        text = read_text(path, error=InvalidLockfile)
        data = parse_yaml(text, path, error=InvalidLockfile)
        if not isinstance(data, dict) or "packages" not in data:
            raise InvalidLockfile(path, "not a pubspec.lock: no 'packages' mapping")
        packages = data["packages"]
        if packages is None:
            return Bom(sources=[str(path)])
        packages = table(packages, path, "'packages'", line=line_of(text, "packages:"))
        bom = Bom(sources=[str(path)])
        for name, entry in packages.items():

            def entry_line(name: object = name) -> int | None:
                # A scan of the whole text: called only for errors and warnings, never per entry.
                line = line_of(text, f"\n  {name}:")
                return line + 1 if line is not None else None

            try:
                _add(bom, path, name, entry, entry_line)
            except InvalidLockfile as exc:
                if exc.line is not None:
                    raise
                raise InvalidLockfile(path, exc.reason, line=entry_line()) from None
        return bom


def _add(
    bom: Bom, path: Path, name: object, value: object, entry_line: Callable[[], int | None]
) -> None:
    name = field(name, path, "package name")
    entry = table(value, path, f"package {quote(name)}")
    source = field(entry.get("source"), path, f"source of {quote(name)}")
    if source not in _SOURCES:
        raise InvalidLockfile(path, f"unknown source {quote(source)} for {quote(name)}")
    kind = field(entry.get("dependency"), path, f"dependency of {quote(name)}")
    if kind not in _KINDS:
        raise InvalidLockfile(path, f"unknown dependency kind {quote(kind)} for {quote(name)}")
    version = field(_text(entry.get("version")), path, f"version of {quote(name)}")
    if source in ("sdk", "path"):
        return
    description = entry.get("description")
    hashes: tuple[tuple[str, str], ...] = ()
    if isinstance(description, dict) and description.get("sha256") is not None:
        digest = _text(description["sha256"])
        parsed = hex_hash("sha256", digest) if isinstance(digest, str) else None
        if parsed is None:
            raise InvalidLockfile(path, f"invalid sha256 {quote(str(digest))} for {quote(name)}")
        hashes = (parsed,)
    direct, scope = _KINDS[kind]
    bom.components.append(
        Component(
            ECOSYSTEM,
            name,
            version,
            source=str(path),
            scope=scope,
            direct=direct,
            hashes=hashes,
        )
    )
    if source == "git":
        ref = description.get("resolved-ref") if isinstance(description, dict) else None
        commit = f" at {quote(ref)}" if isinstance(ref, str) else ""
        line = entry_line()
        where = f"{path}:{line}" if line is not None else str(path)
        bom.warnings.append(f"{where}: {name} {version} comes from git{commit}, not pub.dev")


def _text(value: object) -> object:
    """YAML reads unquoted ``1.0`` as a number; versions and digests are text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value

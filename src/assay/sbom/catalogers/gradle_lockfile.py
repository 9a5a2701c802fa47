"""Gradle dependency locks: ``gradle.lockfile`` and legacy ``gradle/dependency-locks/*.lockfile``.

Since Gradle 6 one file per project holds ``group:artifact:version=conf1,conf2``
lines (the configurations that resolved it) and one ``empty=conf,...`` line
naming the configurations that resolved nothing; ``#`` lines are comments.
The legacy layout has one file per configuration (``compileClasspath.lockfile``)
with bare ``group:artifact:version`` lines. A lockfile records the whole
resolved graph, so every component is present but direct and transitive
cannot be told apart, and there are no edges. A component only test
configurations resolved is a dev dependency, and so is everything in
``buildscript-gradle.lockfile`` and ``settings-gradle.lockfile`` (the build's
own plugins, which do not ship).
"""

from __future__ import annotations

from pathlib import Path

from assay.core.inputs import read_text
from assay.sbom.catalogers import claims
from assay.sbom.catalogers._lockcommon import field, quote
from assay.sbom.catalogers.claims import matches_name
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.model import Bom, Component, Scope

ECOSYSTEM = "Maven"
_BASE = "gradle.lockfile"
_LEGACY_SUFFIX = ".lockfile"
_BUILD_ONLY = ("buildscript-gradle.lockfile", "settings-gradle.lockfile")


def is_test_configuration(name: str) -> bool:
    return "test" in name.lower()


class GradleLockfileCataloger:
    name = "gradle-lockfile"
    ecosystem = ECOSYSTEM

    def matches(self, path: Path) -> bool:
        return claims.gradle_lockfile(path)

    def read(self, path: Path) -> Bom:
        text = read_text(path, error=InvalidLockfile)
        legacy = None if matches_name(path, _BASE) else path.name[: -len(_LEGACY_SUFFIX)]
        found: dict[tuple[str, str], set[str]] = {}
        for number, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            coordinates, sep, confs = line.partition("=")
            if legacy is not None:
                if sep:
                    raise InvalidLockfile(
                        path,
                        f"{quote(line)}: legacy per-configuration lockfiles have no '='",
                        line=number,
                    )
                configurations = {legacy}
            elif not sep:
                raise InvalidLockfile(
                    path, f"{quote(line)} is not group:artifact:version=configurations", line=number
                )
            elif coordinates == "empty":
                continue
            else:
                configurations = {c.strip() for c in confs.split(",") if c.strip()}
            key = _coordinates(path, coordinates, number)
            found.setdefault(key, set()).update(configurations)
        source = str(path)
        build_only = path.name.endswith(_BUILD_ONLY)
        components = [
            Component(
                ECOSYSTEM,
                name,
                version,
                source=source,
                scope=Scope.DEV if build_only else _scope(confs),
                namespace=name.partition(":")[0],
                properties=tuple(("gradle:configuration", c) for c in sorted(confs)),
            )
            for (name, version), confs in found.items()
        ]
        return Bom(components=components, sources=[source])


def _coordinates(path: Path, text: str, number: int) -> tuple[str, str]:
    parts = text.strip().split(":")
    if len(parts) != 3 or not all(parts):
        raise InvalidLockfile(path, f"{quote(text)} is not group:artifact:version", line=number)
    group, artifact, version = (
        field(p, path, what, line=number)
        for p, what in zip(parts, ("group", "artifact", "version"), strict=True)
    )
    return f"{group}:{artifact}", version


def _scope(configurations: set[str]) -> Scope:
    if configurations and all(is_test_configuration(c) for c in configurations):
        return Scope.DEV
    return Scope.REQUIRED

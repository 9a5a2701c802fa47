"""The explicit registry of lockfile, manifest and installed-package readers.

Each entry names a cataloger module, its class, and the rule in
:mod:`assay.sbom.catalogers.claims` that recognises its files. Recognising
imports nothing; a cataloger is imported the first time a file it claims is
read, so ``assay scan poetry.lock`` loads one reader, not ~35 (bench/scan.py).

Order matters only for files two catalogers could both claim; the first wins.
Adding a format: write ``assay/sbom/catalogers/<format>.py`` implementing
:class:`~assay.sbom.catalogers.interface.Cataloger` (its ``matches`` returns its
rule from ``claims``), add the rule and an entry here, and fixtures under
``tests/sbom/catalogers/testdata/<format>/``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from assay.sbom.catalogers import claims

if TYPE_CHECKING:
    from assay.sbom.catalogers.interface import Cataloger


@dataclass(frozen=True, slots=True)
class Entry:
    module: str  # under assay.sbom.catalogers
    cls: str
    claims: claims.Rule

    def load(self) -> Cataloger:
        return _load(self.module, self.cls)


@cache
def _load(module: str, cls: str) -> Cataloger:
    found: Cataloger = getattr(importlib.import_module(f"assay.sbom.catalogers.{module}"), cls)()
    return found


ENTRIES: tuple[Entry, ...] = (
    # Python
    Entry("requirements", "RequirementsCataloger", claims.requirements),
    Entry("pipfile_lock", "PipfileLockCataloger", claims.by_name("Pipfile.lock")),
    Entry("poetry_lock", "PoetryLockCataloger", claims.by_name("poetry.lock")),
    Entry("uv_lock", "UvLockCataloger", claims.by_name("uv.lock")),
    Entry("pdm_lock", "PdmLockCataloger", claims.by_name("pdm.lock")),
    Entry("pylock", "PylockCataloger", claims.pylock),
    Entry("pyproject", "PyprojectCataloger", claims.pyproject),  # only where no lockfile covers it
    Entry("python_installed", "PythonInstalledCataloger", claims.python_installed),
    # JavaScript
    Entry("package_lock", "PackageLockCataloger", claims.package_lock),
    Entry("yarn_lock", "YarnLockCataloger", claims.by_name("yarn.lock")),
    Entry("pnpm_lock", "PnpmLockCataloger", claims.by_name("pnpm-lock.yaml")),
    Entry("bun_lock", "BunLockCataloger", claims.by_name("bun.lock", "bun.lockb")),
    Entry("npm_installed", "NpmInstalledCataloger", claims.npm_installed),
    # Go, Rust, Ruby, PHP
    Entry("go_mod", "GoModCataloger", claims.by_name("go.mod")),
    Entry("cargo_lock", "CargoLockCataloger", claims.by_name("Cargo.lock")),
    Entry("gemfile_lock", "GemfileLockCataloger", claims.by_name("Gemfile.lock", "gems.locked")),
    Entry("composer_lock", "ComposerLockCataloger", claims.by_name("composer.lock")),
    # OS packages in a root filesystem (claimed by path)
    Entry("dpkg_status", "DpkgStatusCataloger", claims.dpkg_status),
    Entry("apk_installed", "ApkInstalledCataloger", claims.apk_installed),
    Entry("rpmdb", "RpmdbCataloger", claims.rpmdb),
    # Java
    Entry("maven_pom", "MavenPomCataloger", claims.by_name("pom.xml")),
    Entry("gradle_lockfile", "GradleLockfileCataloger", claims.gradle_lockfile),
    Entry("gradle_verification", "GradleVerificationCataloger", claims.gradle_verification),
    # .NET, Dart, Elixir, Swift, CocoaPods, Conan
    Entry("nuget_lock", "NugetLockCataloger", claims.by_name("packages.lock.json")),
    Entry(
        "csproj", "CsprojCataloger", claims.csproj
    ),  # only where no packages.lock.json is beside it
    Entry("pubspec_lock", "PubspecLockCataloger", claims.by_name("pubspec.lock")),
    Entry("mix_lock", "MixLockCataloger", claims.by_name("mix.lock")),
    Entry("swift_resolved", "SwiftResolvedCataloger", claims.by_name("Package.resolved")),
    Entry("podfile_lock", "PodfileLockCataloger", claims.by_name("Podfile.lock")),
    Entry("conan_lock", "ConanLockCataloger", claims.by_name("conan.lock")),
    # Go binaries: claimed by content (executable ELF/Mach-O/PE), so after every name
    Entry("go_binary", "GoBinaryCataloger", claims.go_binary),
)


def claimed(path: Path) -> bool:
    """True when some cataloger reads ``path``; imports no cataloger."""
    return any(entry.claims(path) for entry in ENTRIES)


def cataloger_for(path: Path) -> Cataloger | None:
    """The cataloger that reads ``path``, imported on first use, or None."""
    for entry in ENTRIES:
        if entry.claims(path):
            return entry.load()
    return None


def all_catalogers() -> tuple[Cataloger, ...]:
    """Every cataloger, imported (for listings and tests)."""
    return tuple(entry.load() for entry in ENTRIES)

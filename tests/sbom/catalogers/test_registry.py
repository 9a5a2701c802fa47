"""The explicit registry: names unique, each real lockfile claimed by exactly the right reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.sbom.catalogers.interface import Cataloger
from assay.sbom.catalogers.registry import ENTRIES, all_catalogers, cataloger_for


def test_every_cataloger_satisfies_the_interface_and_names_are_unique() -> None:
    catalogers = all_catalogers()
    assert len({c.name for c in catalogers}) == len(catalogers) == len(ENTRIES)
    for cataloger in catalogers:
        assert isinstance(cataloger, Cataloger)
        assert cataloger.name and cataloger.ecosystem


def test_each_cataloger_claims_exactly_what_its_registry_rule_claims(tmp_path: Path) -> None:
    """One rule per cataloger: the class's matches() is the registry's claims()."""
    samples = [
        tmp_path / n
        for n in ("poetry.lock", "x__yarn.lock", "pom.xml", "requirements-dev.txt", "README.md")
    ]
    for entry in ENTRIES:
        cataloger = entry.load()
        for sample in samples:
            assert cataloger.matches(sample) == entry.claims(sample), (entry.module, sample)


def test_recognising_files_imports_no_cataloger() -> None:
    """The scan of one lockfile must not pay for importing ~35 readers."""
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path\n"
        "from assay.sbom.catalogers.registry import claimed, cataloger_for\n"
        "assert claimed(Path('a/poetry.lock')) and not claimed(Path('a/README.md'))\n"
        "cataloger_for(Path('a/poetry.lock'))\n"
        "prefix = 'assay.sbom.catalogers.'\n"
        "names = [m[len(prefix):] for m in sys.modules if m.startswith(prefix)]\n"
        "loaded = sorted(n for n in names if not n.startswith('_'))\n"
        "print(' '.join(loaded))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["claims", "interface", "poetry_lock", "registry"]


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("requirements.txt", "requirements"),
        ("requirements-dev.txt", "requirements"),
        ("Pipfile.lock", "pipfile-lock"),
        ("poetry.lock", "poetry-lock"),
        ("uv.lock", "uv-lock"),
        ("pdm.lock", "pdm-lock"),
        ("pylock.toml", "pylock"),
        ("pylock.web.toml", "pylock"),
        ("pyproject.toml", "pyproject"),  # no lockfile beside it (the directory does not exist)
        ("site-packages/httpx-0.28.1.dist-info/METADATA", "python-installed"),
        ("site-packages/six-1.16.0-py3.11.egg-info/PKG-INFO", "python-installed"),
        ("site-packages/httpx-0.28.1.dist-info/RECORD", None),
        ("sdist/PKG-INFO", None),
        ("package-lock.json", "npm-package-lock"),
        ("npm-shrinkwrap.json", "npm-package-lock"),
        ("yarn.lock", "yarn-lock"),
        ("pnpm-lock.yaml", "pnpm-lock"),
        ("go.mod", "go-mod"),
        ("Cargo.lock", "cargo-lock"),
        ("Gemfile.lock", "gemfile-lock"),
        ("composer.lock", "composer-lock"),
        ("bun.lock", "bun-lock"),
        ("bun.lockb", "bun-lock"),
        ("node_modules/lodash/package.json", "npm-installed"),
        ("node_modules/@babel/core/package.json", "npm-installed"),
        ("node_modules/lodash/lib/package.json", None),
        ("pom.xml", "maven-pom"),
        ("gradle.lockfile", "gradle-lockfile"),
        ("buildscript-gradle.lockfile", "gradle-lockfile"),
        ("gradle/dependency-locks/compileClasspath.lockfile", "gradle-lockfile"),
        ("gradle/verification-metadata.xml", "gradle-verification-metadata"),
        ("verification-metadata.xml", None),
        ("package.json", None),
        # OS databases are claimed by their path in a rootfs (tests beside each), never by name
        ("status", None),
        ("installed", None),
        ("rpmdb.sqlite", None),
        ("rootfs/var/lib/dpkg/status", "dpkg-status"),
        ("rootfs/var/lib/dpkg/status.d/libssl3", "dpkg-status"),
        ("rootfs/var/lib/dpkg/status.d/libssl3.md5sums", None),
        ("rootfs/lib/apk/db/installed", "apk-installed"),
        ("rootfs/var/lib/rpm/rpmdb.sqlite", "rpmdb"),
        ("rootfs/usr/lib/sysimage/rpm/rpmdb.sqlite", "rpmdb"),
        ("rootfs/var/lib/rpm/Packages", "rpmdb"),  # refused with a message: BerkeleyDB
        ("packages.lock.json", "nuget-lock"),
        ("App.csproj", "dotnet-csproj"),  # no packages.lock.json beside it
        ("Lib.fsproj", "dotnet-csproj"),
        ("Lib.vbproj", "dotnet-csproj"),
        ("Directory.Packages.props", None),  # read beside a project file
        ("pubspec.lock", "pubspec-lock"),
        ("pubspec.yaml", None),
        ("mix.lock", "mix-lock"),
        ("Package.resolved", "swift-package-resolved"),
        ("Podfile.lock", "podfile-lock"),
        ("conan.lock", "conan-lock"),
        ("bin/app", None),  # Go binaries are claimed by content (test_go_binary.py)
        ("README.md", None),
    ],
)
def test_file_names_route_to_catalogers(file_name: str, expected: str | None) -> None:
    found = cataloger_for(Path("project") / file_name)
    assert (found.name if found else None) == expected


def test_every_shared_lockfile_is_claimed(shared_data: Path) -> None:
    files = [p for p in (shared_data / "lockfiles").rglob("*") if p.is_file() and p.suffix != ".md"]
    unclaimed = [p.name for p in files if cataloger_for(p) is None]
    # pom.xml and go.sum are read by later catalogers (go.sum beside go.mod for hashes).
    assert sorted(unclaimed) == sorted(n for n in unclaimed if n.endswith(("pom.xml", "go.sum")))
    assert len(files) - len(unclaimed) >= 17

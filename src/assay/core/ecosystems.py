"""Ecosystem knowledge shared by every pillar: OSV names, purl types, name rules.

Ecosystem names are OSV's (``PyPI``, ``npm``, ``crates.io`` ...). A name with a
release suffix (``Debian:12``, ``Alpine:v3.18``) belongs to its base ecosystem
for version rules and name normalisation.
"""

from __future__ import annotations

import re
from functools import lru_cache

# OSV ecosystem name -> purl type (https://github.com/package-url/purl-spec).
PURL_TYPES: dict[str, str] = {
    "PyPI": "pypi",
    "npm": "npm",
    "Maven": "maven",
    "Go": "golang",
    "crates.io": "cargo",
    "RubyGems": "gem",
    "NuGet": "nuget",
    "Packagist": "composer",
    "Pub": "pub",
    "Hex": "hex",
    "Hackage": "hackage",
    "CRAN": "cran",
    "SwiftURL": "swift",
    "GitHub Actions": "github",
    "CocoaPods": "cocoapods",
    "ConanCenter": "conan",
    "Debian": "deb",
    "Ubuntu": "deb",
    "Alpine": "apk",
    "Red Hat": "rpm",
    "Rocky Linux": "rpm",
    "AlmaLinux": "rpm",
    "SUSE": "rpm",
    "openSUSE": "rpm",
    "Mageia": "rpm",
    "Photon OS": "rpm",
    "Azure Linux": "rpm",
    "openEuler": "rpm",
}
ECOSYSTEM_BY_PURL_TYPE: dict[str, str] = {
    "pypi": "PyPI",
    "npm": "npm",
    "maven": "Maven",
    "golang": "Go",
    "cargo": "crates.io",
    "gem": "RubyGems",
    "nuget": "NuGet",
    "composer": "Packagist",
    "pub": "Pub",
    "hex": "Hex",
    "hackage": "Hackage",
    "cran": "CRAN",
    "swift": "SwiftURL",
    "github": "GitHub Actions",
    "cocoapods": "CocoaPods",
    "conan": "ConanCenter",
    "deb": "Debian",
    "apk": "Alpine",
    "rpm": "Red Hat",
}
_CANONICAL = {name.lower(): name for name in PURL_TYPES}
_PEP503 = re.compile(r"[-_.]+")


@lru_cache(maxsize=256)
def base_ecosystem(ecosystem: str) -> str:
    """``Debian:12`` -> ``Debian``; unknown spellings are returned unchanged (trimmed)."""
    base = ecosystem.split(":", 1)[0].strip()
    return _CANONICAL.get(base.lower(), base)


@lru_cache(maxsize=64)
def canonical_ecosystem(ecosystem: str) -> str:
    """OSV's spelling of an ecosystem, keeping a release suffix (``debian:12`` -> ``Debian:12``)."""
    base, sep, release = ecosystem.strip().partition(":")
    return _CANONICAL.get(base.lower(), base) + (sep + release if sep else "")


@lru_cache(maxsize=65536)
def normalise_name(ecosystem: str, name: str) -> str:
    """The form under which a package is stored and looked up.

    PyPI: PEP 503 (lower case, runs of ``-_.`` become ``-``). Case-insensitive
    registries (npm's legacy names aside, NuGet, Packagist, Pub, Hex, Hackage's
    lookups, crates.io) are lower-cased. Go module paths and Maven
    ``group:artifact`` are case-sensitive and kept as written.
    """
    base = base_ecosystem(ecosystem)
    name = name.strip()
    if base == "PyPI":
        return _PEP503.sub("-", name).lower()
    if base in {"NuGet", "Packagist", "crates.io", "Pub", "Hex", "Alpine", "Debian", "Ubuntu"}:
        return name.lower()
    return name


def purl_type(ecosystem: str) -> str | None:
    return PURL_TYPES.get(base_ecosystem(ecosystem))

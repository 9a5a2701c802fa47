"""Version ordering and OSV range evaluation for every ecosystem assay matches.

Public API::

    compare(ecosystem, a, b) -> int      # <0, 0, >0
    sort_key(ecosystem, version)          # key consistent with compare
    is_affected(ecosystem, version, affected_entry) -> bool   (assay.versions.ranges)

Ecosystem names are OSV's; a release suffix (``Debian:12``) uses the base
ecosystem's rules. The explicit registry below maps each ecosystem to the one
module that implements its scheme; modules are imported on first use.
"""

from __future__ import annotations

import importlib
from functools import cache
from typing import Any

from assay.core.ecosystems import base_ecosystem
from assay.versions.interface import VersionScheme

# OSV ecosystem -> module under assay.versions holding ``SCHEME``.
REGISTRY: dict[str, str] = {
    "PyPI": "pypi",
    "npm": "semver",
    "crates.io": "semver",
    "Go": "golang",
    "SwiftURL": "semver",
    "GitHub Actions": "semver",
    "Maven": "maven",
    "NuGet": "nuget",
    "Packagist": "packagist",
    "RubyGems": "rubygems",
    "Pub": "pub",
    "Hex": "semver",
    "Hackage": "hackage",
    "CRAN": "cran",
    "Debian": "debian",
    "Ubuntu": "debian",
    "Alpine": "alpine",
    "Wolfi": "alpine",
    "Chainguard": "alpine",
    "MinimOS": "alpine",
    "Red Hat": "rpm",
    "Rocky Linux": "rpm",
    "AlmaLinux": "rpm",
    "SUSE": "rpm",
    "openSUSE": "rpm",
    "Mageia": "rpm",
    "Photon OS": "rpm",
    "Azure Linux": "rpm",
    "openEuler": "rpm",
    "CocoaPods": "semver",
    "ConanCenter": "semver",
}
# Ecosystems OSV knows that have no scheme of their own use this fallback.
FALLBACK = "generic"


@cache
def scheme_for(ecosystem: str) -> VersionScheme:
    module = REGISTRY.get(base_ecosystem(ecosystem), FALLBACK)
    scheme: VersionScheme = importlib.import_module(f"assay.versions.{module}").SCHEME
    return scheme


def compare(ecosystem: str, a: str, b: str) -> int:
    """Order two versions of one ecosystem: negative, zero or positive."""
    return scheme_for(ecosystem).compare(a, b)


def sort_key(ecosystem: str, version: str) -> Any:
    return scheme_for(ecosystem).key(version)


__all__ = ["REGISTRY", "VersionScheme", "compare", "scheme_for", "sort_key"]

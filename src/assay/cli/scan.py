"""``assay scan PATH``: find known vulnerabilities in lockfiles and SBOMs, offline."""

from __future__ import annotations


def command() -> None:
    """Scan a lockfile, a directory of lockfiles, or an SBOM (being written)."""
    raise NotImplementedError

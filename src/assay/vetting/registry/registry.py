"""The explicit registry of registry clients, by OSV ecosystem name."""

from __future__ import annotations

from assay.core.config import Settings
from assay.core.ecosystems import base_ecosystem
from assay.vetting.registry.interface import RegistryClient

SUPPORTED = ("PyPI", "npm")


def client_for(ecosystem: str, settings: Settings) -> RegistryClient | None:
    """The client for ``ecosystem``, or None when assay cannot read its registry yet."""
    base = base_ecosystem(ecosystem)
    if base == "PyPI":
        from assay.vetting.registry.pypi import PypiClient

        return PypiClient(settings)
    if base == "npm":
        from assay.vetting.registry.npm import NpmClient

        return NpmClient(settings)
    return None

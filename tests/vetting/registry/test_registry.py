"""The explicit registry of registry clients."""

from __future__ import annotations

import pytest

from assay.core.config import Settings
from assay.vetting.registry.npm import NpmClient
from assay.vetting.registry.pypi import PypiClient
from assay.vetting.registry.registry import SUPPORTED, client_for


@pytest.mark.parametrize(
    ("ecosystem", "kind"), [("PyPI", PypiClient), ("pypi", PypiClient), ("npm", NpmClient)]
)
def test_supported_ecosystems(ecosystem: str, kind: type) -> None:
    settings = Settings.from_env(
        {"ASSAY_PYPI_URL": "http://p.example/", "ASSAY_NPM_URL": "http://n.example"}
    )
    client = client_for(ecosystem, settings)
    assert client is not None and isinstance(client, kind)
    assert client.base_url == ("http://p.example" if kind is PypiClient else "http://n.example")


@pytest.mark.parametrize("ecosystem", ["crates.io", "Maven", "Debian:12", ""])
def test_others_have_no_client(ecosystem: str) -> None:
    assert client_for(ecosystem, Settings.from_env({})) is None


def test_supported_names() -> None:
    assert SUPPORTED == ("PyPI", "npm")


def test_default_registries() -> None:
    settings = Settings.from_env({})
    assert settings.pypi_url == "https://pypi.org"
    assert settings.npm_url == "https://registry.npmjs.org"
    assert settings.vet_max_artefact_bytes == 50 * 1024 * 1024

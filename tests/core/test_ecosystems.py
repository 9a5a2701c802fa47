from __future__ import annotations

import pytest

from assay.core.ecosystems import base_ecosystem, canonical_ecosystem, normalise_name, purl_type


@pytest.mark.parametrize(
    ("given", "base"),
    [("Debian:12", "Debian"), ("Alpine:v3.18", "Alpine"), ("pypi", "PyPI"), ("Unknown", "Unknown")],
)
def test_base_ecosystem(given: str, base: str) -> None:
    assert base_ecosystem(given) == base


def test_canonical_keeps_release_suffix() -> None:
    assert canonical_ecosystem("debian:12") == "Debian:12"
    assert canonical_ecosystem("CRATES.IO") == "crates.io"


@pytest.mark.parametrize(
    ("eco", "name", "key"),
    [
        ("PyPI", "Django", "django"),
        ("PyPI", "zope.interface", "zope-interface"),
        ("PyPI", "My__Package--x", "my-package-x"),
        ("npm", "JSONStream", "JSONStream"),  # legacy npm names keep their case
        ("Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"),
        ("Maven", "org.apache.logging.log4j:log4j-core", "org.apache.logging.log4j:log4j-core"),
        ("NuGet", "Newtonsoft.Json", "newtonsoft.json"),
        ("Packagist", "Symfony/HTTP-Kernel", "symfony/http-kernel"),
    ],
)
def test_normalise_name(eco: str, name: str, key: str) -> None:
    assert normalise_name(eco, name) == key


def test_purl_types() -> None:
    assert purl_type("crates.io") == "cargo"
    assert purl_type("Debian:11") == "deb"
    assert purl_type("Nope") is None

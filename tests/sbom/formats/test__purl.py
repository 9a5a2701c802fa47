from __future__ import annotations

import pytest

from assay.sbom.formats._purl import PurlError, PurlPackage, parse_purl


@pytest.mark.parametrize(
    ("purl", "expected"),
    [
        ("pkg:npm/%40babel/core@7.0.0", PurlPackage("npm", "@babel/core", "@babel", "7.0.0")),
        ("pkg:npm/lodash@4.17.21", PurlPackage("npm", "lodash", None, "4.17.21")),
        (
            "pkg:maven/org.apache.commons/commons-text@1.9?type=jar",
            PurlPackage("Maven", "org.apache.commons:commons-text", "org.apache.commons", "1.9"),
        ),
        (
            "pkg:golang/github.com/gin-gonic/gin@v1.9.0",
            PurlPackage("Go", "github.com/gin-gonic/gin", "github.com/gin-gonic", "v1.9.0"),
        ),
        ("pkg:pypi/Django@4.0.4", PurlPackage("PyPI", "django", None, "4.0.4")),  # purl lower-cases
        (
            "pkg:composer/laravel/framework@7.12.0",
            PurlPackage("Packagist", "laravel/framework", "laravel", "7.12.0"),
        ),
        ("pkg:cargo/serde", PurlPackage("crates.io", "serde", None, None)),
        (
            "pkg:deb/debian/curl@7.74.0?distro=debian-11",
            PurlPackage("Debian:11", "curl", "debian", "7.74.0"),
        ),
        (
            "pkg:deb/debian/curl@7.74.0?distro=bullseye",
            PurlPackage("Debian", "curl", "debian", "7.74.0"),
        ),
        (
            "pkg:deb/ubuntu/bash@5.1?distro=ubuntu-22.04",
            PurlPackage("Ubuntu:22.04", "bash", "ubuntu", "5.1"),
        ),
        (
            "pkg:apk/alpine/musl@1.2.3-r4?distro=3.18.4",
            PurlPackage("Alpine:v3.18", "musl", "alpine", "1.2.3-r4"),
        ),
        (
            "pkg:alpine/musl@1.2.2-r3?distro=alpine-3.14.8",
            PurlPackage("Alpine:v3.14", "musl", "alpine", "1.2.2-r3"),
        ),
        ("pkg:rpm/rocky/openssl@3.0.7", PurlPackage("Rocky Linux", "openssl", "rocky", "3.0.7")),
        ("pkg:rpm/fedora/openssl@3.0.7", PurlPackage("Red Hat", "openssl", "fedora", "3.0.7")),
    ],
)
def test_parse(purl: str, expected: PurlPackage) -> None:
    assert parse_purl(purl) == expected


@pytest.mark.parametrize(
    ("purl", "reason"),
    [
        ("npm/lodash@1", "invalid purl"),
        ("pkg:", "invalid purl"),
        ("pkg:docker/library/nginx@1.25", "purl type 'docker' has no vulnerability ecosystem"),
        ("pkg:generic/openssl@3", "'generic'"),
    ],
)
def test_refused(purl: str, reason: str) -> None:
    with pytest.raises(PurlError, match=reason):
        parse_purl(purl)

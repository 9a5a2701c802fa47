"""A purl read into the key component rows carry: the same (ecosystem, name) as intake."""

from __future__ import annotations

import pytest

from assay.catalogue.identity import ComponentKey, InvalidComponent, parse_component
from assay.sbom.model import Component
from tests.inventory.factories import Comp

K = ComponentKey
LOG4J = "org.apache.logging.log4j"


@pytest.mark.parametrize(
    ("purl", "key"),
    [
        ("pkg:pypi/Requests_Toolbelt@1.0",
         K("pkg:pypi/requests-toolbelt", "PyPI", "requests-toolbelt", "1.0")),
        ("pkg:pypi/zope.interface", K("pkg:pypi/zope-interface", "PyPI", "zope-interface", None)),
        ("pkg:npm/%40types/node@20.1.0",
         K("pkg:npm/%40types/node", "npm", "@types/node", "20.1.0")),
        (f"pkg:maven/{LOG4J}/log4j-core@2.14.1?type=jar",
         K(f"pkg:maven/{LOG4J}/log4j-core", "Maven", f"{LOG4J}:log4j-core", "2.14.1")),
        ("pkg:golang/github.com/Sirupsen/logrus@v1.0.0",
         K("pkg:golang/github.com/Sirupsen/logrus", "Go", "github.com/Sirupsen/logrus", "v1.0.0")),
        ("pkg:nuget/Newtonsoft.Json@13.0.1",
         K("pkg:nuget/newtonsoft.json", "NuGet", "newtonsoft.json", "13.0.1")),
        ("pkg:deb/debian/curl@7.74.0-1.3?distro=debian-11",
         K("pkg:deb/debian/curl", "Debian:11", "curl", "7.74.0-1.3")),
        ("pkg:cargo/Serde@1.0#src", K("pkg:cargo/serde", "crates.io", "serde", "1.0")),
    ],
)  # fmt: skip
def test_keys(purl: str, key: ComponentKey) -> None:
    assert parse_component(purl) == key


@pytest.mark.parametrize(
    "purl",
    [
        "pkg:pypi/Django_Rest@3.0",
        "pkg:npm/%40Angular/Core@17.0.0",
        "pkg:maven/com.Example/Lib@1",
        "pkg:nuget/Serilog.Sinks.Console@5",
        "pkg:deb/ubuntu/openssl@3.0.2?distro=ubuntu-22.04",
    ],
)
def test_ecosystem_and_name_are_what_component_rows_store(purl: str) -> None:
    """Rows get ``canonical_ecosystem`` and ``Component.key_name`` of the SBOM reader's parse."""
    comp = Comp.of(purl)
    row_name = Component(comp.ecosystem, comp.name, comp.version).key_name
    key = parse_component(purl)
    assert (key.ecosystem, key.name) == (comp.ecosystem, row_name)
    assert parse_component(key.purl).purl == key.purl  # canonical is a fixed point


@pytest.mark.parametrize(
    ("purl", "message"),
    [
        ("", "component purl is empty"),
        ("   ", "component purl is empty"),
        ("pypi/requests", "must start with 'pkg:'"),
        ("pkg:", "component purl 'pkg:'"),
        ("pkg:pypi", "component purl 'pkg:pypi'"),
        ("pkg:nosuchtype/x", "has no vulnerability ecosystem"),
        ("pkg:pypi/x\x00y", "printable"),
        ("pkg:pypi/" + "x" * 1100, "at most 1024"),
        ("pkg:pypi/x@" + "1" * 200, "version is not usable"),
        ("pkg:npm/%C0%80", "decodes to unprintable text"),
        ("pkg:pypi/a%00b", "decodes to unprintable text"),
        ("pkg:pypi/ok@1%01x", "decodes to unprintable text"),
    ],
)
def test_bad_purls_are_named_in_one_line(purl: str, message: str) -> None:
    with pytest.raises(InvalidComponent, match=message) as info:
        parse_component(purl)
    assert "\n" not in str(info.value)

"""Which hosts a download may reach: the configured registry, pythonhosted.org for pypi.org,
and never a private address behind an allowed name."""

from __future__ import annotations

import pytest

from assay.vetting.registry.hosts import AllowedHosts, Resolver, for_registry, origin
from assay.vetting.registry.interface import RegistryError


def _resolver(*addresses: str) -> Resolver:
    def resolve(host: str, port: int) -> list[str]:
        return list(addresses)

    return resolve


def _refuse(host: str, port: int) -> list[str]:
    raise AssertionError(f"{host}:{port} must not be resolved")


def test_origin_makes_the_port_explicit() -> None:
    assert origin("https://Files.PythonHosted.org./x") == ("https", "files.pythonhosted.org", 443)
    assert origin("http://user:pw@127.0.0.1:8080/x") == ("http", "127.0.0.1", 8080)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://x/y", "/relative", "http://:80/x"])
def test_origin_refuses_other_schemes(url: str) -> None:
    with pytest.raises(RegistryError, match="only http"):
        origin(url)


def test_the_configured_registry_is_allowed_even_on_a_private_address() -> None:
    allowed = for_registry("http://svc:secret@127.0.0.1:8080")
    allowed.check("http://127.0.0.1:8080/files/x.tgz", _refuse)  # the operator chose it


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8081/files/x.tgz",  # same address, another port: another service
        "http://169.254.169.254/latest/meta-data/",
        "http://localhost:8080/x",
        "https://files.pythonhosted.org/x.whl",  # only for pypi.org
    ],
)
def test_any_other_host_is_refused_by_name(url: str) -> None:
    allowed = for_registry("http://127.0.0.1:8080")
    with pytest.raises(RegistryError, match=r"refused: .* is not an allowed registry host"):
        allowed.check(url, _refuse)


def test_pypi_org_may_use_files_pythonhosted_org_on_public_addresses() -> None:
    allowed = for_registry("https://pypi.org")
    assert allowed == AllowedHosts(("pypi.org", 443), frozenset({("files.pythonhosted.org", 443)}))
    allowed.check("https://files.pythonhosted.org/packages/x.whl", _resolver("151.101.0.223"))
    with pytest.raises(RegistryError, match="not an allowed registry host"):
        allowed.check("http://files.pythonhosted.org/packages/x.whl", _refuse)  # port 80


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "169.254.169.254",
        "224.0.0.1",
        "0.0.0.0",
        "::1",
        "fe80::1%eth0",
        "::ffff:10.0.0.1",
        "fc00::1",
    ],
)
def test_an_allowed_name_resolving_to_a_private_address_is_refused(address: str) -> None:
    allowed = for_registry("https://pypi.org")
    with pytest.raises(RegistryError, match=f"files.pythonhosted.org:443 resolves to {address}"):
        allowed.check("https://files.pythonhosted.org/x.whl", _resolver("151.101.0.223", address))


def test_operator_listed_artefact_hosts_are_allowed_on_any_address() -> None:
    allowed = for_registry(
        "http://nexus.bank.internal:8081", ["https://blobs.bank.internal", "http://10.0.0.7:9000"]
    )
    allowed.check("https://blobs.bank.internal/pkg/x.whl", _refuse)  # chosen: no address rule
    allowed.check("http://10.0.0.7:9000/x.tgz", _refuse)
    with pytest.raises(RegistryError, match=r"10\.0\.0\.7:9001 is not an allowed .*blobs"):
        allowed.check("http://10.0.0.7:9001/x.tgz", _refuse)  # another port, another service
    with pytest.raises(RegistryError, match=r"blobs\.bank\.internal:443 is not an allowed"):
        allowed.check("http://blobs.bank.internal:443/x.whl", _refuse)  # https only, as listed

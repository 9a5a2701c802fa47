"""Where a vetting run may send a request: the configured registry, and nowhere it is told to.

Registry metadata names the URL of each artefact, so a hostile registry (or a
mirror, or anything in between) could point a download at an internal service
(server-side request forgery). A download is therefore made only from an
allowed host: the configured registry's own host and port, plus
``files.pythonhosted.org`` (HTTPS) when the registry is ``pypi.org``. A host
other than the configured one must also resolve only to public addresses:
loopback, private, link-local, multicast, reserved and unspecified addresses
are refused. The configured host is exempt from that rule because a bank's
internal mirror usually lives on a private address, and the operator chose it.
For the same reason the origins an operator lists in ``ASSAY_VET_ARTEFACT_HOSTS``
(a mirror whose metadata points at a separate file server, e.g. a Nexus or
Artifactory blob host) are allowed and exempt from the address rule.

Every redirect hop is checked by the same rule (:mod:`.http` follows redirects
itself). The addresses are checked when the URL is checked; the connection
resolves the name again, so a name whose DNS answer changes in between is not
caught here (the allow-list of names is the main defence).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from assay.vetting.registry.interface import RegistryError

PYPI_HOST = "pypi.org"
PYPI_FILES = ("files.pythonhosted.org", 443)
_DEFAULT_PORTS = {"http": 80, "https": 443}

Resolver = Callable[[str, int], Sequence[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (RegistryError when it does not resolve)."""
    try:
        answers = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise RegistryError(f"{host}: the host name does not resolve") from None
    return [str(answer[4][0]) for answer in answers]


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of ``url``, the host lower-case, the port made explicit."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise RegistryError("a URL that cannot be read was refused") from None
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").rstrip(".").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        raise RegistryError(f"{scheme or 'a URL without a scheme'}: only http(s) URLs are fetched")
    return scheme, host, port if port is not None else _DEFAULT_PORTS[scheme]


def _public(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
    )


@dataclass(frozen=True, slots=True)
class AllowedHosts:
    """The registry's (host, port) and the other (host, port) pairs artefacts may come from."""

    registry: tuple[str, int]
    others: frozenset[tuple[str, int]] = frozenset()
    trusted: frozenset[tuple[str, str, int]] = frozenset()  # operator-chosen origins: any address

    def check(self, url: str, resolver: Resolver = resolve) -> None:
        """Raise RegistryError, naming the host, unless a request to ``url`` is allowed."""
        scheme, host, port = origin(url)
        where = f"{host}:{port}"
        if (host, port) == self.registry or (scheme, host, port) in self.trusted:
            return
        if (host, port) not in self.others:
            every = {self.registry, *self.others, *((h, p) for _, h, p in self.trusted)}
            allowed = ", ".join(f"{h}:{p}" for h, p in sorted(every))
            raise RegistryError(f"refused: {where} is not an allowed registry host ({allowed})")
        for address in resolver(host, port):
            if not _public(address):
                raise RegistryError(
                    f"refused: {where} resolves to {address}, a loopback, private or "
                    "otherwise non-public address"
                )


def for_registry(base_url: str, trusted: Sequence[str] = ()) -> AllowedHosts:
    """The hosts a download may use for the registry at ``base_url``, plus the ``trusted``
    origins (URLs) the operator configured for artefacts."""
    _, host, port = origin(base_url)
    others = frozenset({PYPI_FILES}) if (host, port) == (PYPI_HOST, 443) else frozenset()
    extra = frozenset(origin(url) for url in trusted)
    return AllowedHosts((host, port), others, extra)

"""From a Package URL given by an SBOM to assay's (ecosystem, name, namespace, version).

Names follow the ecosystems' own spelling: Maven ``group:artifact``, npm
``@scope/name``, Go ``namespace/name`` (the module path), and so every other
namespaced type (composer, github, swift) ``namespace/name``; distribution packages
(deb, apk, rpm) are the bare package name, their vendor namespace and
``distro`` qualifier choosing the OSV ecosystem and release
(``pkg:deb/debian/curl?distro=debian-11`` -> ``Debian:11``). Syft's early
``pkg:alpine/...`` is read as ``pkg:apk/alpine/...``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assay.core.ecosystems import ECOSYSTEM_BY_PURL_TYPE

_OS_TYPES = frozenset({"deb", "apk", "rpm"})
_VENDOR_ECOSYSTEM = {
    ("deb", "ubuntu"): "Ubuntu",
    ("deb", "debian"): "Debian",
    ("apk", "alpine"): "Alpine",
    ("rpm", "redhat"): "Red Hat",
    ("rpm", "rocky"): "Rocky Linux",
    ("rpm", "almalinux"): "AlmaLinux",
    ("rpm", "suse"): "SUSE",
    ("rpm", "sles"): "SUSE",
    ("rpm", "opensuse"): "openSUSE",
    ("rpm", "mageia"): "Mageia",
}
# Types some generators wrote before the purl spec settled: type -> (type, namespace).
_LEGACY_TYPES = {"alpine": ("apk", "alpine")}
_RELEASE = re.compile(r"^(?:[a-z-]+-)?(\d+)(?:\.(\d+))?")


class PurlError(ValueError):
    """The purl cannot be parsed or has no OSV ecosystem."""


@dataclass(frozen=True, slots=True)
class PurlPackage:
    ecosystem: str
    name: str
    namespace: str | None
    version: str | None


def _release(ecosystem: str, distro: str | None) -> str:
    """``Debian`` + ``debian-11`` -> ``Debian:11``; ``Alpine`` + ``3.18.4`` -> ``Alpine:v3.18``."""
    if not distro:
        return ecosystem
    m = _RELEASE.match(distro.lower())
    if m is None:
        return ecosystem
    if ecosystem == "Alpine":
        return f"Alpine:v{m.group(1)}.{m.group(2)}" if m.group(2) else ecosystem
    if ecosystem == "Ubuntu":
        return f"Ubuntu:{m.group(1)}.{m.group(2)}" if m.group(2) else ecosystem
    if ecosystem == "Debian":
        return f"Debian:{m.group(1)}"
    return ecosystem


def parse_purl(purl: str) -> PurlPackage:
    from packageurl import PackageURL  # imported here: only SBOM reading pays for it

    try:
        parsed = PackageURL.from_string(purl)
    except ValueError as exc:
        raise PurlError(f"invalid purl {purl!r}: {exc}") from None
    ptype = parsed.type
    namespace = parsed.namespace or None
    if ptype in _LEGACY_TYPES:
        ptype, legacy_namespace = _LEGACY_TYPES[ptype]
        namespace = namespace or legacy_namespace
    ecosystem = ECOSYSTEM_BY_PURL_TYPE.get(ptype)
    if ecosystem is None:
        raise PurlError(f"purl type {ptype!r} has no vulnerability ecosystem ({purl})")
    name = parsed.name
    if ptype in _OS_TYPES:
        vendor = (namespace or "").lower()
        ecosystem = _VENDOR_ECOSYSTEM.get((ptype, vendor), ecosystem)
        qualifiers = parsed.qualifiers if isinstance(parsed.qualifiers, dict) else {}
        ecosystem = _release(ecosystem, qualifiers.get("distro"))
    elif namespace and ptype == "maven":
        name = f"{namespace}:{name}"
    elif namespace:
        name = f"{namespace}/{name}"
    return PurlPackage(ecosystem, name, namespace, parsed.version or None)

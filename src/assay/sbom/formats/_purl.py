"""From a Package URL given by an SBOM to assay's (ecosystem, name, namespace, version).

Names follow the ecosystems' own spelling: Maven ``group:artifact``, npm
``@scope/name``, Go ``namespace/name`` (the module path), and so every other
namespaced type (composer, github, swift) ``namespace/name``; distribution packages
(deb, apk, rpm) are the bare package name, their vendor namespace and
``distro`` qualifier choosing the OSV ecosystem and release
(``pkg:deb/debian/curl?distro=debian-11`` -> ``Debian:11``). Syft's early
``pkg:alpine/...`` is read as ``pkg:apk/alpine/...``.

Speed: packageurl-python's ``PackageURL.from_string`` is exact but slow, so the
common shape (``pkg:type/[namespace/]name[@version][?key=value&...][#subpath]``,
plain ASCII, no blank) is split here with the same two
normalisation passes packageurl applies (decode, then re-normalise); anything
else is handed to packageurl. Not cached: the SBOM readers parse each distinct
purl of a document once, and a cache would keep objects the garbage collector
must then walk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

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


# The shape split here; anything else goes to packageurl. Path chars are RFC 3986
# unreserved/sub-delims plus ``%`` and ``@`` (no blank, colon, ``?`` or ``#``, so
# urlsplit finds neither scheme nor authority); the query may hold colons (URLs),
# and a subpath (which assay does not use) anything printable.
_COMMON = re.compile(
    r"pkg:([A-Za-z._-][A-Za-z0-9._-]*)/"
    r"([A-Za-z0-9._~%!$&'()*+,;=@-][A-Za-z0-9._~%!$&'()*+,;=@/-]*)"
    r"(?:\?([A-Za-z0-9._~%!$&'()*+,;=@/:-]*))?"
    r"(?:#[A-Za-z0-9._~%!$&'()*+,;=@/:?#-]*)?"
)
# The commonest shape of all, split by the pattern alone: no ``@`` but the version's,
# no empty segment (so ``namespace``/``name``/``version`` need no partitioning).
_SEGMENT = r"[A-Za-z0-9._~%!$&'()*+,;=-]"
_PLAIN = re.compile(
    rf"pkg:([A-Za-z._-][A-Za-z0-9._-]*)/(?:({_SEGMENT}+(?:/{_SEGMENT}+)*)/)?({_SEGMENT}+)"
    rf"(?:@({_SEGMENT}*))?"
    r"(?:\?([A-Za-z0-9._~%!$&'()*+,;=@/:-]*))?"
    r"(?:#[A-Za-z0-9._~%!$&'()*+,;=@/:?#-]*)?"
)
_QUALIFIER = re.compile(r"([A-Za-z._-][A-Za-z0-9._-]*)=(.+)", re.DOTALL)
# packageurl's per-type case rules (packageurl-python 0.17: normalize_namespace/_name/_version)
_LOWER_NAMESPACE = frozenset(
    ("bitbucket", "github", "pypi", "gitlab", "composer", "luarocks", "qpkg", "alpm", "apk", "hex")
)
_LOWER_NAME = frozenset(
    (
        *("bitbucket", "github", "pypi", "gitlab", "composer", "luarocks", "oci", "npm"),
        *("alpm", "apk", "bitnami", "hex", "pub"),
    )
)
_LOWER_VERSION = frozenset(("huggingface", "oci"))
# types whose normalisation depends on more than the part itself
_SLOW_TYPES = frozenset(("pub", "hackage"))


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


@dataclass(frozen=True, slots=True)
class PurlParts:
    """What ``PackageURL.from_string`` yields, less the subpath."""

    type: str
    namespace: str | None
    name: str
    version: str | None
    qualifiers: dict[str, str]


def _namespace_pass(value: str, ptype: str) -> str | None:
    """One ``normalize_namespace`` pass, the segments already decoded or not."""
    value = value.strip().strip("/")
    if ptype in _LOWER_NAMESPACE:
        value = value.lower()
    return "/".join(seg for seg in value.split("/") if seg.strip()) or None


def _name_pass(value: str, ptype: str) -> str | None:
    value = value.strip().strip("/")
    if ptype in _LOWER_NAME:
        value = value.lower()
    if ptype == "pypi":
        value = value.replace("_", "-")
    return value or None


def _qualifiers(query: str | None) -> dict[str, str] | None:
    """Decoded qualifiers, sorted by key; None when the query is not the plain shape."""
    found: dict[str, str] = {}
    if not query:
        return found
    for pair in query.split("&"):
        m = _QUALIFIER.fullmatch(pair)
        if m is None:
            return None
        found[m.group(1).lower()] = unquote(m.group(2))  # the last one wins
    # packageurl's second pass drops values blank once decoded
    return {key: value for key, value in sorted(found.items()) if value.strip()}


_Split = tuple[str, "str | None", str, "str | None", dict[str, str]]


def _slow_type(ptype: str) -> bool:
    """Types whose names packageurl normalises with more than case and ``_``."""
    # packageurl tests ``ptype in ("mlflow")`` and ``in ("cpan")``: substrings count
    return ptype in _SLOW_TYPES or ptype in "mlflow" or ptype in "cpan"


def _decoded_namespace(raw: str, ptype: str) -> str | None:
    """``normalize_namespace`` decoding, then again as given (packageurl's two passes)."""
    lowered = raw.lower() if ptype in _LOWER_NAMESPACE else raw
    if "%" not in lowered:  # plain ASCII, no blanks or empty segments: both passes no-ops
        return lowered
    decoded = "/".join(unquote(seg) for seg in lowered.split("/") if seg)
    return _namespace_pass(decoded, ptype) if decoded else None


def _decoded_name(raw: str, ptype: str) -> str | None:
    if "%" not in raw:  # one plain ASCII segment: the second pass is a no-op
        return _name_pass(raw, ptype)
    first = _name_pass(unquote(raw), ptype)
    return _name_pass(first, ptype) if first else None


def _decoded_version(raw: str, ptype: str) -> str | None:
    version = unquote(raw) if "%" in raw else raw  # raw has no blanks
    if ptype in _LOWER_VERSION:
        version = version.lower()
    if version:
        version = version.strip()
        if ptype in _LOWER_VERSION:
            version = version.lower()
    return version or None


def _normalised(
    ptype: str, raw_namespace: str, raw_name: str, raw_version: str, query: str | None
) -> _Split | None:
    """The raw parts normalised as packageurl does; None when it would refuse them."""
    qualifiers = _qualifiers(query)
    if qualifiers is None:
        return None
    name = _decoded_name(raw_name, ptype)
    if name is None:
        return None
    namespace = _decoded_namespace(raw_namespace, ptype) if raw_namespace else None
    version = _decoded_version(raw_version, ptype) if raw_version else None
    return ptype, namespace, name, version, qualifiers


def _split_common(purl: str) -> _Split | None:
    plain = _PLAIN.fullmatch(purl)
    if plain is not None:
        ptype, raw_namespace, raw_name, raw_version, query = plain.group(1, 2, 3, 4, 5)
        ptype = ptype.lower()
        if _slow_type(ptype):
            return None
        return _normalised(ptype, raw_namespace or "", raw_name, raw_version or "", query)
    m = _COMMON.fullmatch(purl)
    if m is None:
        return None
    ptype, path, query = m.group(1, 2, 3)
    ptype = ptype.lower()
    if _slow_type(ptype):
        return None
    npm_scope = ""
    if ptype == "npm" and path.startswith("@"):
        npm_scope, _, path = path.partition("/")
    rest, at, raw_version = path.rpartition("@")
    if not at:
        rest, raw_version = raw_version, ""
    parts = [seg for seg in rest.strip("/").split("/") if seg]
    if npm_scope:
        if len(parts) != 1:
            return None
        raw_namespace, raw_name = npm_scope, parts[0]
    elif parts:
        raw_namespace, raw_name = "/".join(parts[:-1]), parts[-1]
    else:
        return None
    return _normalised(ptype, raw_namespace, raw_name, raw_version, query)


def split_common(purl: str) -> PurlParts | None:
    """``purl`` split as packageurl-python would, or None when it is not the common shape."""
    split = _split_common(purl)
    return None if split is None else PurlParts(*split)


def _split_slow(purl: str) -> _Split:
    from packageurl import PackageURL  # imported here: only unusual purls pay for it

    try:
        parsed = PackageURL.from_string(purl)
    except ValueError as exc:
        raise PurlError(f"invalid purl {purl!r}: {exc}") from None
    qualifiers = parsed.qualifiers if isinstance(parsed.qualifiers, dict) else {}
    return parsed.type, parsed.namespace, parsed.name, parsed.version, qualifiers


def split_purl(purl: str) -> PurlParts:
    """``purl`` split as ``PackageURL.from_string`` does; PurlError when it refuses it."""
    return PurlParts(*(_split_common(purl) or _split_slow(purl)))


def parse_purl(purl: str) -> PurlPackage:
    ptype, namespace, name, version, qualifiers = _split_common(purl) or _split_slow(purl)
    namespace = namespace or None
    if ptype in _LEGACY_TYPES:
        ptype, legacy_namespace = _LEGACY_TYPES[ptype]
        namespace = namespace or legacy_namespace
    ecosystem = ECOSYSTEM_BY_PURL_TYPE.get(ptype)
    if ecosystem is None:
        raise PurlError(f"purl type {ptype!r} has no vulnerability ecosystem ({purl})")
    if ptype in _OS_TYPES:
        vendor = (namespace or "").lower()
        ecosystem = _VENDOR_ECOSYSTEM.get((ptype, vendor), ecosystem)
        ecosystem = _release(ecosystem, qualifiers.get("distro"))
    elif namespace and ptype == "maven":
        name = f"{namespace}:{name}"
    elif namespace:
        name = f"{namespace}/{name}"
    return PurlPackage(ecosystem, name, namespace, version or None)

"""What a catalogue entry is about: a purl read into the key the portfolio stores.

:func:`parse_component` turns ``pkg:pypi/Requests@2.32.3`` into the canonical purl an
entry is filed under (``pkg:pypi/requests``: no version, qualifiers or subpath) and the
(ecosystem, name) pair a component row carries for the same package, so an entry finds
its components by equality. The pair is derived exactly as BOM intake derives it
(:func:`assay.sbom.formats._purl.parse_purl`, then ``canonical_ecosystem`` and
``normalise_name``). A distribution package's ``distro`` qualifier names a release
(``Debian:11``): the canonical purl drops it, so an entry covers every release and
:func:`entry_ecosystem` is the release-free ecosystem it is stored under.
"""

from __future__ import annotations

from dataclasses import dataclass

from assay.core.ecosystems import base_ecosystem, canonical_ecosystem, normalise_name
from assay.core.errors import UsageError
from assay.sbom.formats._purl import PurlError, parse_purl, split_purl

MAX_PURL = 1024
MAX_VERSION = 128
_OS_TYPES = frozenset({"deb", "apk", "rpm"})


class InvalidComponent(UsageError):
    """A purl that cannot name a catalogue entry (the message quotes it and says why)."""


@dataclass(frozen=True, slots=True)
class ComponentKey:
    purl: str  # canonical: no version, qualifiers or subpath
    ecosystem: str  # OSV name as component rows store it (with a release, for OS packages)
    name: str  # normalised as component rows store it
    version: str | None

    @property
    def versioned_purl(self) -> str:
        return f"{self.purl}@{self.version}" if self.version else self.purl


def _quoted(purl: str) -> str:
    return repr(purl[:80] + ("..." if len(purl) > 80 else ""))


def parse_component(purl: str) -> ComponentKey:
    """``purl`` as a catalogue key; InvalidComponent naming it when it is not a usable purl."""
    text = purl.strip() if isinstance(purl, str) else ""
    if not text:
        raise InvalidComponent("component purl is empty")
    if len(text) > MAX_PURL or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise InvalidComponent(
            f"component purl {_quoted(text)}: at most {MAX_PURL} printable characters"
        )
    if not text.startswith("pkg:"):
        raise InvalidComponent(f"component purl {_quoted(text)}: must start with 'pkg:'")
    try:
        parts = split_purl(text)
        package = parse_purl(text)
    except (PurlError, ValueError) as exc:
        reason = str(exc).split(": ", 1)[-1] if "invalid purl" in str(exc) else str(exc)
        raise InvalidComponent(f"component purl {_quoted(text)}: {reason[:120]}") from None
    decoded = f"{package.name}@{package.version or ''}"
    if any(
        ord(c) < 32 or ord(c) == 127 or c == "\ufffd" or 0xD800 <= ord(c) < 0xE000 for c in decoded
    ):
        raise InvalidComponent(
            f"component purl {_quoted(text)}: its name or version decodes to unprintable text"
        )
    version = package.version
    if version is not None and (len(version) > MAX_VERSION or not version.strip()):
        raise InvalidComponent(f"component purl {_quoted(text)}: version is not usable")
    ecosystem = canonical_ecosystem(package.ecosystem)
    name = normalise_name(ecosystem, package.name)
    return ComponentKey(_canonical(parts.type, parts.namespace, parts.name, ecosystem), ecosystem,
                        name, version)  # fmt: skip


def _canonical(ptype: str, namespace: str | None, name: str, ecosystem: str) -> str:
    from packageurl import PackageURL

    if ptype == "alpine":  # syft's early spelling of pkg:apk/alpine/...
        ptype, namespace = "apk", namespace or "alpine"
    if ptype not in _OS_TYPES and normalise_name(ecosystem, "A") == "a":
        namespace, name = (namespace.lower() if namespace else None), name.lower()
    if ptype == "pypi":
        name = normalise_name("PyPI", name)
    return str(PackageURL(type=ptype, namespace=namespace or None, name=name))


def entry_ecosystem(ecosystem: str) -> str:
    """The ecosystem an entry is stored under: without a distribution release."""
    return base_ecosystem(ecosystem)

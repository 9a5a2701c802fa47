"""What a registry client answers: one package's releases, files, scripts and licence.

Values only. ``PackageInfo`` is the same shape for every ecosystem; a field a
registry cannot state is ``None`` (PyPI's JSON API has no maintainer list, so
``maintainers`` is ``None`` there, never a guess). Every failure to reach or
read a registry is a :class:`RegistryError`: a vetting check that needs the
registry then reports "could not run" with the error's text as the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from assay.core.errors import SourceUnavailable


class RegistryError(SourceUnavailable):
    """The registry could not be reached, refused, or answered something unreadable."""


class PackageNotFound(RegistryError):
    """The registry does not know the package or the version (HTTP 404)."""


@dataclass(frozen=True, slots=True)
class ReleaseFile:
    """One downloadable artefact of a release."""

    kind: str  # "sdist" | "wheel" | "tarball" | other packagetype as the registry names it
    filename: str
    url: str
    sha256: str | None = None  # hex digest the registry states
    integrity: str | None = None  # npm's Subresource Integrity string ("sha512-...")
    size: int | None = None


@dataclass(frozen=True, slots=True)
class ReleaseInfo:
    version: str
    published: str | None = None  # ISO 8601 timestamp (UTC) of the upload
    yanked: bool = False
    files: tuple[ReleaseFile, ...] = ()
    scripts: tuple[tuple[str, str], ...] = ()  # npm lifecycle scripts: (name, command)
    license: str | None = None
    deprecated: str | None = None  # npm's deprecation message
    requires: tuple[str, ...] = ()  # requires_dist / dependencies as "name spec"


@dataclass(frozen=True, slots=True)
class PackageInfo:
    ecosystem: str  # OSV name: "PyPI", "npm"
    name: str  # as the registry spells it
    versions: dict[str, ReleaseInfo] = field(hash=False)
    latest: str | None = None  # the registry's idea of the newest release, where it states one
    maintainers: int | None = None  # None: the registry does not say
    license: str | None = None
    source_url: str = ""  # the registry base URL the data came from
    notes: tuple[str, ...] = ()  # what the client could not read, in words

    def release(self, version: str) -> ReleaseInfo | None:
        return self.versions.get(version)


class RegistryClient(Protocol):
    ecosystem: str
    base_url: str

    def fetch(self, name: str, version: str | None = None) -> PackageInfo:
        """Every release of ``name``; with ``version``, that release's details in full.
        Raises :class:`PackageNotFound` or :class:`RegistryError`."""
        ...

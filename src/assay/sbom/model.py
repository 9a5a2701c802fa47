"""The internal model of a bill of materials: components and their edges.

Every reader (lockfile catalogers, SBOM parsers) produces a :class:`Bom`;
every analyser and writer consumes one. Values are frozen; a ``Bom`` is a
plain container built once by a reader.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from assay.core.ecosystems import normalise_name, purl_type

#: Component properties the OS catalogers set: the source package a binary package was
#: built from, which is what Debian-like distributions' advisories name.
SOURCE_NAME = "assay:source-name"
SOURCE_VERSION = "assay:source-version"


class Scope(StrEnum):
    REQUIRED = "required"
    OPTIONAL = "optional"
    DEV = "dev"


@dataclass(frozen=True, slots=True)
class Component:
    """One package at one version, as found in one source file.

    ``ecosystem`` uses OSV's names (``PyPI``, ``npm``, ``Go`` ...). ``name`` is
    as the source writes it; :attr:`key_name` is the normalised lookup form.
    ``direct`` is None when the source cannot tell direct from transitive.
    ``licenses`` is an SPDX expression when the source states one.
    ``hashes`` are ``(algorithm, hex-or-base64 value)`` pairs, algorithm names
    in CycloneDX spelling (``SHA-256``, ``SHA-512`` ...).

    ``ecosystem`` is ``""`` for what an SBOM lists without a purl (a file, a
    device, a cryptographic asset, an OS image): such a component keeps its
    document identity in ``bom_ref``, has no :attr:`purl` and is never matched
    against advisories.
    """

    ecosystem: str
    name: str
    version: str
    source: str = ""
    scope: Scope = Scope.REQUIRED
    direct: bool | None = None
    licenses: str | None = None
    hashes: tuple[tuple[str, str], ...] = ()
    purl_override: str | None = None  # a purl given by an SBOM, kept verbatim
    # purl namespace where the ecosystem has one (npm scope, Maven group)
    namespace: str | None = None
    # Fields SBOM documents carry; lockfiles rarely do. None/() when unknown.
    kind: str = "library"  # CycloneDX component type: library, application, operating-system ...
    bom_ref: str | None = None  # the document's own identifier (CycloneDX bom-ref, SPDX SPDXID)
    supplier: str | None = None
    author: str | None = None
    description: str | None = None
    cpe: str | None = None
    external_refs: tuple[tuple[str, str], ...] = ()  # (type, url): website, vcs, distribution
    properties: tuple[tuple[str, str], ...] = ()  # (name, value) pairs kept for round trips
    # CycloneDX component fields the model does not hold (cryptoProperties, evidence,
    # pedigree ...): compact JSON of an object, keys sorted; None when there are none
    extensions: str | None = None

    @property
    def key_name(self) -> str:
        return normalise_name(self.ecosystem, self.name)

    @property
    def dev(self) -> bool:
        return self.scope is Scope.DEV

    @property
    def ref(self) -> str:
        """A stable identity inside one BOM, cheap to compute (no purl construction).

        Readers of SBOMs keep the document's own identity in ``purl_override``;
        lockfile readers get ``ecosystem:name@version``. Dependency edges use refs.
        """
        return self.bom_ref or self.purl_override or f"{self.ecosystem}:{self.name}@{self.version}"

    @property
    def purl(self) -> str | None:
        if self.purl_override:
            return self.purl_override
        return build_purl(self.ecosystem, self.name, self.version)


def build_purl(ecosystem: str, name: str, version: str | None) -> str | None:
    """Package URL for an OSV ecosystem package, or None where purl has no type for it."""
    ptype = purl_type(ecosystem)
    if ptype is None:
        return None
    from packageurl import PackageURL  # imported here: ~15 ms, only paid when purls are needed

    namespace: str | None = None
    pname = name
    if ptype == "maven" and ":" in name:
        namespace, pname = name.split(":", 1)
    elif ptype in {"npm", "golang", "composer", "swift", "github"} and "/" in name:
        namespace, pname = name.rsplit("/", 1)
    if ptype == "pypi":
        pname = normalise_name("PyPI", name)
    return str(PackageURL(type=ptype, namespace=namespace, name=pname, version=version or None))


@dataclass(slots=True)
class Bom:
    """Components plus dependency edges (``ref`` -> ``ref``) and metadata."""

    components: list[Component] = field(default_factory=list)
    edges: set[tuple[str, str]] = field(default_factory=set)
    sources: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    #: what a reader saw but could not represent (unpinned requirement, unknown
    #: entry kind ...), one line each, ``FILE:LINE: what``; shown to the user.
    warnings: list[str] = field(default_factory=list)
    #: document-level facts of an SBOM (the product it describes, who made it, when)
    subject: Component | None = None
    authors: list[str] = field(default_factory=list)
    tools: list[str] = field(default_factory=list)  # "name version" of each producing tool
    timestamp: str | None = None  # ISO 8601
    serial: str | None = None  # CycloneDX serialNumber / SPDX documentNamespace
    spec: str | None = None  # format and version it was read from, e.g. "CycloneDX 1.4"

    def __iter__(self) -> Iterator[Component]:
        return iter(self.components)

    def __len__(self) -> int:
        return len(self.components)

    def extend(self, other: Bom) -> None:
        """Add another source's components; the first subject found describes the whole."""
        self.components.extend(other.components)
        self.edges |= other.edges
        self.sources.extend(other.sources)
        self.warnings.extend(other.warnings)
        if self.subject is None:
            self.subject = other.subject

    @classmethod
    def of(cls, components: Iterable[Component], source: str = "") -> Bom:
        return cls(components=list(components), sources=[source] if source else [])

    def unique(self) -> list[Component]:
        """Components deduplicated by (ecosystem, normalised name, version, source, scope).

        Components without an ecosystem (SBOM entries with no purl: files, devices,
        cryptographic assets ...) are told apart by their ref instead of their name.
        """
        seen: dict[tuple[str, str, str, str], Component] = {}
        for c in self.components:
            key = (c.ecosystem, c.key_name if c.ecosystem else c.ref, c.version, c.source)
            prev = seen.get(key)
            # A package that is both dev and required in one file is required.
            if prev is None or (prev.scope is Scope.DEV and c.scope is not Scope.DEV):
                seen[key] = c
        return list(seen.values())

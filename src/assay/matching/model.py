"""Values produced by the matcher: advisories, vulnerabilities, findings, a scan result.

A :class:`Vulnerability` is one group of advisories that share an id or an
alias, transitively (``PYSEC-2021-1`` aliases ``CVE-2021-9`` which
``GHSA-xxxx`` also aliases: one vulnerability). Its primary id follows the one
rule in :mod:`assay.vulndb.ids`, shared with every other view.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from assay.sbom.model import Component
from assay.vulndb.ids import natural_key, primary_id

#: severity levels from least to most severe; ``unknown`` sorts lowest.
LEVELS: tuple[str, ...] = ("unknown", "none", "low", "medium", "high", "critical")
_RANK = {level: i for i, level in enumerate(LEVELS)}


def level_rank(level: str) -> int:
    """Position of a severity level in :data:`LEVELS`; anything unrecognised is ``unknown``."""
    return _RANK.get(level.lower(), 0)


@dataclass(frozen=True, slots=True)
class AdvisoryRecord:
    """What the matcher needs of one stored advisory (not its affected ranges)."""

    id: str
    source: str
    summary: str = ""
    aliases: tuple[str, ...] = ()
    vectors: tuple[str, ...] = ()
    score: float | None = None
    level: str = "unknown"
    malicious: bool = False


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    """Where the advisories came from, shown with every result."""

    location: str
    advisories: int
    last_import: str | None = None
    last_sync: str | None = None


@dataclass(frozen=True, slots=True)
class Vulnerability:
    """One vulnerability: a group of advisories sharing an id or alias.

    ``sources`` are the ``(advisory id, source)`` records it was built from,
    so a reader can follow any figure back to the rows that made it.
    """

    id: str
    aliases: tuple[str, ...] = ()
    summary: str = ""
    level: str = "unknown"
    score: float | None = None
    vectors: tuple[str, ...] = ()
    malicious: bool = False
    sources: tuple[tuple[str, str], ...] = ()

    @property
    def ids(self) -> frozenset[str]:
        return frozenset((self.id, *self.aliases))

    @property
    def effective_level(self) -> str:
        """The level used by ``--fail-on``: a malicious package is critical."""
        return "critical" if self.malicious else LEVELS[level_rank(self.level)]

    @classmethod
    def from_advisories(cls, advisories: Sequence[AdvisoryRecord]) -> Vulnerability:
        """Merge one group of advisories (already known to belong together)."""
        if not advisories:
            raise ValueError("a vulnerability needs at least one advisory")
        ordered = sorted(advisories, key=lambda a: natural_key(a.id))
        every = {a.id for a in ordered} | {x for a in ordered for x in a.aliases}
        primary = primary_id((a.id for a in ordered), every)
        by_preference = sorted(ordered, key=lambda a: (a.id != primary, natural_key(a.id)))
        summary = next((a.summary for a in by_preference if a.summary.strip()), "")
        level = max((a.level for a in ordered), key=level_rank)
        scores = [a.score for a in ordered if a.score is not None]
        vectors: dict[str, None] = {}
        for a in ordered:
            vectors.update(dict.fromkeys(a.vectors))
        return cls(
            id=primary,
            aliases=tuple(sorted(every - {primary}, key=natural_key)),
            summary=summary.strip(),
            level=LEVELS[level_rank(level)],
            score=max(scores) if scores else None,
            vectors=tuple(vectors),
            malicious=any(a.malicious for a in ordered),
            sources=tuple((a.id, a.source) for a in ordered),
        )


def group_advisories(advisories: Iterable[AdvisoryRecord]) -> list[list[AdvisoryRecord]]:
    """Partition advisories into groups sharing an id or alias, transitively (union-find)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    records = {a.id: a for a in advisories}
    for a in records.values():
        root = find(a.id)
        for alias in a.aliases:
            other = find(alias)
            if other != root:
                parent[other] = root
    groups: dict[str, list[AdvisoryRecord]] = {}
    for a in records.values():
        groups.setdefault(find(a.id), []).append(a)
    return sorted(groups.values(), key=lambda g: min(natural_key(a.id) for a in g))


@dataclass(frozen=True, slots=True)
class Finding:
    """A component version affected by a vulnerability.

    ``fixed_versions`` are the fixed versions the advisories of this
    vulnerability state for the package; ``fix`` is the smallest upgrade that
    fixes *every* vulnerability found in this component (the same value on
    all findings of one component), or None when no version fixes them all.
    """

    component: Component
    vulnerability: Vulnerability
    fixed_versions: tuple[str, ...] = ()
    fix: str | None = None


@dataclass(frozen=True, slots=True)
class IgnoredFinding:
    """A finding suppressed by an ignore-file entry, with the entry's reason."""

    finding: Finding
    reason: str
    rule: str  # where the entry is: ``FILE:LINE``
    expires: str | None = None


@dataclass(frozen=True, slots=True)
class ScanResult:
    components: tuple[Component, ...]
    findings: tuple[Finding, ...]
    database: DatabaseInfo
    ignored: tuple[IgnoredFinding, ...] = ()
    warnings: tuple[str, ...] = ()
    sources: tuple[str, ...] = field(default_factory=tuple)

    def counts(self) -> dict[str, int]:
        """Findings per effective severity level, every level present (most severe first)."""
        counts = dict.fromkeys(reversed(LEVELS), 0)
        for f in self.findings:
            counts[f.vulnerability.effective_level] += 1
        return counts

    def vulnerability_ids(self) -> list[str]:
        return sorted({f.vulnerability.id for f in self.findings}, key=natural_key)


#: ``--fail-on`` choices and the lowest level each one fails on (None: never fails).
FAIL_ON: dict[str, str | None] = {
    "critical": "critical",
    "high": "high",
    "medium": "medium",
    "low": "low",
    "any": "unknown",
    "none": None,
}


def fails(result: ScanResult, fail_on: str) -> bool:
    """True when a finding is at or above the threshold.

    Malicious packages count as critical. Unknown severity is below ``low``,
    so it fails only ``any``; ``none`` never fails.
    """
    if fail_on not in FAIL_ON:
        raise ValueError(f"unknown threshold {fail_on!r}")
    threshold = FAIL_ON[fail_on]
    if threshold is None:
        return False
    lowest = level_rank(threshold)
    return any(level_rank(f.vulnerability.effective_level) >= lowest for f in result.findings)

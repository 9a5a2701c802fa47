"""Components × advisories → findings: a pure function over an :class:`AdvisoryIndex`.

For each distinct component the matcher evaluates every affected entry stored
for its (ecosystem, normalised name) with ``assay.versions.ranges``, groups
the advisories that affect it into vulnerabilities (shared ids or aliases),
and records the fixed versions each advisory states and the smallest version
fixing all of them. The same (ecosystem, name, version) found in several files
is evaluated once.

Go: ``go.mod`` writes versions with a leading ``v`` (``v1.2.3``) and OSV does
not, so the ``v`` is removed before evaluation.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assay.core.ecosystems import base_ecosystem, canonical_ecosystem, normalise_name
from assay.matching.index import AdvisoryIndex, AffectedEntry, Lookup
from assay.matching.model import (
    AdvisoryRecord,
    Finding,
    ScanResult,
    Vulnerability,
    group_advisories,
)
from assay.sbom.model import SOURCE_NAME, SOURCE_VERSION, Bom, Component

# Go pseudo-packages that are not modules and have no advisories of their own here.
_GO_SKIP = frozenset({"stdlib", "toolchain"})
# Distributions whose OSV advisories name source packages (openssl), not the binary
# packages installed from them (libssl3): the OS catalogers record the source name and
# version in these properties.
_BY_SOURCE_PACKAGE = frozenset({"Debian", "Ubuntu", "Alpine", "Wolfi", "Chainguard"})


def lookup_identity(ecosystem: str, key_name: str, version: str, c: Component) -> tuple[str, str]:
    """The (name, version) advisories use for ``c``: its source package on Debian-like systems."""
    if c.properties and base_ecosystem(ecosystem) in _BY_SOURCE_PACKAGE:
        props = dict(c.properties)
        source = props.get(SOURCE_NAME)
        if source:
            return normalise_name(ecosystem, source), props.get(SOURCE_VERSION) or version
    return key_name, version


def osv_version(ecosystem: str, version: str) -> str:
    """The version as OSV writes it for ``ecosystem`` (Go without its leading ``v``)."""
    version = version.strip()
    if base_ecosystem(ecosystem) == "Go" and version[:1] in {"v", "V"} and version[1:2].isdigit():
        return version[1:]
    return version


def _sort_versions(ecosystem: str, versions: set[str]) -> tuple[str, ...]:
    from assay.versions import sort_key

    return tuple(sorted(versions, key=lambda v: sort_key(ecosystem, v)))


class _Evaluated:
    """Findings of one (ecosystem, name, version), computed once and shared by its components."""

    __slots__ = ("fix", "groups")

    def __init__(
        self, groups: list[tuple[Vulnerability, tuple[str, ...]]], fix: str | None
    ) -> None:
        self.groups = groups
        self.fix = fix


def _evaluate(
    ecosystem: str,
    version: str,
    entries: Sequence[AffectedEntry],
    advisories: Mapping[str, AdvisoryRecord],
    named: dict[tuple[str, ...], Vulnerability],
) -> _Evaluated:
    """``named`` memoises the vulnerability of each advisory group across one match:
    every affected version of a package shares its groups (naming one sorts ids)."""
    from assay.versions.ranges import fixed_versions, is_affected, smallest_fix

    stated: dict[str, list[Mapping[str, Any]]] = {}
    hit: set[str] = set()
    for e in entries:
        if e.advisory_id not in advisories:
            continue
        stated.setdefault(e.advisory_id, []).append(e.entry)
        if e.advisory_id not in hit and is_affected(ecosystem, version, e.entry):
            hit.add(e.advisory_id)
    if not hit:
        return _Evaluated([], None)
    # Fixed versions and the fix use every entry of an advisory that matched, also
    # entries for other ranges of the package (a fix must not land in one of them).
    groups: list[tuple[Vulnerability, tuple[str, ...]]] = []
    for group in group_advisories(advisories[a] for a in sorted(hit)):
        fixed: set[str] = set()
        for record in group:
            for entry in stated[record.id]:
                fixed.update(fixed_versions(ecosystem, entry))
        ids = tuple(record.id for record in group)
        vulnerability = named.get(ids)
        if vulnerability is None:
            vulnerability = named[ids] = Vulnerability.from_advisories(group)
        groups.append((vulnerability, _sort_versions(ecosystem, fixed)))
    relevant = [entry for a in sorted(hit) for entry in stated[a]]
    return _Evaluated(groups, smallest_fix(ecosystem, version, relevant))


def match(bom: Bom, index: AdvisoryIndex) -> ScanResult:
    """Find the known vulnerabilities of ``bom``'s components in ``index``."""
    # Each component's lookup key is computed once: (ecosystem, normalised name, version).
    # Components without an ecosystem (an SBOM's files, devices, purl-less entries) cannot
    # be looked up: they are neither scanned nor counted (the reader's warning says so).
    keyed = sorted(
        ((c.source, c.ecosystem, c.key_name, c.version), c) for c in bom.unique() if c.ecosystem
    )
    components = tuple(c for _, c in keyed)
    warnings = list(bom.warnings)
    checked: list[tuple[Component, tuple[str, str, str]]] = []
    for (_, eco, key_name, raw_version), c in keyed:
        ecosystem = canonical_ecosystem(eco)
        version = osv_version(ecosystem, raw_version)
        if not version:
            warnings.append(f"{c.source or '-'}: {c.name} has no version, not checked")
            continue
        if c.name in _GO_SKIP and base_ecosystem(ecosystem) == "Go":
            continue
        name, version = lookup_identity(ecosystem, key_name, version, c)
        checked.append((c, (ecosystem, name, version)))
    lookup: Lookup = index.lookup({(eco, name) for _, (eco, name, _) in checked})
    warnings.extend(lookup.problems)
    cache: dict[tuple[str, str, str], _Evaluated] = {}
    named: dict[tuple[str, ...], Vulnerability] = {}
    findings: list[Finding] = []
    for component, key in checked:
        entries = lookup.entries.get((key[0], key[1]))
        if not entries:
            continue  # most packages have no advisory at all
        evaluated = cache.get(key)
        if evaluated is None:
            evaluated = _evaluate(key[0], key[2], entries, lookup.advisories, named)
            cache[key] = evaluated
        findings.extend(
            Finding(component, vuln, fixed, evaluated.fix) for vuln, fixed in evaluated.groups
        )
    return ScanResult(
        components=components,
        findings=tuple(findings),
        database=index.info(),
        warnings=tuple(warnings),
        sources=tuple(dict.fromkeys(bom.sources)),
    )

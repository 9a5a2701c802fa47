"""The policy engine's domain objects: pure values, no I/O, no SQL.

A :class:`Policy` says *when* something is a problem (its conditions, combined
with ``all`` or ``any``), *where* it applies (its :class:`Scope`) and *how bad*
it is (its :class:`Verdict`). The engine (:mod:`assay.policy.engine`) evaluates
policies over :class:`ComponentFacts` -- everything known about one component
in one project -- and a :class:`Subject` (the project), and produces
:class:`Violation` and :class:`Unevaluated` records.

Facts that are not known are ``None``, never a guess: a condition that needs
them answers :attr:`Outcome.UNKNOWN` with a note saying which data was missing
and how to supply it, and the report shows a "could not evaluate" warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assay.policy.conditions.interface import Condition
    from assay.sbom.model import Component


class Verdict(StrEnum):
    INFO = "info"
    WARN = "warn"
    FAIL = "fail"

    @property
    def rank(self) -> int:
        return {"info": 0, "warn": 1, "fail": 2}[self.value]


class Outcome(StrEnum):
    MATCH = "match"  # the condition holds: with the others, a violation
    NO_MATCH = "no_match"
    UNKNOWN = "unknown"  # the data it needs is missing


@dataclass(frozen=True, slots=True)
class ConditionResult:
    outcome: Outcome
    reason: str = ""  # why it matched, in words a reviewer reads: "CVE-2024-1 is critical (9.8)"
    missing: str = ""  # for UNKNOWN: which data, and how to supply it

    @classmethod
    def match(cls, reason: str) -> ConditionResult:
        return cls(Outcome.MATCH, reason)

    @classmethod
    def no_match(cls) -> ConditionResult:
        return _NO_MATCH

    @classmethod
    def unknown(cls, missing: str) -> ConditionResult:
        return cls(Outcome.UNKNOWN, missing=missing)


_NO_MATCH = ConditionResult(Outcome.NO_MATCH)


@dataclass(frozen=True, slots=True)
class Subject:
    """The project (and version) being evaluated; scopes match against it."""

    project: str = ""
    version: str = ""
    tags: frozenset[str] = frozenset()
    team: str | None = None
    criticality: str | None = None
    exposure: str | None = None
    quality_score: float | None = None  # SBOM quality score 0..100, None when not assessed


@dataclass(frozen=True, slots=True)
class Scope:
    """Where a policy applies. Empty scope: every project. Each non-empty field narrows
    (a project must match every given field, and any one value within a field)."""

    tags: frozenset[str] = frozenset()
    teams: frozenset[str] = frozenset()
    criticality: frozenset[str] = frozenset()
    exposure: frozenset[str] = frozenset()

    @property
    def everywhere(self) -> bool:
        return not (self.tags or self.teams or self.criticality or self.exposure)

    def applies(self, subject: Subject) -> bool:
        if self.tags and not (self.tags & subject.tags):
            return False
        if self.teams and subject.team not in self.teams:
            return False
        if self.criticality and subject.criticality not in self.criticality:
            return False
        return not (self.exposure and subject.exposure not in self.exposure)

    def describe(self) -> str:
        if self.everywhere:
            return "all projects"
        parts = []
        for label, values in (
            ("tag", self.tags),
            ("team", self.teams),
            ("criticality", self.criticality),
            ("exposure", self.exposure),
        ):
            if values:
                parts.append(f"{label} {' or '.join(sorted(values))}")
        return "projects with " + " and ".join(parts)


@dataclass(frozen=True, slots=True)
class Policy:
    name: str  # unique, [a-z0-9][a-z0-9-]*, at most 100 characters
    verdict: Verdict
    conditions: tuple[Condition, ...]
    match: str = "all"  # "all" | "any"
    scope: Scope = Scope()
    description: str = ""
    enabled: bool = True
    remediation: str = ""  # what to do about a violation, shown in reports
    source: str = ""  # where it was read: "policies/bank.yaml:12", or "api"


@dataclass(frozen=True, slots=True)
class VulnerabilityFact:
    id: str
    aliases: tuple[str, ...] = ()
    severity: str = "unknown"  # critical | high | medium | low | unknown
    cvss: float | None = None
    epss: float | None = None  # None: no EPSS score known for it (or EPSS never imported)
    kev: bool | None = None  # None: the KEV catalogue was never imported
    malicious: bool = False
    suppressed: bool = False  # triaged as not affecting (VEX) on the server


@dataclass(frozen=True, slots=True)
class CatalogueFact:
    status: str  # approved | requested | in_review | rejected | deprecated | banned | unlisted
    detail: str = ""  # "deprecated since 2026-10-01, use pkg:pypi/httpx; sunset 2027-01-01"
    replacement: str | None = None
    recommended_version: str | None = None


@dataclass(frozen=True, slots=True)
class ReleaseFact:
    published: date | None = None  # when this version was released
    latest: str | None = None  # newest non-prerelease version known
    majors_behind: int | None = None  # major versions between this and latest


@dataclass(frozen=True, slots=True)
class ComponentFacts:
    """Everything known about one component in one project version.

    ``licenses_known`` is False when the source cannot state licences (a lockfile read
    offline): then licence conditions answer UNKNOWN instead of treating the component as
    unlicensed. ``vulnerabilities`` is None when no advisory database was consulted.
    """

    component: Component
    licenses_known: bool = True
    vulnerabilities: tuple[VulnerabilityFact, ...] | None = ()
    catalogue: CatalogueFact | None = None  # None: no catalogue available
    release: ReleaseFact | None = None  # None: no registry metadata available


@dataclass(frozen=True, slots=True)
class ComponentRef:
    """How a violation names its component; None on project-level violations."""

    purl: str
    name: str
    version: str
    ecosystem: str = ""


@dataclass(frozen=True, slots=True)
class Violation:
    policy: str
    verdict: Verdict
    component: ComponentRef | None
    reasons: tuple[str, ...]  # one per matched condition
    description: str = ""
    remediation: str = ""
    waiver: Waiver | None = None  # set when a waiver covers it: reported, does not fail

    @property
    def key(self) -> tuple[str, str]:
        return (self.policy, self.component.purl if self.component else "")

    @property
    def effective(self) -> bool:
        return self.waiver is None


@dataclass(frozen=True, slots=True)
class Unevaluated:
    """A policy that could not be evaluated for a component: the data it needs is missing."""

    policy: str
    verdict: Verdict
    component: ComponentRef | None
    missing: tuple[str, ...]  # e.g. "licence: the lockfile states none; scan an SBOM with licences"


@dataclass(frozen=True, slots=True)
class Waiver:
    """An accepted violation: for one project, one policy, optionally one component
    (purl without version, ``*`` globs allowed) and a range of its versions; until ``expires``."""

    id: int | None
    policy: str
    project: str
    reason: str
    expires: date
    created_by: str = ""
    component: str | None = None
    versions: str | None = None  # a range as assay.inventory.ranges reads it

    def active(self, today: date) -> bool:
        return today <= self.expires


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    subject: Subject
    policies: tuple[str, ...]  # names of the policies that applied (in scope, enabled)
    components: int
    violations: tuple[Violation, ...] = ()
    unevaluated: tuple[Unevaluated, ...] = ()
    skipped: tuple[str, ...] = field(default_factory=tuple)  # policies out of scope

    def failed(self, strict: bool = False) -> bool:
        """True when an unwaived ``fail`` violation exists (or, with ``strict``, a ``fail``
        policy could not be evaluated)."""
        if any(v.verdict is Verdict.FAIL and v.effective for v in self.violations):
            return True
        return strict and any(u.verdict is Verdict.FAIL for u in self.unevaluated)

"""The gate's result, as every format renders it, and its versioned JSON form.

A :class:`GateReport` is the engine's :class:`~assay.policy.model.EvaluationReport`
plus what a reader of a CI log needs to trust it: what was scanned, against which
advisory database, which policies applied (with their descriptions and remediation),
whether ``--strict`` was on, and a summary of the data that was missing -- which
checks it affected and how to supply it. ``to_dict`` writes JSON schema version 1
(``docs/schemas/gate-report-1.schema.json``, described in ``docs/gate.md``);
``from_dict`` reads it back (checking every field, in :mod:`._read`), so a report
computed by the server renders with the same formats as a local one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from assay import __version__
from assay.core.errors import InputError
from assay.matching.model import DatabaseInfo
from assay.policy.model import (
    ComponentRef,
    EvaluationReport,
    Subject,
    Unevaluated,
    Verdict,
    Violation,
    Waiver,
)

SCHEMA_VERSION = 1
PASS, FAIL = "pass", "fail"
LOCAL, SERVER = "local", "server"

#: how to supply each kind of missing data, by a word its note contains (first match wins)
_HINTS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (
        ("licen",),
        "scan an SBOM that states licences (your build's CycloneDX or SPDX document), "
        "or gate against the server (--server), which keeps them",
        "upload an SBOM that states licences",
    ),
    (
        ("release", "publish", "registry", "maintainer", "outdated", "major", "latest"),
        "run with --online to fetch registry metadata, or gate against the server (--server)",
        "let the server fetch release dates: ASSAY_REGISTRY_REFRESH=1 (it asks ASSAY_PYPI_URL and "
        "ASSAY_NPM_URL after each upload)",
    ),
    (
        ("kev", "epss"),
        "import the CISA KEV catalogue and EPSS scores into the local database "
        "(assay db sync), or gate against the server (--server)",
        "sync KEV and EPSS on the server (assay db sync)",
    ),
    (
        ("catalogue", "catalog"),
        "gate against the server (--server), where the organisation's catalogue lives",
        "add the component to the catalogue",
    ),
    (
        ("quality", "sbom"),
        "gate an SBOM document instead of lockfiles (assay sbom generate)",
        "upload a complete SBOM",
    ),
    (
        ("vulnerab", "advisor", "severity", "cvss"),
        "import advisories into the local database (assay db import or assay db sync)",
        "sync advisories on the server (assay db sync)",
    ),
)


def supply_hint(note: str, mode: str = LOCAL) -> str:
    """How a user supplies the data ``note`` (an Unevaluated's missing entry) says is missing."""
    lowered = note.lower()
    for words, local, server in _HINTS:
        if any(w in lowered for w in words):
            return local if mode == LOCAL else server
    return note


def data_kind(note: str) -> str:
    """The kind of data a missing-data note names: its text before the first colon
    ("licence: the lockfile states none ..." -> "licence"), else the whole note."""
    head, colon, _ = note.partition(":")
    return head.strip().lower() if colon and 0 < len(head.strip()) <= 40 else note.strip()


@dataclass(frozen=True, slots=True)
class PolicyInfo:
    """A policy as the report describes it; ``applied`` False: out of scope or disabled."""

    name: str
    verdict: Verdict
    description: str = ""
    remediation: str = ""
    scope: str = "all projects"
    source: str = ""
    applied: bool = True


@dataclass(frozen=True, slots=True)
class MissingData:
    """One kind of data the gate lacked: how many checks it left undecided, and the fix."""

    data: str  # "licence", "release date" ...
    message: str  # the first note of this kind, as the condition wrote it
    checks: int  # unevaluated (policy, component) pairs
    policies: tuple[str, ...]
    fail_checks: int  # of which belong to fail policies (what --strict fails on)
    how: str


@dataclass(frozen=True, slots=True)
class GateReport:
    evaluation: EvaluationReport
    source: str  # what was gated: the path given, or the uploaded document's name
    strict: bool = False
    database: DatabaseInfo | None = None
    policies: tuple[PolicyInfo, ...] = ()
    files: tuple[str, ...] = ()  # lockfiles/SBOMs read, relative to the scanned root
    #: purl -> files (relative to the root) it was found in, for SARIF locations
    locations: Mapping[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    mode: str = LOCAL  # "local" | "server"
    generated_at: str = ""
    warnings: tuple[str, ...] = ()
    tool_version: str = __version__

    @property
    def subject(self) -> Subject:
        return self.evaluation.subject

    @property
    def failed(self) -> bool:
        return self.evaluation.failed(self.strict)

    @property
    def verdict(self) -> str:
        return FAIL if self.failed else PASS

    @property
    def effective(self) -> tuple[Violation, ...]:
        """Violations no waiver covers, most severe first."""
        return tuple(
            sorted(
                (v for v in self.evaluation.violations if v.effective),
                key=lambda v: (-v.verdict.rank, v.policy, _ref_key(v.component)),
            )
        )

    @property
    def waived(self) -> tuple[Violation, ...]:
        return tuple(v for v in self.evaluation.violations if not v.effective)

    def counts(self) -> dict[str, int]:
        """Unwaived violations per verdict, waived ones, and undecided checks."""
        counts = {"fail": 0, "warn": 0, "info": 0}
        for v in self.effective:
            counts[v.verdict.value] += 1
        counts["waived"] = len(self.waived)
        counts["unevaluated"] = len(self.evaluation.unevaluated)
        return counts

    def policy(self, name: str) -> PolicyInfo | None:
        return next((p for p in self.policies if p.name == name), None)

    def files_of(self, component: ComponentRef | None) -> tuple[str, ...]:
        if component is None:
            return ()
        return self.locations.get(component.purl, ())

    @property
    def missing_data(self) -> tuple[MissingData, ...]:
        """The unevaluated checks grouped by the kind of data they lacked."""
        groups: dict[str, list[tuple[Unevaluated, str]]] = {}
        for u in self.evaluation.unevaluated:
            for note in u.missing or ("unknown data: the condition did not say",):
                groups.setdefault(data_kind(note), []).append((u, note))
        found = []
        for kind, items in groups.items():
            pairs = {(u.policy, _ref_key(u.component)) for u, _ in items}
            fails = {
                (u.policy, _ref_key(u.component)) for u, _ in items if u.verdict is Verdict.FAIL
            }
            found.append(
                MissingData(
                    data=kind,
                    message=items[0][1],
                    checks=len(pairs),
                    policies=tuple(sorted({u.policy for u, _ in items})),
                    fail_checks=len(fails),
                    how=supply_hint(items[0][1], self.mode),
                )
            )
        return tuple(sorted(found, key=lambda m: (-m.checks, m.data)))

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON schema version 1 (docs/schemas/gate-report-1.schema.json)."""
        e = self.evaluation
        return {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "assay", "version": self.tool_version},
            "generated_at": self.generated_at,
            "mode": self.mode,
            "verdict": self.verdict,
            "strict": self.strict,
            "source": {"path": self.source, "files": list(self.files)},
            "subject": _subject_dict(e.subject),
            "database": None if self.database is None else _database_dict(self.database),
            "components": e.components,
            "counts": self.counts(),
            "policies": [_policy_dict(p) for p in self.policies],
            "applied": list(e.policies),
            "skipped": list(e.skipped),
            "violations": [self._violation_dict(v) for v in e.violations],
            "unevaluated": [self._unevaluated_dict(u) for u in e.unevaluated],
            "missing_data": [_missing_dict(m) for m in self.missing_data],
            "warnings": list(self.warnings),
        }

    def _violation_dict(self, v: Violation) -> dict[str, Any]:
        return {
            "policy": v.policy,
            "verdict": v.verdict.value,
            "component": _ref_dict(v.component),
            "files": list(self.files_of(v.component)),
            "reasons": list(v.reasons),
            "description": v.description,
            "remediation": v.remediation,
            "waiver": None if v.waiver is None else _waiver_dict(v.waiver),
        }

    def _unevaluated_dict(self, u: Unevaluated) -> dict[str, Any]:
        return {
            "policy": u.policy,
            "verdict": u.verdict.value,
            "component": _ref_dict(u.component),
            "files": list(self.files_of(u.component)),
            "missing": list(u.missing),
        }

    @classmethod
    def from_dict(cls, data: Any, where: str = "gate report") -> GateReport:
        """Read a report written by :meth:`to_dict`; InputError naming ``where`` otherwise."""
        from assay.policy.gate._read import read

        try:
            return read(data)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InputError(where, f"not a gate report of schema version 1: {why(exc)}") from None


def why(exc: Exception) -> str:
    """An error of reading, in a few words."""
    if isinstance(exc, KeyError):
        return f"missing {exc.args[0]!r}"
    return " ".join(str(exc).split())[:200] or type(exc).__name__


def _ref_key(ref: ComponentRef | None) -> str:
    return "" if ref is None else ref.purl or f"{ref.name}@{ref.version}"


def _subject_dict(s: Subject) -> dict[str, Any]:
    return {
        "project": s.project,
        "version": s.version,
        "tags": sorted(s.tags),
        "team": s.team,
        "criticality": s.criticality,
        "exposure": s.exposure,
        "quality_score": s.quality_score,
    }


def _database_dict(d: DatabaseInfo) -> dict[str, Any]:
    return {
        "location": d.location,
        "advisories": d.advisories,
        "last_import": d.last_import,
        "last_sync": d.last_sync,
    }


def _policy_dict(p: PolicyInfo) -> dict[str, Any]:
    return {
        "name": p.name,
        "verdict": p.verdict.value,
        "description": p.description,
        "remediation": p.remediation,
        "scope": p.scope,
        "source": p.source,
        "applied": p.applied,
    }


def _ref_dict(ref: ComponentRef | None) -> dict[str, str] | None:
    if ref is None:
        return None
    return {"purl": ref.purl, "name": ref.name, "version": ref.version, "ecosystem": ref.ecosystem}


def _waiver_dict(w: Waiver) -> dict[str, Any]:
    return {
        "id": w.id,
        "policy": w.policy,
        "project": w.project,
        "reason": w.reason,
        "expires": w.expires.isoformat(),
        "created_by": w.created_by,
        "component": w.component,
        "versions": w.versions,
    }


def _missing_dict(m: MissingData) -> dict[str, Any]:
    return {
        "data": m.data,
        "message": m.message,
        "checks": m.checks,
        "fail_checks": m.fail_checks,
        "policies": list(m.policies),
        "how": m.how,
    }

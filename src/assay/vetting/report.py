"""The vetting report: what each check found, and the verdict a reviewer starts from.

JSON form (``to_dict``), schema_version 1 -- documented in docs/vet.md::

    {"schema_version": 1, "purl": str, "ecosystem": str, "name": str, "version": str,
     "verdict": "pass" | "review" | "fail", "generated_at": ISO 8601 UTC,
     "registry_url": str | null,
     "checks": [{"name": str, "status": "pass" | "warn" | "fail" | "not_run",
                 "summary": str, "details": [str, ...]}, ...]}

The verdict is ``fail`` when any check failed, ``review`` when any warned or
could not run, ``pass`` otherwise: a check that could not run is never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from assay.core.errors import InputError

SCHEMA_VERSION = 1


class Status(StrEnum):
    PASS = "pass"  # noqa: S105 -- a check status, not a password
    WARN = "warn"
    FAIL = "fail"
    NOT_RUN = "not_run"


class Verdict(StrEnum):
    PASS = "pass"  # noqa: S105 -- a check status, not a password
    REVIEW = "review"
    FAIL = "fail"


class InvalidReport(InputError):
    """A stored vetting report that does not follow the schema."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    status: Status
    summary: str
    details: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status.value,
            "summary": self.summary,
            "details": list(self.details),
        }


def verdict_of(checks: tuple[CheckResult, ...]) -> Verdict:
    statuses = {c.status for c in checks}
    if Status.FAIL in statuses:
        return Verdict.FAIL
    if statuses & {Status.WARN, Status.NOT_RUN}:
        return Verdict.REVIEW
    return Verdict.PASS


@dataclass(frozen=True, slots=True)
class VetReport:
    purl: str
    ecosystem: str
    name: str
    version: str
    checks: tuple[CheckResult, ...]
    generated_at: str  # ISO 8601, UTC
    registry_url: str | None = None

    @property
    def verdict(self) -> Verdict:
        return verdict_of(self.checks)

    def check(self, name: str) -> CheckResult | None:
        return next((c for c in self.checks if c.name == name), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": SCHEMA_VERSION,
            "purl": self.purl,
            "ecosystem": self.ecosystem,
            "name": self.name,
            "version": self.version,
            "verdict": self.verdict.value,
            "generated_at": self.generated_at,
            "registry_url": self.registry_url,
            "checks": [c.to_dict() for c in self.checks],
        }

    @classmethod
    def from_dict(cls, data: Any, source: str = "vetting report") -> VetReport:
        """Read ``to_dict``'s output back; InvalidReport names what is wrong."""
        if not isinstance(data, dict):
            raise InvalidReport(source, "not a JSON object")
        if data.get("schema_version") != SCHEMA_VERSION:
            raise InvalidReport(
                source, f"unsupported schema_version {data.get('schema_version')!r}"
            )
        fields: dict[str, str] = {}
        for key in ("purl", "ecosystem", "name", "version", "generated_at"):
            value = data.get(key)
            if not isinstance(value, str):
                raise InvalidReport(source, f"'{key}' must be a string")
            fields[key] = value
        registry = data.get("registry_url")
        if registry is not None and not isinstance(registry, str):
            raise InvalidReport(source, "'registry_url' must be a string or null")
        raw_checks = data.get("checks")
        if not isinstance(raw_checks, list):
            raise InvalidReport(source, "'checks' must be a list")
        checks: list[CheckResult] = []
        for position, raw in enumerate(raw_checks):
            where = f"checks[{position}]"
            if not isinstance(raw, dict):
                raise InvalidReport(source, f"{where} is not an object")
            name, summary, details = raw.get("name"), raw.get("summary"), raw.get("details", [])
            if not isinstance(name, str) or not isinstance(summary, str):
                raise InvalidReport(source, f"{where}: 'name' and 'summary' must be strings")
            try:
                status = Status(str(raw.get("status")))
            except ValueError:
                raise InvalidReport(
                    source, f"{where}: unknown status {raw.get('status')!r}"
                ) from None
            if not isinstance(details, list) or not all(isinstance(d, str) for d in details):
                raise InvalidReport(source, f"{where}: 'details' must be a list of strings")
            checks.append(CheckResult(name, status, summary, tuple(details)))
        return cls(
            purl=fields["purl"],
            ecosystem=fields["ecosystem"],
            name=fields["name"],
            version=fields["version"],
            checks=tuple(checks),
            generated_at=fields["generated_at"],
            registry_url=registry,
        )

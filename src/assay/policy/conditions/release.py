"""Conditions on a component's release: its age (quarantine) and how far behind it is.

``release_age: {younger_than_days: 3}`` needs the day of evaluation: the engine
binds it with :meth:`ReleaseAge.on` (conditions stay pure; an unbound condition
uses the machine's date). Without registry metadata (``release`` None, or no
published date / no latest version) the conditions answer UNKNOWN.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, ClassVar

from assay.policy.conditions import _params
from assay.policy.model import ComponentFacts, ConditionResult, Subject

NO_DATE = "release_age: release date unknown: use --online or the server's registry cache"
NO_LATEST = "outdated: latest version unknown: use --online or the server's registry cache"


@dataclass(frozen=True, slots=True)
class ReleaseAge:
    kind: ClassVar[str] = "release_age"
    level: ClassVar[str] = "component"
    younger_than_days: int
    today: date | None = field(default=None, compare=False, repr=False)

    @classmethod
    def parse(cls, spec: Any, where: str) -> ReleaseAge:
        params = _params.mapping(spec, where, cls.kind, ("younger_than_days",))
        return cls(_params.integer(params["younger_than_days"], where, cls.kind, 1, 3650))

    def on(self, today: date) -> ReleaseAge:
        """This condition evaluated as of ``today``."""
        return replace(self, today=today)

    def evaluate(self, facts: ComponentFacts | None, subject: Subject) -> ConditionResult:
        if facts is None:
            return ConditionResult.no_match()
        if facts.release is None or facts.release.published is None:
            return ConditionResult.unknown(NO_DATE)
        published = facts.release.published
        age = ((self.today or date.today()) - published).days
        if age >= self.younger_than_days:
            return ConditionResult.no_match()
        days = "day" if age == 1 else "days"
        return ConditionResult.match(
            f"released {published.isoformat()}, {age} {days} ago "
            f"(quarantine: {self.younger_than_days} days)"
        )

    def to_spec(self) -> Any:
        return {"younger_than_days": self.younger_than_days}

    def describe(self) -> str:
        return f"a release younger than {self.younger_than_days} days"


@dataclass(frozen=True, slots=True)
class Outdated:
    kind: ClassVar[str] = "outdated"
    level: ClassVar[str] = "component"
    major_versions_behind: int

    @classmethod
    def parse(cls, spec: Any, where: str) -> Outdated:
        params = _params.mapping(spec, where, cls.kind, ("major_versions_behind",))
        return cls(_params.integer(params["major_versions_behind"], where, cls.kind, 1, 1000))

    def evaluate(self, facts: ComponentFacts | None, subject: Subject) -> ConditionResult:
        if facts is None:
            return ConditionResult.no_match()
        if facts.release is None or facts.release.majors_behind is None:
            return ConditionResult.unknown(NO_LATEST)
        behind = facts.release.majors_behind
        if behind < self.major_versions_behind:
            return ConditionResult.no_match()
        latest = f" (latest {facts.release.latest})" if facts.release.latest else ""
        word = "version" if behind == 1 else "versions"
        return ConditionResult.match(f"{behind} major {word} behind{latest}")

    def to_spec(self) -> Any:
        return {"major_versions_behind": self.major_versions_behind}

    def describe(self) -> str:
        return f"{self.major_versions_behind} or more major versions behind the latest"

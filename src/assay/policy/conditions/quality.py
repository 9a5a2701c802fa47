"""Conditions on the quality of what was delivered: the SBOM's score, missing hashes.

``sbom_quality: {below: 60}`` is project-level (evaluated once per project,
from :attr:`Subject.quality_score`); ``missing_hashes: true`` matches a
component that carries no hashes to verify it by.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from assay.policy.conditions import _params
from assay.policy.model import ComponentFacts, ConditionResult, Subject

NO_SCORE = "sbom_quality: no SBOM quality score: upload the SBOM to the server, or scan an SBOM"


@dataclass(frozen=True, slots=True)
class SbomQuality:
    kind: ClassVar[str] = "sbom_quality"
    level: ClassVar[str] = "project"
    below: float

    @classmethod
    def parse(cls, spec: Any, where: str) -> SbomQuality:
        params = _params.mapping(spec, where, cls.kind, ("below",))
        return cls(_params.number(params["below"], where, cls.kind, 0.0, 100.0))

    def evaluate(self, facts: ComponentFacts | None, subject: Subject) -> ConditionResult:
        score = subject.quality_score
        if score is None:
            return ConditionResult.unknown(NO_SCORE)
        if score < self.below:
            return ConditionResult.match(f"SBOM quality score {score:g} is below {self.below:g}")
        return ConditionResult.no_match()

    def to_spec(self) -> Any:
        return {"below": self.below}

    def describe(self) -> str:
        return f"an SBOM quality score below {self.below:g}"


@dataclass(frozen=True, slots=True)
class MissingHashes:
    kind: ClassVar[str] = "missing_hashes"
    level: ClassVar[str] = "component"

    @classmethod
    def parse(cls, spec: Any, where: str) -> MissingHashes:
        _params.true_flag(spec, where, cls.kind)
        return cls()

    def evaluate(self, facts: ComponentFacts | None, subject: Subject) -> ConditionResult:
        if facts is None or facts.component.hashes:
            return ConditionResult.no_match()
        return ConditionResult.match("no hashes to verify the package by")

    def to_spec(self) -> Any:
        return True

    def describe(self) -> str:
        return "a component without hashes"

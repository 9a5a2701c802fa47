"""Conditions on which component it is: purl pattern and version range, and dependency scope.

``component: {purl: "pkg:npm/event-stream", versions: "<4.0.0"}`` -- ``purl``
without version, ``*`` globs (see :mod:`assay.policy.purls`); ``versions`` a
range as :func:`assay.inventory.ranges.parse_range` reads it, compared with the
component's ecosystem ordering. ``component_scope: {in: [dev]}`` matches the
component's scope (required, optional, dev).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from assay.core.ecosystems import purl_type
from assay.inventory.ranges import InvalidRange, VersionRange, parse_range
from assay.policy.conditions import _params
from assay.policy.model import ComponentFacts, ConditionResult, Subject
from assay.policy.purls import InvalidPattern, PurlPattern

SCOPES = ("required", "optional", "dev")


@dataclass(frozen=True, slots=True)
class ComponentMatch:
    kind: ClassVar[str] = "component"
    level: ClassVar[str] = "component"
    purl: str
    versions: str | None = None
    _pattern: PurlPattern = field(init=False, repr=False, compare=False)
    _range: VersionRange | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_pattern", PurlPattern(self.purl))
        object.__setattr__(
            self, "_range", parse_range(self.versions) if self.versions is not None else None
        )

    @classmethod
    def parse(cls, spec: Any, where: str) -> ComponentMatch:
        if not isinstance(spec, dict) or "purl" not in spec:
            _params.fail(where, cls.kind, "expected a mapping with purl (and optional versions)")
        unknown = sorted(str(k) for k in spec if k not in ("purl", "versions"))
        if unknown:
            _params.fail(where, cls.kind, f"unknown key {unknown[0][:60]!r} (purl, versions)")
        purl = _params.text(spec["purl"], where, cls.kind)
        versions = spec.get("versions")
        if versions is not None:
            versions = _params.text(versions, where, cls.kind)
        try:
            return cls(purl, versions)
        except (InvalidPattern, InvalidRange) as exc:
            _params.fail(where, cls.kind, str(exc))

    def evaluate(self, facts: ComponentFacts | None, subject: Subject) -> ConditionResult:
        if facts is None:
            return ConditionResult.no_match()
        c = facts.component
        if purl_type(c.ecosystem) != self._pattern.type and not c.purl_override:
            return ConditionResult.no_match()  # cheap: no purl is built for other ecosystems
        purl = c.purl
        if purl is None or not self._pattern.matches(purl):
            return ConditionResult.no_match()
        if self._range is not None:
            if not c.version:
                return ConditionResult.unknown(f"component: {purl} states no version")
            if not self._range.contains(c.ecosystem, c.version):
                return ConditionResult.no_match()
            return ConditionResult.match(f"{c.name} {c.version} is in {self.versions}")
        return ConditionResult.match(f"{c.name} matches {self.purl}")

    def to_spec(self) -> Any:
        spec: dict[str, Any] = {"purl": self.purl}
        if self.versions is not None:
            spec["versions"] = self.versions
        return spec

    def describe(self) -> str:
        if self.versions is not None:
            return f"{self.purl} at versions {self.versions}"
        return self.purl


@dataclass(frozen=True, slots=True)
class ComponentScope:
    kind: ClassVar[str] = "component_scope"
    level: ClassVar[str] = "component"
    scopes: tuple[str, ...]

    @classmethod
    def parse(cls, spec: Any, where: str) -> ComponentScope:
        params = _params.mapping(spec, where, cls.kind, ("in",))
        values = _params.texts(params["in"], where, cls.kind)
        chosen = tuple(
            dict.fromkeys(_params.one_of(v, SCOPES, where, cls.kind, "scope") for v in values)
        )
        return cls(chosen)

    def evaluate(self, facts: ComponentFacts | None, subject: Subject) -> ConditionResult:
        if facts is None:
            return ConditionResult.no_match()
        scope = facts.component.scope.value
        if scope in self.scopes:
            return ConditionResult.match(f"a {scope} dependency")
        return ConditionResult.no_match()

    def to_spec(self) -> Any:
        return {"in": list(self.scopes)}

    def describe(self) -> str:
        return f"a {' or '.join(self.scopes)} dependency"

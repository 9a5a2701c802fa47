"""The licence condition: ``license: {deny: [...]}`` or ``license: {allow: [...]}``.

Items are SPDX ids (case-insensitive, checked against the SPDX list
``license-expression`` ships), ``LicenseRef-...`` names, or the groups of
:mod:`assay.policy.licences`. The component's expression is evaluated as an
expression: ``allow`` holds (no violation) when some OR-choice uses only
allowed licences; ``deny`` matches when every choice uses a denied one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar

from assay.policy import licences
from assay.policy.conditions import _params
from assay.policy.model import ComponentFacts, ConditionResult, Subject

NOT_STATED = (
    "license: the lockfile states no licences: scan an SBOM with licences, or use the server"
)


def _items(value: Any, where: str, kind: str) -> tuple[str, ...]:
    out: list[str] = []
    for item in _params.texts(value, where, kind):
        try:
            canonical = licences.canonical_item(item)
        except licences.UnknownLicence:
            _params.fail(
                where,
                kind,
                f"unknown licence {item[:60]!r}: give an SPDX id (https://spdx.org/licenses/), "
                f"a LicenseRef-, or a group ({', '.join(licences.GROUPS)})",
            )
        if canonical not in out:
            out.append(canonical)
    return tuple(out)


def _what(expression: licences.Expression) -> str:
    shown = expression.text if len(expression.text) <= 80 else expression.text[:77] + "..."
    if expression.problem:
        text = f" {shown!r}" if shown else ""
        return f"licence{text} is unknown: {expression.problem}"
    return f"licence {shown!r}"


@lru_cache(maxsize=16384)
def _decide(mode: str, items: tuple[str, ...], licenses: str | None) -> ConditionResult:
    """One answer per (rule, expression): a portfolio repeats a few hundred expressions."""
    expression = licences.read(licenses)
    if mode == "allow":
        if licences.satisfies(expression, items):
            return ConditionResult.no_match()
        shown = ", ".join(items[:8]) + (", ..." if len(items) > 8 else "")
        return ConditionResult.match(f"{_what(expression)}: not allowed (allowed: {shown})")
    used = licences.unavoidably_uses(expression, items)
    if used is None:
        return ConditionResult.no_match()
    if expression.problem:
        return ConditionResult.match(_what(expression))
    named = ", ".join(f"{i} ({licences.group_of(i)})" for i in sorted(used))
    return ConditionResult.match(f"{_what(expression)} uses {named}: denied")


@dataclass(frozen=True, slots=True)
class License:
    kind: ClassVar[str] = "license"
    level: ClassVar[str] = "component"
    mode: str  # "allow" | "deny"
    items: tuple[str, ...]

    @classmethod
    def parse(cls, spec: Any, where: str) -> License:
        params = _params.mapping(spec, where, cls.kind, ("deny", "allow"))
        mode = next(iter(params))
        return cls(mode, _items(params[mode], where, cls.kind))

    def evaluate(self, facts: ComponentFacts | None, subject: Subject) -> ConditionResult:
        if facts is None:
            return ConditionResult.no_match()
        if not facts.licenses_known:
            return ConditionResult.unknown(NOT_STATED)
        return _decide(self.mode, self.items, facts.component.licenses)

    def to_spec(self) -> Any:
        return {self.mode: list(self.items)}

    def describe(self) -> str:
        shown = ", ".join(self.items[:8]) + (", ..." if len(self.items) > 8 else "")
        if self.mode == "allow":
            return f"a licence outside {shown}"
        return f"a licence in {shown}"

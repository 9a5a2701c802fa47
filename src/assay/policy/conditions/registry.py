"""The explicit registry of condition kinds, and reading one condition from a policy file.

A condition is a mapping with one key, its kind: ``{severity: {at_least: high}}``.
Adding a kind means writing its class and adding one line to :data:`CONDITIONS`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from assay.policy.conditions.catalogue import Catalogue
from assay.policy.conditions.component import ComponentMatch, ComponentScope
from assay.policy.conditions.interface import Condition, InvalidPolicy
from assay.policy.conditions.license import License
from assay.policy.conditions.quality import MissingHashes, SbomQuality
from assay.policy.conditions.release import Outdated, ReleaseAge
from assay.policy.conditions.vulnerability import Cvss, Epss, Kev, Malicious, Severity

CONDITIONS: dict[str, type[Condition]] = {
    cls.kind: cls
    for cls in (
        Severity,
        Cvss,
        Epss,
        Kev,
        Malicious,
        License,
        ComponentMatch,
        ComponentScope,
        Catalogue,
        ReleaseAge,
        Outdated,
        SbomQuality,
        MissingHashes,
    )
}


def parse_condition(item: Any, where: str) -> Condition:
    """Read ``{kind: params}``; InvalidPolicy naming the known kinds for anything else."""
    known = ", ".join(CONDITIONS)
    if not isinstance(item, Mapping) or len(item) != 1:
        raise InvalidPolicy(where, f"a condition is a mapping with one key, its kind ({known})")
    kind, spec = next(iter(item.items()))
    cls = CONDITIONS.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise InvalidPolicy(where, f"unknown condition {str(kind)[:60]!r} ({known})")
    return cls.parse(spec, where)


def condition_to_item(condition: Condition) -> dict[str, Any]:
    """The one-key mapping a policy file writes for ``condition``."""
    return {condition.kind: condition.to_spec()}


def bind_today(condition: Condition, today: date) -> Condition:
    """``condition`` as of ``today`` when it depends on the date (it has ``on``), else itself."""
    on = getattr(condition, "on", None)
    if on is None:
        return condition
    bound: Condition = on(today)
    return bound

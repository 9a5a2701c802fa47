"""Reading condition parameters: one place for the checks every kind makes, one error shape.

Every error is :class:`InvalidPolicy` prefixed with ``where`` and the kind, e.g.
``bank.yaml: policy 'no-kev': conditions[1]: severity: unknown severity 'hgh' (...)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, NoReturn

from assay.policy.conditions.interface import InvalidPolicy

MAX_ITEMS = 200
MAX_TEXT = 300


def fail(where: str, kind: str, message: str) -> NoReturn:
    raise InvalidPolicy(f"{where}: {kind}", message)


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def mapping(spec: Any, where: str, kind: str, keys: tuple[str, ...]) -> Mapping[str, Any]:
    """``spec`` as a mapping holding exactly one of ``keys`` (and nothing else)."""
    if not isinstance(spec, Mapping):
        fail(where, kind, f"expected a mapping with {' or '.join(keys)}, got {_show(spec)}")
    unknown = sorted(str(k) for k in spec if k not in keys)
    if unknown:
        fail(where, kind, f"unknown key {unknown[0][:60]!r} ({', '.join(keys)})")
    if len(spec) != 1:
        fail(where, kind, f"give exactly one of {', '.join(keys)}")
    return spec


def number(value: Any, where: str, kind: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        fail(where, kind, f"expected a number from {low:g} to {high:g}, got {_show(value)}")
    if not low <= value <= high:
        fail(where, kind, f"{value:g} is outside {low:g}..{high:g}")
    return float(value)


def integer(value: Any, where: str, kind: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        fail(where, kind, f"expected a whole number from {low} to {high}, got {_show(value)}")
    if not low <= value <= high:
        fail(where, kind, f"{value} is outside {low}..{high}")
    return value


def true_flag(spec: Any, where: str, kind: str) -> None:
    """Flags are written ``kind: true``; false would be a condition that never holds."""
    if spec is not True:
        fail(
            where,
            kind,
            f"write '{kind}: true' (got {_show(spec)}); remove the condition to drop it",
        )


def text(value: Any, where: str, kind: str) -> str:
    if not isinstance(value, str) or not value.strip():
        fail(where, kind, f"expected text, got {_show(value)}")
    if len(value) > MAX_TEXT:
        fail(where, kind, f"text longer than {MAX_TEXT} characters")
    return value.strip()


def texts(value: Any, where: str, kind: str) -> tuple[str, ...]:
    """A list of strings, or one string standing for a list of one."""
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        fail(where, kind, f"expected a non-empty list, got {_show(value)}")
    if len(items) > MAX_ITEMS:
        fail(where, kind, f"more than {MAX_ITEMS} items")
    return tuple(text(item, where, kind) for item in items)


def one_of(value: Any, choices: tuple[str, ...], where: str, kind: str, noun: str) -> str:
    word = text(value, where, kind).lower()
    if word not in choices:
        fail(where, kind, f"unknown {noun} {word[:60]!r} ({', '.join(choices)})")
    return word

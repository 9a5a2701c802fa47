"""Version ranges people type into a search box, evaluated with each ecosystem's ordering.

Two spellings are read, both bounded on either side or both:

* comparators, comma-separated, as OSV-like tools and npm write them:
  ``>=2.0,<=2.14.1``, ``>1.0, <2``, ``=2.14.1`` (``==`` too);
* an interval, as Maven and NuGet write them: ``[2.0,2.14.1]``, ``(1.0,2.0)``,
  ``[2.0,)`` (no upper bound), ``(,1.0]`` (no lower bound), ``[1.5]`` (exactly).

A range is a value; :meth:`VersionRange.contains` orders versions with
:func:`assay.versions.compare` for the component's ecosystem, so
``2.14.1 < 2.15.0-rc1`` in Maven and ``1.0rc1 < 1.0`` in PyPI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assay.core.errors import UsageError
from assay.versions import compare

MAX_RANGE = 300
MAX_VERSION = 128
_COMPARATOR = re.compile(r"^(>=|<=|==|=|>|<)\s*(\S+)$")
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.+\-_~:!]*$")


class InvalidRange(UsageError):
    """A version range that cannot be read: the message quotes it and says why."""


@dataclass(frozen=True, slots=True)
class Bound:
    version: str
    inclusive: bool


@dataclass(frozen=True, slots=True)
class VersionRange:
    lower: Bound | None
    upper: Bound | None

    def contains(self, ecosystem: str, version: str) -> bool:
        if self.lower is not None:
            low = compare(ecosystem, version, self.lower.version)
            if low < 0 or (low == 0 and not self.lower.inclusive):
                return False
        if self.upper is not None:
            high = compare(ecosystem, version, self.upper.version)
            if high > 0 or (high == 0 and not self.upper.inclusive):
                return False
        return True


def _version(text: str, spec: str) -> str:
    value = text.strip()
    if not value or len(value) > MAX_VERSION or not _VERSION.match(value):
        raise InvalidRange(f"version range {spec!r}: {value[:40]!r} is not a version")
    return value


def parse_range(spec: str) -> VersionRange:
    """Read ``spec``; InvalidRange naming what is wrong for anything else."""
    text = spec.strip()
    if not text:
        raise InvalidRange("version range is empty")
    if len(text) > MAX_RANGE:
        raise InvalidRange(f"version range is longer than {MAX_RANGE} characters")
    if text[0] in "[(":
        return _interval(text, spec)
    return _comparators(text, spec)


def _interval(text: str, spec: str) -> VersionRange:
    if text[-1] not in "])":
        raise InvalidRange(f"version range {spec!r}: an interval must end with ']' or ')'")
    inner = text[1:-1]
    if "[" in inner or "]" in inner or "(" in inner or ")" in inner:
        raise InvalidRange(f"version range {spec!r}: give one interval")
    parts = inner.split(",")
    if len(parts) == 1:
        if text[0] != "[" or text[-1] != "]":
            raise InvalidRange(f"version range {spec!r}: an exact version is written [1.0]")
        exact = Bound(_version(parts[0], spec), True)
        return VersionRange(exact, exact)
    if len(parts) != 2:
        raise InvalidRange(f"version range {spec!r}: an interval has two ends")
    low_text, high_text = (p.strip() for p in parts)
    if not low_text and not high_text:
        raise InvalidRange(f"version range {spec!r}: give at least one bound")
    lower = Bound(_version(low_text, spec), text[0] == "[") if low_text else None
    upper = Bound(_version(high_text, spec), text[-1] == "]") if high_text else None
    return VersionRange(lower, upper)


def _comparators(text: str, spec: str) -> VersionRange:
    lower: Bound | None = None
    upper: Bound | None = None
    items = [item.strip() for item in text.split(",")]
    if len(items) > 2:
        raise InvalidRange(f"version range {spec!r}: at most one lower and one upper bound")
    for item in items:
        m = _COMPARATOR.match(item)
        if m is None:
            raise InvalidRange(
                f"version range {spec!r}: {item[:40]!r} is not '>=V', '>V', '<=V', '<V' or '=V'"
            )
        op, version = m.group(1), _version(m.group(2), spec)
        if op in {"=", "=="}:
            if len(items) > 1:
                raise InvalidRange(f"version range {spec!r}: '=' stands alone")
            exact = Bound(version, True)
            return VersionRange(exact, exact)
        if op.startswith(">"):
            if lower is not None:
                raise InvalidRange(f"version range {spec!r}: two lower bounds")
            lower = Bound(version, op == ">=")
        else:
            if upper is not None:
                raise InvalidRange(f"version range {spec!r}: two upper bounds")
            upper = Bound(version, op == "<=")
    return VersionRange(lower, upper)

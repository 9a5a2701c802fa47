"""OSV range evaluation: is a version of a package affected by an ``affected[]`` entry?

Specification: OSV schema, "affected[].ranges[]" and "Evaluation"
(https://ossf.github.io/osv-schema/). In the spec's words::

    IncludedInRanges(v, ranges)
      for range in ranges
        if BeforeLimits(v, range)
          vulnerable = false
          for evt in sorted(range.events)
            if evt.introduced is present && v >= evt.introduced: vulnerable = true
            else if evt.fixed is present && v >= evt.fixed: vulnerable = false
            else if evt.last_affected is present && v > evt.last_affected: vulnerable = false
          if vulnerable: return true

How assay applies it:

* ``ECOSYSTEM`` ranges order versions with the ecosystem's scheme
  (:func:`assay.versions.scheme_for`); ``SEMVER`` ranges with SemVer 2.0
  whatever the ecosystem, except Go, whose SEMVER ranges use the Go scheme
  (a leading ``v`` is tolerated). ``GIT`` ranges need the commit graph and
  are never evaluated; such entries match through their ``versions`` list.
* Events are sorted by version; ``introduced: "0"`` sorts before everything.
  Where two events name the same version, ``introduced`` comes first, so an
  empty ``[1.0, 1.0)`` affects nothing while ``introduced 1.0,
  last_affected 1.0`` affects exactly 1.0.
* ``limit`` events bound the range: the version must be below at least one
  of them; a limit containing ``*`` is infinity; no limit means no bound.
* The ``versions`` list matches a version that is the same string as an
  entry, or equal to one under the ecosystem's ordering (``compare == 0``:
  PyPI's ``1.0`` is ``1.0.0``, Debian's ``1.0`` is ``1.0-0``). Both are
  checked because a listed version may be one the scheme cannot read (a git
  tag): the exact spelling still matches it. A broader match errs towards
  reporting, which is the safe side for a vulnerability check.
* Malformed ranges never raise: a range with no events, an unknown type,
  an event that is not exactly one known field with a non-empty string, or
  no ``introduced`` event is skipped; :func:`range_problems` lists why, so
  an importer can count them.

Performance: preparing an entry (sorting its events, reading its listed
versions) is cached on a hashable copy of its ranges and versions, so
repeated calls for the same entry cost a copy and a dictionary look-up.
Callers that hold an entry for long can call :func:`prepare` once and use
:meth:`AffectedMatcher.matches` directly.
"""

from __future__ import annotations

import importlib
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cmp_to_key, lru_cache
from typing import Any, TypeGuard

from assay.core.ecosystems import base_ecosystem
from assay.versions import scheme_for
from assay.versions.interface import VersionScheme

RANGE_TYPES = ("ECOSYSTEM", "SEMVER", "GIT")
_EVALUATED = ("ECOSYSTEM", "SEMVER")
# Event kinds in the order they take when they name the same version.
_INTRODUCED, _LAST_AFFECTED, _FIXED, _LIMIT = 0, 1, 2, 3
_KINDS = {"introduced": _INTRODUCED, "last_affected": _LAST_AFFECTED, "fixed": _FIXED}
_EVENT_FIELDS = frozenset({*_KINDS, "limit"})
_CACHE_SIZE = 8192

# A well-formed range as (type, ((field, version), ...)) in the order written.
RawRange = tuple[str, tuple[tuple[str, str], ...]]


@dataclass(frozen=True)
class _Entry:
    """The parts of an ``affected[]`` object that evaluation reads, checked."""

    ranges: tuple[RawRange, ...]
    versions: tuple[str, ...]
    problems: tuple[str, ...]


def _is_mapping(value: object) -> TypeGuard[Mapping[Any, Any]]:
    return type(value) is dict or isinstance(value, Mapping)


def _is_list(value: object) -> TypeGuard[Sequence[Any]]:
    """A JSON array: list or tuple, or another sequence that is not text."""
    if type(value) in (list, tuple):
        return True
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def _check_range(index: int, raw: object) -> tuple[RawRange | None, str | None]:
    where = f"ranges[{index}]"
    if not _is_mapping(raw):
        return None, f"{where}: not an object"
    kind = raw.get("type")
    if not isinstance(kind, str) or kind not in RANGE_TYPES:
        return None, f"{where}: unknown range type {kind!r}"
    events = raw.get("events")
    if not _is_list(events) or not events:
        return None, f"{where}: no events"
    parsed: list[tuple[str, str]] = []
    for n, event in enumerate(events):
        if not _is_mapping(event) or len(event) != 1:
            return None, f"{where}.events[{n}]: an event must have exactly one field"
        ((field, value),) = event.items()
        if field not in _EVENT_FIELDS:
            return None, f"{where}.events[{n}]: unknown event {field!r}"
        if not isinstance(value, str) or not value:
            return None, f"{where}.events[{n}]: {field} is not a version string"
        parsed.append((field, value))
    if not any(field == "introduced" for field, _ in parsed):
        return None, f"{where}: no introduced event"
    return (kind, tuple(parsed)), None


# Entries read, by the identity of the entry object: a matcher evaluates the same
# parsed advisory entry against many versions (every version of a package in a
# portfolio), and validating the raw entry again each time was most of the work.
# The object is kept with its result, so a recycled id() can never match.
_READ_BY_ID: dict[int, tuple[object, _Entry]] = {}


def _read(affected: object) -> _Entry:
    known = _READ_BY_ID.get(id(affected))
    if known is not None and known[0] is affected:
        return known[1]
    entry = _read_entry(affected)
    if len(_READ_BY_ID) >= _CACHE_SIZE:
        _READ_BY_ID.clear()
    _READ_BY_ID[id(affected)] = (affected, entry)
    return entry


def _read_entry(affected: object) -> _Entry:
    if not _is_mapping(affected):
        return _Entry((), (), ("affected entry is not an object",))
    problems: list[str] = []
    ranges: list[RawRange] = []
    raw_ranges = affected.get("ranges", ())
    if _is_list(raw_ranges):
        for i, raw in enumerate(raw_ranges):
            good, problem = _check_range(i, raw)
            if good is not None:
                ranges.append(good)
            if problem is not None:
                problems.append(problem)
    else:
        problems.append("ranges: not a list")
    versions: tuple[str, ...] = ()
    raw_versions = affected.get("versions", ())
    if _is_list(raw_versions):
        versions = tuple(raw_versions)
        # the common case checked at C speed: long lists are read on every call
        if not all(isinstance(v, str) for v in versions) or "" in versions:
            versions = tuple(v for v in versions if isinstance(v, str) and v)
            problems.extend(
                f"versions[{i}]: not a version string"
                for i, v in enumerate(raw_versions)
                if not (isinstance(v, str) and v)
            )
    else:
        problems.append("versions: not a list")
    if not ranges and not versions and not problems:
        problems.append("no ranges and no versions: matches nothing")
    return _Entry(tuple(ranges), versions, tuple(problems))


def range_problems(affected: Mapping[str, Any]) -> list[str]:
    """Why parts of ``affected`` are skipped (empty when it is well-formed)."""
    return list(_read(affected).problems)


def _semver_scheme(ecosystem: str) -> VersionScheme:
    module = "golang" if ecosystem == "Go" else "semver"
    scheme: VersionScheme = importlib.import_module(f"assay.versions.{module}").SCHEME
    return scheme


def _range_scheme(ecosystem: str, kind: str) -> VersionScheme:
    return _semver_scheme(ecosystem) if kind == "SEMVER" else scheme_for(ecosystem)


def _event_order(a: tuple[int, Any], b: tuple[int, Any]) -> int:
    """Events by version (introduced "0" first), then introduced < last_affected < fixed.

    Only ``<`` of the scheme keys is used, which every scheme key supports.
    """
    (kind_a, key_a), (kind_b, key_b) = a, b
    if key_a is None or key_b is None:
        if key_a is not key_b:
            return -1 if key_a is None else 1
    elif key_a < key_b:
        return -1
    elif key_b < key_a:
        return 1
    return kind_a - kind_b


@dataclass(frozen=True)
class PreparedRange:
    """One ECOSYSTEM or SEMVER range with its events sorted by version."""

    scheme: VersionScheme
    # (kind, key): key None for introduced "0"; sorted as the spec's ``sorted(range.events)``
    events: tuple[tuple[int, Any], ...]
    # keys of the finite limits; None when the range is unbounded
    limits: tuple[Any, ...] | None

    @classmethod
    def build(cls, scheme: VersionScheme, events: Iterable[tuple[str, str]]) -> PreparedRange:
        ordered: list[tuple[int, Any]] = []
        limits: list[Any] = []
        unbounded = False
        for field, value in events:
            if field == "limit":
                if "*" in value:
                    unbounded = True
                else:
                    limits.append(scheme.key(value))
                continue
            kind = _KINDS[field]
            key = None if kind == _INTRODUCED and value == "0" else scheme.key(value)
            ordered.append((kind, key))
        ordered.sort(key=cmp_to_key(_event_order))
        bounds = None if unbounded or not limits else tuple(limits)
        return cls(scheme, tuple(ordered), bounds)

    def contains(self, version: str) -> bool:
        v = self.scheme.key(version)
        if self.limits is not None and not any(v < limit for limit in self.limits):
            return False
        vulnerable = False
        for kind, key in self.events:
            if key is None:  # introduced "0"
                vulnerable = True
            elif v < key:
                break  # later events are at or above this one: none applies
            elif kind == _INTRODUCED:
                vulnerable = True
            elif kind == _FIXED or key < v:  # fixed: v >= key; last_affected: v > key
                vulnerable = False
        return vulnerable


@dataclass(frozen=True)
class AffectedMatcher:
    """An ``affected[]`` entry prepared for repeated :meth:`matches` calls."""

    scheme: VersionScheme
    ranges: tuple[PreparedRange, ...]
    listed: frozenset[str]
    # keys of the listed versions, sorted, for matches by compare == 0
    listed_keys: tuple[Any, ...]

    def matches(self, version: str) -> bool:
        if version in self.listed:
            return True
        if self.listed_keys:
            v = self.scheme.key(version)
            i = bisect_left(self.listed_keys, v)
            if i < len(self.listed_keys) and not v < self.listed_keys[i]:
                return True
        return any(r.contains(version) for r in self.ranges)


@lru_cache(maxsize=_CACHE_SIZE)
def _prepare(
    ecosystem: str, ranges: tuple[RawRange, ...], versions: tuple[str, ...]
) -> AffectedMatcher:
    scheme = scheme_for(ecosystem)
    prepared = tuple(
        PreparedRange.build(_range_scheme(ecosystem, kind), events)
        for kind, events in ranges
        if kind in _EVALUATED
    )
    keys = tuple(sorted((scheme.key(v) for v in set(versions)), key=_Sortable))
    return AffectedMatcher(scheme, prepared, frozenset(versions), keys)


class _Sortable:
    """Sort wrapper using only ``<`` of a scheme key (what bisect relies on)."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key

    def __lt__(self, other: _Sortable) -> bool:
        return bool(self.key < other.key)


def prepare(ecosystem: str, affected: Mapping[str, Any]) -> AffectedMatcher:
    """``affected`` prepared for evaluation (cached; see the module docstring)."""
    entry = _read(affected)
    return _prepare(base_ecosystem(ecosystem), entry.ranges, entry.versions)


def is_affected(ecosystem: str, version: str, affected: Mapping[str, Any]) -> bool:
    """Whether ``version`` of the entry's package is affected, per the OSV evaluation rules."""
    return prepare(ecosystem, affected).matches(version)


def fixed_versions(ecosystem: str, affected: Mapping[str, Any]) -> list[str]:
    """The distinct ``fixed`` versions of the entry's ECOSYSTEM and SEMVER ranges, ascending."""
    fixed = {
        value
        for kind, events in _read(affected).ranges
        if kind in _EVALUATED
        for field, value in events
        if field == "fixed"
    }
    scheme = scheme_for(ecosystem)
    return sorted(sorted(fixed), key=lambda v: _Sortable(scheme.key(v)))


def smallest_fix(
    ecosystem: str,
    version: str,
    affected_entries: Sequence[Mapping[str, Any]],
    *,
    known_versions: Iterable[str] = (),
) -> str | None:
    """The smallest version above ``version`` that none of the entries affects.

    Candidates are the entries' ``fixed`` versions and ``known_versions``
    (for example the versions a registry publishes). A ``last_affected``
    bound names no version that follows it, so an advisory that has only
    ``last_affected`` yields a fix only through ``known_versions``. None
    when no candidate escapes every entry.
    """
    scheme = scheme_for(ecosystem)
    matchers = [prepare(ecosystem, entry) for entry in affected_entries]
    candidates = set(known_versions)
    for entry in affected_entries:
        candidates.update(fixed_versions(ecosystem, entry))
    current = scheme.key(version)
    above = sorted(c for c in candidates if current < scheme.key(c))
    above.sort(key=lambda c: _Sortable(scheme.key(c)))  # stable: equal versions by text
    for candidate in above:
        if not any(m.matches(candidate) for m in matchers):
            return candidate
    return None


__all__ = [
    "RANGE_TYPES",
    "AffectedMatcher",
    "PreparedRange",
    "fixed_versions",
    "is_affected",
    "prepare",
    "range_problems",
    "smallest_fix",
]

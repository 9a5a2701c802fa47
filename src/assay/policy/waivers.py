"""Which waiver, if any, covers a violation: one rule, used by the engine and the server.

A waiver covers a violation when its policy and project are the violation's,
it has not expired (``expires`` is the last day it applies), its component
pattern (a purl without version, ``*`` globs) matches the violation's component
when given, and its version range holds the component's version when given. A
waiver naming a component or versions never covers a project-level violation.
Of several, the one that lasts longest wins (then the lowest id), so reports are
stable. A waiver whose pattern or range no longer reads covers nothing: the
violation stays visible rather than silently waived.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from assay.inventory.ranges import InvalidRange, VersionRange, parse_range
from assay.policy.model import Violation, Waiver
from assay.policy.purls import InvalidPattern, PurlPattern


@lru_cache(maxsize=1024)
def _pattern(text: str) -> PurlPattern | None:
    try:
        return PurlPattern(text)
    except InvalidPattern:
        return None


@lru_cache(maxsize=1024)
def _range(text: str) -> VersionRange | None:
    try:
        return parse_range(text)
    except InvalidRange:
        return None


def covers(waiver: Waiver, violation: Violation, project: str, today: date) -> bool:
    if waiver.policy != violation.policy or waiver.project != project:
        return False
    if not waiver.active(today):
        return False
    ref = violation.component
    if waiver.component is not None:
        pattern = _pattern(waiver.component)
        if ref is None or pattern is None or not pattern.matches(ref.purl):
            return False
    if waiver.versions is not None:
        versions = _range(waiver.versions)
        if ref is None or versions is None or not ref.version:
            return False
        if not versions.contains(ref.ecosystem, ref.version):
            return False
    return True


def find_waiver(
    violation: Violation, waivers: Sequence[Waiver], project: str, today: date
) -> Waiver | None:
    """The waiver covering ``violation`` in ``project`` on ``today``, or None."""
    best: Waiver | None = None
    for waiver in waivers:
        if not covers(waiver, violation, project, today):
            continue
        if best is None or (waiver.expires, -(waiver.id or 0)) > (best.expires, -(best.id or 0)):
            best = waiver
    return best

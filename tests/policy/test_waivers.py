"""Waivers: policy and project must match, component globs and version ranges narrow,
``expires`` is the last day a waiver applies."""

from __future__ import annotations

from datetime import date

import pytest

from assay.policy.model import ComponentRef, Verdict, Violation, Waiver
from assay.policy.waivers import find_waiver

DAY = date(2026, 12, 7)
REF = ComponentRef("pkg:npm/%40acme/left-pad@1.3.0", "@acme/left-pad", "1.3.0", "npm")
VIOLATION = Violation("no-kev", Verdict.FAIL, REF, ("CVE-1 is in KEV",))


def waiver(**kwargs: object) -> Waiver:
    values: dict[str, object] = {
        "id": 1, "policy": "no-kev", "project": "shop", "reason": "vendor fix due",
        "expires": DAY,
    }  # fmt: skip
    values.update(kwargs)
    return Waiver(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("today", "covered"),
    [(date(2026, 12, 6), True), (DAY, True), (date(2026, 12, 8), False)],
)
def test_expires_is_the_last_day_it_applies(today: date, covered: bool) -> None:
    assert (find_waiver(VIOLATION, [waiver()], "shop", today) is not None) is covered


@pytest.mark.parametrize(
    ("kwargs", "covered"),
    [
        ({}, True),
        ({"policy": "other"}, False),
        ({"project": "bank"}, False),
        ({"component": "pkg:npm/@acme/left-pad"}, True),
        ({"component": "pkg:npm/%40acme/left-pad"}, True),
        ({"component": "pkg:npm/@acme/*"}, True),
        ({"component": "pkg:npm/@other/*"}, False),
        ({"component": "pkg:npm/left-pad"}, False),
        ({"component": "pkg:npm/@acme/left-pad", "versions": "<2.0.0"}, True),
        ({"component": "pkg:npm/@acme/left-pad", "versions": ">=1.3.1"}, False),
        ({"versions": "[1.3.0]"}, True),
        ({"component": "not a purl"}, False),  # unreadable: covers nothing
        ({"versions": "<<2"}, False),
    ],
)
def test_narrowing(kwargs: dict[str, object], covered: bool) -> None:
    assert (find_waiver(VIOLATION, [waiver(**kwargs)], "shop", DAY) is not None) is covered


def test_project_level_violations_take_only_unnarrowed_waivers() -> None:
    project_level = Violation("quality", Verdict.WARN, None, ("score 40",))
    broad = waiver(policy="quality")
    assert find_waiver(project_level, [broad], "shop", DAY) == broad
    narrow = waiver(policy="quality", component="pkg:npm/*")
    assert find_waiver(project_level, [narrow], "shop", DAY) is None


def test_the_longest_lasting_waiver_wins_then_the_lowest_id() -> None:
    short = waiver(id=1, expires=date(2026, 12, 31))
    long = waiver(id=2, expires=date(2027, 6, 30))
    twin = waiver(id=3, expires=date(2027, 6, 30))
    assert find_waiver(VIOLATION, [short, twin, long], "shop", DAY) == long
    assert find_waiver(VIOLATION, [], "shop", DAY) is None

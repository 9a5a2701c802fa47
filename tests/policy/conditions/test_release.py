"""Release conditions: quarantine by age (the day is given, never read from the clock in
tests), and major versions behind; missing registry data is UNKNOWN."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from assay.policy.conditions.interface import InvalidPolicy
from assay.policy.conditions.release import Outdated, ReleaseAge
from assay.policy.model import Outcome, ReleaseFact, Subject
from tests.policy._build import TODAY, facts

S = Subject("shop")


@pytest.mark.parametrize(
    ("age", "expected"),
    [(0, Outcome.MATCH), (2, Outcome.MATCH), (3, Outcome.NO_MATCH), (400, Outcome.NO_MATCH)],
)
def test_quarantine_boundary(age: int, expected: Outcome) -> None:
    rule = ReleaseAge(3).on(TODAY)
    release = ReleaseFact(published=TODAY - timedelta(days=age))
    assert rule.evaluate(facts(release=release), S).outcome is expected


def test_reason_and_unknowns() -> None:
    rule = ReleaseAge(3).on(date(2026, 12, 7))
    young = rule.evaluate(facts(release=ReleaseFact(published=date(2026, 12, 6))), S)
    assert young.reason == "released 2026-12-06, 1 day ago (quarantine: 3 days)"
    for release in (None, ReleaseFact(published=None, latest="2.0")):
        result = rule.evaluate(facts(release=release), S)
        assert result.outcome is Outcome.UNKNOWN and "--online" in result.missing


def test_binding_the_day_keeps_equality_and_spec() -> None:
    assert ReleaseAge(3).on(TODAY) == ReleaseAge(3)
    assert ReleaseAge.parse(ReleaseAge(3).on(TODAY).to_spec(), "w") == ReleaseAge(3)


def test_outdated() -> None:
    rule = Outdated.parse({"major_versions_behind": 2}, "w")
    behind = rule.evaluate(facts(release=ReleaseFact(latest="5.2.0", majors_behind=3)), S)
    assert behind.reason == "3 major versions behind (latest 5.2.0)"
    assert rule.evaluate(facts(release=ReleaseFact(majors_behind=1)), S).outcome is (
        Outcome.NO_MATCH
    )
    unknown = rule.evaluate(facts(release=ReleaseFact(latest="5.2.0")), S)
    assert unknown.outcome is Outcome.UNKNOWN
    assert Outdated.parse(rule.to_spec(), "w") == rule


@pytest.mark.parametrize(
    ("cls", "spec", "message"),
    [
        (ReleaseAge, {"younger_than_days": 0}, "outside 1..3650"),
        (ReleaseAge, {"younger_than_days": 2.5}, "expected a whole number"),
        (ReleaseAge, {"younger_than": 3}, "unknown key 'younger_than'"),
        (Outdated, {"major_versions_behind": "2"}, "expected a whole number"),
    ],
)
def test_bad_parameters(cls: Any, spec: object, message: str) -> None:
    with pytest.raises(InvalidPolicy) as info:
        cls.parse(spec, "f")
    assert message in str(info.value)

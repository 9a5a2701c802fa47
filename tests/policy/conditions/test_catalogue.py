"""The catalogue condition: statuses, the not_approved shorthand, no catalogue is UNKNOWN."""

from __future__ import annotations

import pytest

from assay.catalogue.lifecycle import NOT_APPROVED, STATUSES
from assay.policy.conditions.catalogue import Catalogue
from assay.policy.conditions.interface import InvalidPolicy
from assay.policy.model import CatalogueFact, Outcome, Subject
from tests.policy._build import facts

S = Subject("shop")


def status(condition: Catalogue, value: str) -> Outcome:
    return condition.evaluate(facts(catalogue=CatalogueFact(value)), S).outcome


def test_banned() -> None:
    banned = Catalogue.parse({"status": ["banned"]}, "w")
    assert status(banned, "banned") is Outcome.MATCH
    assert status(banned, "approved") is Outcome.NO_MATCH
    assert status(banned, "deprecated") is Outcome.NO_MATCH


@pytest.mark.parametrize("value", STATUSES)
def test_not_approved_is_everything_but_approved_and_deprecated(value: str) -> None:
    rule = Catalogue.parse({"status": "not_approved"}, "w")
    expected = Outcome.MATCH if value in NOT_APPROVED else Outcome.NO_MATCH
    assert status(rule, value) is expected
    assert value in NOT_APPROVED or value in {"approved", "deprecated"}


def test_reason_carries_the_detail() -> None:
    fact = CatalogueFact("deprecated", detail="deprecated since 2026-10-01, use pkg:pypi/httpx")
    result = Catalogue(("deprecated",)).evaluate(facts(catalogue=fact), S)
    # the detail starts with the status: it is not said twice
    assert result.reason == "catalogue: deprecated since 2026-10-01, use pkg:pypi/httpx"
    plain = Catalogue(("banned",)).evaluate(
        facts(catalogue=CatalogueFact("banned", replacement="pkg:npm/dayjs")), S
    )
    assert plain.reason == "catalogue: banned, use pkg:npm/dayjs"


def test_no_catalogue_is_unknown() -> None:
    result = Catalogue(("banned",)).evaluate(facts(catalogue=None), S)
    assert result.outcome is Outcome.UNKNOWN and "--server" in result.missing


def test_round_trip() -> None:
    for spec in ({"status": "banned"}, {"status": ["banned", "rejected"]}):
        rule = Catalogue.parse(spec, "w")
        assert rule.to_spec() == spec and Catalogue.parse(rule.to_spec(), "w") == rule


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"status": ["baned"]}, "unknown catalogue status 'baned' (approved, deprecated"),
        ({"status": []}, "expected a non-empty list"),
        ({"state": "banned"}, "unknown key 'state'"),
        ("banned", "expected a mapping"),
    ],
)
def test_bad_parameters(spec: object, message: str) -> None:
    with pytest.raises(InvalidPolicy, match=r"^f: catalogue: ") as info:
        Catalogue.parse(spec, "f")
    assert message in str(info.value)

"""The explicit registry: every kind registered once, parsing one-key mappings, clear errors."""

from __future__ import annotations

from datetime import date

import pytest

from assay.policy.conditions.interface import InvalidPolicy
from assay.policy.conditions.registry import (
    CONDITIONS,
    bind_today,
    condition_to_item,
    parse_condition,
)
from assay.policy.conditions.release import ReleaseAge
from assay.policy.conditions.vulnerability import Kev

ISSUE_KINDS = {
    "severity", "cvss", "epss", "kev", "malicious", "license", "component", "component_scope",
    "catalogue", "release_age", "outdated", "sbom_quality", "missing_hashes",
}  # fmt: skip


def test_every_kind_of_the_issue_is_registered_under_its_own_name() -> None:
    assert set(CONDITIONS) == ISSUE_KINDS
    for kind, cls in CONDITIONS.items():
        assert cls.kind == kind and cls.level in {"component", "project"}


def test_parse_and_write_back() -> None:
    assert parse_condition({"kev": True}, "w") == Kev()
    assert condition_to_item(Kev()) == {"kev": True}


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"sevrity": "high"}, "unknown condition 'sevrity' (severity, cvss, epss"),
        ({"kev": True, "malicious": True}, "a mapping with one key"),
        ({}, "a mapping with one key"),
        ("kev", "a mapping with one key"),
        ([{"kev": True}], "a mapping with one key"),
        ({1: True}, "unknown condition '1'"),
    ],
)
def test_bad_items(item: object, message: str) -> None:
    with pytest.raises(InvalidPolicy, match=r"^f\.yaml: conditions\[3\]: ") as info:
        parse_condition(item, "f.yaml: conditions[3]")
    assert message in str(info.value)


def test_bind_today_binds_only_dated_conditions() -> None:
    day = date(2026, 1, 1)
    bound = bind_today(ReleaseAge(3), day)
    assert isinstance(bound, ReleaseAge) and bound.today == day
    kev = Kev()
    assert bind_today(kev, day) is kev

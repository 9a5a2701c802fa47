"""The licence condition evaluates expressions, validates its items, and knows when it cannot."""

from __future__ import annotations

import pytest

from assay.policy.conditions.interface import InvalidPolicy
from assay.policy.conditions.license import License
from assay.policy.model import Outcome, Subject
from tests.policy._build import component, facts

S = Subject("shop")
DENY_COPYLEFT = License.parse({"deny": ["strong-copyleft", "network-copyleft"]}, "w")


def outcome(condition: License, licenses: str | None, known: bool = True) -> Outcome:
    return condition.evaluate(facts(component(licenses=licenses), licenses_known=known), S).outcome


@pytest.mark.parametrize(
    ("licenses", "expected"),
    [
        ("MIT OR GPL-3.0-only", Outcome.NO_MATCH),
        ("MIT AND GPL-3.0-only", Outcome.MATCH),
        ("AGPL-3.0-or-later", Outcome.MATCH),
        ("GPL-2.0-only WITH Classpath-exception-2.0", Outcome.NO_MATCH),
        ("gpl-3.0+", Outcome.MATCH),
        ("LGPL-2.1-only", Outcome.NO_MATCH),
        (None, Outcome.NO_MATCH),  # unknown is not copyleft
        ("(MIT", Outcome.NO_MATCH),
    ],
)
def test_deny_copyleft(licenses: str | None, expected: Outcome) -> None:
    assert outcome(DENY_COPYLEFT, licenses) is expected


def test_allow_mit_passes_a_choice_of_mit() -> None:
    allow = License.parse({"allow": ["MIT"]}, "w")
    assert outcome(allow, "MIT OR GPL-3.0-only") is Outcome.NO_MATCH
    assert outcome(allow, "Apache-2.0") is Outcome.MATCH


def test_reasons_name_licences_and_groups() -> None:
    result = DENY_COPYLEFT.evaluate(facts(component(licenses="MIT AND GPL-3.0-only")), S)
    assert result.reason == (
        "licence 'MIT AND GPL-3.0-only' uses GPL-3.0-only (strong-copyleft): denied"
    )
    allow = License.parse({"allow": ["permissive"]}, "w")
    assert allow.evaluate(facts(component(licenses="GPL-3.0-only")), S).reason == (
        "licence 'GPL-3.0-only': not allowed (allowed: permissive)"
    )


def test_unknown_group_catches_missing_and_unreadable_licences() -> None:
    deny_unknown = License.parse({"deny": ["unknown"]}, "w")
    none = deny_unknown.evaluate(facts(component(licenses=None)), S)
    assert none.outcome is Outcome.MATCH and none.reason == "licence is unknown: no licence stated"
    bad = deny_unknown.evaluate(facts(component(licenses="MIT/Apache-2.0")), S)
    assert bad.outcome is Outcome.MATCH and "not a valid licence expression" in bad.reason
    assert outcome(deny_unknown, "NOASSERTION") is Outcome.MATCH
    assert outcome(deny_unknown, "LicenseRef-foo") is Outcome.MATCH
    assert outcome(deny_unknown, "MIT OR LicenseRef-foo") is Outcome.NO_MATCH
    assert outcome(deny_unknown, "MIT") is Outcome.NO_MATCH


def test_a_lockfile_without_licences_is_unknown_not_unlicensed() -> None:
    result = DENY_COPYLEFT.evaluate(facts(component(licenses=None), licenses_known=False), S)
    assert result.outcome is Outcome.UNKNOWN
    assert "the lockfile states no licences" in result.missing


def test_items_are_canonical_and_round_trip() -> None:
    parsed = License.parse({"deny": ["gpl-3.0-only", "Strong-Copyleft", "GPL-3.0-only"]}, "w")
    assert parsed.items == ("GPL-3.0-only", "strong-copyleft")
    assert License.parse(parsed.to_spec(), "w") == parsed
    assert License.parse({"allow": "MIT"}, "w").items == ("MIT",)
    assert parsed.describe() == "a licence in GPL-3.0-only, strong-copyleft"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"deny": ["MTI"]}, "unknown licence 'MTI'"),
        ({"deny": ["copyleft"]}, "unknown licence 'copyleft'"),
        ({"deny": []}, "expected a non-empty list"),
        ({"deny": [1]}, "expected text"),
        ({"deny": ["MIT"], "allow": ["MIT"]}, "give exactly one of deny, allow"),
        ({"forbid": ["MIT"]}, "unknown key 'forbid'"),
        ("MIT", "expected a mapping"),
        ({"deny": ["MIT"] * 201}, "more than 200 items"),
    ],
)
def test_bad_parameters(spec: object, message: str) -> None:
    with pytest.raises(InvalidPolicy, match=r"^f: license: ") as info:
        License.parse(spec, "f")
    assert message in str(info.value)

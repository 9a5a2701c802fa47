"""Permissions and principals: parsing, formatting, what a principal may do and see."""

from __future__ import annotations

import pytest

from assay.core.permissions import (
    ALL_PERMISSIONS,
    SYSTEM,
    Permission,
    Principal,
    format_permissions,
    parse_permissions,
)

P = Permission


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("", frozenset()),
        (None, frozenset()),
        ([], frozenset()),
        ("view_portfolio", frozenset({P.VIEW_PORTFOLIO})),
        (" triage , upload_bom ,", frozenset({P.TRIAGE, P.UPLOAD_BOM})),
        (["administer", "administer"], frozenset({P.ADMINISTER})),
    ],
)
def test_parse(stored: object, expected: frozenset[Permission]) -> None:
    assert parse_permissions(stored) == expected


@pytest.mark.parametrize("stored", ["root", "view_portfolio,Triage", ["view_portfolio", "x"]])
def test_unknown_permissions_are_an_error_naming_the_known_ones(stored: object) -> None:
    with pytest.raises(ValueError, match=r"unknown permission .* \(known: view_portfolio, "):
        parse_permissions(stored)


def test_format_is_sorted_and_round_trips() -> None:
    assert format_permissions({P.UPLOAD_BOM, P.TRIAGE}) == "triage,upload_bom"
    assert format_permissions(set()) == ""
    assert parse_permissions(format_permissions(ALL_PERMISSIONS)) == ALL_PERMISSIONS


def test_a_team_member_sees_only_their_teams() -> None:
    who = Principal("user", "alice", frozenset({P.VIEW_PORTFOLIO}), frozenset({1, 2}), user_id=5)
    assert who.actor == "user:alice" and not who.is_admin and not who.sees_all
    assert who.can(P.VIEW_PORTFOLIO) and not who.can(P.TRIAGE)
    assert who.sees_team(1) and who.sees_team(2)
    assert not who.sees_team(3) and not who.sees_team(None)


def test_portfolio_wide_sees_every_team_but_may_not_change_anything() -> None:
    who = Principal(
        "key", "assay_abc", frozenset({P.VIEW_PORTFOLIO, P.PORTFOLIO_WIDE}), frozenset()
    )
    assert who.sees_all and who.sees_team(99) and who.sees_team(None)
    assert not who.can(P.UPLOAD_BOM) and not who.is_admin


def test_administer_implies_everything() -> None:
    who = Principal("user", "root", frozenset({P.ADMINISTER}), frozenset())
    assert who.is_admin and who.sees_all and all(who.can(p) for p in Permission)
    assert SYSTEM.is_admin and SYSTEM.actor == "system:assay"


def test_principals_are_immutable() -> None:
    with pytest.raises(AttributeError):
        SYSTEM.name = "other"  # type: ignore[misc]

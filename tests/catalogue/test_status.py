"""Catalogue status per component version: states, ranges in the ecosystem's order, text."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event

from assay.catalogue import service
from assay.catalogue.lifecycle import Action
from assay.catalogue.status import lookup
from assay.core.db import Database
from assay.policy.model import CatalogueFact
from tests.catalogue._support import Portfolio, alice, bob, carol, portfolio

SUNSET = (date.today() + timedelta(days=30)).isoformat()


@pytest.fixture
def world(database: Database) -> Portfolio:
    with database.session() as s:
        return portfolio(s)


def test_every_key_is_answered_and_unlisted_without_an_entry(database: Database) -> None:
    keys = [("PyPI", "requests", "2.0"), ("npm", "x", ""), ("Debian:12", "curl", "7")]
    with database.session() as s:
        facts = lookup(s, keys)
    assert facts == {k: CatalogueFact("unlisted", "not in the catalogue") for k in keys}


def test_states_and_ranges(database: Database, world: Portfolio) -> None:
    with database.session() as s:
        e = service.request(s, alice(world), "pkg:pypi/requests", "http")
        service.transition(
            s, carol(world), e.id, Action.APPROVE, "ok", allowed_versions=">=2.28",
            recommended_version="2.32.3",
        )  # fmt: skip
        service.ban(s, bob(world), "pkg:pypi/requests", "CVE-2023-32681", versions="<2.31")
        d = service.request(s, alice(world), "pkg:pypi/nose", "tests")
        service.transition(s, carol(world), d.id, Action.APPROVE, "ok")
        service.transition(
            s, bob(world), d.id, Action.DEPRECATE, "unmaintained", sunset_date=SUNSET,
            replacement="pkg:pypi/pytest",
        )  # fmt: skip
        service.request(s, alice(world), "pkg:npm/lodash", "utils")
    keys = [
        ("PyPI", "requests", "2.32.3"),
        ("PyPI", "requests", "2.31.0rc1"),  # PEP 440: a pre-release of 2.31.0 sorts below it
        ("PyPI", "requests", "2.30.0"),
        ("PyPI", "requests", "2.10.0"),
        ("PyPI", "requests", ""),
        ("PyPI", "nose", "1.3.7"),
        ("npm", "lodash", "4.17.21"),
    ]
    with database.session() as s:
        facts = lookup(s, keys)
    assert facts[keys[0]] == CatalogueFact(
        "approved", "approved, recommended version 2.32.3", None, "2.32.3"
    )
    assert facts[keys[1]].status == "banned"
    assert facts[keys[2]].detail == "banned: versions <2.31 (CVE-2023-32681)"
    assert facts[keys[3]].status == "banned"  # banned wins over not_approved
    assert facts[keys[4]].status == "not_approved"
    assert facts[keys[4]].detail.startswith("not approved: (unknown version) is outside")
    assert facts[keys[5]] == CatalogueFact(
        "deprecated", f"deprecated: sunset {SUNSET}, use pkg:pypi/pytest", "pkg:pypi/pytest", None
    )
    assert facts[keys[6]].status == "requested"


def test_a_distribution_release_finds_the_release_free_entry(
    database: Database, world: Portfolio
) -> None:
    with database.session() as s:
        service.ban(s, bob(world), "pkg:deb/debian/xz-utils", "backdoor", versions=">=5.6.0")
    with database.session() as s:
        facts = lookup(
            s, [("Debian:12", "xz-utils", "5.6.1-1"), ("Debian:12", "xz-utils", "5.4.1-0.2")]
        )
    assert facts[("Debian:12", "xz-utils", "5.6.1-1")].status == "banned"
    assert facts[("Debian:12", "xz-utils", "5.4.1-0.2")].status == "in_review"


def test_lookups_are_batched_per_500_names(database: Database) -> None:
    keys = [("npm", f"pkg-{i}", "1.0") for i in range(1200)]
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "catalogue_entry" in statement:
            statements.append(statement)

    event.listen(database.engine, "before_cursor_execute", count)
    try:
        with database.session() as s:
            facts = lookup(s, keys)
    finally:
        event.remove(database.engine, "before_cursor_execute", count)
    assert len(facts) == 1200 and len(statements) == 3

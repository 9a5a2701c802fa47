"""The options every ``assay metrics`` command shares: window and services."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta

import pytest

from assay.cli.metrics._select import DEFAULT_DAYS, add_selection_options, selection, window
from assay.core.db import Database
from assay.core.errors import UsageError
from assay.delivery.config import ServiceConfig
from assay.delivery.events import Deployment
from assay.delivery.services import apply
from assay.delivery.store import ingest


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_selection_options(parser)
    return parser.parse_args(list(argv))


def test_a_date_until_includes_that_day() -> None:
    since, until = window(_args("--since", "2026-03-01", "--until", "2026-03-31"))
    assert since == datetime(2026, 3, 1, tzinfo=UTC)
    assert until == datetime(2026, 4, 1, tzinfo=UTC)


def test_times_keep_their_zone() -> None:
    since, until = window(
        _args("--since", "2026-03-29T00:30:00+01:00", "--until", "2026-03-29T03:00:00+02:00")
    )
    assert until - since == timedelta(minutes=90)  # 2.5 h on the wall clock across the DST change


def test_the_default_window_is_the_last_days() -> None:
    since, until = window(_args())
    assert until - since == timedelta(days=DEFAULT_DAYS)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--since", "yesterday"), "--since: 'yesterday' is not an ISO 8601 date or time"),
        (("--until", "2026-03-01T10:00:00"), "--until: '2026-03-01T10:00:00' has no time zone"),
        (("--since", "2026-03-02", "--until", "2026-03-01"), "--since must be before --until"),
    ],
)
def test_bad_windows_are_usage_errors(argv: tuple[str, ...], message: str) -> None:
    with pytest.raises(UsageError, match=message):
        window(_args(*argv))


def test_services_and_teams_are_checked(database: Database) -> None:
    with database.session() as s:
        apply(s, [ServiceConfig("payments", team="pay")], actor="cli")
        ingest(
            s,
            [Deployment("d1", "orders", "production", "success", datetime(2026, 3, 1, tzinfo=UTC))],
        )
    with database.session() as s:
        assert selection(_args(), s).names == ("orders", "payments")
        assert selection(_args("--team", "pay"), s).names == ("payments",)
        assert selection(_args("--service", "orders"), s).names == ("orders",)
        with pytest.raises(UsageError, match="--service: no service named 'nope'"):
            selection(_args("--service", "nope"), s)
        with pytest.raises(UsageError, match="--team: no service belongs to team 'x'"):
            selection(_args("--team", "x"), s)

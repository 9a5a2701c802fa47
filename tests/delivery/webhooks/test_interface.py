"""The translator toolkit: GitLab and GitHub time forms, service names, payload paths."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assay.delivery.webhooks.interface import Context, InvalidPayload, Payload, platform_time


def _fail(problem: str) -> ValueError:
    return ValueError(problem)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-30 12:41:05 +0200", datetime(2026, 3, 30, 10, 41, 5, tzinfo=UTC)),
        ("2026-03-30 10:41:05 UTC", datetime(2026, 3, 30, 10, 41, 5, tzinfo=UTC)),
        ("2026-03-30T10:41:05Z", datetime(2026, 3, 30, 10, 41, 5, tzinfo=UTC)),
        ("2026-03-30T05:41:05-05:00", datetime(2026, 3, 30, 10, 41, 5, tzinfo=UTC)),
        ("2026-03-30 10:41:05.250 UTC", datetime(2026, 3, 30, 10, 41, 5, 250000, tzinfo=UTC)),
    ],
)
def test_platform_times_are_read_as_utc(text: str, expected: datetime) -> None:
    assert platform_time(text, _fail) == expected


@pytest.mark.parametrize("text", ["2026-03-30 10:41:05", "yesterday", "", 1711706940, None])
def test_times_without_a_zone_or_not_times_are_refused(text: object) -> None:
    with pytest.raises(ValueError, match="ISO 8601"):
        platform_time(text, _fail)


def test_a_repository_service_is_its_short_name_unless_configured() -> None:
    ctx = Context(services_by_repo={"acme/payments": "payments-platform"})
    assert ctx.service_for("acme/payments") == "payments-platform"
    assert ctx.service_for("group/sub/ledger") == "ledger"
    assert ctx.service_for("solo") == "solo"


def test_errors_name_the_full_path_of_nested_fields() -> None:
    p = Payload("gitlab", "Pipeline Hook", {"builds": [{"stage": "test"}, {"name": 3}]})
    second = p.items("builds")[1]
    with pytest.raises(InvalidPayload, match=r"builds\[1\]\.name: has the wrong type"):
        p.need("name", base=second)


def test_a_payload_that_is_not_an_object_is_refused() -> None:
    with pytest.raises(InvalidPayload, match="github push payload: expected a JSON object"):
        Payload("github", "push", [1, 2])

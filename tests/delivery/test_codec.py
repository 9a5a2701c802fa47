"""Decoding JSON objects into events (strict, with named fields) and canonical encoding."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.delivery.canonical import canonical, encode
from assay.delivery.codec import EventError, check_commit_ref, decode
from assay.delivery.events import Deployment, Job, PipelineRun, Stage

TESTDATA = Path(__file__).parent / "testdata"
SHA = "2" * 40


def lines() -> list[dict[str, Any]]:
    text = (TESTDATA / "events.jsonl").read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def deployment(**changes: Any) -> dict[str, Any]:
    obj = {
        "type": "deployment",
        "id": "d1",
        "service": "payments",
        "environment": "production",
        "finished_at": "2026-03-29T10:09:00Z",
        "result": "success",
    }
    obj.update(changes)
    return {k: v for k, v in obj.items() if v is not ...}


def test_every_example_decodes_and_round_trips() -> None:
    for obj in lines():
        event = decode(obj)
        assert obj["type"] == event.TYPE
        assert decode(encode(event)) == event
        assert canonical(decode(encode(event))) == canonical(event)


def test_the_example_pipeline_keeps_stages_jobs_and_allow_failure() -> None:
    run = decode(lines()[3])
    assert isinstance(run, PipelineRun)
    assert [s.name for s in run.stages] == ["test", "deploy"]
    lint = run.stages[0].jobs[1]
    assert lint.name == "lint" and lint.result == "failure" and lint.allow_failure


def test_times_are_normalised_to_utc_and_encoded_with_z() -> None:
    event = decode(deployment(finished_at="2026-03-29T15:39:00+05:30"))
    assert isinstance(event, Deployment)
    assert event.finished_at == datetime(2026, 3, 29, 10, 9, tzinfo=UTC)
    assert encode(event)["finished_at"] == "2026-03-29T10:09:00Z"


def test_dst_boundary_offsets_name_the_same_instant() -> None:
    """Europe/Berlin jumps from 02:00+01:00 to 03:00+02:00 on 2026-03-29."""
    before = decode(deployment(finished_at="2026-03-29T01:59:59+01:00"))
    after = decode(deployment(finished_at="2026-03-29T03:00:00+02:00"))
    assert isinstance(before, Deployment) and isinstance(after, Deployment)
    assert (after.finished_at - before.finished_at).total_seconds() == 1


def test_the_same_event_in_other_zones_and_key_orders_has_one_digest() -> None:
    a = deployment(finished_at="2026-03-29T10:09:00Z", kind="normal")
    b = dict(reversed(list(deployment(finished_at="2026-03-29T12:09:00+02:00").items())))
    assert canonical(decode(a)) == canonical(decode(b))


def test_integer_ids_are_read_as_strings() -> None:
    event = decode(deployment(id=1234))
    assert isinstance(event, Deployment) and event.id == "1234"


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([], "expected a JSON object with a 'type', got a list"),
        ({"id": 1}, "type: missing"),
        ({"type": "deploy"}, "type: unknown event type 'deploy'"),
        (
            deployment(finished_at="2026-03-29T10:09:00"),
            "deployment: finished_at: not an ISO 8601 time with a zone",
        ),
        (deployment(finished_at="yesterday"), "deployment: finished_at: not an ISO 8601 time"),
        (
            deployment(finished_at=1774740000),
            "deployment: finished_at: expected an ISO 8601 time string",
        ),
        (deployment(finished_at=...), "deployment: finished_at: missing"),
        (deployment(finsihed_at="2026-03-29T10:09:00Z"), "deployment: unknown field 'finsihed_at'"),
        (deployment(result="ok"), "deployment: result: 'ok' is not one of success, failure"),
        (deployment(kind="revert"), "deployment: kind: 'revert' is not one of normal"),
        (deployment(service=""), "deployment: service: empty"),
        (deployment(service=["a"]), "deployment: service: expected a string, got a list"),
        (deployment(service="x" * 201), "deployment: service: longer than 200 characters"),
        (deployment(id=True), "deployment: id: expected a string or integer id, got a boolean"),
        (
            deployment(commits=[{"repo": "r", "sha": "abc"}]),
            "deployment: commits[0]: sha: not a full commit sha",
        ),
        (
            deployment(commits=[{"repo": "r", "sha": SHA, "x": 1}]),
            "deployment: commits[0]: unknown field 'x'",
        ),
        (deployment(commits="abc"), "deployment: commits: expected a list, got a string"),
        (
            deployment(started_at="2026-03-29T11:00:00Z"),
            "deployment: finished_at: ends before it starts",
        ),
        (
            {
                "type": "pipeline_run",
                "id": "p",
                "repo": "r",
                "sha": SHA,
                "ref": "main",
                "result": "success",
                "stages": [
                    {
                        "name": "s",
                        "result": "success",
                        "jobs": [{"name": "j", "result": "success", "allow_failure": "yes"}],
                    }
                ],
            },
            "pipeline_run: stages[0]: jobs[0]: allow_failure: expected true or false",
        ),
        (
            {
                "type": "coverage",
                "repo": "r",
                "sha": SHA,
                "format": "lcov",
                "lines_covered": 5,
                "lines_valid": 4,
            },
            "coverage: lines_covered: 5 is more than lines_valid 4",
        ),
        (
            {
                "type": "coverage",
                "repo": "r",
                "sha": SHA,
                "format": "lcov",
                "lines_covered": -1,
                "lines_valid": 4,
            },
            "coverage: lines_covered: expected a whole number of at least 0",
        ),
        (
            {
                "type": "test_run",
                "repo": "r",
                "sha": SHA,
                "suite": "s",
                "cases": [{"name": "t", "result": "passed", "seconds": -1}],
            },
            "test_run: cases[0]: seconds: expected a number of seconds",
        ),
        (
            {
                "type": "defect",
                "id": "b",
                "service": "s",
                "created_at": "2026-01-01T00:00:00Z",
                "found_in": "staging",
            },
            "defect: found_in: 'staging' is not one of development",
        ),
        (
            {
                "type": "commit",
                "repo": "r",
                "sha": SHA.upper()[:39],
                "authored_at": "x",
                "committed_at": "x",
            },
            "commit: sha: not a full commit sha",
        ),
    ],
)
def test_bad_objects_are_refused_naming_type_and_field(obj: Any, message: str) -> None:
    with pytest.raises(EventError) as info:
        decode(obj)
    assert str(info.value).startswith(message), str(info.value)


def test_uppercase_shas_are_normalised() -> None:
    assert check_commit_ref(" acme/pay ", SHA.upper()) == ("acme/pay", SHA)


def test_long_free_text_is_cut_not_refused() -> None:
    event = decode(
        {
            "type": "incident",
            "id": "i",
            "service": "s",
            "created_at": "2026-01-01T00:00:00Z",
            "title": "x" * 5000,
        }
    )
    assert len(encode(event)["title"]) == 2000


@given(
    moment=st.datetimes(
        min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    ),
    offset_minutes=st.integers(min_value=-14 * 60, max_value=14 * 60),
)
def test_any_offset_decodes_to_the_same_instant_and_digest(
    moment: datetime, offset_minutes: int
) -> None:
    """ISO 8601: a time with an offset names one instant; the digest must not see the offset."""
    zone = timezone(timedelta(minutes=offset_minutes))
    utc_event = decode(deployment(finished_at=moment.isoformat()))
    local_event = decode(deployment(finished_at=moment.astimezone(zone).isoformat()))
    assert local_event == utc_event
    assert canonical(local_event) == canonical(utc_event)
    assert decode(encode(local_event)) == local_event


def test_the_canonical_text_is_fixed_for_a_nested_event() -> None:
    """The stored form (and so every digest already in a store) must not change when the
    encoder is made faster: defaults left out at every level, times in UTC with Z, keys sorted,
    non-ASCII kept; a time built in another zone (not decoded) is converted too."""
    zone = timezone(timedelta(hours=5, minutes=30))
    lint = Job("lint", "failure", allow_failure=True)
    run = PipelineRun(
        "r1", "acme/pay", SHA, "main", "success",
        started_at=datetime(2026, 3, 29, 15, 39, 0, 250000, tzinfo=zone),
        finished_at=datetime(2026, 3, 29, 10, 19, tzinfo=UTC),
        stages=(Stage("tëst", "success", jobs=(Job("unit", "success"), lint)),),
    )  # fmt: skip
    text, digest = canonical(run)
    assert text == (
        '{"finished_at":"2026-03-29T10:19:00Z","id":"r1","ref":"main","repo":"acme/pay",'
        '"result":"success","sha":"' + SHA + '","stages":[{"jobs":[{"name":"unit",'
        '"result":"success"},{"allow_failure":true,"name":"lint","result":"failure"}],'
        '"name":"tëst","result":"success"}],"started_at":"2026-03-29T10:09:00.250000Z",'
        '"type":"pipeline_run"}'
    )
    assert digest == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert canonical(decode(json.loads(text))) == (text, digest)

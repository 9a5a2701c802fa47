"""The synthetic delivery history: deterministic, valid, realistic, ingestible on both engines."""

from __future__ import annotations

import inspect
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from itertools import islice
from pathlib import Path

import pytest
from sqlalchemy import func, select

from assay.core.db import Database
from assay.delivery import models as m
from assay.delivery.canonical import encode
from assay.delivery.codec import decode
from assay.delivery.events import (
    Change,
    Commit,
    Coverage,
    Defect,
    Deployment,
    Event,
    Incident,
    PipelineRun,
    TestRun,
)
from assay.delivery.services import load_file
from assay.delivery.store import ingest
from assay.delivery.synthetic import BERLIN, generate, profile_of, service_configs

REPO = Path(__file__).resolve().parents[2]
END = datetime(2026, 5, 15, 12, tzinfo=UTC)  # 120 days before: January, across 2026-03-29 (DST)


def history(**kwargs: object) -> list[Event]:
    options: dict[str, object] = {"services": 4, "days": 60, "seed": 3, "end": END, **kwargs}
    return list(generate(**options))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def org() -> list[Event]:
    """Eight services over 120 days, across the spring 2026 daylight-saving change."""
    return history(services=8, days=120)


def test_same_seed_same_history_other_seed_other_history() -> None:
    first = history(days=20)
    assert first == history(days=20)
    assert first != history(days=20, seed=4)


def test_generate_is_lazy() -> None:
    events = generate(services=200, days=3650, end=END)
    assert inspect.isgenerator(events)
    assert len(list(islice(events, 50))) == 50


def test_counts_scale_with_services_and_days() -> None:
    four, eight = history(services=4, days=30), history(services=8, days=30)
    longer = history(services=4, days=60)
    assert 1.5 * len(four) < len(eight) < 2.5 * len(four)
    assert 1.5 * len(four) < len(longer) < 2.5 * len(four)
    two = history(services=2, days=30)
    # each service has its own random stream: adding services leaves the others as they were
    assert [e for e in four if owner(e) in {"payments-api", "ledger"}] == two


def owner(event: Event) -> str:
    repo = getattr(event, "repo", None)
    return repo.removeprefix("acme/") if isinstance(repo, str) else str(event.service)


def encode_key(event: Event) -> tuple[str, ...]:
    return (event.TYPE, *event.key)


def test_every_event_round_trips_through_the_codec(org: list[Event]) -> None:
    for event in org:
        assert decode(encode(event)) == event


def test_keys_are_unique(org: list[Event]) -> None:
    keys = Counter(encode_key(e) for e in org)
    assert [k for k, n in keys.items() if n > 1] == []


def test_nothing_outside_the_window(org: list[Event]) -> None:
    start = END - timedelta(days=120)
    for event in org:
        if isinstance(event, Change | Incident | Defect):
            moments = [event.created_at]
        elif isinstance(event, Commit):
            moments = [event.committed_at]
        elif isinstance(event, PipelineRun | Deployment):
            moments = [event.finished_at] if event.finished_at else []
        else:
            moments = []
        assert all(start <= moment < END for moment in moments), event
        for later in ("merged_at", "resolved_at", "first_review_at"):
            value = getattr(event, later, None)
            assert value is None or value < END, event


def test_every_type_and_the_edge_cases_appear(org: list[Event]) -> None:
    types = Counter(e.TYPE for e in org)
    assert set(types) == {
        "commit", "change", "pipeline_run", "deployment", "incident", "test_run", "coverage",
        "defect",
    }  # fmt: skip
    deployments = [e for e in org if isinstance(e, Deployment)]
    assert {d.kind for d in deployments} == {"normal", "hotfix", "rollback"}
    assert {d.result for d in deployments} >= {"success", "failure"}
    incidents = [e for e in org if isinstance(e, Incident)]
    assert any(i.caused_by_deployment for i in incidents)
    assert any(i.caused_by_deployment is None for i in incidents)
    found = {e.found_in for e in org if isinstance(e, Defect)}
    assert found == {"development", "testing", "production"}
    runs = [e for e in org if isinstance(e, PipelineRun)]
    assert {r.result for r in runs} == {"success", "failure", "cancelled"}
    jobs = [j for r in runs for s in r.stages for j in s.jobs]
    assert any(j.allow_failure and j.result == "failure" for j in jobs)


def test_squash_merges_leave_the_change_commits_outside_main(org: list[Event]) -> None:
    commits = {(e.repo, e.sha): e for e in org if isinstance(e, Commit)}
    merged = [e for e in org if isinstance(e, Change) and e.merge_sha]
    squashed = [
        c for c in merged if c.commits[-1] not in commits[(c.repo, c.merge_sha or "")].parents
    ]
    assert 0.1 < len(squashed) / len(merged) < 0.3
    for change in merged:
        merge = commits[(change.repo, change.merge_sha or "")]
        assert merge.committed_at == change.merged_at
        if change not in squashed:
            assert merge.is_merge


def test_authors_work_berlin_hours_across_daylight_saving(org: list[Event]) -> None:
    commits = [e for e in org if isinstance(e, Commit) and e.message.startswith("Work")]
    assert all(9 <= c.authored_at.astimezone(BERLIN).hour < 18 for c in commits)
    winter = {c.authored_at.hour for c in commits if c.authored_at.month in (1, 2)}
    summer = {c.authored_at.hour for c in commits if c.authored_at.month == 4}
    assert min(winter) == 8 and min(summer) == 7  # 09:00 CET is 08:00 UTC, CEST 07:00 UTC


def test_flaky_tests_pass_and_fail_on_one_sha(org: list[Event]) -> None:
    outcomes: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for run in org:
        if isinstance(run, TestRun):
            for case in run.cases:
                outcomes[(run.repo, run.sha, case.name)].add(case.result)
    flaky = {name for (_, _, name), seen in outcomes.items() if {"passed", "failed"} <= seen}
    assert flaky
    failed = [c for e in org if isinstance(e, TestRun) for c in e.cases if c.result == "failed"]
    # messages full of ids and numbers, from a few kinds of failure (a few signatures)
    assert len({c.error_type for c in failed}) == 4
    assert len({c.message for c in failed}) > 100


def test_coverage_drifts_up(org: list[Event]) -> None:
    reports = sorted(
        (e for e in org if isinstance(e, Coverage) and e.repo == "acme/payments-api"),
        key=lambda c: c.measured_at or END,
    )
    first = sum(c.lines_covered / c.lines_valid for c in reports[:20]) / 20
    last = sum(c.lines_covered / c.lines_valid for c in reports[-20:]) / 20
    assert last > first + 0.1


def test_profiles_make_tiers_differ(org: list[Event]) -> None:
    configs = service_configs(8, 3)
    per_day = Counter(
        d.service
        for d in org
        if isinstance(d, Deployment)
        and d.result == "success"
        and next(c for c in configs if c.name == d.service).is_production(d.environment)
    )
    for index, config in enumerate(configs):
        if config.deployment_stages:
            assert per_day[config.name] == 0  # it deploys through its pipeline stage
            continue
        rate = per_day[config.name] / 120
        expected = {"elite": (1, 99), "high": (1 / 7, 1), "medium": (1 / 30, 1 / 7)}
        low, high = expected.get(profile_of(index), (0.0, 1 / 21))
        assert low <= rate < high, (config.name, rate)


def test_service_configs() -> None:
    configs = service_configs(10, 4)
    names = [c.name for c in configs]
    assert names[:3] == ["payments-api", "ledger", "customer-portal"]
    assert names[8:] == ["svc-009", "svc-010"]
    assert all(c.repos == (f"acme/{c.name}",) for c in configs)
    assert {c.team for c in configs} == {"payments", "core-banking", "digital", "team-04"}
    assert configs[1].production_environments == ("prod-eu",)
    assert [c.name for c in configs if c.deployment_stages] == ["fraud-detection"]
    with pytest.raises(ValueError, match="at least 1"):
        service_configs(0, 3)


def test_the_demo_file_is_the_generated_configuration() -> None:
    assert load_file(REPO / "examples" / "delivery" / "services.yaml") == service_configs(8, 3)


@pytest.mark.parametrize(
    ("options", "message"),
    [({"days": 0}, "days must be"), ({"end": datetime(2026, 1, 1)}, "without a zone")],
)
def test_bad_arguments(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        next(generate(**options))  # type: ignore[arg-type]


def test_ingests_on_both_engines(database: Database) -> None:
    events = history(services=3, days=10)
    with database.session() as session:
        result = ingest(session, iter(events), source="synthetic")
    assert result.inserted == len(events)
    with database.session() as session:
        again = ingest(session, generate(services=3, days=10, seed=3, end=END), source="again")
        stored = session.scalar(select(func.count()).select_from(m.PipelineRunRow))
    assert again.unchanged == len(events)
    assert stored == sum(1 for e in events if isinstance(e, PipelineRun))

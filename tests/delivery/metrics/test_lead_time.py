"""Lead time for changes: containment, first deployments, squash merges, phases, the walk limit.

Every answer here is worked out by hand from docs/metrics.md ("Contains / lead time").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from assay.core.db import Database
from assay.delivery.events import Commit, CommitRef, Deployment, PipelineRun
from assay.delivery.metrics import lead_time
from assay.delivery.metrics.lead_time import lead_times
from assay.delivery.metrics.model import PHASES, LeadTime, Selection
from tests.delivery.metrics._build import (
    REPO,
    at,
    chain,
    change,
    commit,
    deploy,
    deploy_run,
    service,
    sha,
    store,
    window,
)

PAY = service()


def measured(
    database: Database, selection: Selection | None = None
) -> list[tuple[str, str | None, int, str, float]]:
    """(service, change, commit number, deployment, hours) of every lead time."""
    with database.session() as session:
        found = lead_times(session, selection or window([PAY]))
    return [(t.service, t.change, int(t.sha, 16), t.deployment, t.hours) for t in found]


def test_the_first_deployment_contains_only_its_listed_commits(database: Database) -> None:
    store(database, [*chain(1, 3), deploy("d1", 10, 3)])
    assert measured(database) == [("pay", None, 3, "d1", 8.0)]


def test_a_later_deployment_contains_new_ancestors_up_to_an_earlier_ones(
    database: Database,
) -> None:
    store(database, [*chain(1, 6), deploy("d1", 10, 3), deploy("d2", 20, 6)])
    assert measured(database) == [
        ("pay", None, 3, "d1", 8.0),
        ("pay", None, 4, "d2", 17.0),
        ("pay", None, 5, "d2", 16.0),
        ("pay", None, 6, "d2", 15.0),
    ]
    # selected by deployed_at: d1 is before the window but still stops d2's walk
    assert [t[2] for t in measured(database, window([PAY], since=15))] == [4, 5, 6]
    assert measured(database, window([PAY], since=0, until=20)) == [("pay", None, 3, "d1", 8.0)]


def test_a_redeployment_measures_nothing_again(database: Database) -> None:
    store(database, [*chain(1, 4), deploy("d1", 10, 2), deploy("d2", 20, 4)])
    store(database, [deploy("d3", 30, 4), deploy("d4", 40, 2, kind="rollback")])
    assert [(t[2], t[3]) for t in measured(database)] == [(2, "d1"), (3, "d2"), (4, "d2")]


def test_a_deployment_without_commits_is_not_the_first(database: Database) -> None:
    """The first deployment is the earliest with commits: d1, so it measures only commit 3."""
    store(database, [*chain(1, 3), deploy("d0", 0.5), deploy("d1", 10, 3)])
    assert measured(database) == [("pay", None, 3, "d1", 8.0)]


def test_the_first_deployment_marks_old_history_reached_by_a_later_merge(
    database: Database,
) -> None:
    """d1 (first) ships 3: 2 and 1 are contained, unmeasured. d2 ships merge 30 (parents 4 and
    11); 11 branched from 1, older than d1. d2's walk: 30, 4, 11; 3 and 1 are contained, so
    commit 1 is not measured as a 20 h lead time of d2."""
    events = [
        *chain(1, 3),  # 1 <- 2 <- 3 at 0, 1, 2 h
        deploy("d1", 10, 3),  # 10 - 2 = 8 h
        commit(11, 12, 1),  # a branch from old commit 1
        commit(4, 13, 3),
        commit(30, 14, 4, 11),  # the merge
        deploy("d2", 20, 30),  # 30: 20 - 14 = 6 h; 4: 7 h; 11: 8 h
    ]
    store(database, events)
    assert measured(database) == [
        ("pay", None, 3, "d1", 8.0),
        ("pay", None, 4, "d2", 7.0),
        ("pay", None, 11, "d2", 8.0),
        ("pay", None, 30, "d2", 6.0),
    ]


def test_the_first_deployments_walk_has_the_limit_too(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Limit 2: d1 (first, ships 5) marks 4 and 3 only; d2 ships 10, a child of 1, so its walk
    reaches 1 (not contained) and measures it: 20 h; 10 authored at 12 h -> 8 h."""
    monkeypatch.setattr(lead_time, "WALK_LIMIT", 2)
    store(database, [*chain(1, 5), deploy("d1", 10, 5), commit(10, 12, 1), deploy("d2", 20, 10)])
    assert measured(database) == [
        ("pay", None, 5, "d1", 6.0),
        ("pay", None, 1, "d2", 20.0),
        ("pay", None, 10, "d2", 8.0),
    ]


def test_a_listed_commit_without_a_commit_event_has_no_lead_time(database: Database) -> None:
    store(database, [deploy("d1", 10, 99)])
    assert measured(database) == []


SQUASH = [
    commit(1, 0),
    commit(2, 0.5, 1),
    commit(11, 1),  # the change's own commits, on a branch that was squashed away
    commit(12, 2, 11),
    commit(20, 5, 2),  # the squash commit on main
    deploy("d1", 3, 2),
    change("42", 2.5, 5, 20, 11, 12, review=3),
    PipelineRun(
        "ci-2", REPO, sha(20), "main", "success",
        queued_at=at(7), started_at=at(7), finished_at=at(7.5),
    ),
    PipelineRun(
        "ci-1", REPO, sha(20), "main", "success",
        queued_at=at(5.25), started_at=at(5.5), finished_at=at(6),
    ),
    deploy("d2", 8, 20),
]  # fmt: skip


def test_a_squash_merged_change_starts_at_its_first_commit(database: Database) -> None:
    store(database, SQUASH)
    with database.session() as session:
        found = lead_times(session, window([PAY]))
    assert [(t.change, int(t.sha, 16), t.deployment) for t in found] == [
        (None, 2, "d1"),
        ("42", 20, "d2"),  # the squash commit is measured only through its change
    ]
    squash = found[1]
    assert squash.first_commit_at == at(1)
    assert squash.deployed_at == at(8)
    assert squash.hours == 7.0
    assert squash.phases == {
        "coding": 1.5,  # first commit 1h -> opened 2.5h
        "pickup": 0.5,  # -> first review 3h
        "review": 2.0,  # -> merged 5h
        "merge": 0.25,  # -> the first run on the merge sha queued 5.25h
        "pipeline": 0.75,  # -> it finished 6h
        "deploy_wait": 2.0,  # -> deployed 8h
    }
    assert sum(v for v in squash.phases.values() if v is not None) == squash.hours


def test_a_change_without_known_commits_starts_when_it_was_opened(database: Database) -> None:
    store(database, [*chain(1, 2), deploy("d1", 2, 2), commit(20, 5, 2)])
    store(database, [change("42", 4, 5, 20), deploy("d2", 8, 20)])
    [_, squash] = measured(database)
    assert squash == ("pay", "42", 20, "d2", 4.0)


def test_a_change_without_merge_sha_is_deployed_with_its_last_commit(database: Database) -> None:
    store(database, [*chain(1, 3), deploy("d1", 1.5, 1), change("7", 1.5, 2.5, None, 2, 3)])
    store(database, [deploy("d2", 5, 3)])
    with database.session() as session:
        found = lead_times(session, window([PAY], since=2))
    assert [(t.change, int(t.sha, 16), t.hours) for t in found] == [("7", 3, 4.0)]
    assert found[0].phases == {
        "coding": 0.5, "pickup": None, "review": None, "merge": None, "pipeline": None,
        "deploy_wait": 2.5,
    }  # fmt: skip


def test_a_merge_commit_brings_its_change_and_the_commits_of_no_change(
    database: Database,
) -> None:
    events = [
        *chain(1, 3),  # main: 1 <- 2 <- 3
        commit(11, 1.5, 1),  # feature branch from 1
        commit(12, 2.5, 11),
        commit(30, 4, 3, 12),  # merge commit: parents 3 and 12
        change("5", 2, 4, 30, 11, 12),
        deploy("d1", 0.5, 1),
        deploy("d2", 6, 30),
    ]
    store(database, events)
    assert measured(database, window([PAY], since=1)) == [
        ("pay", None, 2, "d2", 5.0),  # main commits that belong to no change
        ("pay", None, 3, "d2", 4.0),
        ("pay", "5", 30, "d2", 4.5),  # from commit 11 at 1.5h; 11 and 12 only through it
    ]


def test_an_unmerged_change_is_never_deployed_and_owns_its_commits(database: Database) -> None:
    store(database, [*chain(1, 3), change("9", 1, None, None, 2), deploy("d0", 0.5, 1)])
    store(database, [deploy("d1", 5, 3)])
    assert [(t[1], t[2]) for t in measured(database, window([PAY], since=1))] == [(None, 3)]


def test_the_walk_stops_after_the_limit(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lead_time, "WALK_LIMIT", 2)
    store(database, [*chain(1, 7), deploy("d1", 10, 1), deploy("d2", 20, 6)])
    store(database, [deploy("d3", 30, 7)])
    assert [(t[2], t[3]) for t in measured(database)] == [
        (1, "d1"), (4, "d2"), (5, "d2"), (6, "d2"), (7, "d3"),
    ]  # fmt: skip


def test_each_service_measures_its_own_deployments(database: Database) -> None:
    store(database, [*chain(1, 2), deploy("a1", 5, 2), deploy("b1", 9, 2, service="web")])
    both = [PAY, service("web")]
    assert measured(database, window(both)) == [
        ("pay", None, 2, "a1", 4.0),
        ("web", None, 2, "b1", 8.0),
    ]


def test_a_deploy_stage_deploys_its_run_commit(database: Database) -> None:
    staged = service(repos=(REPO,), deployment_stages=("deploy",))
    store(database, [*chain(1, 3), deploy_run("r1", 1, 1), deploy_run("r2", 10, 3)])
    assert measured(database, window([staged])) == [
        ("pay", None, 1, "run:r1", 1.0),
        ("pay", None, 2, "run:r2", 9.0),
        ("pay", None, 3, "run:r2", 8.0),
    ]


def test_offsets_and_daylight_saving_never_change_a_duration(database: Database) -> None:
    """docs/events.md: 01:59:59+01:00 is one second before 03:00:00+02:00 (DST starts)."""
    winter, summer = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))
    authored = datetime(2026, 3, 29, 1, 59, 59, tzinfo=winter)
    deployed = datetime(2026, 3, 29, 3, 0, 0, tzinfo=summer)
    store(
        database,
        [
            Commit(REPO, sha(1), authored, authored),
            Deployment("d1", "pay", "production", "success", deployed,
                       commits=(CommitRef(REPO, sha(1)),)),
        ],
    )  # fmt: skip
    selection = Selection(
        datetime(2026, 3, 29, tzinfo=UTC), datetime(2026, 3, 30, tzinfo=UTC), (PAY,)
    )
    [(*_, hours)] = measured(database, selection)
    assert hours == pytest.approx(1 / 3600)


def test_clock_skew_is_clamped(database: Database) -> None:
    store(database, [commit(1, 12), deploy("d1", 10, 1)])
    assert measured(database) == [("pay", None, 1, "d1", 0.0)]


def test_order_of_arrival_and_repeats_do_not_matter(database: Database) -> None:
    events = [*chain(1, 6), deploy("d1", 10, 3), deploy("d2", 20, 6)]
    store(database, list(reversed(events)))
    store(database, events)
    assert [t[2] for t in measured(database)] == [3, 4, 5, 6]


def test_a_commit_lead_time_has_no_phases(database: Database) -> None:
    store(database, [commit(1, 0), deploy("d1", 1, 1)])
    with database.session() as session:
        [found] = lead_times(session, window([PAY]))
    assert found == LeadTime(
        "pay", REPO, None, sha(1), at(0), "d1", at(1), 1.0, dict.fromkeys(PHASES)
    )


def test_no_services_no_lead_times(database: Database) -> None:
    store(database, [commit(1, 0), deploy("d1", 1, 1)])
    assert measured(database, window([])) == []

"""Which events are production deployments: environments, results, deploy stages, allow_failure."""

from __future__ import annotations

from assay.core.db import Database
from assay.delivery.events import Job
from assay.delivery.metrics.deployments import Deploy, production_deployments
from assay.delivery.store import ms
from tests.delivery.metrics._build import (
    REPO,
    at,
    deploy,
    deploy_run,
    service,
    sha,
    store,
)

FAR = ms(at(10_000)) or 0


def ids(database: Database, *services: object, until: int = FAR) -> dict[str, list[str]]:
    with database.session() as session:
        found = production_deployments(session, list(services), until_ms=until)  # type: ignore[arg-type]
    return {name: [d.id for d in ds] for name, ds in found.items()}


def test_successful_deployments_to_production_environments_without_case(
    database: Database,
) -> None:
    store(
        database,
        [
            deploy("d1", 1, 1),
            deploy("d2", 2, environment="PROD"),  # defaults: production, prod
            deploy("d3", 3, environment="staging"),
            deploy("d4", 4, result="failure"),
            deploy("d5", 5, result="cancelled"),
            deploy("d6", 6, service="other"),
        ],
    )
    assert ids(database, service()) == {"pay": ["d1", "d2"]}
    assert ids(database, service(production_environments=("staging",))) == {"pay": ["d3"]}


def test_sorted_by_finish_time_and_cut_at_until(database: Database) -> None:
    store(database, [deploy("b", 3), deploy("a", 3), deploy("z", 1), deploy("late", 9)])
    assert ids(database, service(), until=ms(at(9)) or 0) == {"pay": ["z", "a", "b"]}


def test_commits_are_kept_in_order(database: Database) -> None:
    store(database, [deploy("d1", 1, 3, 1, 2)])
    with database.session() as session:
        [found] = production_deployments(session, [service()], until_ms=FAR)["pay"]
    assert found == Deploy(
        "d1", "pay", "production", ms(at(1)) or 0, "normal",
        ((REPO, sha(3)), (REPO, sha(1)), (REPO, sha(2))),
    )  # fmt: skip


STAGED = service(repos=(REPO,), deployment_stages=("deploy",), default_branches=("main",))


def test_a_successful_deploy_stage_on_the_default_branch_is_a_deployment(
    database: Database,
) -> None:
    store(
        database,
        [
            deploy_run("r1", 5, 1, stage_finished=4.9, jobs=(Job("prod", "success"),)),
            deploy_run("r2", 6, 2, ref="refs/heads/main"),
            deploy_run("r3", 7, 3, ref="feature/x"),
            deploy_run("r4", 8, 4, stage_result="failure"),
            deploy_run("r5", 9, 5, stage="test"),
            deploy_run("r6", 10, 6, repo="acme/other"),
        ],
    )
    with database.session() as session:
        found = production_deployments(session, [STAGED], until_ms=FAR)["pay"]
    assert [(d.id, d.finished_at, d.commits, d.kind) for d in found] == [
        ("run:r1", ms(at(4.9)), ((REPO, sha(1)),), "normal"),  # the stage's finish time
        ("run:r2", ms(at(6)), ((REPO, sha(2)),), "normal"),  # no stage time: the run's
    ]
    assert ids(database, service(repos=(REPO,))) == {"pay": []}  # no stages configured


def test_a_failed_allow_failure_job_is_not_a_successful_deploy(database: Database) -> None:
    jobs = (Job("prod-eu", "success"), Job("prod-us", "failure", allow_failure=True))
    skipped = (Job("prod-eu", "success"), Job("prod-us", "skipped"))
    store(database, [deploy_run("r1", 5, 1, jobs=jobs), deploy_run("r2", 6, 2, jobs=skipped)])
    assert ids(database, STAGED) == {"pay": []}


def test_a_run_named_by_a_deployment_event_is_not_counted_twice(database: Database) -> None:
    store(database, [deploy_run("r1", 5, 1), deploy("dep-1", 5.5, 1, run="r1")])
    assert ids(database, STAGED) == {"pay": ["dep-1"]}
    # even a failed deployment event decides for its run
    store(database, [deploy("dep-1", 5.5, 1, run="r1", result="failure")])
    assert ids(database, STAGED) == {"pay": []}


def test_no_services_no_queries(database: Database) -> None:
    store(database, [deploy("d1", 1)])
    assert ids(database) == {}

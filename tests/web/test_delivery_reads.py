"""What the delivery pages read beside the metrics, on both engines: the latest default-branch
run of a service with its stages timed from the run's start, and the newest arrival of events
limited to the services given (a team's viewer is not told when another team's events arrive).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assay.core.db import Database
from assay.delivery.config import ServiceConfig
from assay.delivery.events import Deployment, PipelineRun, Stage
from assay.delivery.store import ingest, ms
from assay.web.pages.delivery_reads import latest_received, latest_run
from tests.web.delivery_history import configs, seed_history

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night European clocks change


def test_latest_run_is_the_newest_on_a_default_branch(database: Database) -> None:
    with database.session() as s:
        seed_history(s, datetime.now(UTC))
        run = latest_run(s, configs()[0])
        assert run is not None and run.id == "run-5" and run.ref == "main"
        assert [st["name"] for st in run.stages] == ["build", "test", "deploy"]
        assert [st["start_minutes"] for st in run.stages] == [0.0, 4.5, 14.5]
        assert [st["minutes"] for st in run.stages] == [4.0, 9.5, 1.5]
        assert latest_run(s, configs()[1]) is None  # ledger's repo has no run
        assert latest_run(s, ServiceConfig("x")) is None  # no repos


def test_latest_run_ignores_other_branches_and_accepts_full_refs(database: Database) -> None:
    service = ServiceConfig("svc", repos=("acme/svc",), default_branches=("trunk",))
    runs = [
        PipelineRun("a", "acme/svc", "1" * 40, "refs/heads/trunk", "success", started_at=T0,
                    finished_at=T0 + timedelta(minutes=3),
                    stages=(Stage("only", "success"),)),  # stages without times
        PipelineRun("b", "acme/svc", "2" * 40, "feature", "failure",
                    started_at=T0 + timedelta(hours=1)),
        PipelineRun("c", "acme/other", "3" * 40, "trunk", "success",
                    started_at=T0 + timedelta(hours=2)),
    ]  # fmt: skip
    with database.session() as s:
        ingest(s, runs)
        run = latest_run(s, service)
        assert run is not None and run.id == "a"
        assert run.stages == ({"name": "only", "result": "success", "start_minutes": None,
                               "minutes": None},)  # fmt: skip


def test_latest_received_is_limited_to_the_services_given(database: Database) -> None:
    with database.session() as s:
        seed_history(s, datetime.now(UTC))
    with database.session() as s:
        everything = latest_received(s, None)
        payments = latest_received(s, configs()[:1])
        assert everything > 0 and payments == everything  # one ingestion: one arrival time
        assert latest_received(s, []) == 0
    later = datetime.now(UTC) + timedelta(seconds=5)
    with database.session() as s:
        ingest(s, [Deployment("L9", "ledger", "prod", "success", later)])
    with database.session() as s:
        assert latest_received(s, configs()[:1]) == payments  # ledger's event: not payments'
        newest = latest_received(s, configs()[1:])
        assert newest > payments and latest_received(s, None) == newest
        assert newest <= (ms(datetime.now(UTC)) or 0)

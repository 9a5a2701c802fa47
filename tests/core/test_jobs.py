"""The job queue: atomic claims, retries, recovery after a crash (both engines)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import select

from assay.core.clock import now_iso
from assay.core.db import Database
from assay.core.jobs import DONE, FAILED, MAX_ATTEMPTS, QUEUED, Job, Worker, drain, enqueue, recover


def _queue(db: Database, kind: str, n: int = 1, **args: Any) -> list[int]:
    with db.session() as session:
        return [enqueue(session, kind, n=i, **args).id for i in range(n)]


def _states(db: Database) -> dict[int, str]:
    with db.session() as session:
        return {j.id: j.state for j in session.scalars(select(Job))}


def test_drain_runs_each_job_once_in_order(database: Database) -> None:
    seen: list[int] = []
    ids = _queue(database, "collect", 5)
    assert drain(database, {"collect": lambda db, n: seen.append(n)}) == 5
    assert seen == [0, 1, 2, 3, 4]
    assert set(_states(database).values()) == {DONE}
    assert set(_states(database)) == set(ids)


def test_two_workers_never_take_the_same_job(database: Database) -> None:
    _queue(database, "collect", 40)
    seen: list[int] = []
    lock = threading.Lock()

    def task(db: Database, n: int) -> None:
        with lock:
            seen.append(n)

    threads = [threading.Thread(target=drain, args=(database, {"collect": task})) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(seen) == list(range(40))


def test_a_failing_task_is_retried_then_marked_failed(database: Database) -> None:
    calls: list[int] = []

    def broken(db: Database, n: int) -> None:
        calls.append(n)
        raise RuntimeError("boom")

    (job_id,) = _queue(database, "broken")
    drain(database, {"broken": broken})
    assert len(calls) == MAX_ATTEMPTS
    with database.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        assert job.state == FAILED
        assert job.error == "RuntimeError: boom"


def test_unknown_task_fails_the_job_not_the_worker(database: Database) -> None:
    _queue(database, "nobody-knows")
    assert drain(database, {}) == 1
    assert set(_states(database).values()) == {FAILED}


def test_jobs_left_running_by_a_dead_process_are_resumed(database: Database) -> None:
    (job_id,) = _queue(database, "collect")
    with database.session() as session:
        job = session.get(Job, job_id)
        assert job is not None
        job.state = "running"  # what a killed process leaves behind
    assert drain(database, {"collect": lambda db, n: None}) == 0
    assert recover(database) == 1
    assert _states(database)[job_id] == QUEUED
    assert drain(database, {"collect": lambda db, n: None}) == 1
    assert _states(database)[job_id] == DONE


def test_worker_thread_runs_jobs_when_woken_and_stops(database: Database) -> None:
    done = threading.Event()
    worker = Worker(database, {"collect": lambda db, n: done.set()}, poll_seconds=30)
    worker.start()
    try:
        _queue(database, "collect")
        worker.wake()
        assert done.wait(20)
    finally:
        worker.stop()
    assert set(_states(database).values()) == {DONE}


def test_with_a_lease_only_jobs_started_long_ago_are_taken_back(database: Database) -> None:
    fresh, stale = _queue(database, "collect", 2)
    with database.session() as session:
        for job_id, started in ((fresh, now_iso()), (stale, "2020-01-01T00:00:00.000000Z")):
            job = session.get(Job, job_id)
            assert job is not None
            job.state, job.started_at = "running", started
    assert recover(database, older_than=600) == 1
    assert _states(database) == {fresh: "running", stale: QUEUED}

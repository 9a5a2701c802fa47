"""Background work as rows: task functions that take ids, run by a worker.

A job names a task (``kind``) and its JSON arguments (ids and plain values,
never objects), so the same task functions can later be handed to a task
queue on PostgreSQL (procrastinate) unchanged. Jobs are enqueued in the same
transaction as the data they concern: an upload and its analysis job commit
together or not at all.

Embedded and single-server mode run :class:`Worker` in a thread of the server.
Claiming is atomic on both engines (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
conditional update on SQLite), so several workers never run one job twice. A
job found ``running`` when a worker starts belonged to a process that died: it
is put back in the queue (:func:`recover`). Tasks must therefore be idempotent
and do their writes in one transaction.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from assay.core.clock import iso, now, now_iso
from assay.core.db import Database
from assay.core.orm import Base

log = logging.getLogger("assay.jobs")

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
MAX_ATTEMPTS = 3

#: A task: called with the database and the job's JSON arguments.
Task = Callable[..., None]


class Job(Base):
    __tablename__ = "job"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(64))
    args: Mapped[str] = mapped_column(Text, default="{}")
    state: Mapped[str] = mapped_column(String(16), default=QUEUED, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[str] = mapped_column(String(40))
    started_at: Mapped[str | None] = mapped_column(String(40))
    finished_at: Mapped[str | None] = mapped_column(String(40))
    error: Mapped[str | None] = mapped_column(Text)


def enqueue(session: Session, kind: str, **args: Any) -> Job:
    """Add a job in the caller's transaction."""
    job = Job(kind=kind, args=json.dumps(args, sort_keys=True), state=QUEUED, created_at=now_iso())
    session.add(job)
    session.flush()
    return job


@dataclass(frozen=True, slots=True)
class Claimed:
    id: int
    kind: str
    args: dict[str, Any]
    attempts: int


def claim(db: Database) -> Claimed | None:
    """Take the oldest queued job, or None; two workers never take the same one."""
    with db.session() as session:
        query = select(Job.id).where(Job.state == QUEUED).order_by(Job.id).limit(1)
        if not db.settings.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        job_id = session.scalars(query).first()
        if job_id is None:
            return None
        taken = session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state == QUEUED)
            .values(state=RUNNING, started_at=now_iso(), attempts=Job.attempts + 1)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None  # another worker on SQLite was faster; the caller asks again
        job = session.get(Job, job_id)
        assert job is not None
        return Claimed(job.id, job.kind, json.loads(job.args), job.attempts)


def finish(db: Database, job_id: int, error: str | None = None, *, retry: bool = False) -> None:
    state = QUEUED if retry else (FAILED if error else DONE)
    with db.session() as session:
        session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(state=state, finished_at=now_iso(), error=error)
        )


def recover(db: Database, older_than: float | None = None) -> int:
    """Queue again the jobs a dead process left running; returns how many.

    A lone server (embedded mode) takes back every running job at start. Where
    several workers share a database, ``older_than`` (seconds) takes back only
    jobs started that long ago, so a live worker's job is not run twice; tasks
    are idempotent, so a job that outlives the lease only costs repeated work.
    """
    query = update(Job).where(Job.state == RUNNING)
    if older_than is not None:
        query = query.where(Job.started_at < iso(now() - timedelta(seconds=older_than)))
    with db.session() as session:
        result = session.execute(query.values(state=QUEUED))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def run_one(db: Database, tasks: Mapping[str, Task]) -> bool:
    """Run the next queued job, if any; returns whether there was one."""
    job = claim(db)
    if job is None:
        return False
    task = tasks.get(job.kind)
    if task is None:
        finish(db, job.id, f"no task named {job.kind!r}")
        return True
    try:
        task(db, **job.args)
    except Exception as exc:
        log.exception("job %s (%s) failed", job.id, job.kind)
        message = f"{type(exc).__name__}: {exc}"
        finish(db, job.id, message, retry=job.attempts < MAX_ATTEMPTS)
        return True
    finish(db, job.id)
    return True


def drain(db: Database, tasks: Mapping[str, Task], limit: int = 10_000) -> int:
    """Run queued jobs until none is left (tests, CLI one-shot); returns how many ran."""
    count = 0
    while count < limit and run_one(db, tasks):
        count += 1
    return count


class Worker:
    """Runs queued jobs in a background thread until :meth:`stop`."""

    def __init__(
        self,
        db: Database,
        tasks: Mapping[str, Task],
        poll_seconds: float = 1.0,
        *,
        lease_seconds: float | None = None,
    ) -> None:
        self.db = db
        self.lease_seconds = lease_seconds
        self.tasks = dict(tasks)
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        recovered = recover(self.db, self.lease_seconds)
        if recovered:
            log.info("resuming %d job(s) left running by a previous process", recovered)
        self._thread = threading.Thread(target=self._loop, name="assay-worker", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Look for work now (called after enqueueing) instead of at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                busy = run_one(self.db, self.tasks)
            except Exception:
                log.exception("worker could not take a job")
                busy = False
            if not busy:
                self._wake.wait(self.poll_seconds)
                self._wake.clear()

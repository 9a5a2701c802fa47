"""Writing events: batched, idempotent upserts by natural key, on SQLite and PostgreSQL.

:func:`ingest` groups events by type into batches of :data:`BATCH` and writes
each batch with one ``INSERT ... ON CONFLICT (key) DO UPDATE ... WHERE digest
differs`` (the PostgreSQL and SQLite dialects share the syntax), after one
``SELECT`` that tells new keys from known ones. A re-sent event that is the
same is ``unchanged`` and not written at all; one that differs replaces the
stored row and its child rows (stages, jobs, commits, cases, files). The
counts are those a one-by-one ingestion in the given order would report, also
when a key repeats inside one batch. One audit entry records each call, in the
caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Select, Table, and_, bindparam, delete, func, select, tuple_
from sqlalchemy.orm import Session

from assay.core.audit import record
from assay.core.clock import now
from assay.delivery import models as m
from assay.delivery.canonical import canonical
from assay.delivery.events import (
    MAX_PATH,
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

BATCH = 1000  # events per statement; each row has at most ~15 parameters
# A batch is also written when its events' JSON passes this size: test runs with
# tens of thousands of cases must not pile up a thousand at a time in memory.
BATCH_BYTES = 16 * 1024 * 1024
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MS = timedelta(milliseconds=1)


@dataclass(frozen=True, slots=True)
class IngestResult:
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: IngestResult) -> IngestResult:
        return IngestResult(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
        )

    @property
    def total(self) -> int:
        return self.inserted + self.updated + self.unchanged


def ms(moment: datetime | None) -> int | None:
    """Milliseconds since the Unix epoch (the ``*_at`` columns), exact integer arithmetic."""
    return None if moment is None else (moment - _EPOCH) // _MS


def from_ms(value: int) -> datetime:
    return _EPOCH + value * _MS


Rows = list[tuple[Table, list[dict[str, Any]]]]


@dataclass(frozen=True, slots=True)
class _Kind:
    """How one event type maps to its table, key columns and child rows."""

    table: Table
    key: tuple[str, ...]
    row: Callable[[Any], dict[str, Any]]
    children: Callable[[Any], Rows]
    parent_column: str = ""  # the child tables' column naming the event row


def _none(_: Any) -> Rows:
    return []


def _commit_row(e: Commit) -> dict[str, Any]:
    return {
        "repo": e.repo,
        "sha": e.sha,
        "authored_at": ms(e.authored_at),
        "committed_at": ms(e.committed_at),
        "author": e.author,
        "parent_count": len(e.parents),
    }


def _commit_children(e: Commit) -> Rows:
    rows = [{"position": i, "repo": e.repo, "parent_sha": p} for i, p in enumerate(e.parents)]
    return [(m.CommitParentRow.__table__, rows)]  # type: ignore[list-item]


def _change_row(e: Change) -> dict[str, Any]:
    return {
        "repo": e.repo,
        "change_id": e.id,
        "created_at": ms(e.created_at),
        "first_review_at": ms(e.first_review_at),
        "merged_at": ms(e.merged_at),
        "closed_at": ms(e.closed_at),
        "merge_sha": e.merge_sha,
        "author": e.author,
        "target_branch": e.target_branch,
    }


def _change_children(e: Change) -> Rows:
    rows = [{"position": i, "repo": e.repo, "sha": sha} for i, sha in enumerate(e.commits)]
    return [(m.ChangeCommitRow.__table__, rows)]  # type: ignore[list-item]


def _run_row(e: PipelineRun) -> dict[str, Any]:
    return {
        "run_id": e.id,
        "repo": e.repo,
        "sha": e.sha,
        "ref": e.ref,
        "name": e.name,
        "result": e.result,
        "queued_at": ms(e.queued_at),
        "started_at": ms(e.started_at),
        "finished_at": ms(e.finished_at),
    }


def _run_children(e: PipelineRun) -> Rows:
    stages = []
    jobs = []
    for i, stage in enumerate(e.stages):
        stages.append(
            {
                "position": i,
                "name": stage.name,
                "result": stage.result,
                "started_at": ms(stage.started_at),
                "finished_at": ms(stage.finished_at),
            }
        )
        for j, job in enumerate(stage.jobs):
            jobs.append(
                {
                    "stage_position": i,
                    "position": j,
                    "name": job.name,
                    "result": job.result,
                    "allow_failure": job.allow_failure,
                    "queued_at": ms(job.queued_at),
                    "started_at": ms(job.started_at),
                    "finished_at": ms(job.finished_at),
                }
            )
    return [
        (m.PipelineStageRow.__table__, stages),  # type: ignore[list-item]
        (m.PipelineJobRow.__table__, jobs),  # type: ignore[list-item]
    ]


def _deployment_row(e: Deployment) -> dict[str, Any]:
    return {
        "deployment_id": e.id,
        "service": e.service,
        "environment": e.environment,
        "result": e.result,
        "kind": e.kind,
        "version": e.version,
        "started_at": ms(e.started_at),
        "finished_at": ms(e.finished_at),
        "pipeline_run": e.pipeline_run,
    }


def _deployment_children(e: Deployment) -> Rows:
    rows = [{"position": i, "repo": c.repo, "sha": c.sha} for i, c in enumerate(e.commits)]
    return [(m.DeploymentCommitRow.__table__, rows)]  # type: ignore[list-item]


def _incident_row(e: Incident) -> dict[str, Any]:
    return {
        "incident_id": e.id,
        "service": e.service,
        "severity": e.severity,
        "created_at": ms(e.created_at),
        "resolved_at": ms(e.resolved_at),
        "caused_by_deployment": e.caused_by_deployment,
    }


def _defect_row(e: Defect) -> dict[str, Any]:
    return {
        "defect_id": e.id,
        "service": e.service,
        "severity": e.severity,
        "found_in": e.found_in,
        "created_at": ms(e.created_at),
        "resolved_at": ms(e.resolved_at),
    }


def _test_run_row(e: TestRun) -> dict[str, Any]:
    return {
        "repo": e.repo,
        "sha": e.sha,
        "suite": e.suite,
        "run_id": e.id,
        "pipeline_run": e.pipeline_run,
        "started_at": ms(e.started_at),
        "seconds": e.seconds,
        "tests": len(e.cases),
        "passed": e.count("passed"),
        "failed": e.count("failed"),
        "errors": e.count("error"),
        "skipped": e.count("skipped"),
    }


def _test_run_children(e: TestRun) -> Rows:
    rows = [
        {
            "position": i,
            "suite": c.suite,
            "classname": c.classname,
            "name": c.name,
            "file": c.file,
            "result": c.result,
            "seconds": c.seconds,
            "error_type": c.error_type,
            "message": c.message,
        }
        for i, c in enumerate(e.cases)
    ]
    return [(m.TestCaseRow.__table__, rows)]  # type: ignore[list-item]


def _coverage_row(e: Coverage) -> dict[str, Any]:
    return {
        "repo": e.repo,
        "sha": e.sha,
        "format": e.format,
        "report_id": e.id,
        "pipeline_run": e.pipeline_run,
        "measured_at": ms(e.measured_at),
        "lines_covered": e.lines_covered,
        "lines_valid": e.lines_valid,
        "branches_covered": e.branches_covered,
        "branches_valid": e.branches_valid,
    }


def _coverage_children(e: Coverage) -> Rows:
    rows = [
        {
            "position": i,
            "path": f.path,
            "lines_covered": f.lines_covered,
            "lines_valid": f.lines_valid,
            "branches_covered": f.branches_covered,
            "branches_valid": f.branches_valid,
        }
        for i, f in enumerate(e.files)
    ]
    return [(m.CoverageFileRow.__table__, rows)]  # type: ignore[list-item]


def _t(model: Any) -> Table:
    table: Table = model.__table__
    return table


KINDS: dict[str, _Kind] = {
    "commit": _Kind(_t(m.CommitRow), ("repo", "sha"), _commit_row, _commit_children, "commit_pk"),
    "change": _Kind(
        _t(m.ChangeRow), ("repo", "change_id"), _change_row, _change_children, "change_pk"
    ),
    "pipeline_run": _Kind(_t(m.PipelineRunRow), ("run_id",), _run_row, _run_children, "run_pk"),
    "deployment": _Kind(
        _t(m.DeploymentRow),
        ("deployment_id",),
        _deployment_row,
        _deployment_children,
        "deployment_pk",
    ),
    "incident": _Kind(_t(m.IncidentRow), ("incident_id",), _incident_row, _none),
    "defect": _Kind(_t(m.DefectRow), ("defect_id",), _defect_row, _none),
    "test_run": _Kind(
        _t(m.TestRunRow),
        ("repo", "sha", "suite", "run_id"),
        _test_run_row,
        _test_run_children,
        "run_pk",
    ),
    "coverage": _Kind(
        _t(m.CoverageRow),
        ("repo", "sha", "format", "report_id"),
        _coverage_row,
        _coverage_children,
        "coverage_pk",
    ),
}


@dataclass(slots=True)
class _Pending:
    """The latest version of one key in a batch, and every digest it arrived with."""

    event: Event
    text: str
    digests: list[str]


def ingest(
    session: Session,
    events: Iterable[Event],
    *,
    source: str = "",
    actor: str = "cli",
    batch: int = BATCH,
    progress: Callable[[int], None] | None = None,
) -> IngestResult:
    """Write ``events`` (any mix of types, any order) in the caller's transaction."""
    source = source[:MAX_PATH]
    received = ms(now()) or 0
    pending: dict[str, dict[tuple[str, ...], _Pending]] = {kind: {} for kind in KINDS}
    size = dict.fromkeys(KINDS, 0)
    result = IngestResult()
    seen = 0
    for event in events:
        text, digest = canonical(event)
        bucket = pending[event.TYPE]
        size[event.TYPE] += len(text)
        entry = bucket.get(event.key)
        if entry is None:
            bucket[event.key] = _Pending(event, text, [digest])
        else:
            entry.event, entry.text = event, text
            entry.digests.append(digest)
        seen += 1
        if len(bucket) >= batch or size[event.TYPE] >= BATCH_BYTES:
            result += _flush(session, KINDS[event.TYPE], bucket, received, source)
            bucket.clear()
            size[event.TYPE] = 0
        if progress is not None and seen % batch == 0:
            progress(seen)
    for kind, bucket in pending.items():
        if bucket:
            result += _flush(session, KINDS[kind], bucket, received, source)
    if progress is not None:
        progress(seen)
    record(
        session,
        actor,
        "events.ingest",
        "delivery_events",
        source,
        inserted=result.inserted,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    return result


def _stored(
    session: Session, kind: _Kind, keys: list[tuple[str, ...]]
) -> dict[tuple[str, ...], str]:
    """The stored digest of each of ``keys`` that exists."""
    table = kind.table
    cols = [table.c[name] for name in kind.key]
    query = select(*cols, table.c.digest)
    if _postgres(session):
        found = _arrays(table, kind.key, [dict(zip(kind.key, k, strict=True)) for k in keys])
        wanted = found.subquery()
        query = query.join(wanted, and_(*(table.c[n] == wanted.c[n] for n in kind.key)))
    elif len(cols) == 1:
        query = query.where(cols[0].in_([k[0] for k in keys]))
    else:
        query = query.where(tuple_(*cols).in_(keys))
    return {tuple(row[:-1]): row[-1] for row in session.execute(query)}


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _arrays(table: Table, names: Sequence[str], rows: list[dict[str, Any]]) -> Select[Any]:
    """PostgreSQL: ``SELECT unnest(:a) AS a, unnest(:b) AS b ...``, one array per column.

    A whole batch is then one statement with one parameter per column; thousands of
    separate placeholders cost psycopg more time to parse than the server to run.
    """
    from sqlalchemy.dialects.postgresql import ARRAY

    return select(
        *(
            func.unnest(
                bindparam(f"v_{n}", [r[n] for r in rows], type_=ARRAY(table.c[n].type))
            ).label(n)
            for n in names
        )
    )


def _flush(
    session: Session,
    kind: _Kind,
    bucket: dict[tuple[str, ...], _Pending],
    received: int,
    source: str,
) -> IngestResult:
    stored = _stored(session, kind, list(bucket))
    inserted = updated = unchanged = 0
    rows: list[dict[str, Any]] = []
    events: dict[tuple[str, ...], Event] = {}
    for key, entry in bucket.items():
        previous = stored.get(key)
        for digest in entry.digests:
            if previous is None:
                inserted += 1
            elif previous == digest:
                unchanged += 1
            else:
                updated += 1
            previous = digest
        if entry.digests[-1] == stored.get(key):
            continue
        row = kind.row(entry.event)
        row.update(digest=entry.digests[-1], received_at=received, source=source, data=entry.text)
        rows.append(row)
        events[key] = entry.event
    if rows:
        _upsert(session, kind, rows, events)
    return IngestResult(inserted, updated, unchanged)


def _insert(session: Session, table: Table, rows: list[dict[str, Any]]) -> Any:
    """The dialect's INSERT of ``rows`` (it has ``on_conflict_do_update`` on both engines)
    and the parameters to execute it with."""
    if _postgres(session):
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        names = list(rows[0])
        return pg_insert(table).from_select(names, _arrays(table, names, rows)), None
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(table), rows


def _upsert(
    session: Session, kind: _Kind, rows: list[dict[str, Any]], events: dict[tuple[str, ...], Event]
) -> None:
    table = kind.table
    stmt, params = _insert(session, table, rows)
    changing = [c for c in rows[0] if c not in kind.key]
    upsert = stmt.on_conflict_do_update(
        index_elements=[table.c[name] for name in kind.key],
        set_={name: stmt.excluded[name] for name in changing},
        where=table.c.digest != stmt.excluded.digest,
    ).returning(table.c.pk, *(table.c[name] for name in kind.key))
    written = {tuple(row[1:]): row[0] for row in session.execute(upsert, params)}
    if not kind.parent_column or not written:
        return
    pks = list(written.values())
    children: dict[Table, list[dict[str, Any]]] = {}
    for key, pk in written.items():
        for child, child_rows in kind.children(events[key]):
            bucket = children.setdefault(child, [])
            bucket.extend({kind.parent_column: pk, **r} for r in child_rows)
    for child in children:
        session.execute(delete(child).where(child.c[kind.parent_column].in_(pks)))
    for child, child_rows in children.items():
        if child_rows:
            insert, params = _insert(session, child, child_rows)
            session.execute(insert, params)

"""Small helpers the quality and flow metrics share: the window in epoch ms, statistics, ISO times.

Percentiles are :func:`assay.delivery.metrics.stats.quantile` (linear
interpolation, numpy's "linear" method), as docs/metrics.md decides for every
metric; a single value is its own median and p90.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    bindparam,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import QueryableAttribute, Session, aliased

from assay.delivery import models as m
from assay.delivery.metrics.model import Selection
from assay.delivery.store import from_ms, ms

Column = ColumnElement[Any] | QueryableAttribute[Any]

MINUTE = 60_000
DAY = 86_400_000
WEEK = 7 * DAY


def window_ms(selection: Selection) -> tuple[int, int]:
    """The selection's half-open window ``[since, until)`` as epoch milliseconds."""
    return ms(selection.since) or 0, ms(selection.until) or 0


def within(column: Column, selection: Selection) -> ColumnElement[bool]:
    since, until = window_ms(selection)
    return (column >= since) & (column < until)


def among(column: Column, values: Sequence[str]) -> ColumnElement[bool]:
    """``column IN values``; an empty list selects nothing (no service, no repo)."""
    return column.in_(list(values)) if values else false()


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def cv(values: Sequence[float]) -> float | None:
    """Coefficient of variation (sample stdev / mean); None for < 2 samples or a zero mean."""
    if len(values) < 2:
        return None
    average = sum(values) / len(values)
    if average == 0:
        return None
    return statistics.stdev(values) / average


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def iso(value: int | None) -> str | None:
    """Epoch ms -> ``2026-03-29T10:09:00Z`` (milliseconds kept when present)."""
    if value is None:
        return None
    moment = from_ms(value)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


def day(value: int) -> str:
    """The UTC date of an epoch-ms time, ``YYYY-MM-DD``."""
    return from_ms(value - value % DAY).date().isoformat()


def window_json(selection: Selection) -> dict[str, str | None]:
    since, until = window_ms(selection)
    return {"since": iso(since), "until": iso(until)}


def buckets(selection: Selection, size: int = WEEK) -> list[tuple[int, int]]:
    """Consecutive ``[start, end)`` buckets of ``size`` ms from ``since``, the last one clipped."""
    since, until = window_ms(selection)
    out: list[tuple[int, int]] = []
    start = since
    while start < until:
        out.append((start, min(start + size, until)))
        start += size
    return out


def rounded(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def test_run_time(run: Any = m.TestRunRow, pipeline: Any = m.PipelineRunRow) -> ColumnElement[int]:
    """When a test run counts: its started_at, else its pipeline run's finished_at, else
    when it was received (docs/metrics-quality.md); ``run`` and ``pipeline`` may be aliases."""
    return func.coalesce(run.started_at, pipeline.finished_at, run.received_at)


def of_selected_runs(
    *columns: Any, selection: Selection, cases: bool = False
) -> Select[*tuple[Any, ...]]:
    """``SELECT columns`` over the selected repositories' test runs in the window (and their
    cases with ``cases``): plain joins, no subquery, so the database can use the test runs'
    (repo, sha) index for any further filter on them."""
    run, pipeline = m.TestRunRow, m.PipelineRunRow
    query = select(*columns)
    if cases:
        query = query.select_from(m.TestCaseRow).join(run, run.pk == m.TestCaseRow.run_pk)
    else:
        query = query.select_from(run)
    return query.outerjoin(pipeline, pipeline.run_id == run.pipeline_run).where(
        among(run.repo, selection.repos), within(test_run_time(), selection)
    )


def rows(session: Session, query: Select[*tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Every row of a Core select, as plain tuples, in the session's transaction.

    The reports fetch up to a few million narrow rows; SQLAlchemy's Row objects cost
    about as much again as the driver's own ``fetchall`` (measured: 640,000 stage rows,
    2.1 s against 0.85 s on SQLite). So the statement is compiled by SQLAlchemy (the
    dialect's SQL and placeholders, IN lists expanded) and run on the driver's cursor.
    Parameters here are only strings, integers and lists of strings (PostgreSQL arrays,
    :func:`keys_in`), which need no bind processing.
    """
    connection = session.connection()
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params: Any = compiled.params
    if compiled.positional:
        params = [params[name] for name in compiled.positiontup or ()]
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def test_runs(session: Session, selection: Selection) -> list[tuple[Any, ...]]:
    """The selected services' test runs in the window, for --explain (counters, no cases)."""
    run = m.TestRunRow
    return rows(
        session,
        of_selected_runs(
            run.repo,
            run.sha,
            run.suite,
            run.run_id,
            test_run_time(),
            run.passed,
            run.failed,
            run.errors,
            run.skipped,
            selection=selection,
        ),
    )


def test_totals(session: Session, selection: Selection) -> tuple[int, int, int, int]:
    """(runs, cases, passed, failed + errors) of the selected test runs, summed by the database."""
    run = m.TestRunRow
    ((runs, cases, passed, failed),) = rows(
        session,
        of_selected_runs(
            func.count(),
            func.sum(run.tests),
            func.sum(run.passed),
            func.sum(run.failed + run.errors),
            selection=selection,
        ),
    )
    return int(runs or 0), int(cases or 0), int(passed or 0), int(failed or 0)


class FailedCase(NamedTuple):
    """A failed or errored test case with its test run's key fields."""

    pk: int  # the test run
    repo: str
    sha: str
    suite: str
    run_seconds: float | None
    at: int  # the test run's time (docs/metrics-quality.md)
    classname: str
    name: str
    case_seconds: float | None
    error_type: str
    message: str
    flaky: bool  # the same test also passed on the same commit in a selected test run


def _passed_too(selection: Selection) -> ColumnElement[bool]:
    """SQL, for a failed case of :func:`of_selected_runs`: whether the same test (the run's
    repo and suite, the case's classname and name) passed on the same commit in a selected
    test run. A correlated EXISTS: per failure, a seek on the test runs' (repo, sha, suite,
    run_id) index and on the cases' primary key, so passed cases are never scanned or grouped."""
    run, case = m.TestRunRow, m.TestCaseRow
    other_run = aliased(m.TestRunRow)
    other_case = aliased(m.TestCaseRow)
    other_pipeline = aliased(m.PipelineRunRow)
    return exists(
        select(literal(1))
        .select_from(other_case)
        .join(other_run, other_run.pk == other_case.run_pk)
        .outerjoin(other_pipeline, other_pipeline.run_id == other_run.pipeline_run)
        .where(
            other_run.repo == run.repo,
            other_run.sha == run.sha,
            other_run.suite == run.suite,
            other_case.classname == case.classname,
            other_case.name == case.name,
            other_case.result == "passed",
            within(test_run_time(other_run, other_pipeline), selection),
        )
    )


def failing_cases(session: Session, selection: Selection) -> list[FailedCase]:
    """Every failed or errored case of the selected test runs with its run's key fields and
    whether it is flaky there (:class:`FailedCase`), in one query. Failures are few; passed
    cases are aggregated or probed by index, never fetched one by one."""
    run, case = m.TestRunRow, m.TestCaseRow
    query = of_selected_runs(
        run.pk,
        run.repo,
        run.sha,
        run.suite,
        run.seconds.label("run_seconds"),
        test_run_time().label("at"),
        case.classname,
        case.name,
        case.seconds.label("case_seconds"),
        case.error_type,
        case.message,
        _passed_too(selection).label("flaky"),
        selection=selection,
        cases=True,
    ).where(case.result.in_(("failed", "error")))
    return [FailedCase._make((*row[:-1], bool(row[-1]))) for row in rows(session, query)]


def keys_in(
    session: Session, columns: Sequence[Column], keys: Iterable[tuple[str, ...]]
) -> ColumnElement[bool]:
    """SQL: ``(columns) IN keys`` for any number of string tuples, as one parameter per column
    (PostgreSQL: a semi-join on ``unnest`` of arrays, hashed) or one JSON parameter (SQLite:
    ``json_each``, made into an index once per statement), never thousands of placeholders
    or a chain of ORs."""
    keys = list(keys)
    if not keys:
        return false()
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import ARRAY

        arrays = [
            func.unnest(bindparam(f"keys_{i}", list(values), type_=ARRAY(String), unique=True))
            for i, values in enumerate(zip(*keys, strict=True))
        ]
        return tuple_(*columns).in_(select(*arrays))
    table = func.json_each(
        bindparam("keys", json.dumps(keys), type_=String, unique=True)
    ).table_valued("value")
    parts = [func.json_extract(table.c.value, f"$[{i}]") for i in range(len(columns))]
    return tuple_(*columns).in_(select(*parts).select_from(table))


def by_repo(pairs: Iterable[tuple[str, str]], size: int = 500) -> Iterator[tuple[str, list[str]]]:
    """``(repo, shas)`` chunks of at most ``size`` shas for ``repo = :r AND sha IN (...)``
    lookups, which both engines answer by index seeks (a ``(repo, sha) IN (VALUES ...)``
    is a scan on SQLite)."""
    shas: dict[str, set[str]] = {}
    for repo, sha in pairs:
        shas.setdefault(repo, set()).add(sha)
    for repo in sorted(shas):
        ordered = sorted(shas[repo])
        for start in range(0, len(ordered), size):
            yield repo, ordered[start : start + size]


def pair_groups(
    pairs: Iterable[tuple[str, str]], size: int = 500
) -> Iterator[list[tuple[str, list[str]]]]:
    """:func:`by_repo` chunks put together into groups of at most ``size`` shas, one query
    each: ``(repo = :a AND sha IN (...)) OR (repo = :b AND sha IN (...)) ...``."""
    group: list[tuple[str, list[str]]] = []
    count = 0
    for repo, shas in by_repo(pairs, size):
        if group and count + len(shas) > size:
            yield group
            group, count = [], 0
        group.append((repo, shas))
        count += len(shas)
    if group:
        yield group


def matching(repo: Column, sha: Column, group: list[tuple[str, list[str]]]) -> ColumnElement[bool]:
    """SQL: the rows whose (repo, sha) is in ``group`` (from :func:`pair_groups`); each term
    is an index seek on (repo, sha)."""
    return or_(*(and_(repo == name, sha.in_(shas)) for name, shas in group))

"""Fold a webhook's events into what earlier deliveries recorded for the same key.

The store replaces an event by its natural key, which is right for a re-sent
delivery but loses facts that only some deliveries carry, and lets a late
delivery undo a newer one. So, before storing:

* a change keeps its earliest review and merge times and every head commit
  seen; a commit imported with its parents is not replaced by a parentless one;
* a delivery older than what is stored (``as_of``, the platform's
  ``updated_at`` of the issue or pull/merge request, is earlier than the
  latest moment the stored event is known to describe) never replaces the
  stored state: an ``issues labeled`` delivery sent before the issue was
  closed does not clear ``resolved_at``. The event model has no ``updated_at``
  field, so "what is stored" is dated by its own times: ``resolved_at`` of an
  incident, ``closed_at``/``merged_at`` of a change (each is at or before the
  ``updated_at`` of the delivery that carried it), and a delivery that says
  "open" clears a stored close only when its ``updated_at`` is later than that
  close (a reopen);
* a pipeline run gathers stages and jobs from several deliveries (GitHub sends
  one ``workflow_job`` delivery per job, ``partial``): a run delivery never
  drops stages or jobs, a job delivery never changes the fields of a run that
  is known (``finished_at`` set), and before the run arrives its placeholder's
  result is the result of the jobs seen so far. Of two deliveries of one job,
  the one that finished later wins; a run delivery that finished earlier than
  the stored run (a stale re-delivery) is ignored.

Folding is idempotent: a re-sent delivery folds to the stored event itself,
which the store then counts as unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from assay.delivery.codec import decode
from assay.delivery.events import Change, Commit, Event, Incident, Job, PipelineRun, Stage
from assay.delivery.models import ChangeRow, CommitRow, IncidentRow, PipelineRunRow


def _earliest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return min(known) if known else None


def _latest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def _before(moment: datetime | None, other: datetime | None) -> bool:
    return moment is not None and other is not None and moment < other


def _stale(
    as_of: datetime | None, known: datetime, closed: datetime | None, new_open: bool
) -> bool:
    """Whether a delivery of ``as_of`` is older than a stored state known as of ``known``.

    A delivery that says "open" undoes a stored close at ``closed`` only when it is
    later than the close (at the same second, the close is taken as the newer).
    """
    if as_of is None:  # the payload did not say: deliveries are taken in arrival order
        return False
    if as_of < known:
        return True
    return closed is not None and new_open and as_of <= closed


def fold_change(new: Change, old: Change, as_of: datetime | None = None) -> Change:
    """``new`` with what ``old`` knew and ``new`` does not; ``old``'s state if ``new`` is older."""
    known = _latest(old.created_at, old.merged_at, old.closed_at) or old.created_at
    new_open = new.merged_at is None and new.closed_at is None
    stale = _stale(as_of, known, old.closed_at, new_open)
    current, other = (old, new) if stale else (new, old)
    merged_at = _earliest(old.merged_at, new.merged_at)
    commits = old.commits + tuple(c for c in new.commits if c not in old.commits)
    return replace(
        current,
        created_at=min(old.created_at, new.created_at),
        author=current.author or other.author,
        first_review_at=_earliest(old.first_review_at, new.first_review_at),
        merged_at=merged_at,
        closed_at=None if merged_at else current.closed_at,
        merge_sha=new.merge_sha or old.merge_sha,
        commits=commits,
        target_branch=current.target_branch or other.target_branch,
        title=current.title or other.title,
        url=current.url or other.url,
    )


def fold_incident(new: Incident, old: Incident, as_of: datetime | None = None) -> Incident:
    """``old`` when ``new`` is an older delivery; else ``new`` keeping a deployment link."""
    known = _latest(old.created_at, old.resolved_at) or old.created_at
    if _stale(as_of, known, old.resolved_at, new.resolved_at is None):
        return old
    return replace(new, caused_by_deployment=new.caused_by_deployment or old.caused_by_deployment)


def fold_commit(new: Commit, old: Commit) -> Commit:
    """A commit known with its parents (from git history) wins over a parentless push."""
    if old.parents and not new.parents:
        return old
    return new


def stage_result(jobs: Sequence[Job]) -> str:
    """A stage's result from its jobs: it fails only through a job that may not fail."""
    counted = [j for j in jobs if not (j.allow_failure and j.result == "failure")]
    results = {j.result for j in counted}
    if "failure" in results:
        return "failure"
    if "cancelled" in results:
        return "cancelled"
    if results and results <= {"skipped"}:
        return "skipped"
    return "success"


def _run_result(stages: Sequence[Stage]) -> str:
    results = {s.result for s in stages}
    for result in ("failure", "cancelled", "success"):
        if result in results:
            return result
    return "skipped" if results else "success"


def _newer_job(new: Job, old: Job) -> Job:
    if old.finished_at is not None and (
        new.finished_at is None or new.finished_at < old.finished_at
    ):
        return old
    return new


def _merge_stage(new: Stage, old: Stage) -> Stage:
    jobs = {job.name: job for job in old.jobs}
    for job in new.jobs:
        jobs[job.name] = _newer_job(job, jobs[job.name]) if job.name in jobs else job
    merged = tuple(jobs.values())
    if set(merged) == set(new.jobs):
        return new
    if set(merged) == set(old.jobs):
        return old
    return Stage(
        name=new.name,
        result=stage_result(merged),
        started_at=_earliest(*(j.started_at for j in merged)),
        finished_at=_latest(*(j.finished_at for j in merged)),
        jobs=tuple(sorted(merged, key=lambda j: (j.started_at is None, j.started_at, j.name))),
    )


def merge_stages(
    new: Sequence[Stage], old: Sequence[Stage], *, by_start: bool
) -> tuple[Stage, ...]:
    """Every stage of ``old`` and ``new``; a job in both: the one that finished later.

    Stages keep ``new``'s order (a GitLab pipeline's stage order), then ``old``'s;
    with ``by_start`` (stages built from single jobs) they are ordered by start.
    """
    first, then = (new, old) if new else (old, new)
    order = [s.name for s in first] + [
        s.name for s in then if s.name not in {x.name for x in first}
    ]
    old_by, new_by = {s.name: s for s in old}, {s.name: s for s in new}
    merged = []
    for name in order:
        if name in new_by and name in old_by:
            merged.append(_merge_stage(new_by[name], old_by[name]))
        else:
            merged.append(new_by.get(name) or old_by[name])
    if by_start:
        merged.sort(key=lambda s: (s.started_at is None, s.started_at, s.name))
    return tuple(merged)


def fold_run(new: PipelineRun, old: PipelineRun, *, partial: bool = False) -> PipelineRun:
    """``new`` (a run, or with ``partial`` a placeholder carrying one job) folded into ``old``."""
    if partial:
        stages = merge_stages(new.stages, old.stages, by_start=True)
        if old.finished_at is not None:  # the run is known: only its stages grow
            return replace(old, stages=stages)
        queued = _earliest(old.queued_at, new.queued_at)
        started = _earliest(old.started_at, new.started_at)
        return replace(
            new,
            ref=new.ref if new.ref != "HEAD" else old.ref,
            result=_run_result(stages),
            queued_at=_earliest(queued, started),
            started_at=started,
            stages=stages,
            name=new.name or old.name,
            url=new.url or old.url,
        )
    if _before(new.finished_at, old.finished_at):  # a late re-delivery of an earlier state
        return old
    return replace(new, stages=merge_stages(new.stages, old.stages, by_start=not new.stages))


def _stored(session: Session, query: Select[Any]) -> Event | None:
    data: str | None = session.scalar(query)
    return decode(json.loads(data)) if data else None


def stored_event(session: Session, event: Event) -> Event | None:
    """The stored event with ``event``'s key, for the types folding reads; else None."""
    if isinstance(event, Change):
        return _stored(session, select(ChangeRow.data).where(
            ChangeRow.repo == event.repo, ChangeRow.change_id == event.id))  # fmt: skip
    if isinstance(event, Commit):
        return _stored(session, select(CommitRow.data).where(
            CommitRow.repo == event.repo, CommitRow.sha == event.sha))  # fmt: skip
    if isinstance(event, Incident):
        return _stored(session, select(IncidentRow.data).where(
            IncidentRow.incident_id == event.id))  # fmt: skip
    if isinstance(event, PipelineRun):
        return _stored(session, select(PipelineRunRow.data).where(
            PipelineRunRow.run_id == event.id))  # fmt: skip
    return None


def fold(
    session: Session,
    events: Iterable[Event],
    *,
    as_of: datetime | None = None,
    partial: bool = False,
) -> list[Event]:
    """``events`` each folded into its stored version, if any.

    ``as_of`` is the platform's ``updated_at`` of the object the delivery describes
    (None: unknown, arrival order decides); ``partial`` says the pipeline runs carry
    only some of their jobs (a GitHub ``workflow_job`` delivery).
    """
    out: list[Event] = []
    for event in events:
        old = stored_event(session, event)
        if isinstance(event, Change) and isinstance(old, Change):
            event = fold_change(event, old, as_of)
        elif isinstance(event, Commit) and isinstance(old, Commit):
            event = fold_commit(event, old)
        elif isinstance(event, Incident) and isinstance(old, Incident):
            event = fold_incident(event, old, as_of)
        elif isinstance(event, PipelineRun) and isinstance(old, PipelineRun):
            event = fold_run(event, old, partial=partial)
        out.append(event)
    return out

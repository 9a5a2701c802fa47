"""Broken default branches: when each broke, which run, commit, change and author, when fixed.

docs/metrics-quality.md: the pipeline runs on a repository's default branches
(ref ``main`` or ``refs/heads/main``, one branch, for each of its services'
``default_branches``), per repository and branch in order of (started_at,
finished_at). A failed run after a success (or a failed first run) opens a
break at that run: its commit, the change whose merge_sha is that commit (else
a change listing it among its commits), the commit's author (else the
change's). The next successful run closes it (``fixed_at``, its finished_at).
Cancelled and skipped runs neither open nor close a break.

A break is reported when it is open at some time in the window; one that
opened before the window is found by reading back to the last success before
it (three queries, plus three per 500 breaks to name changes and authors).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assay.delivery import models as m
from assay.delivery.metrics._sql import among, iso, matching, pair_groups, rows, window_ms
from assay.delivery.metrics.model import Selection

CHUNK = 500  # (repo, sha) pairs per IN list


class BranchRun(NamedTuple):
    """One run on a default branch (a named tuple: there is one per run, built in bulk)."""

    repo: str
    ref: str  # the branch name, refs/heads/ removed
    run_id: str
    sha: str
    result: str
    started_at: int | None
    finished_at: int  # epoch ms

    @property
    def order(self) -> tuple[int, int, str]:
        start = self.started_at if self.started_at is not None else self.finished_at
        return (start, self.finished_at, self.run_id)


@dataclass(frozen=True, slots=True)
class Break:
    repo: str
    ref: str
    broken_at: int  # the first failing run's finished_at
    first_failing_run: str
    first_failing_sha: str
    failed_runs: int
    fixed_at: int | None = None
    change: str | None = None
    author: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "ref": self.ref,
            "broken_at": iso(self.broken_at),
            "first_failing_run": self.first_failing_run,
            "first_failing_sha": self.first_failing_sha,
            "change": self.change,
            "author": self.author or None,
            "failed_runs": self.failed_runs,
            "fixed_at": iso(self.fixed_at),
        }


def _order(run: BranchRun) -> tuple[int, int, str]:
    return run.order


def breaks(runs: Iterable[BranchRun]) -> list[Break]:
    """Every break in ``runs`` (any order, any repos and refs), by broken_at then repo."""
    by_branch: dict[tuple[str, str], list[BranchRun]] = {}
    for run in runs:
        branch = by_branch.get((run.repo, run.ref))
        if branch is None:
            branch = by_branch[(run.repo, run.ref)] = []
        branch.append(run)
    out: list[Break] = []
    for (repo, ref), branch_runs in by_branch.items():
        branch_runs.sort(key=_order)
        opened: BranchRun | None = None
        failed = 0
        for run in branch_runs:
            if run.result == "failure":
                if opened is None:
                    opened, failed = run, 0
                failed += 1
            elif run.result == "success" and opened is not None:
                out.append(
                    Break(
                        repo, ref, opened.finished_at, opened.run_id, opened.sha, failed,
                        fixed_at=run.finished_at,
                    )
                )  # fmt: skip
                opened = None
        if opened is not None:
            out.append(Break(repo, ref, opened.finished_at, opened.run_id, opened.sha, failed))
    out.sort(key=lambda b: (b.broken_at, b.repo, b.ref))
    return out


def overlapping(found: Iterable[Break], since: int, until: int) -> list[Break]:
    """The breaks open at some time in ``[since, until)``."""
    return [b for b in found if b.broken_at < until and (b.fixed_at is None or b.fixed_at >= since)]


def _refs(selection: Selection) -> dict[str, set[str]]:
    """Each selected repository's default-branch refs, both spellings."""
    out: dict[str, set[str]] = {}
    for service in selection.services:
        for repo in service.repos:
            refs = out.setdefault(repo, set())
            for branch in service.default_branches:
                refs.update((branch, f"refs/heads/{branch}"))
    return out


def branch_runs(session: Session, selection: Selection) -> list[BranchRun]:
    """Default-branch runs finished before the window's end, from the last success before the
    window of every branch that was broken when the window began (else from its start)."""
    refs = _refs(selection)
    if not refs:
        return []
    since, until = window_ms(selection)
    run = m.PipelineRunRow
    all_refs = sorted({r for rs in refs.values() for r in rs})
    on_branches = (among(run.repo, sorted(refs)), among(run.ref, all_refs))
    before = (run.finished_at < since, run.result.in_(("success", "failure")))
    last: dict[tuple[str, str], int] = {}
    last_success: dict[tuple[str, str], int] = {}
    for repo, ref, result, at in rows(
        session,
        select(run.repo, run.ref, run.result, func.max(run.finished_at))
        .where(*on_branches, *before)
        .group_by(run.repo, run.ref, run.result),
    ):
        if ref not in refs.get(repo, ()) or at is None:
            continue
        key = (repo, ref.removeprefix("refs/heads/"))
        last[key] = max(last.get(key, at), at)
        if result == "success":
            last_success[key] = max(last_success.get(key, at), at)
    broken = [key for key, at in last.items() if last_success.get(key) != at]
    start: int | None = since
    for key in broken:
        success = last_success.get(key)
        start = None if success is None or start is None else min(start, success)
    query = select(
        run.repo, run.ref, run.run_id, run.sha, run.result, run.started_at, run.finished_at
    ).where(*on_branches, run.finished_at < until, run.result.in_(("success", "failure")))
    if start is not None:
        query = query.where(run.finished_at >= start)
    branch = {
        (repo, ref): ref.removeprefix("refs/heads/")
        for repo, refs_ in refs.items()
        for ref in refs_
    }
    out: list[BranchRun] = []
    for repo, ref, run_id, sha, result, started, finished in rows(session, query):
        name = branch.get((repo, ref))
        if name is not None and finished is not None:
            out.append(BranchRun(repo, name, run_id, sha, result, started, finished))
    return out


def attribute(session: Session, found: list[Break]) -> list[Break]:
    """``found`` with each break's change and author filled in: three queries per
    :data:`CHUNK` breaks, each by (repo, sha) through that table's index."""
    pairs = {(b.repo, b.first_failing_sha) for b in found}
    change, link, commit = m.ChangeRow, m.ChangeCommitRow, m.CommitRow
    merged: dict[tuple[str, str], tuple[str, str]] = {}
    listed: dict[tuple[str, str], tuple[str, str]] = {}
    authors: dict[tuple[str, str], str] = {}
    for group in pair_groups(pairs, CHUNK):
        for repo, sha, change_id, author in rows(
            session,
            select(change.repo, change.merge_sha, change.change_id, change.author)
            .where(matching(change.repo, change.merge_sha, group))
            .order_by(change.change_id),
        ):
            merged.setdefault((repo, sha), (change_id, author))
        for repo, sha, change_id, author in rows(
            session,
            select(link.repo, link.sha, change.change_id, change.author)
            .join(change, change.pk == link.change_pk)
            .where(matching(link.repo, link.sha, group))
            .order_by(change.change_id),
        ):
            listed.setdefault((repo, sha), (change_id, author))
        for repo, sha, author in rows(
            session,
            select(commit.repo, commit.sha, commit.author).where(
                matching(commit.repo, commit.sha, group)
            ),
        ):
            authors[(repo, sha)] = author
    out: list[Break] = []
    for b in found:
        key = (b.repo, b.first_failing_sha)
        named = merged.get(key) or listed.get(key)
        change_author = named[1] if named else ""
        out.append(
            replace(b, change=named[0] if named else None, author=authors.get(key) or change_author)
        )
    return out


def broken_branches(session: Session, selection: Selection) -> list[Break]:
    """The selected repositories' default-branch breaks open in the window, attributed."""
    since, until = window_ms(selection)
    return attribute(session, overlapping(breaks(branch_runs(session, selection)), since, until))

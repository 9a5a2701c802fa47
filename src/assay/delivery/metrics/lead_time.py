"""Lead time for changes: first commit to the first production deployment that contains it.

The rules (docs/metrics.md, "Contains / lead time"):

* Deployment D of service S *contains* commit C of repo R when C is one of D's
  commits, or an ancestor of one (via commit parents) that no earlier
  production deployment of S contained. The walk is breadth-first, first parent
  first, stops at commits an earlier deployment of S contained and after 10,000
  commits per deployment. S's first production deployment (the earliest one
  with commits) walks and marks its ancestors contained like any other, so later
  walks stop there, but only its listed commits (and the changes they deploy)
  get lead times: it does not link all of history, and a later merge whose
  second parent reaches old history stops where the first deployment did.
* A merged change is deployed by the first deployment that contains its
  merge_sha (else its last commit). Its first commit time is the earliest
  authored_at of its commits known as commit events (squash merges keep them),
  else its created_at. A contained commit that belongs to no change gets its own
  lead time from its authored_at; a change's merge_sha is measured only through
  the change.
* Phases: coding (first commit -> created), pickup (-> first review), review
  (-> merged), merge (-> the first pipeline run on the merge sha queued, else
  started), pipeline (-> that run finished), deploy_wait (run finished, else
  merged -> deployed). Unknown boundaries give None; clock skew gives 0.

All commits, parents and changes of the deployments' repositories are read with
a handful of column selects and walked in memory, per service.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from assay.delivery.metrics._sql import rows
from assay.delivery.metrics.deployments import Deploy, Deploys, production_deployments
from assay.delivery.metrics.model import PHASES, LeadTime, Selection
from assay.delivery.metrics.stats import hours
from assay.delivery.models import (
    ChangeCommitRow,
    ChangeRow,
    CommitParentRow,
    CommitRow,
    PipelineRunRow,
)
from assay.delivery.store import from_ms, ms

WALK_LIMIT = 10_000  # commits one deployment may newly contain through ancestry


def lead_times(session: Session, selection: Selection) -> list[LeadTime]:
    """Every change or commit whose first production deployment finished in the window."""
    since, until = ms(selection.since) or 0, ms(selection.until) or 0
    deploys = production_deployments(session, selection.services, until_ms=until)
    return measure(session, deploys, since, until)


@dataclass(frozen=True, slots=True)
class _Change:
    repo: str
    id: str
    created_at: int
    first_review_at: int | None
    merged_at: int
    merge_sha: str | None
    commits: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Run:
    queued_or_started: int | None
    finished_at: int | None


@dataclass(slots=True)
class _History:
    """What the walk and the phases need of the deployments' repositories."""

    authored: dict[str, dict[str, int]]  # repo -> sha -> authored_at
    parents: dict[str, dict[str, list[str]]]  # repo -> sha -> parent shas, first parent first
    deployed_by: dict[tuple[str, str], list[_Change]]  # (repo, merge_sha or last commit)
    in_change: set[tuple[str, str]]  # commits listed by a change or a change's merge_sha
    first_run: dict[tuple[str, str], _Run]  # (repo, merge sha) -> its first pipeline run


def measure(session: Session, deploys: Deploys, since_ms: int, until_ms: int) -> list[LeadTime]:
    """Lead times of the deployments in ``deploys`` (all of each service's history before
    ``until_ms``) that finished in [since_ms, until_ms), ordered by deployed_at."""
    history = _history(
        session, {repo for ds in deploys.values() for d in ds for repo, _ in d.commits}
    )
    out: list[LeadTime] = []
    for service_deploys in deploys.values():
        contained: dict[str, set[str]] = defaultdict(set)
        first = True  # until a deployment with commits has been seen
        for deploy in service_deploys:
            if deploy.finished_at >= until_ms:
                break
            new = _contain(deploy, contained, history.parents, first=first)
            first = first and not deploy.commits
            if deploy.finished_at >= since_ms:
                out.extend(_measured(deploy, new, history))
    out.sort(key=lambda t: (t.deployed_at, t.service, t.deployment, t.repo, t.change or "", t.sha))
    return out


def _contain(
    deploy: Deploy,
    contained: dict[str, set[str]],
    parents: dict[str, dict[str, list[str]]],
    *,
    first: bool,
) -> list[tuple[str, str]]:
    """The commits ``deploy`` contains that no earlier deployment did, to be measured; marks
    them contained. The ``first`` deployment (of its service, with commits) marks its
    ancestors contained too, so later walks stop there, but returns only its listed commits."""
    listed: list[tuple[str, str]] = []
    for repo, sha in deploy.commits:
        if sha not in contained[repo]:
            contained[repo].add(sha)
            listed.append((repo, sha))
    ancestors = _walk(listed, contained, parents)
    return listed if first else listed + ancestors


def _walk(
    start: list[tuple[str, str]],
    contained: dict[str, set[str]],
    parents: dict[str, dict[str, list[str]]],
) -> list[tuple[str, str]]:
    """Ancestors of ``start`` not yet contained, breadth-first, first parent first, at most
    WALK_LIMIT of them; marks them contained."""
    new: list[tuple[str, str]] = []
    queue = deque(start)
    walked = 0
    while queue and walked < WALK_LIMIT:
        repo, sha = queue.popleft()
        seen = contained[repo]
        for parent in parents.get(repo, {}).get(sha, ()):
            if parent in seen:
                continue
            if walked >= WALK_LIMIT:
                break
            seen.add(parent)
            walked += 1
            new.append((repo, parent))
            queue.append((repo, parent))
    return new


def _measured(deploy: Deploy, new: Iterable[tuple[str, str]], history: _History) -> list[LeadTime]:
    out: list[LeadTime] = []
    for repo, sha in new:
        for change in history.deployed_by.get((repo, sha), ()):
            out.append(_change_lead_time(deploy, sha, change, history))
        if (repo, sha) in history.in_change:
            continue
        authored = history.authored.get(repo, {}).get(sha)
        if authored is not None:
            out.append(_lead_time(deploy, repo, None, sha, authored, dict.fromkeys(PHASES)))
    return out


def _change_lead_time(deploy: Deploy, sha: str, change: _Change, history: _History) -> LeadTime:
    authored = history.authored.get(change.repo, {})
    known = [authored[c] for c in change.commits if c in authored]
    first = min(known) if known else change.created_at
    run = history.first_run.get((change.repo, change.merge_sha or ""))
    started = run.queued_or_started if run else None
    finished = run.finished_at if run else None
    phases = {
        "coding": hours(first, change.created_at),
        "pickup": hours(change.created_at, change.first_review_at),
        "review": hours(change.first_review_at, change.merged_at),
        "merge": hours(change.merged_at, started),
        "pipeline": hours(started, finished),
        "deploy_wait": hours(finished if finished is not None else change.merged_at,
                             deploy.finished_at),
    }  # fmt: skip
    return _lead_time(deploy, change.repo, change.id, sha, first, phases)


def _lead_time(
    deploy: Deploy,
    repo: str,
    change: str | None,
    sha: str,
    first: int,
    phases: dict[str, float | None],
) -> LeadTime:
    return LeadTime(
        service=deploy.service,
        repo=repo,
        change=change,
        sha=sha,
        first_commit_at=from_ms(first),
        deployment=deploy.id,
        deployed_at=from_ms(deploy.finished_at),
        hours=hours(first, deploy.finished_at) or 0.0,
        phases=phases,
    )


def _history(session: Session, repos: set[str]) -> _History:
    """The commits, parents and changes of ``repos`` (the deployments' repositories only),
    each table read with one narrow select through the driver's cursor (``_sql.rows``):
    a million commit and parent rows as SQLAlchemy Row objects cost several seconds."""
    history = _History({}, {}, defaultdict(list), set(), {})
    if not repos:
        return history
    wanted = sorted(repos)
    cm = CommitRow.__table__.c
    by_pk: dict[int, tuple[str, str]] = {}
    authored: dict[str, dict[str, int]] = defaultdict(dict)
    for pk, repo, sha, at in rows(
        session, select(cm.pk, cm.repo, cm.sha, cm.authored_at).where(cm.repo.in_(wanted))
    ):
        by_pk[pk] = (repo, sha)
        authored[repo][sha] = at
    history.authored = authored
    cp = CommitParentRow.__table__.c
    parents: dict[str, dict[str, list[str]]] = defaultdict(dict)
    query = select(cp.commit_pk, cp.parent_sha).where(cp.repo.in_(wanted))
    for pk, parent in rows(session, query.order_by(cp.commit_pk, cp.position)):
        repo, sha = by_pk[pk]
        parents[repo].setdefault(sha, []).append(parent)
    history.parents = parents
    _changes(session, wanted, history)
    return history


def _changes(session: Session, repos: list[str], history: _History) -> None:
    ch = ChangeRow.__table__.c
    cc = ChangeCommitRow.__table__.c
    listed: dict[int, list[str]] = defaultdict(list)
    query = select(cc.change_pk, cc.sha).where(cc.repo.in_(repos))
    for pk, sha in rows(session, query.order_by(cc.change_pk, cc.position)):
        listed[pk].append(sha)
    found = rows(
        session,
        select(ch.pk, ch.repo, ch.change_id, ch.created_at, ch.first_review_at, ch.merged_at,
               ch.merge_sha).where(ch.repo.in_(repos)),
    )  # fmt: skip
    merge_shas: set[tuple[str, str]] = set()
    for pk, repo, change_id, created, review, merged, merge_sha in found:
        commits = tuple(listed.get(pk, ()))
        history.in_change.update((repo, sha) for sha in commits)
        if merge_sha is not None:
            history.in_change.add((repo, merge_sha))
        key = merge_sha or (commits[-1] if commits else None)
        if merged is None or key is None:
            continue
        change = _Change(repo, change_id, created, review, merged, merge_sha, commits)
        history.deployed_by[(repo, key)].append(change)
        if merge_sha is not None:
            merge_shas.add((repo, merge_sha))
    for changes in history.deployed_by.values():
        changes.sort(key=lambda c: c.id)
    if merge_shas:
        history.first_run = _first_runs(session, repos, merge_shas)


def _first_runs(
    session: Session, repos: list[str], merge_shas: set[tuple[str, str]]
) -> dict[tuple[str, str], _Run]:
    """The first pipeline run (by queued, else started, else finished time) on each merge sha."""
    r = PipelineRunRow.__table__.c
    ch = ChangeRow.__table__.c
    query = (
        select(r.repo, r.sha, r.run_id, r.queued_at, r.started_at, r.finished_at)
        .join(ChangeRow.__table__, (ch.repo == r.repo) & (ch.merge_sha == r.sha))
        .where(ch.repo.in_(repos), ch.merged_at.is_not(None))
    )
    best: dict[tuple[str, str], tuple[tuple[int, str], _Run]] = {}
    never = 2**63
    for repo, sha, run_id, queued, started, finished in rows(session, query):
        start = queued if queued is not None else started
        first = start if start is not None else finished
        order = (first if first is not None else never, run_id)
        key = (repo, sha)
        if key in merge_shas and (key not in best or order < best[key][0]):
            best[key] = (order, _Run(start, finished))
    return {key: run for key, (_, run) in best.items()}

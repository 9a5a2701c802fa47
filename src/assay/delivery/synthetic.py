"""A deterministic, realistic delivery history of a made-up organisation, for demos and benchmarks.

Real delivery data is private, and hand-built histories are too small and too
tidy to show whether metrics scale or whether dashboards tell a story. This
generator simulates an organisation day by day: authors in Europe/Berlin who
commit in working hours (so daylight-saving changes appear in the data), pull
requests with review delays, ~20% squash merges, pipelines with build, test
and deploy stages (allow-failure lint jobs, "broken main" streaks, cancelled
runs), test runs with flaky tests and failure messages full of ids, coverage
drifting up, deployments whose cadence depends on the service's profile (elite
services deploy several times a day, low ones about every six weeks), incidents,
rollbacks, hotfixes and defects.

Every service has its own ``random.Random`` seeded by ``(seed, name)``, so a
history is the same on every run and adding services leaves the others
unchanged. Events stream out lazily, a day at a time (memory stays bounded for
millions of events), roughly but not strictly in time order. Nothing after
``end`` is emitted: later merges stay open, later resolutions stay unresolved.
"""

from __future__ import annotations

import heapq
import math
import random
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from assay.delivery.config import ServiceConfig
from assay.delivery.events import (
    Change,
    Commit,
    CommitRef,
    Coverage,
    Defect,
    Deployment,
    Event,
    Incident,
    Job,
    PipelineRun,
    Stage,
    TestCase,
    TestRun,
)

BERLIN = ZoneInfo("Europe/Berlin")
NAMES = (
    "payments-api", "ledger", "customer-portal", "fraud-detection",
    "card-issuing", "loan-origination", "notifications", "identity",
)  # fmt: skip
TEAMS = ("payments", "core-banking", "digital")
PROFILES = ("elite", "high", "medium", "low")
_FIRST = ("anna", "ben", "clara", "deniz", "emil", "fatma", "gregor", "hanna", "ivan", "jana")
_LAST = ("schmidt", "yilmaz", "weber", "nowak", "fischer", "rossi", "becker", "kowalski")
_STAGE_BUILD, _STAGE_TEST, _STAGE_STAGING, _STAGE_PROD = (
    "build", "test", "deploy-staging", "deploy-prod",
)  # fmt: skip
_COVERAGE_FORMATS = ("cobertura", "coverage-py", "lcov", "jacoco")


@dataclass(frozen=True, slots=True)
class _Profile:
    changes_per_day: float  # working days
    review_hours: float  # mean wait for a first review
    incident_rate: float  # per production deployment
    recover_hours: float  # median time to resolve an incident
    defect_rate: float  # per day
    escape: float  # share of defects found in production


_PROFILES = {
    "elite": _Profile(5.0, 1.5, 0.03, 0.6, 0.15, 0.05),
    "high": _Profile(3.0, 4.0, 0.08, 6.0, 0.25, 0.12),
    "medium": _Profile(1.5, 12.0, 0.15, 40.0, 0.3, 0.2),
    "low": _Profile(0.8, 30.0, 0.3, 200.0, 0.4, 0.35),
}

# (error type, message template): the numbers, ids and quotes normalise to a few signatures
_FAILURES = (
    ("AssertionError", "expected status 200 but got {code} for order {hexid}"),
    ("TimeoutError", "request to http://ledger:8080/api/v1/accounts/{num} timed out after {secs}s"),
    ("KeyError", "'customer_{num}'"),
    ("IntegrityError", 'duplicate key value violates unique constraint "payment_{num}_key"'),
)


def service_name(index: int) -> str:
    return NAMES[index] if index < len(NAMES) else f"svc-{index + 1:03d}"


def team_name(index: int) -> str:
    return TEAMS[index] if index < len(TEAMS) else f"team-{index + 1:02d}"


def profile_of(index: int) -> str:
    """The delivery profile of the ``index``-th service: elite, high, medium, low in turn."""
    return PROFILES[index % len(PROFILES)]


def service_configs(services: int, teams: int) -> list[ServiceConfig]:
    """The configurations of the organisation's first ``services`` services, over ``teams`` teams.

    One repository per service (``acme/<name>``); every fourth service, starting
    with the second, calls production ``prod-eu``; the third has shorter
    incident and failure windows; the fourth has no deployment events and
    deploys through its ``deploy-prod`` pipeline stage. ``examples/delivery/services.yaml``
    is ``service_configs(8, 3)`` written out (a test keeps them equal).
    """
    if services < 1 or teams < 1:
        raise ValueError("services and teams must be at least 1")
    out = []
    for i in range(services):
        name = service_name(i)
        config = ServiceConfig(
            name=name,
            team=team_name(i % teams),
            repos=(f"acme/{name}",),
            size_kloc=float(20 + (i * 37) % 180),
            configured=True,
        )
        if i % 4 == 1:
            config = replace(config, production_environments=("prod-eu",))
        if i == 2:  # a team that only blames recent deployments
            config = replace(config, incident_window_hours=72.0, failure_window_hours=48.0)
        if i == 3:
            config = replace(config, deployment_stages=(_STAGE_PROD,))
        out.append(config)
    return out


def _sha(rng: random.Random) -> str:
    return f"{rng.getrandbits(160):040x}"


def _working(moment: datetime) -> datetime:
    """``moment``, or the next working-hours instant (Mon-Fri 09:00-18:00 Berlin) after it."""
    local = moment.astimezone(BERLIN)
    while local.weekday() >= 5 or local.hour >= 18:
        local = (local + timedelta(days=1)).replace(hour=9, minute=0, second=0)
    if local.hour < 9:
        local = local.replace(hour=9, minute=0, second=0)
    return local.astimezone(UTC)


@dataclass(slots=True)
class _Pending:
    """A deployable head of main: its sha and the green run that built it."""

    sha: str
    run: str
    finished: datetime


@dataclass(order=True, slots=True)
class _Merge:
    """A pull request approved and waiting for its merge time."""

    merged_at: datetime
    number: int
    change: Change = field(compare=False)
    squash: bool = field(compare=False)
    last_commit: datetime = field(compare=False)


@dataclass(slots=True)
class _Service:
    """One service's simulation state; small and bounded whatever the length of the history."""

    config: ServiceConfig
    profile: _Profile
    tier: str
    rng: random.Random
    authors: tuple[str, ...]
    tests: tuple[tuple[str, str], ...]  # (classname, name)
    flaky: frozenset[int]  # indexes into tests
    head: str
    merges: list[_Merge] = field(default_factory=list)  # a heap by merge time
    greens: deque[_Pending] = field(default_factory=lambda: deque(maxlen=16))
    counters: dict[str, int] = field(default_factory=dict)
    broken: bool = False
    deployed: str | None = None  # sha in production
    last_deploy: datetime | None = None
    next_deploy_days: float = 0.0

    @property
    def repo(self) -> str:
        return self.config.repos[0]

    @property
    def coverage_format(self) -> str:
        return _COVERAGE_FORMATS[sum(map(ord, self.config.name)) % len(_COVERAGE_FORMATS)]

    @property
    def stage_based(self) -> bool:
        return bool(self.config.deployment_stages)

    def next(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]


class _Simulation:
    """Builds the events of one service, day by day."""

    def __init__(self, svc: _Service, start: datetime, end: datetime, days: int) -> None:
        self.svc, self.start, self.end, self.days = svc, start, end, days
        self.out: list[Event] = []

    # -- helpers -------------------------------------------------------------------------
    def minutes(self, mean: float) -> timedelta:
        return timedelta(minutes=self.svc.rng.expovariate(1 / mean))

    def emit(self, event: Event) -> None:
        self.out.append(event)

    def progress(self, moment: datetime) -> float:
        return min(1.0, max(0.0, (moment - self.start) / (self.end - self.start)))

    # -- one day -------------------------------------------------------------------------
    def day(self, midnight: datetime) -> list[Event]:
        """The events of one day: new changes, then merges in time order, deployments between."""
        svc, rng = self.svc, self.svc.rng
        self.out = []
        local = midnight.astimezone(BERLIN)
        weekday = midnight.weekday() < 5
        nine = datetime(local.year, local.month, local.day, 9, tzinfo=BERLIN).astimezone(UTC)
        count = _poisson(rng, svc.profile.changes_per_day if weekday else 0.1)
        for begin in sorted(nine + timedelta(minutes=rng.uniform(0, 420)) for _ in range(count)):
            self.change(begin)
        deploy_at = self.deploy_time(nine) if weekday and svc.tier != "elite" else None
        tomorrow = midnight + timedelta(days=1)
        while svc.merges and svc.merges[0].merged_at < tomorrow:
            merge = heapq.heappop(svc.merges)
            if deploy_at is not None and deploy_at <= merge.merged_at:
                self.deploy(deploy_at, "normal")
                deploy_at = None
            self.merge(merge)
        if deploy_at is not None:
            self.deploy(deploy_at, "normal")
        if rng.random() < svc.profile.defect_rate:
            self.defect(midnight + timedelta(hours=rng.uniform(7, 17)))
        if rng.random() < 0.01:  # not every incident follows a deployment
            self.incident(midnight + timedelta(hours=rng.uniform(0, 24)), None)
        return self.clipped()

    def finish(self) -> list[Event]:
        """Changes still waiting to be merged at the end: open pull requests."""
        self.out = []
        while self.svc.merges:
            merge = heapq.heappop(self.svc.merges)
            self.emit(merge.change)
        return self.clipped()

    def clipped(self) -> list[Event]:
        return [e for e in (self.clip(e) for e in self.out) if e is not None]

    def clip(self, event: Event) -> Event | None:
        """Nothing after ``end``: later events are dropped, later resolutions and merges undone."""
        end = self.end
        if isinstance(event, Change):
            if event.created_at >= end:
                return None
            if event.merged_at is not None and event.merged_at >= end:
                event = replace(event, merged_at=None, merge_sha=None)
            if event.first_review_at is not None and event.first_review_at >= end:
                event = replace(event, first_review_at=None)
            return event
        if isinstance(event, Incident | Defect):
            if event.created_at >= end:
                return None
            if event.resolved_at is not None and event.resolved_at >= end:
                return replace(event, resolved_at=None)
            return event
        moment = _moment(event)
        return None if moment is not None and moment >= end else event

    # -- changes -------------------------------------------------------------------------
    def change(self, begin: datetime) -> None:
        """A pull request's commits and branch run; its merge waits in ``svc.merges``."""
        svc, rng = self.svc, self.svc.rng
        author = rng.choice(svc.authors)
        at = _working(begin)
        shas: list[str] = []
        for k in range(rng.choice((1, 1, 2, 2, 3, 4))):
            if k:
                at = _working(at + self.minutes(50))
            sha = _sha(rng)
            when = at.astimezone(BERLIN)
            self.emit(
                Commit(
                    svc.repo, sha, when, when, author=author,
                    parents=(shas[-1] if shas else svc.head,),
                    message=f"Work on {svc.config.name} #{len(shas)}",
                )
            )  # fmt: skip
            shas.append(sha)
        number = svc.next("change")
        created = at + self.minutes(20)
        self.branch_run(shas[-1], created, number)
        review = None
        if rng.random() > 0.05:
            review = _working(created + self.minutes(60 * svc.profile.review_hours))
        change = Change(
            svc.repo, str(number), created, author=author, first_review_at=review,
            commits=tuple(shas), target_branch="main",
            title=f"Improve {svc.config.name} ({number})",
            url=f"https://git.acme.example/{svc.repo}/pull/{number}",
        )  # fmt: skip
        if rng.random() < 0.05:  # abandoned
            closed = created + timedelta(hours=rng.uniform(2, 72))
            self.emit(replace(change, closed_at=closed))
            return
        merged = _working((review or created) + self.minutes(90))
        squash = rng.random() < 0.2
        heapq.heappush(svc.merges, _Merge(merged, number, change, squash, at))

    def merge(self, merge: _Merge) -> None:
        """Merge (or squash) a change onto main, then run the main pipeline on the result."""
        svc, rng = self.svc, self.svc.rng
        change, merged = merge.change, merge.merged_at
        sha = _sha(rng)
        parents = (svc.head,) if merge.squash else (svc.head, change.commits[-1])
        authored = merge.last_commit if merge.squash else merged  # a squash keeps the author's time
        self.emit(
            Commit(
                svc.repo, sha, authored.astimezone(BERLIN), merged.astimezone(BERLIN),
                author=change.author, parents=parents,
                message=f"{'Squashed' if merge.squash else 'Merge'} pull request #{merge.number}",
            )
        )  # fmt: skip
        svc.head = sha
        self.emit(replace(change, merged_at=merged, merge_sha=sha))
        self.main_run(merged, sha)

    # -- pipelines -----------------------------------------------------------------------
    def branch_run(self, sha: str, at: datetime, number: int) -> None:
        rng = self.svc.rng
        result = (
            "cancelled"
            if rng.random() < 0.04
            else ("failure" if rng.random() < 0.06 else "success")
        )
        self.run(sha, f"feature/{number}", at, result, deploy_staging=False)

    def main_run(self, merged_at: datetime, sha: str) -> None:
        svc, rng = self.svc, self.svc.rng
        if svc.broken:
            if rng.random() < 0.4:  # this merge is the fix
                svc.broken = False
        elif rng.random() < 0.035:
            svc.broken = True
        result = "failure" if svc.broken else "success"
        if not svc.broken and rng.random() < 0.02:  # superseded by the next merge
            result = "cancelled"
        run_id, finished = self.run(sha, "main", merged_at, result, deploy_staging=True)
        if result != "success" or finished is None:
            return
        svc.greens.append(_Pending(sha, run_id, finished))
        self.coverage(sha, run_id, finished)
        if not svc.stage_based:
            self.emit(
                Deployment(
                    f"dep-{svc.config.name}-{svc.next('deployment')}", svc.config.name,
                    "staging", "success", finished + timedelta(minutes=3),
                    started_at=finished, commits=(CommitRef(svc.repo, sha),), pipeline_run=run_id,
                )
            )  # fmt: skip
        if svc.tier == "elite" and rng.random() < 0.85:
            self.deploy(finished + self.minutes(15), "normal")

    def run(
        self, sha: str, ref: str, at: datetime, result: str, *, deploy_staging: bool
    ) -> tuple[str, datetime | None]:
        """One CI run of build, test (and deploy-staging) stages, with its test runs."""
        svc, rng = self.svc, self.svc.rng
        run_id = f"ci-{svc.config.name}-{svc.next('run')}"
        queued = at + timedelta(seconds=rng.uniform(2, 30))
        started = queued + (self.minutes(12) if rng.random() < 0.1 else self.minutes(0.7))
        t = started
        stages: list[Stage] = []
        build_end = t + timedelta(minutes=rng.uniform(2, 6))
        stages.append(
            Stage(
                _STAGE_BUILD, "success", t, build_end, (Job("compile", "success", t, t, build_end),)
            )
        )
        t = build_end
        if result == "cancelled":
            cut = t + timedelta(minutes=rng.uniform(0.5, 3))
            stages.append(
                Stage(_STAGE_TEST, "cancelled", t, cut, (Job("unit", "cancelled", t, t, cut),))
            )
            stopped = PipelineRun(
                run_id, svc.repo, sha, ref, "cancelled", queued, started, cut, tuple(stages),
                name="ci",
            )  # fmt: skip
            self.emit(stopped)
            return run_id, None
        test_end = t + timedelta(minutes=rng.uniform(4, 14))
        lint_ok = rng.random() > 0.15
        jobs = (
            Job("unit", result, t + timedelta(seconds=5), t + timedelta(seconds=20), test_end),
            Job("lint", "success" if lint_ok else "failure", t, t + timedelta(seconds=10),
                t + timedelta(minutes=1), allow_failure=True),
        )  # fmt: skip
        stages.append(Stage(_STAGE_TEST, result, t, test_end, jobs))
        self.test_runs(
            sha, run_id, t, test_end, failing=result == "failure", integration=deploy_staging
        )
        t = test_end
        if deploy_staging and result == "success":
            end = t + timedelta(minutes=rng.uniform(1, 4))
            stages.append(
                Stage(
                    _STAGE_STAGING,
                    "success",
                    t,
                    end,
                    (Job("deploy-staging", "success", t, t, end),),
                )
            )
            t = end
        self.emit(
            PipelineRun(
                run_id, svc.repo, sha, ref, result, queued, started, t, tuple(stages), name="ci"
            )
        )
        return run_id, t

    def test_runs(
        self,
        sha: str,
        run_id: str,
        start: datetime,
        end: datetime,
        *,
        failing: bool,
        integration: bool,
    ) -> None:
        svc, rng = self.svc, self.svc.rng
        broken = set(rng.sample(range(len(svc.tests)), rng.randint(1, 2))) if failing else set()
        flaked = {i for i in svc.flaky if rng.random() < 0.08}
        seconds = (end - start).total_seconds()
        self.emit(self.test_run(sha, run_id, "unit", run_id, start, seconds, broken | flaked))
        if flaked and not failing:  # the retry that let the pipeline pass
            self.emit(self.test_run(sha, run_id, "unit", f"{run_id}-retry", end, seconds, set()))
        if integration:
            self.emit(
                self.test_run(
                    sha, run_id, "integration", run_id, start, seconds / 2, set(), cases=4
                )
            )

    def test_run(
        self, sha: str, run_id: str, suite: str, ident: str, start: datetime, seconds: float,
        failed: set[int], *, cases: int | None = None,
    ) -> TestRun:  # fmt: skip
        rng = self.svc.rng
        out = []
        for i, (classname, name) in enumerate(self.svc.tests[:cases] if cases else self.svc.tests):
            if i in failed:
                error, template = _FAILURES[
                    (i + (0 if i in self.svc.flaky else 1)) % len(_FAILURES)
                ]
                message = template.format(
                    code=rng.choice((500, 502, 503)), hexid=f"{rng.getrandbits(40):010x}",
                    num=rng.randint(1000, 99999), secs=rng.choice((10, 30, 60)),
                )  # fmt: skip
                seconds = round(rng.uniform(0.5, 9), 3)
                out.append(
                    TestCase(name, "failed", classname, suite, error_type=error, message=message,
                             seconds=seconds)
                )  # fmt: skip
            else:
                out.append(
                    TestCase(
                        name, "passed", classname, suite, seconds=round(rng.uniform(0.01, 2), 3)
                    )
                )
        return TestRun(
            self.svc.repo, sha, suite, ident, start, round(seconds, 3), tuple(out), run_id
        )

    def coverage(self, sha: str, run_id: str, at: datetime) -> None:
        svc, rng = self.svc, self.svc.rng
        done = self.progress(at)
        size = int((svc.config.size_kloc or 50) * 300 * (1 + 0.1 * done))
        line = min(0.95, 0.55 + 0.25 * done + rng.uniform(-0.02, 0.02))
        branch = max(0.0, line - 0.12)
        branches = size // 4
        self.emit(
            Coverage(
                svc.repo, sha, svc.coverage_format,
                int(size * line), size, int(branches * branch), branches,
                measured_at=at, pipeline_run=run_id,
            )
        )  # fmt: skip

    # -- deployments ---------------------------------------------------------------------
    def deploy_time(self, nine: datetime) -> datetime | None:
        """When a scheduled (non-elite) service deploys today, if it does: 14:00-16:00 Berlin."""
        svc, rng = self.svc, self.svc.rng
        at = nine + timedelta(hours=5, minutes=rng.uniform(0, 120))
        if svc.tier == "high":
            return at if rng.random() < 0.6 else None
        if svc.next_deploy_days == 0.0:
            svc.next_deploy_days = self.cadence()
        if svc.last_deploy is None:
            return at
        return at if (at - svc.last_deploy) / timedelta(days=1) >= svc.next_deploy_days else None

    def cadence(self) -> float:
        rng = self.svc.rng
        return rng.uniform(7, 13) if self.svc.tier == "medium" else rng.uniform(32, 50)

    def deploy(self, at: datetime, kind: str, sha: str | None = None) -> None:
        """A production deployment of the latest green head (or ``sha``), with its consequences."""
        svc, rng = self.svc, self.svc.rng
        if sha is None:
            ready = [g for g in svc.greens if g.finished <= at]
            if not ready or ready[-1].sha == svc.deployed:
                return
            sha = ready[-1].sha
        previous = svc.deployed
        run_id = f"ci-{svc.config.name}-{svc.next('run')}"
        started = at + timedelta(seconds=rng.uniform(5, 60))
        finished = started + timedelta(minutes=rng.uniform(2, 9))
        ok = rng.random() > 0.03
        grudging = ok and svc.stage_based and rng.random() < 0.05  # allow_failure hides a failure
        job = Job(
            "deploy-prod", "success" if ok and not grudging else "failure",
            started, started, finished, allow_failure=grudging,
        )  # fmt: skip
        stage = Stage(_STAGE_PROD, "success" if ok else "failure", started, finished, (job,))
        self.emit(
            PipelineRun(
                run_id, svc.repo, sha, "main", "success" if ok else "failure",
                at, started, finished, (stage,), name="deploy",
            )
        )  # fmt: skip
        dep_id = f"dep-{svc.config.name}-{svc.next('deployment')}"
        if not svc.stage_based:
            self.emit(
                Deployment(
                    dep_id, svc.config.name, svc.config.production_environments[0],
                    "success" if ok else "failure", finished, started_at=started,
                    version=f"1.{svc.counters['deployment']}.0", kind=kind,
                    commits=(CommitRef(svc.repo, sha),), pipeline_run=run_id,
                )
            )  # fmt: skip
        if not ok or grudging:  # retried a little later
            if kind == "normal":
                self.deploy(finished + self.minutes(30), kind, sha)
            return
        svc.deployed, svc.last_deploy = sha, finished
        svc.next_deploy_days = self.cadence() if svc.tier in ("medium", "low") else 0.0
        if kind == "normal" and rng.random() < svc.profile.incident_rate:
            created = finished + timedelta(hours=rng.expovariate(1 / 6))
            cause = None if svc.stage_based or rng.random() < 0.4 else dep_id
            self.incident(created, cause)
            roll = rng.random()
            if roll < 0.35 and previous is not None:
                self.deploy(created + self.minutes(40), "rollback", previous)
            elif roll < 0.65:
                self.hotfix(created + self.minutes(60))

    def hotfix(self, at: datetime) -> None:
        svc, rng = self.svc, self.svc.rng
        sha = _sha(rng)
        author = rng.choice(svc.authors)
        self.emit(
            Commit(svc.repo, sha, at, at, author=author, parents=(svc.head,), message="Hotfix")
        )
        merge = _sha(rng)
        number = svc.next("change")
        created = at + timedelta(minutes=10)
        merged = created + timedelta(minutes=rng.uniform(10, 40))
        self.emit(
            Commit(svc.repo, merge, merged, merged, author=author, parents=(svc.head, sha),
                   message=f"Merge pull request #{number}")
        )  # fmt: skip
        svc.head = merge
        self.emit(
            Change(
                svc.repo, str(number), created, author=author,
                first_review_at=created + timedelta(minutes=5), merged_at=merged,
                merge_sha=merge, commits=(sha,), target_branch="main", title="Hotfix",
            )
        )  # fmt: skip
        was_broken, svc.broken = svc.broken, False
        run_id, finished = self.run(merge, "main", merged, "success", deploy_staging=True)
        svc.broken = was_broken
        if finished is not None:
            svc.greens.append(_Pending(merge, run_id, finished))
            self.deploy(finished + timedelta(minutes=5), "hotfix", merge)

    # -- incidents and defects -----------------------------------------------------------
    def incident(self, created: datetime, cause: str | None) -> None:
        svc, rng = self.svc, self.svc.rng
        hours = svc.profile.recover_hours * rng.lognormvariate(0, 0.8)
        self.emit(
            Incident(
                f"inc-{svc.config.name}-{svc.next('incident')}", svc.config.name, created,
                severity=rng.choice(("sev1", "sev2", "sev2", "sev3")),
                resolved_at=created + timedelta(hours=hours), caused_by_deployment=cause,
                title=f"{svc.config.name} degraded",
            )
        )  # fmt: skip

    def defect(self, created: datetime) -> None:
        svc, rng = self.svc, self.svc.rng
        roll = rng.random()
        found = (
            "production"
            if roll < svc.profile.escape
            else ("testing" if roll < 0.6 else "development")
        )
        self.emit(
            Defect(
                f"def-{svc.config.name}-{svc.next('defect')}", svc.config.name, created, found,
                severity=rng.choice(("low", "medium", "high")),
                resolved_at=created + timedelta(days=rng.uniform(0.5, 20)),
                title=f"Defect in {svc.config.name}",
            )
        )  # fmt: skip


def _poisson(rng: random.Random, mean: float) -> int:
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def _moment(event: Event) -> datetime | None:
    if isinstance(event, Commit):
        return event.committed_at
    if isinstance(event, PipelineRun):
        return event.finished_at
    if isinstance(event, Deployment):
        return event.finished_at
    if isinstance(event, TestRun):
        return event.started_at
    if isinstance(event, Coverage):
        return event.measured_at
    return None


def _state(config: ServiceConfig, index: int, teams: int, seed: int) -> _Service:
    rng = random.Random(f"{seed}:{config.name}")  # noqa: S311 - a simulation, not a secret
    team = index % teams
    authors = tuple(
        f"{_FIRST[(team * 3 + k) % len(_FIRST)]}.{_LAST[(team + k * 3) % len(_LAST)]}"
        for k in range(5)
    )
    tests = tuple(
        (f"tests.test_{area}", f"test_{area}_{n}")
        for area in ("api", "model", "store")
        for n in range(4)
    )
    flaky = frozenset(rng.sample(range(len(tests)), 2))
    tier = profile_of(index)
    return _Service(config, _PROFILES[tier], tier, rng, authors, tests, flaky, _sha(rng))


def generate(
    *,
    services: int = 8,
    days: int = 180,
    seed: int = 1,
    end: datetime | None = None,
    teams: int = 3,
) -> Iterator[Event]:
    """The events of ``days`` days before ``end`` (default: the start of the current hour, UTC)."""
    if days < 1:
        raise ValueError("days must be at least 1")
    if end is None:
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    elif end.tzinfo is None:
        raise ValueError("end: time without a zone")
    end = end.astimezone(UTC)
    first = (end - timedelta(days=days)).replace(hour=0, minute=0, second=0, microsecond=0)
    start = end - timedelta(days=days)
    sims = [
        _Simulation(_state(config, i, teams, seed), start, end, days)
        for i, config in enumerate(service_configs(services, teams))
    ]
    midnight = first
    while midnight < end:
        for sim in sims:
            for event in sim.day(midnight):
                if _after_start(event, start):
                    yield event
        midnight += timedelta(days=1)
    for sim in sims:
        yield from (event for event in sim.finish() if _after_start(event, start))


def _after_start(event: Event, start: datetime) -> bool:
    if isinstance(event, Change | Incident | Defect):
        return event.created_at >= start
    moment = _moment(event)
    return moment is None or moment >= start

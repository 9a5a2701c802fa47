"""The delivery event model: one frozen dataclass per event type of docs/events.md.

Every event has a natural identity (:attr:`key`) that makes ingestion
idempotent: a re-sent webhook or a re-imported file replaces the stored event
with the same key, never adds a second one. Times are timezone-aware
``datetime`` values, normalised to UTC when the event is built; a naive time is
refused (``ValueError``), because guessing a zone shifts lead times by hours.

Readers (JSON Lines, JUnit, coverage reports, git) build these values; the store
(:mod:`assay.delivery.store`) writes them; nothing downstream reads raw input.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import ClassVar

PIPELINE_RESULTS = ("success", "failure", "cancelled", "skipped")
DEPLOYMENT_RESULTS = ("success", "failure", "cancelled")
DEPLOYMENT_KINDS = ("normal", "hotfix", "rollback")
TEST_RESULTS = ("passed", "failed", "error", "skipped")
FOUND_IN = ("development", "testing", "production")
COVERAGE_FORMATS = ("cobertura", "coverage-py", "lcov", "jacoco", "other")

# Longest accepted text per kind of field; the tables' column sizes follow them, and
# the composite unique keys stay inside PostgreSQL's btree row limit for any UTF-8.
MAX_NAME = 200  # repo, service, environment, suite, stage and job names, author
MAX_ID = 128  # ids of changes, runs, deployments, incidents, defects, reports
MAX_SHORT = 32  # severity
MAX_PATH = 1024  # file paths, test names, URLs
MAX_MESSAGE = 2000  # failure messages, commit subjects, titles (longer ones are cut)


def utc(moment: datetime, what: str) -> datetime:
    """``moment`` in UTC; a naive ``datetime`` is an error (its zone would be a guess)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what}: time without a zone")
    return moment.astimezone(UTC)


def _check_choice(value: str, choices: tuple[str, ...], what: str) -> None:
    if value not in choices:
        raise ValueError(f"{what}: {value!r} is not one of {', '.join(choices)}")


def _normalise(obj: object) -> None:
    """Convert every datetime field of a frozen dataclass to UTC, refusing naive ones."""
    for f in fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if isinstance(value, datetime):
            object.__setattr__(obj, f.name, utc(value, f.name))


def _order(earlier: datetime | None, later: datetime | None, what: str) -> None:
    if earlier is not None and later is not None and later < earlier:
        raise ValueError(f"{what}: ends before it starts")


@dataclass(frozen=True, slots=True)
class Commit:
    """A commit of a repository; ``parents`` by sha, first parent first."""

    TYPE: ClassVar[str] = "commit"
    repo: str
    sha: str
    authored_at: datetime
    committed_at: datetime
    author: str = ""
    parents: tuple[str, ...] = ()
    message: str = ""  # the subject line

    def __post_init__(self) -> None:
        _normalise(self)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.repo, self.sha)

    @property
    def is_merge(self) -> bool:
        return len(self.parents) > 1


@dataclass(frozen=True, slots=True)
class Change:
    """A pull or merge request; ``commits`` are shas in ``repo``, oldest first."""

    TYPE: ClassVar[str] = "change"
    repo: str
    id: str
    created_at: datetime
    author: str = ""
    first_review_at: datetime | None = None
    merged_at: datetime | None = None
    closed_at: datetime | None = None  # closed without merging
    merge_sha: str | None = None
    commits: tuple[str, ...] = ()
    target_branch: str = ""
    title: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        _normalise(self)
        _order(self.created_at, self.merged_at, "merged_at")

    @property
    def key(self) -> tuple[str, ...]:
        return (self.repo, self.id)


@dataclass(frozen=True, slots=True)
class Job:
    """One job of a pipeline stage; a failed ``allow_failure`` job does not fail its stage."""

    name: str
    result: str
    queued_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    allow_failure: bool = False

    def __post_init__(self) -> None:
        _normalise(self)
        _check_choice(self.result, PIPELINE_RESULTS, "result")
        _order(self.started_at, self.finished_at, "finished_at")


@dataclass(frozen=True, slots=True)
class Stage:
    name: str
    result: str
    started_at: datetime | None = None
    finished_at: datetime | None = None
    jobs: tuple[Job, ...] = ()

    def __post_init__(self) -> None:
        _normalise(self)
        _check_choice(self.result, PIPELINE_RESULTS, "result")
        _order(self.started_at, self.finished_at, "finished_at")


@dataclass(frozen=True, slots=True)
class PipelineRun:
    """One run of a CI pipeline (a workflow run, a GitLab pipeline, a Jenkins build)."""

    TYPE: ClassVar[str] = "pipeline_run"
    id: str
    repo: str
    sha: str
    ref: str
    result: str
    queued_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    stages: tuple[Stage, ...] = ()
    name: str = ""  # the pipeline or workflow definition
    url: str = ""

    def __post_init__(self) -> None:
        _normalise(self)
        _check_choice(self.result, PIPELINE_RESULTS, "result")
        _order(self.queued_at, self.started_at, "started_at")
        _order(self.started_at, self.finished_at, "finished_at")

    @property
    def key(self) -> tuple[str, ...]:
        return (self.id,)


@dataclass(frozen=True, slots=True)
class CommitRef:
    repo: str
    sha: str


@dataclass(frozen=True, slots=True)
class Deployment:
    """A deployment of ``version`` of ``service`` to ``environment``, with the commits it ships."""

    TYPE: ClassVar[str] = "deployment"
    id: str
    service: str
    environment: str
    result: str
    finished_at: datetime
    started_at: datetime | None = None
    version: str = ""
    kind: str = "normal"
    commits: tuple[CommitRef, ...] = ()
    pipeline_run: str | None = None  # id of the pipeline_run that deployed
    url: str = ""

    def __post_init__(self) -> None:
        _normalise(self)
        _check_choice(self.result, DEPLOYMENT_RESULTS, "result")
        _check_choice(self.kind, DEPLOYMENT_KINDS, "kind")
        _order(self.started_at, self.finished_at, "finished_at")

    @property
    def key(self) -> tuple[str, ...]:
        return (self.id,)


@dataclass(frozen=True, slots=True)
class Incident:
    TYPE: ClassVar[str] = "incident"
    id: str
    service: str
    created_at: datetime
    severity: str = ""
    resolved_at: datetime | None = None
    caused_by_deployment: str | None = None  # a deployment id; always wins over inference
    title: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        _normalise(self)
        _order(self.created_at, self.resolved_at, "resolved_at")

    @property
    def key(self) -> tuple[str, ...]:
        return (self.id,)


@dataclass(frozen=True, slots=True)
class Defect:
    TYPE: ClassVar[str] = "defect"
    id: str
    service: str
    created_at: datetime
    found_in: str
    severity: str = ""
    resolved_at: datetime | None = None
    title: str = ""
    url: str = ""

    def __post_init__(self) -> None:
        _normalise(self)
        _check_choice(self.found_in, FOUND_IN, "found_in")
        _order(self.created_at, self.resolved_at, "resolved_at")

    @property
    def key(self) -> tuple[str, ...]:
        return (self.id,)


@dataclass(frozen=True, slots=True)
class TestCase:
    __test__: ClassVar[bool] = False  # not a pytest test class

    name: str
    result: str
    classname: str = ""
    suite: str = ""  # the <testsuite> it was in
    file: str = ""
    seconds: float | None = None
    error_type: str = ""
    message: str = ""

    def __post_init__(self) -> None:
        _check_choice(self.result, TEST_RESULTS, "result")


@dataclass(frozen=True, slots=True)
class TestRun:
    """The results of one test report for one commit.

    Identity is (repo, sha, suite, id): re-importing a report replaces it, while two
    attempts on one commit (the evidence of a flaky test) need distinct ``id`` values.
    """

    __test__: ClassVar[bool] = False
    TYPE: ClassVar[str] = "test_run"
    repo: str
    sha: str
    suite: str
    id: str = ""
    started_at: datetime | None = None
    seconds: float | None = None
    cases: tuple[TestCase, ...] = ()
    pipeline_run: str | None = None

    def __post_init__(self) -> None:
        _normalise(self)

    @property
    def key(self) -> tuple[str, ...]:
        return (self.repo, self.sha, self.suite, self.id)

    def count(self, result: str) -> int:
        return sum(1 for case in self.cases if case.result == result)


@dataclass(frozen=True, slots=True)
class FileCoverage:
    path: str
    lines_covered: int
    lines_valid: int
    branches_covered: int | None = None
    branches_valid: int | None = None

    def __post_init__(self) -> None:
        _check_totals(self.lines_covered, self.lines_valid, "lines")
        _check_totals(self.branches_covered, self.branches_valid, "branches")


def _check_totals(covered: int | None, valid: int | None, what: str) -> None:
    if (covered is None) != (valid is None):
        raise ValueError(f"{what}_covered and {what}_valid: give both or neither")
    if covered is None or valid is None:
        return
    if covered < 0 or valid < 0:
        raise ValueError(f"{what}_covered: negative count")
    if covered > valid:
        raise ValueError(f"{what}_covered: {covered} is more than {what}_valid {valid}")


@dataclass(frozen=True, slots=True)
class Coverage:
    """Line and branch coverage of one report for one commit; per-file numbers optional."""

    TYPE: ClassVar[str] = "coverage"
    repo: str
    sha: str
    format: str
    lines_covered: int
    lines_valid: int
    branches_covered: int | None = None
    branches_valid: int | None = None
    id: str = ""  # tells several reports of one format on one commit apart (modules, jobs)
    measured_at: datetime | None = None
    files: tuple[FileCoverage, ...] = field(default=())
    pipeline_run: str | None = None

    def __post_init__(self) -> None:
        _normalise(self)
        _check_choice(self.format, COVERAGE_FORMATS, "format")
        _check_totals(self.lines_covered, self.lines_valid, "lines")
        _check_totals(self.branches_covered, self.branches_valid, "branches")

    @property
    def key(self) -> tuple[str, ...]:
        return (self.repo, self.sha, self.format, self.id)


Event = Commit | Change | PipelineRun | Deployment | Incident | TestRun | Coverage | Defect

#: every event type by its ``type`` name, in the order docs/events.md lists them
EVENT_TYPES: dict[str, type[Event]] = {
    cls.TYPE: cls
    for cls in (Commit, Change, PipelineRun, Deployment, Incident, TestRun, Coverage, Defect)
}

"""Events to and from JSON objects: strict decoding with named fields, canonical encoding.

:func:`decode` turns one JSON object (a JSON Lines row, later a REST or webhook
body) into an event or raises :class:`EventError` naming the type and the field
(``deployment: finished_at: not an ISO 8601 time with a zone``). Unknown types
and unknown fields are errors: a typo must not silently drop data. :func:`encode`
is its inverse and canonical (UTC times, sorted keys, defaults left out), so
the store's content digest is the same for the same event however it arrived.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from assay.delivery.events import (
    COVERAGE_FORMATS,
    DEPLOYMENT_KINDS,
    DEPLOYMENT_RESULTS,
    EVENT_TYPES,
    FOUND_IN,
    MAX_ID,
    MAX_MESSAGE,
    MAX_NAME,
    MAX_PATH,
    MAX_SHORT,
    PIPELINE_RESULTS,
    TEST_RESULTS,
    Change,
    Commit,
    CommitRef,
    Coverage,
    Defect,
    Deployment,
    Event,
    FileCoverage,
    Incident,
    Job,
    PipelineRun,
    Stage,
    TestCase,
    TestRun,
)

_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
#: list fields longer than this are refused (a test run's cases, a coverage report's files)
MAX_ITEMS = 200_000


class EventError(ValueError):
    """One event cannot be decoded; the message names the type and the field."""


class _Fields:
    """Reads the fields of one JSON object, remembering which were read."""

    def __init__(self, obj: Any, where: str) -> None:
        if not isinstance(obj, dict):
            raise EventError(f"{where}: expected a JSON object, got {_kind(obj)}")
        self.obj: dict[str, Any] = obj
        self.where = where
        self.used: set[str] = set()

    def fail(self, name: str, problem: str) -> EventError:
        return EventError(f"{self.where}: {name}: {problem}")

    def get(self, name: str, required: bool) -> Any:
        self.used.add(name)
        value = self.obj.get(name)
        if value is None and required:
            raise self.fail(name, "missing")
        return value

    def text(self, name: str, limit: int = MAX_NAME, *, required: bool = True) -> str:
        value = self.get(name, required)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(name, f"expected a string, got {_kind(value)}")
        value = value.strip()
        if required and not value:
            raise self.fail(name, "empty")
        if len(value) > limit:
            raise self.fail(name, f"longer than {limit} characters")
        return value

    def note(self, name: str) -> str:
        """Free text (titles, messages): cut at MAX_MESSAGE characters rather than refused."""
        value = self.get(name, False)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise self.fail(name, f"expected a string, got {_kind(value)}")
        return value[:MAX_MESSAGE]

    def ident(self, name: str, *, required: bool = True) -> str | None:
        """An id: a string, or an integer (GitHub and GitLab ids are numbers)."""
        value = self.get(name, required)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise self.fail(name, f"expected a string or integer id, got {_kind(value)}")
        value = value.strip()
        if not value:
            raise self.fail(name, "empty")
        if len(value) > MAX_ID:
            raise self.fail(name, f"longer than {MAX_ID} characters")
        return value

    def sha(self, name: str, *, required: bool = True) -> str | None:
        value = self.get(name, required)
        return None if value is None else self.check_sha(name, value)

    def check_sha(self, name: str, value: Any) -> str:
        if not isinstance(value, str) or not _SHA.fullmatch(value.strip().lower()):
            raise self.fail(name, "not a full commit sha (40 or 64 hexadecimal digits)")
        return value.strip().lower()

    def time(self, name: str, *, required: bool = True) -> datetime | None:
        value = self.get(name, required)
        if value is None:
            return None
        return parse_time(value, lambda problem: self.fail(name, problem))

    def choice(self, name: str, choices: tuple[str, ...], default: str | None = None) -> str:
        value = self.get(name, default is None)
        if value is None and default is not None:
            return default
        if value not in choices:
            raise self.fail(name, f"{_short(value)} is not one of {', '.join(choices)}")
        return str(value)

    def count(self, name: str, *, required: bool = True) -> int | None:
        value = self.get(name, required)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(name, "expected a whole number of at least 0")
        return value

    def seconds(self, name: str) -> float | None:
        value = self.get(name, False)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
            raise self.fail(name, "expected a number of seconds, at least 0")
        if value > 1e9:
            raise self.fail(name, "more than 10^9 seconds")
        return float(value)

    def flag(self, name: str) -> bool:
        value = self.get(name, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            raise self.fail(name, f"expected true or false, got {_kind(value)}")
        return value

    def items(self, name: str) -> list[Any]:
        value = self.get(name, False)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(name, f"expected a list, got {_kind(value)}")
        if len(value) > MAX_ITEMS:
            raise self.fail(name, f"more than {MAX_ITEMS:,} entries")
        return value

    def done(self) -> None:
        unknown = sorted(set(self.obj) - self.used)
        if unknown:
            raise EventError(f"{self.where}: unknown field {_short(unknown[0])}")


def parse_time(value: Any, fail: Any) -> datetime:
    """An ISO 8601 time with a zone (``Z`` or ``+05:30``), as UTC."""
    if not isinstance(value, str):
        raise fail(f"expected an ISO 8601 time string, got {_kind(value)}")
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        raise fail(f"not an ISO 8601 time: {_short(value)}") from None
    if moment.tzinfo is None:
        raise fail("not an ISO 8601 time with a zone (add Z or an offset such as +02:00)")
    return moment.astimezone(UTC)


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return "a number"
    return names.get(type(value), type(value).__name__)


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=True) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def decode(obj: Any) -> Event:
    """One event from a JSON object with a ``type``; :class:`EventError` if it is not one."""
    if not isinstance(obj, dict):
        raise EventError(f"expected a JSON object with a 'type', got {_kind(obj)}")
    kind = obj.get("type")
    if kind is None:
        raise EventError("type: missing")
    if not isinstance(kind, str) or kind not in EVENT_TYPES:
        raise EventError(
            f"type: unknown event type {_short(kind)} (known: {', '.join(EVENT_TYPES)})"
        )
    f = _Fields(obj, kind)
    f.used.add("type")
    try:
        event: Event = _DECODERS[kind](f)
    except ValueError as exc:
        if isinstance(exc, EventError):
            raise
        raise EventError(f"{kind}: {exc}") from None
    f.done()
    return event


def _commit(f: _Fields) -> Commit:
    parents = f.items("parents")
    return Commit(
        repo=f.text("repo"),
        sha=f.sha("sha") or "",
        authored_at=_req(f.time("authored_at")),
        committed_at=_req(f.time("committed_at")),
        author=f.text("author", required=False),
        parents=tuple(f.check_sha(f"parents[{i}]", p) for i, p in enumerate(parents)),
        message=f.note("message"),
    )


def _change(f: _Fields) -> Change:
    commits = f.items("commits")
    return Change(
        repo=f.text("repo"),
        id=f.ident("id") or "",
        created_at=_req(f.time("created_at")),
        author=f.text("author", required=False),
        first_review_at=f.time("first_review_at", required=False),
        merged_at=f.time("merged_at", required=False),
        closed_at=f.time("closed_at", required=False),
        merge_sha=f.sha("merge_sha", required=False),
        commits=tuple(f.check_sha(f"commits[{i}]", c) for i, c in enumerate(commits)),
        target_branch=f.text("target_branch", required=False),
        title=f.note("title"),
        url=f.text("url", MAX_PATH, required=False),
    )


def _job(f: _Fields) -> Job:
    return Job(
        name=f.text("name"),
        result=f.choice("result", PIPELINE_RESULTS),
        queued_at=f.time("queued_at", required=False),
        started_at=f.time("started_at", required=False),
        finished_at=f.time("finished_at", required=False),
        allow_failure=f.flag("allow_failure"),
    )


def _stage(f: _Fields) -> Stage:
    jobs = [_nested(f, "jobs", i, item, _job) for i, item in enumerate(f.items("jobs"))]
    return Stage(
        name=f.text("name"),
        result=f.choice("result", PIPELINE_RESULTS),
        started_at=f.time("started_at", required=False),
        finished_at=f.time("finished_at", required=False),
        jobs=tuple(jobs),
    )


def _pipeline_run(f: _Fields) -> PipelineRun:
    stages = [_nested(f, "stages", i, item, _stage) for i, item in enumerate(f.items("stages"))]
    return PipelineRun(
        id=f.ident("id") or "",
        repo=f.text("repo"),
        sha=f.sha("sha") or "",
        ref=f.text("ref", MAX_PATH),
        result=f.choice("result", PIPELINE_RESULTS),
        queued_at=f.time("queued_at", required=False),
        started_at=f.time("started_at", required=False),
        finished_at=f.time("finished_at", required=False),
        stages=tuple(stages),
        name=f.text("name", required=False),
        url=f.text("url", MAX_PATH, required=False),
    )


def _commit_ref(f: _Fields) -> CommitRef:
    return CommitRef(repo=f.text("repo"), sha=f.sha("sha") or "")


def _deployment(f: _Fields) -> Deployment:
    commits = f.items("commits")
    return Deployment(
        id=f.ident("id") or "",
        service=f.text("service"),
        environment=f.text("environment"),
        result=f.choice("result", DEPLOYMENT_RESULTS),
        finished_at=_req(f.time("finished_at")),
        started_at=f.time("started_at", required=False),
        version=f.text("version", required=False),
        kind=f.choice("kind", DEPLOYMENT_KINDS, "normal"),
        commits=tuple(_nested(f, "commits", i, c, _commit_ref) for i, c in enumerate(commits)),
        pipeline_run=f.ident("pipeline_run", required=False),
        url=f.text("url", MAX_PATH, required=False),
    )


def _incident(f: _Fields) -> Incident:
    return Incident(
        id=f.ident("id") or "",
        service=f.text("service"),
        created_at=_req(f.time("created_at")),
        severity=f.text("severity", MAX_SHORT, required=False),
        resolved_at=f.time("resolved_at", required=False),
        caused_by_deployment=f.ident("caused_by_deployment", required=False),
        title=f.note("title"),
        url=f.text("url", MAX_PATH, required=False),
    )


def _defect(f: _Fields) -> Defect:
    return Defect(
        id=f.ident("id") or "",
        service=f.text("service"),
        created_at=_req(f.time("created_at")),
        found_in=f.choice("found_in", FOUND_IN),
        severity=f.text("severity", MAX_SHORT, required=False),
        resolved_at=f.time("resolved_at", required=False),
        title=f.note("title"),
        url=f.text("url", MAX_PATH, required=False),
    )


def _case(f: _Fields) -> TestCase:
    return TestCase(
        name=f.text("name", MAX_PATH),
        result=f.choice("result", TEST_RESULTS),
        classname=f.text("classname", MAX_PATH, required=False),
        suite=f.text("suite", MAX_PATH, required=False),
        file=f.text("file", MAX_PATH, required=False),
        seconds=f.seconds("seconds"),
        error_type=f.text("error_type", MAX_PATH, required=False),
        message=f.note("message"),
    )


def _test_run(f: _Fields) -> TestRun:
    cases = [_nested(f, "cases", i, item, _case) for i, item in enumerate(f.items("cases"))]
    return TestRun(
        repo=f.text("repo"),
        sha=f.sha("sha") or "",
        suite=f.text("suite"),
        id=f.ident("id", required=False) or "",
        started_at=f.time("started_at", required=False),
        seconds=f.seconds("seconds"),
        cases=tuple(cases),
        pipeline_run=f.ident("pipeline_run", required=False),
    )


def _file_coverage(f: _Fields) -> FileCoverage:
    return FileCoverage(
        path=f.text("path", MAX_PATH),
        lines_covered=_req(f.count("lines_covered")),
        lines_valid=_req(f.count("lines_valid")),
        branches_covered=f.count("branches_covered", required=False),
        branches_valid=f.count("branches_valid", required=False),
    )


def _coverage(f: _Fields) -> Coverage:
    files = [
        _nested(f, "files", i, item, _file_coverage) for i, item in enumerate(f.items("files"))
    ]
    return Coverage(
        repo=f.text("repo"),
        sha=f.sha("sha") or "",
        format=f.choice("format", COVERAGE_FORMATS),
        lines_covered=_req(f.count("lines_covered")),
        lines_valid=_req(f.count("lines_valid")),
        branches_covered=f.count("branches_covered", required=False),
        branches_valid=f.count("branches_valid", required=False),
        id=f.ident("id", required=False) or "",
        measured_at=f.time("measured_at", required=False),
        files=tuple(files),
        pipeline_run=f.ident("pipeline_run", required=False),
    )


def _nested(parent: _Fields, name: str, index: int, item: Any, build: Any) -> Any:
    f = _Fields(item, f"{parent.where}: {name}[{index}]")
    try:
        value = build(f)
    except ValueError as exc:
        if isinstance(exc, EventError):
            raise
        raise EventError(f"{f.where}: {exc}") from None
    f.done()
    return value


def _req(value: Any) -> Any:
    assert value is not None  # the reader raised "missing" for a required field
    return value


_DECODERS: dict[str, Any] = {
    "commit": _commit,
    "change": _change,
    "pipeline_run": _pipeline_run,
    "deployment": _deployment,
    "incident": _incident,
    "test_run": _test_run,
    "coverage": _coverage,
    "defect": _defect,
}


def check_commit_ref(repo: str, sha: str) -> tuple[str, str]:
    """``repo`` and ``sha`` as given on a command line, checked like event fields."""
    f = _Fields({"repo": repo, "sha": sha}, "commit")
    return f.text("repo"), f.sha("sha") or ""


def check_id(name: str, value: str) -> str:
    """An optional id given on a command line (``--id``, ``--pipeline-run``)."""
    return _Fields({name: value}, "option").ident(name) or ""

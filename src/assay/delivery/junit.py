"""JUnit XML test reports -> one ``test_run`` event.

The common dialects share one shape, which this reader follows:
``<testsuites>`` (optional, may nest) > ``<testsuite name time timestamp>`` >
``<testcase classname name time file>`` with a ``<failure>``, ``<error>`` or
``<skipped>`` child (absent: passed). Known writers: Maven Surefire/Failsafe
(one file per class; ``time="1,234.5"`` in some locales), pytest
(``--junitxml``), jest-junit, GitLab and Jenkins (the same schema), Gradle,
go-junit-report. Surefire's ``<flakyFailure>``/``<rerunFailure>`` inside a
passing case leave it passed; its failing attempts are not separate cases.

The run's suite name is the report's own: the single ``<testsuite>``'s name
under ``<testsuites>``, else the root's name, else ``junit``.

A suite ``timestamp`` with a zone sets the run's ``started_at``; a naive one
(the usual case) is ignored, never guessed. Parsing is only through
:mod:`assay.delivery._xml` (defusedxml, no DTD).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime
from pathlib import Path

from assay.core.errors import InputError
from assay.delivery._xml import XmlReport, local, parse
from assay.delivery.events import MAX_ID, MAX_MESSAGE, MAX_NAME, MAX_PATH, TestCase, TestRun

_OUTCOMES = {"failure": "failed", "error": "error", "skipped": "skipped"}
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")


class InvalidTestReport(InputError):
    """A JUnit XML file cannot be read as a test report."""


def read_junit(
    path: Path,
    *,
    repo: str,
    sha: str,
    suite: str | None = None,
    run_id: str = "",
    pipeline_run: str | None = None,
) -> TestRun:
    """The test run in ``path``; ``suite`` defaults to the report's own name."""
    report = parse(path, InvalidTestReport)
    root = report.root
    kind = local(root.tag)
    if kind not in ("testsuites", "testsuite"):
        raise InvalidTestReport(
            path,
            f"not a JUnit XML report: root element is <{kind[:40]}>, "
            "expected <testsuites> or <testsuite>",
            line=report.line(root),
        )
    reader = _Reader(path, report)
    cases: list[TestCase] = []
    reader.walk(root, "", cases)
    name = suite if suite is not None else _default_suite(root)
    if len(name) > MAX_NAME:
        raise InvalidTestReport(path, f"suite name longer than {MAX_NAME} characters")
    if len(run_id) > MAX_ID:
        raise InvalidTestReport(path, f"run id longer than {MAX_ID} characters")
    return TestRun(
        repo=repo,
        sha=sha,
        suite=name,
        id=run_id,
        started_at=reader.started_at,
        seconds=reader.seconds(root),
        cases=tuple(cases),
        pipeline_run=pipeline_run,
    )


def _default_suite(root: ET.Element) -> str:
    """The report's own name: the only <testsuite>'s under a <testsuites>, else the root's."""
    suites = [child for child in root if local(child.tag) == "testsuite"]
    named = suites[0] if local(root.tag) == "testsuites" and len(suites) == 1 else root
    return (named.get("name") or "").strip() or (root.get("name") or "").strip() or "junit"


class _Reader:
    def __init__(self, path: Path, report: XmlReport) -> None:
        self.path = path
        self.report = report
        self.started_at: datetime | None = None

    def fail(self, element: ET.Element, reason: str) -> InvalidTestReport:
        return InvalidTestReport(self.path, reason, line=self.report.line(element))

    def walk(self, element: ET.Element, suite: str, cases: list[TestCase]) -> None:
        kind = local(element.tag)
        if kind == "testsuite":
            suite = self.text(element, "name", MAX_PATH) or suite
            self.note_timestamp(element.get("timestamp"))
        for child in element:
            name = local(child.tag)
            if name == "testcase":
                cases.append(self.case(child, suite))
            elif name in ("testsuite", "testsuites"):
                self.walk(child, suite, cases)

    def case(self, element: ET.Element, suite: str) -> TestCase:
        name = self.text(element, "name", MAX_PATH)
        if not name:
            raise self.fail(element, "<testcase> without a name")
        result, error_type, message = "passed", "", ""
        for child in element:
            outcome = _OUTCOMES.get(local(child.tag))
            if outcome is None:
                continue
            # an error outranks a failure, which outranks a skip
            if _RANK[outcome] > _RANK[result]:
                result = outcome
                error_type = (child.get("type") or "").strip()[:MAX_PATH]
                message = (child.get("message") or child.text or "").strip()[:MAX_MESSAGE]
        return TestCase(
            name=name,
            result=result,
            classname=self.text(element, "classname", MAX_PATH),
            suite=suite,
            file=self.text(element, "file", MAX_PATH),
            seconds=self.time(element),
            error_type=error_type,
            message=message,
        )

    def text(self, element: ET.Element, attribute: str, limit: int) -> str:
        value = (element.get(attribute) or "").strip()
        if len(value) > limit:
            raise self.fail(element, f"{attribute} longer than {limit} characters")
        return value

    def time(self, element: ET.Element) -> float | None:
        raw = (element.get("time") or "").strip()
        if not raw:
            return None
        if _THOUSANDS.fullmatch(raw):
            raw = raw.replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            raise self.fail(element, f"time {raw[:40]!r} is not a number of seconds") from None
        if not 0 <= value <= 1e9:  # also refuses nan and inf
            raise self.fail(element, f"time {raw[:40]!r} is not a number of seconds")
        return value

    def seconds(self, root: ET.Element) -> float | None:
        if local(root.tag) == "testsuite" or root.get("time"):
            return self.time(root)
        times = [self.time(s) for s in root if local(s.tag) == "testsuite"]
        known = [t for t in times if t is not None]
        return sum(known) if known else None

    def note_timestamp(self, raw: str | None) -> None:
        if not raw:
            return
        try:
            moment = datetime.fromisoformat(raw.strip())
        except ValueError:
            return  # informational only; a malformed one is not worth refusing the report
        if moment.tzinfo is None:
            return
        if self.started_at is None or moment < self.started_at:
            self.started_at = moment


_RANK = {"passed": 0, "skipped": 1, "failed": 2, "error": 3}

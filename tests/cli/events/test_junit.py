"""``assay events junit FILE.xml --repo R --sha S`` end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from assay.core.db import Database
from assay.delivery import models as m
from tests.cli.events.conftest import exit_code

TESTDATA = Path(__file__).parents[2] / "delivery" / "testdata"
SHA = "a" * 40


def test_a_pytest_report_becomes_a_test_run(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "events",
        "junit",
        str(TESTDATA / "junit-pytest.xml"),
        "--repo",
        "acme/pay",
        "--sha",
        SHA,
    ]
    assert exit_code(argv) == 0
    assert capsys.readouterr().out == "1 event: 1 inserted, 0 updated, 0 unchanged\n"
    assert exit_code([*argv, "--id", "attempt-2"]) == 0  # a second attempt is kept apart
    assert exit_code(argv) == 0
    assert capsys.readouterr().out.endswith("1 event: 0 inserted, 0 updated, 1 unchanged\n")
    with cli_db.session() as s:
        runs = s.execute(select(m.TestRunRow).order_by(m.TestRunRow.run_id)).scalars().all()
        assert [(r.suite, r.run_id, r.tests, r.failed, r.errors) for r in runs] == [
            ("calc-tests", "", 5, 2, 1),
            ("calc-tests", "attempt-2", 5, 2, 1),
        ]
        assert runs[0].source == "junit:junit-pytest.xml"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--sha", "abc123"], "--sha: not a full commit sha (40 or 64 hexadecimal digits)"),
        (["--repo", " "], "--repo: empty"),
        (["--suite", ""], "--suite: the name is empty"),
        (["--pipeline-run", "x" * 129], "--pipeline-run: longer than 128 characters"),
    ],
)
def test_bad_options_exit_2(
    cli_db: Database, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    argv = ["events", "junit", str(TESTDATA / "junit-pytest.xml"), "--repo", "r", "--sha", SHA]
    assert exit_code([*argv, *extra]) == 2
    assert capsys.readouterr().err == f"assay: error: {message}\n"


def test_a_coverage_report_given_as_junit_exits_2(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    path = TESTDATA / "cobertura.xml"
    assert exit_code(["events", "junit", str(path), "--repo", "r", "--sha", SHA]) == 2
    assert capsys.readouterr().err == (
        f"assay: error: {path}:2: not a JUnit XML report: root element is <coverage>, "
        "expected <testsuites> or <testsuite>\n"
    )

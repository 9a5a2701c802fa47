"""JUnit XML from pytest, Surefire and jest-junit -> test_run events; hostile XML refused."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from assay.delivery.junit import InvalidTestReport, read_junit

TESTDATA = Path(__file__).parent / "testdata"
SHA = "a" * 40


def read(path: Path, **kw: str):  # type: ignore[no-untyped-def]
    return read_junit(path, repo="acme/pay", sha=SHA, **kw)


def test_pytest_report() -> None:
    run = read(TESTDATA / "junit-pytest.xml")
    assert run.suite == "calc-tests"
    assert [(c.name, c.result) for c in run.cases] == [
        ("test_add", "passed"),
        ("test_divide_by_zero", "failed"),
        ("test_skipped", "skipped"),
        ("test_error", "error"),
        ("test_unicode_ünïcode", "failed"),
    ]
    failed = run.cases[1]
    assert failed.classname == "tests.test_calc" and failed.suite == "calc-tests"
    assert failed.message == "ZeroDivisionError: division by zero"
    assert run.cases[3].message.startswith('failed on setup with "RuntimeError')
    assert run.cases[2].error_type == "pytest.skip"
    assert run.seconds == 0.175
    assert run.started_at is not None and run.started_at.tzinfo is UTC


def test_surefire_report_with_locale_thousands_and_a_flaky_pass() -> None:
    run = read(TESTDATA / "junit-surefire.xml", run_id="job-17")
    assert run.suite == "com.acme.payments.LedgerTest"
    assert run.key == ("acme/pay", SHA, "com.acme.payments.LedgerTest", "job-17")
    results = {c.name: c.result for c in run.cases}
    assert results == {
        "postsBalancedEntries": "passed",
        "rejectsNegativeAmount": "failed",
        "retriesOnDeadlock": "passed",  # a <flakyFailure> before the pass
        "migratesLegacyAccounts": "skipped",
    }
    assert run.seconds == 1234.567
    assert run.cases[2].seconds == 1234.001
    assert run.cases[1].error_type == "org.opentest4j.AssertionFailedError"
    assert run.started_at is None


def test_jest_report_takes_only_zoned_timestamps() -> None:
    run = read(TESTDATA / "junit-jest.xml")
    assert run.suite == "jest tests"
    assert [c.suite for c in run.cases] == ["cart reducer", "cart reducer", "checkout"]
    assert run.cases[1].result == "failed" and run.cases[1].message.startswith("Error: expect")
    # the first suite's naive timestamp is ignored, the second's zoned one used
    assert run.started_at == datetime(2026, 3, 29, 1, 0, 1, tzinfo=UTC)
    assert run.seconds == 2.417


def test_nested_suites_and_a_suite_name_override(tmp_path: Path) -> None:
    path = tmp_path / "ctest.xml"
    path.write_text(
        '<testsuites><testsuite name="outer"><testsuite name="inner">'
        '<testcase name="a"><error type="Crash"/></testcase></testsuite>'
        '<testcase name="b"/></testsuite></testsuites>'
    )
    run = read(path, suite="integration")
    assert run.suite == "integration"
    assert [(c.name, c.suite, c.result) for c in run.cases] == [
        ("a", "inner", "error"),
        ("b", "outer", "passed"),
    ]


def billion_laughs() -> str:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE testsuite [\n' + "\n".join(entities) + "\n]>\n"
        '<testsuite name="x"><testcase name="&lol9;"/></testsuite>\n'
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "file is empty"),
        ("   \n", "file is empty"),
        ("<testsuite><testcase name='a'>", ":1: invalid XML: no element found"),
        ('{"type": "test_run"}', ":1: invalid XML: not well-formed"),
        ("<report/>", ":1: not a JUnit XML report: root element is <report>"),
        ("<testsuite><testcase classname='x'/></testsuite>", ":1: <testcase> without a name"),
        ("<testsuite><testcase name='a' time='fast'/></testsuite>", "time 'fast' is not a number"),
        ("<testsuite><testcase name='a' time='nan'/></testsuite>", "time 'nan' is not a number"),
        (billion_laughs(), ":2: DTD not allowed"),
        (
            '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            '<testsuite name="&x;"/>',
            ":1: DTD not allowed",
        ),
        ("<a>" * 150 + "</a>" * 150, "XML nested deeper than 100 levels"),
        ("\x00\x01\x02", "binary file"),
    ],
)
def test_bad_and_hostile_reports_are_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "report.xml"
    path.write_text(content)
    with pytest.raises(InvalidTestReport) as info:
        read(path)
    assert str(info.value).startswith(str(path))
    assert message in str(info.value), str(info.value)


def test_an_empty_suite_is_a_run_without_cases(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_text('<testsuite name="none" tests="0"/>')
    run = read(path)
    assert run.cases == () and run.suite == "none"


def test_a_truncated_real_report_is_refused(tmp_path: Path) -> None:
    data = (TESTDATA / "junit-surefire.xml").read_bytes()
    path = tmp_path / "TEST-truncated.xml"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidTestReport, match=r"invalid XML: (no element found|unclosed token)"):
        read(path)

"""The vetting report's verdict rule and its versioned JSON form."""

from __future__ import annotations

import json
from typing import Any

import pytest

from assay.vetting.report import CheckResult, InvalidReport, Status, Verdict, VetReport


def _report(*statuses: Status) -> VetReport:
    checks = tuple(
        CheckResult(f"c{i}", s, f"summary {i}", (f"detail {i}",)) for i, s in enumerate(statuses)
    )
    return VetReport(
        "pkg:pypi/demo@1.0",
        "PyPI",
        "demo",
        "1.0",
        checks,
        "2026-12-07T10:00:00Z",
        "https://pypi.org",
    )


@pytest.mark.parametrize(
    ("statuses", "verdict"),
    [
        ((Status.PASS, Status.PASS), Verdict.PASS),
        ((Status.PASS, Status.WARN), Verdict.REVIEW),
        ((Status.PASS, Status.NOT_RUN), Verdict.REVIEW),  # not run is never a pass
        ((Status.WARN, Status.FAIL, Status.NOT_RUN), Verdict.FAIL),
        ((), Verdict.PASS),
    ],
)
def test_verdict(statuses: tuple[Status, ...], verdict: Verdict) -> None:
    assert _report(*statuses).verdict is verdict


def test_round_trip_through_json() -> None:
    report = _report(Status.PASS, Status.FAIL, Status.NOT_RUN)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["schema_version"] == 1 and data["verdict"] == "fail"
    assert data["checks"][1] == {
        "name": "c1",
        "status": "fail",
        "summary": "summary 1",
        "details": ["detail 1"],
    }
    assert VetReport.from_dict(data) == report


def _valid() -> dict[str, Any]:
    return _report(Status.PASS).to_dict()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(schema_version=2), "unsupported schema_version 2"),
        (lambda d: d.pop("schema_version"), "unsupported schema_version None"),
        (lambda d: d.update(purl=None), "'purl' must be a string"),
        (lambda d: d.update(registry_url=5), "'registry_url'"),
        (lambda d: d.update(checks={}), "'checks' must be a list"),
        (lambda d: d["checks"].append("x"), r"checks\[1\] is not an object"),
        (lambda d: d["checks"][0].update(status="ok"), "unknown status 'ok'"),
        (lambda d: d["checks"][0].update(details=[1]), "list of strings"),
        (lambda d: d["checks"][0].pop("name"), "'name' and 'summary'"),
    ],
)
def test_from_dict_rejects_bad_documents(change: Any, message: str) -> None:
    data = _valid()
    change(data)
    with pytest.raises(InvalidReport, match=message):
        VetReport.from_dict(data, "vetting_report 7")


def test_from_dict_rejects_non_objects() -> None:
    with pytest.raises(InvalidReport, match="not a JSON object"):
        VetReport.from_dict([], "x")


def test_to_dict_follows_the_published_schema() -> None:
    from pathlib import Path

    import jsonschema

    schema_path = Path(__file__).resolve().parents[2] / "docs/schemas/vet-report-1.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.validate(_report(Status.PASS, Status.NOT_RUN).to_dict(), schema)
    bad = _report(Status.PASS).to_dict()
    bad["checks"][0]["status"] = "ok"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)

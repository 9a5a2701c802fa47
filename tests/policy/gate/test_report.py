"""Tests for the gate report: verdict, counts, missing data, and the JSON round trip."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assay.core.errors import InputError
from assay.policy.gate.report import (
    SERVER,
    GateReport,
    data_kind,
    supply_hint,
)
from assay.policy.model import Verdict
from tests.policy.gate.sample import DJANGO, EVIL, clean_report, sample_report

SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "schemas" / "gate-report-1.schema.json"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text()))


def test_an_unwaived_fail_fails_and_a_waived_one_does_not() -> None:
    report = sample_report()
    assert report.verdict == "fail"
    waived_only = replace(
        report,
        evaluation=replace(
            report.evaluation,
            violations=tuple(v for v in report.evaluation.violations if v.waiver is not None),
        ),
    )
    assert waived_only.verdict == "pass"
    assert waived_only.counts()["waived"] == 1


def test_strict_fails_on_a_fail_policy_that_could_not_be_evaluated() -> None:
    report = clean_report()
    unknown = sample_report().evaluation.unevaluated
    lenient = replace(report, evaluation=replace(report.evaluation, unevaluated=unknown))
    assert lenient.verdict == "pass"
    assert replace(lenient, strict=True).verdict == "fail"
    warn_only = tuple(u for u in unknown if u.verdict is Verdict.WARN)
    strict_warn = replace(
        lenient, strict=True, evaluation=replace(report.evaluation, unevaluated=warn_only)
    )
    assert strict_warn.verdict == "pass"


def test_counts_and_order_put_failures_first() -> None:
    report = sample_report()
    assert report.counts() == {"fail": 1, "warn": 1, "info": 1, "waived": 1, "unevaluated": 3}
    assert [v.verdict.value for v in report.effective] == ["fail", "warn", "info"]
    assert report.effective[0].component == EVIL


def test_missing_data_groups_checks_by_kind_with_how_to_supply_it() -> None:
    missing = {m.data: m for m in sample_report().missing_data}
    assert set(missing) == {"licence", "release date"}
    licence = missing["licence"]
    assert (licence.checks, licence.fail_checks) == (2, 2)
    assert licence.policies == ("no-unknown-licences",)
    assert "SBOM" in licence.how and "--server" in licence.how
    assert "--online" in missing["release date"].how
    assert missing["release date"].fail_checks == 0


@pytest.mark.parametrize(
    ("note", "local", "server"),
    [
        ("licence: none stated", "SBOM", "SBOM"),
        ("release date: unknown", "--online", "ASSAY_REGISTRY_REFRESH=1"),
        ("KEV: never imported", "assay db sync", "assay db sync"),
        ("catalogue: none on this machine", "--server", "catalogue"),
    ],
)
def test_supply_hints_differ_between_local_and_server(note: str, local: str, server: str) -> None:
    assert local in supply_hint(note)
    assert server in supply_hint(note, SERVER)


def test_an_unrecognised_note_is_its_own_hint_and_kind() -> None:
    assert supply_hint("the moon: is full") == "the moon: is full"
    assert data_kind("the moon: is full") == "the moon"
    assert data_kind("no colon here at all") == "no colon here at all"
    long = "x" * 50 + ": y"
    assert data_kind(long) == long


@pytest.mark.parametrize("make", [sample_report, clean_report])
def test_json_validates_against_the_published_schema(
    validator: jsonschema.Draft202012Validator, make: Any
) -> None:
    validator.validate(make().to_dict())


def test_the_schema_rejects_a_wrong_verdict(validator: jsonschema.Draft202012Validator) -> None:
    data = sample_report().to_dict()
    data["verdict"] = "maybe"
    with pytest.raises(jsonschema.ValidationError, match="'maybe' is not one of"):
        validator.validate(data)


def test_round_trip_keeps_every_field() -> None:
    report = sample_report(strict=True)
    data = json.loads(json.dumps(report.to_dict()))
    back = GateReport.from_dict(data)
    assert back == report
    assert back.locations == report.locations
    assert back.to_dict() == report.to_dict()
    assert back.effective[0].component == EVIL
    waived = back.waived[0]
    assert waived.component == DJANGO and waived.waiver == report.waived[0].waiver


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(schema_version=2), "schema_version is 2"),
        (lambda d: d.pop("violations"), "missing 'violations'"),
        (lambda d: d.update(violations="no"), "violations must be a list"),
        (lambda d: d["violations"][0].update(verdict="maybe"), "'maybe' is not a valid Verdict"),
        (lambda d: d["violations"][0]["component"].update(name=3), "component.name must be text"),
        (lambda d: d.update(components=True), "components must be an integer"),
        (lambda d: d.update(strict="yes"), "strict must be true or false"),
        (lambda d: d.update(mode="cloud"), "neither local nor server"),
        (lambda d: d["subject"].update(quality_score="high"), "quality_score must be a number"),
        (lambda d: d["violations"][3]["waiver"].update(expires="soon"), "Invalid isoformat"),
        (lambda d: d["violations"][0].update(files="web/package-lock.json"), "files must be"),
    ],
)
def test_from_dict_refuses_what_it_cannot_read_in_one_line(mutate: Any, message: str) -> None:
    data = sample_report().to_dict()
    mutate(data)
    with pytest.raises(InputError, match=message) as info:
        GateReport.from_dict(data, "https://assay.example/api/v1/gate")
    assert str(info.value).startswith("https://assay.example/api/v1/gate: not a gate report")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("data", [None, [], "report", 1, {}])
def test_from_dict_refuses_empty_and_wrong_documents(data: Any) -> None:
    with pytest.raises(InputError, match="not a gate report"):
        GateReport.from_dict(data)

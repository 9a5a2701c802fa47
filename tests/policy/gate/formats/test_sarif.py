"""Tests for the gate's SARIF format.

The official SARIF 2.1.0 schema is not available offline, so the document is
validated against the subset schema of tests/matching/formats/test_sarif.py
(transcribed from the OASIS specification), extended here with the objects the
gate adds: invocation (3.20) with its tool execution notifications (3.58), and
suppression (3.35), whose ``kind`` is required and whose ``status`` GitHub reads
to show an alert as dismissed.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest

from assay.policy.gate.formats.interface import RenderOptions
from assay.policy.gate.formats.sarif import FORMATTER
from tests.matching.formats.test_sarif import MESSAGE, SARIF_SUBSET
from tests.policy.gate.sample import EVIL, HOSTILE, clean_report, sample_report

SCHEMA: dict[str, Any] = copy.deepcopy(SARIF_SUBSET)
_RUN = SCHEMA["properties"]["runs"]["items"]["properties"]
_RUN["results"]["items"]["properties"]["suppressions"] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["kind"],
        "properties": {
            "kind": {"enum": ["inSource", "external"]},
            "status": {"enum": ["accepted", "underReview", "rejected"]},
            "justification": {"type": "string"},
        },
    },
}
_RUN["invocations"] = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["executionSuccessful"],
        "properties": {
            "executionSuccessful": {"type": "boolean"},
            "toolExecutionNotifications": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["message"],
                    "properties": {
                        "message": MESSAGE,
                        "level": {"enum": ["none", "note", "warning", "error"]},
                    },
                },
            },
        },
    },
}


def render(report: Any = None) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(FORMATTER.render(report or sample_report(), RenderOptions()))
    jsonschema.Draft202012Validator(SCHEMA).validate(doc)
    return doc


def test_one_rule_per_policy_with_description_and_remediation_as_help() -> None:
    rules = render()["runs"][0]["tool"]["driver"]["rules"]
    by_id = {r["id"]: r for r in rules}
    assert "no-malicious-packages" in by_id and "no-copyleft" in by_id
    rule = by_id["no-critical-vulnerabilities"]
    assert rule["shortDescription"]["text"] == "No critical vulnerabilities in production"
    assert rule["help"]["text"].startswith("Upgrade to a fixed version")
    assert rule["defaultConfiguration"]["level"] == "error"
    assert by_id["release-quarantine"]["defaultConfiguration"]["level"] == "warning"
    assert by_id["sbom-quality"]["defaultConfiguration"]["level"] == "note"


def test_results_carry_level_location_and_a_rule_index_that_points_at_their_rule() -> None:
    run = render()["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    results = run["results"]
    assert [r["level"] for r in results] == ["error", "warning", "note", "error"]
    for r in results:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    evil = results[0]
    assert evil["properties"]["purl"] == EVIL.purl
    uri = evil["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "web/package-lock.json"
    # a project-level result points at the first file read
    quality = results[2]
    assert quality["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "requirements.txt"
    )


def test_a_waived_violation_is_an_accepted_external_suppression() -> None:
    results = render()["runs"][0]["results"]
    waived = [r for r in results if "suppressions" in r]
    assert len(waived) == 1
    (suppression,) = waived[0]["suppressions"]
    assert suppression["kind"] == "external" and suppression["status"] == "accepted"
    assert "not reachable" in suppression["justification"]
    assert "2030-01-31" in suppression["justification"]


def test_missing_data_are_notifications_not_results() -> None:
    run = render()["runs"][0]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert len(notes) == 2
    assert "could not evaluate 2 checks" in notes[0]["message"]["text"]
    assert all("no-unknown-licences" not in r["ruleId"] for r in run["results"])


def test_fingerprints_are_stable_and_distinct() -> None:
    first = [r["partialFingerprints"] for r in render()["runs"][0]["results"]]
    assert first == [r["partialFingerprints"] for r in render()["runs"][0]["results"]]
    assert len({json.dumps(f) for f in first}) == len(first)


def test_hostile_names_stay_inside_json_strings() -> None:
    doc = render()
    message = doc["runs"][0]["results"][1]["message"]["text"]
    assert HOSTILE.name.split("\x01")[0] in message


@pytest.mark.parametrize("make", [clean_report])
def test_a_clean_report_has_rules_and_no_results(make: Any) -> None:
    run = render(make())["runs"][0]
    assert run["results"] == []
    assert run["properties"]["verdict"] == "pass"
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["no-malicious-packages"]

"""Tests for the SARIF format.

The official SARIF 2.1.0 schema is not available offline, so the structure the
OASIS standard requires (and GitHub code scanning reads) is checked explicitly:
a subset schema transcribed from the SARIF 2.1.0 specification, sections
3.13 (sarifLog), 3.14 (run), 3.18 (tool), 3.19 (toolComponent), 3.27 (result),
3.28 (location), 3.29 (physicalLocation), 3.30 (region), 3.49 (reportingDescriptor).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assay.matching.formats.interface import RenderOptions
from assay.matching.formats.sarif import FORMATTER, artifact_uri, locate, security_severity
from assay.matching.model import Vulnerability
from tests.matching.formats.sample import empty_result, sample_result

MESSAGE = {"type": "object", "required": ["text"], "properties": {"text": {"type": "string"}}}
SARIF_SUBSET: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "$schema": {"type": "string", "format": "uri"},
        "runs": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["tool"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name"],
                                "properties": {
                                    "name": {"type": "string"},
                                    "version": {"type": "string"},
                                    "informationUri": {"type": "string"},
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": ["id"],
                                            "properties": {
                                                "id": {"type": "string"},
                                                "shortDescription": MESSAGE,
                                                "fullDescription": MESSAGE,
                                                "help": MESSAGE,
                                                "defaultConfiguration": {
                                                    "properties": {
                                                        "level": {
                                                            "enum": [
                                                                "none",
                                                                "note",
                                                                "warning",
                                                                "error",
                                                            ]
                                                        }
                                                    }
                                                },
                                                "properties": {
                                                    "properties": {
                                                        "security-severity": {
                                                            "type": "string",
                                                            "pattern": r"^\d+(\.\d+)?$",
                                                        },
                                                        "tags": {
                                                            "type": "array",
                                                            "items": {"type": "string"},
                                                        },
                                                    }
                                                },
                                            },
                                        },
                                    },
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["message"],
                            "properties": {
                                "ruleId": {"type": "string"},
                                "ruleIndex": {"type": "integer", "minimum": 0},
                                "level": {"enum": ["none", "note", "warning", "error"]},
                                "message": MESSAGE,
                                "locations": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "physicalLocation": {
                                                "type": "object",
                                                "required": ["artifactLocation"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "type": "object",
                                                        "required": ["uri"],
                                                        "properties": {"uri": {"type": "string"}},
                                                    },
                                                    "region": {
                                                        "type": "object",
                                                        "properties": {
                                                            "startLine": {
                                                                "type": "integer",
                                                                "minimum": 1,
                                                            }
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                                "partialFingerprints": {
                                    "type": "object",
                                    "additionalProperties": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}


def render(result: Any = None) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(FORMATTER.render(result or sample_result(), RenderOptions()))
    jsonschema.Draft202012Validator(SARIF_SUBSET).validate(doc)
    return doc


def test_structure_and_rules() -> None:
    doc = render()
    run = doc["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["CVE-2021-9", "PYSEC-2020-2", "MAL-2024-1", "GO-2022-1"]
    assert len({r["id"] for r in rules}) == len(rules)
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    severities = [r["properties"].get("security-severity") for r in rules]
    assert severities == ["7.5", "2.0", "10.0", None]
    assert "malicious" in rules[2]["properties"]["tags"]
    assert [r["level"] for r in run["results"]] == ["error", "note", "error", "warning"]
    assert "upgrade to 3.2.6" in run["results"][0]["message"]["text"]
    fingerprints = {r["partialFingerprints"]["assayFinding/v1"] for r in run["results"]}
    assert len(fingerprints) == 4


def test_empty_result_has_a_run_without_results() -> None:
    run = render(empty_result())["runs"][0]
    assert (run["results"], run["tool"]["driver"]["rules"]) == ([], [])


def test_locates_the_package_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "requirements.txt").write_text("# pins\nflask==2.0\nDjango==3.2.4\n")
    location = render()["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "requirements.txt"}, "region": {"startLine": 3}}
    missing = render()["runs"][0]["results"][2]["locations"][0]["physicalLocation"]
    assert missing == {"artifactLocation": {"uri": "web/package-lock.json"}}


def test_locate_edge_cases(tmp_path: Path) -> None:
    path = tmp_path / "go.mod"
    path.write_bytes(b"module x\n\xff\xfe\nrequire golang.org/x/net v0.5.0\n")
    assert locate(str(path), "golang.org/x/net", "v0.5.0") == 3
    assert locate(str(path), "absent", "1") is None
    assert locate(str(tmp_path / "nope"), "x", "1") is None
    assert locate("", "x", "1") is None
    assert locate(str(tmp_path), "x", "1") is None  # a directory
    lock = tmp_path / "poetry.lock"
    lock.write_text(
        '[[package]]\nname = "flask-cors"\nversion = "1.0"\n\n'
        '[[package]]\nname = "flask"\nversion = "1.0"\n'
    )
    assert locate(str(lock), "flask", "1.0") == 6
    assert locate(str(lock), "flask-cors", "1.0") == 2
    assert locate(str(lock), "flask", "2.0") is None


def test_artifact_uri(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert artifact_uri(str(tmp_path / "a" / "poetry.lock")) == "a/poetry.lock"
    assert artifact_uri("/elsewhere/poetry.lock") == "/elsewhere/poetry.lock"


@pytest.mark.parametrize(
    ("vuln", "expected"),
    [
        (Vulnerability(id="X", level="critical"), "9.5"),
        (Vulnerability(id="X", level="high", score=8.84), "8.8"),
        (Vulnerability(id="X", level="unknown"), None),
        (Vulnerability(id="X", level="low", malicious=True), "10.0"),
    ],
)
def test_security_severity(vuln: Vulnerability, expected: str | None) -> None:
    assert security_severity(vuln) == expected

"""Tests for the JSON scan format: every output validates against the published schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assay import __version__
from assay.matching.formats.interface import RenderOptions
from assay.matching.formats.json_ import FORMATTER, SCHEMA_VERSION
from assay.matching.model import ScanResult
from tests.matching.formats.sample import empty_result, sample_result

SCHEMA = Path(__file__).resolve().parents[3] / "docs" / "schemas" / "scan-result-1.0.schema.json"


def validate(document: Any) -> None:
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(document)


@pytest.mark.parametrize("result", [sample_result(), empty_result()], ids=["sample", "empty"])
def test_validates(result: ScanResult) -> None:
    validate(json.loads(FORMATTER.render(result, RenderOptions(fail_on="high"))))


def test_content() -> None:
    doc = json.loads(FORMATTER.render(sample_result(), RenderOptions()))
    assert doc["schema_version"] == SCHEMA_VERSION == "1.0"
    assert doc["tool"] == {"name": "assay", "version": __version__}
    assert doc["database"] == {
        "location": "/data/assay.db",
        "advisories": 42,
        "last_import": "2026-11-01T00:00:00Z",
        "last_sync": None,
    }
    assert doc["summary"] == {
        "components": 4,
        "findings": 4,
        "vulnerabilities": 4,
        "ignored": 1,
        "by_severity": {"critical": 1, "high": 1, "medium": 0, "low": 1, "none": 0, "unknown": 1},
        "fail_on": "any",
    }
    first = doc["findings"][0]
    assert first["package"] == {
        "ecosystem": "PyPI",
        "name": "Django",
        "version": "3.2.4",
        "purl": "pkg:pypi/django@3.2.4",
        "direct": True,
        "dev": False,
        "source": "requirements.txt",
    }
    assert first["vulnerability"]["severity"] == {
        "level": "high",
        "score": 7.5,
        "vectors": ["CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"],
    }
    assert first["vulnerability"]["sources"][1] == {"id": "PYSEC-2021-1", "source": "pypa"}
    assert (first["fixed_versions"], first["fix"]) == (["3.2.5", "4.0.2"], "3.2.6")
    assert doc["findings"][2]["package"]["dev"] is True
    assert doc["findings"][2]["vulnerability"]["malicious"] is True
    assert doc["findings"][3]["package"]["direct"] is False
    assert doc["ignored"][0]["ignore"] == {
        "reason": "not reachable",
        "rule": "ignore.yaml:3",
        "expires": "2027-01-01",
    }
    assert doc["warnings"] == ["requirements.txt:7: unpinned requirement flask>=2"]


def test_schema_rejects_a_broken_document() -> None:
    """The schema is strict enough to catch a missing or mistyped field."""
    doc = json.loads(FORMATTER.render(sample_result(), RenderOptions()))
    del doc["findings"][0]["package"]["purl"]
    with pytest.raises(jsonschema.ValidationError, match="'purl' is a required property"):
        validate(doc)
    doc = json.loads(FORMATTER.render(sample_result(), RenderOptions()))
    doc["findings"][0]["vulnerability"]["severity"]["level"] = "severe"
    with pytest.raises(jsonschema.ValidationError, match="'severe' is not one of"):
        validate(doc)


def test_output_is_one_document_ending_with_newline() -> None:
    text = FORMATTER.render(empty_result(), RenderOptions())
    assert text.endswith("}\n")
    assert json.loads(text)["findings"] == []

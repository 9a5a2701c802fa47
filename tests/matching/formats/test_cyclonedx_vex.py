"""Tests for the CycloneDX VEX format: validated against the official CycloneDX 1.6 schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from assay.matching.formats.cyclonedx_vex import FORMATTER
from assay.matching.formats.interface import RenderOptions
from assay.matching.model import ScanResult
from tests.matching.formats.sample import empty_result, sample_result


@pytest.fixture(scope="module")
def validator(shared_data: Path) -> jsonschema.Draft7Validator:
    folder = shared_data / "schemas" / "cyclonedx"
    resources = []
    for name in ("bom-1.6", "spdx", "jsf-0.82", "cryptography-defs"):
        path = folder / f"{name}.schema.json"
        if path.exists():
            contents = json.loads(path.read_text())
            resources.append((contents["$id"], Resource.from_contents(contents)))
    schema = json.loads((folder / "bom-1.6.schema.json").read_text())
    return jsonschema.Draft7Validator(schema, registry=Registry().with_resources(resources))


def render(result: ScanResult) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(FORMATTER.render(result, RenderOptions()))
    return doc


@pytest.mark.parametrize("result", [sample_result(), empty_result()], ids=["sample", "empty"])
def test_validates_against_cyclonedx_1_6(
    validator: jsonschema.Draft7Validator, result: ScanResult
) -> None:
    validator.validate(render(result))


def test_validator_catches_a_bad_document(validator: jsonschema.Draft7Validator) -> None:
    doc = render(sample_result())
    doc["vulnerabilities"][0]["analysis"]["state"] = "maybe"
    with pytest.raises(jsonschema.ValidationError, match="'maybe' is not one of"):
        validator.validate(doc)


def test_content() -> None:
    doc = render(sample_result())
    assert (doc["bomFormat"], doc["specVersion"]) == ("CycloneDX", "1.6")
    refs = {c["bom-ref"]: c for c in doc["components"]}
    assert len(refs) == 4
    assert refs["PyPI:Django@3.2.4"]["purl"] == "pkg:pypi/django@3.2.4"
    assert refs["npm:evil-pkg@1.0.0"]["scope"] == "excluded"  # a dev dependency
    vulns = {v["id"]: v for v in doc["vulnerabilities"]}
    assert set(vulns) == {"CVE-2021-9", "PYSEC-2020-2", "MAL-2024-1", "GO-2022-1"}
    sqli = vulns["CVE-2021-9"]
    assert sqli["analysis"] == {"state": "in_triage"}
    assert sqli["affects"] == [
        {"ref": "PyPI:Django@3.2.4", "versions": [{"status": "affected", "version": "3.2.4"}]}
    ]
    assert {"score": 7.5, "severity": "high"} in sqli["ratings"]
    assert any(r.get("method") == "CVSSv31" for r in sqli["ratings"])
    assert sqli["references"] == [
        {"id": "GHSA-aaaa-bbbb-cccc", "source": {"name": "github"}},
        {"id": "PYSEC-2021-1", "source": {"name": "pypa"}},
    ]
    assert sqli["recommendation"] == "Upgrade: Django 3.2.6"
    assert vulns["MAL-2024-1"]["ratings"] == [{"severity": "critical"}]
    assert vulns["GO-2022-1"]["source"] == {"name": "go-vulndb"}
    for ignored in ("CVE-2023-1",):
        assert ignored not in vulns

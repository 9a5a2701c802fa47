"""Tests for the gate format registry and the JSON format."""

from __future__ import annotations

import json

import pytest

from assay.cli.gate import FORMATS as CLI_FORMATS
from assay.core.errors import UsageError
from assay.policy.gate.formats.interface import RenderOptions
from assay.policy.gate.formats.registry import FORMATS, formatter
from assay.policy.gate.report import GateReport
from tests.policy.gate.sample import sample_report


@pytest.mark.parametrize("name", list(FORMATS))
def test_every_format_is_registered_under_its_own_name_and_ends_with_a_newline(
    name: str,
) -> None:
    found = formatter(name)
    assert found.name == name
    assert found.render(sample_report(), RenderOptions()).endswith("\n")


def test_the_cli_offers_exactly_the_registered_formats() -> None:
    assert tuple(FORMATS) == CLI_FORMATS


def test_an_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown format 'html'"):
        formatter("html")


def test_json_is_the_report_and_reads_back() -> None:
    text = formatter("json").render(sample_report(), RenderOptions())
    assert GateReport.from_dict(json.loads(text)) == sample_report()

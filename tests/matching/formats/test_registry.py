"""Tests for the format registry and the Formatter interface."""

from __future__ import annotations

import pytest

from assay.core.errors import UsageError
from assay.matching.formats.interface import Formatter, RenderOptions
from assay.matching.formats.registry import FORMATS, formatter
from tests.matching.formats.sample import sample_result


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_renders(name: str) -> None:
    found: Formatter = formatter(name)
    assert found.name == name
    text = found.render(sample_result(), RenderOptions())
    assert text.endswith("\n") and len(text) > 100


def test_unknown_format() -> None:
    with pytest.raises(UsageError, match=r"unknown format 'xml' \(choose from table, json"):
        formatter("xml")

"""The explicit list of advisory sources and the selection ``assay db sync`` makes from it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from assay.core.config import Settings
from assay.core.errors import UsageError
from assay.vulndb.sources.registry import sources_for

SETTINGS = Settings(home=Path("/nonexistent"), database_url="sqlite://")


def names(only: set[str] | None, settings: Settings = SETTINGS) -> list[str]:
    return [s.name for s in sources_for(settings, only)]


def test_all_sources_in_a_fixed_order() -> None:
    assert names(None) == [
        "osv:PyPI",
        "osv:npm",
        "osv:Go",
        "osv:crates.io",
        "osv:Maven",
        "osv:RubyGems",
        "osv:Packagist",
        "osv:NuGet",
        "kev",
        "epss",
    ]


def test_only_some_kinds() -> None:
    assert names({"kev", "epss"}) == ["kev", "epss"]
    assert names({"osv"}, dataclasses.replace(SETTINGS, sync_ecosystems=("Go",))) == ["osv:Go"]


def test_ecosystems_are_canonical_and_deduplicated() -> None:
    settings = dataclasses.replace(SETTINGS, sync_ecosystems=("pypi", "PyPI", "CRATES.IO"))
    assert names({"osv"}, settings) == ["osv:PyPI", "osv:crates.io"]


@pytest.mark.parametrize(
    ("only", "ecosystems", "match"),
    [
        ({"nvd"}, ("PyPI",), r"unknown source nvd: choose from osv, kev, epss"),
        ({"osv"}, (), r"no sources to sync: no ecosystems are configured"),
    ],
)
def test_bad_selections(only: set[str], ecosystems: tuple[str, ...], match: str) -> None:
    settings = dataclasses.replace(SETTINGS, sync_ecosystems=ecosystems)
    with pytest.raises(UsageError, match=match):
        sources_for(settings, only)

"""Quality conditions: the SBOM score (project level) and missing hashes."""

from __future__ import annotations

import pytest

from assay.policy.conditions.interface import InvalidPolicy
from assay.policy.conditions.quality import MissingHashes, SbomQuality
from assay.policy.model import Outcome, Subject
from tests.policy._build import component, facts


def test_sbom_quality() -> None:
    rule = SbomQuality.parse({"below": 60}, "w")
    assert rule.level == "project"
    low = rule.evaluate(None, Subject("shop", quality_score=59.5))
    assert low.outcome is Outcome.MATCH and low.reason == "SBOM quality score 59.5 is below 60"
    assert rule.evaluate(None, Subject("shop", quality_score=60)).outcome is Outcome.NO_MATCH
    assert rule.evaluate(None, Subject("shop")).outcome is Outcome.UNKNOWN
    assert SbomQuality.parse(rule.to_spec(), "w") == rule
    with pytest.raises(InvalidPolicy, match=r"outside 0\.\.100"):
        SbomQuality.parse({"below": 101}, "w")


def test_missing_hashes() -> None:
    rule = MissingHashes.parse(True, "w")
    assert rule.evaluate(facts(component(hashes=())), Subject()).outcome is Outcome.MATCH
    hashed = component(hashes=(("SHA-256", "ab" * 32),))
    assert rule.evaluate(facts(hashed), Subject()).outcome is Outcome.NO_MATCH
    with pytest.raises(InvalidPolicy, match="write 'missing_hashes: true'"):
        MissingHashes.parse(False, "w")

"""How a finding names its place."""

from __future__ import annotations

from assay.vetting.findings import FAIL, Finding


def test_describe() -> None:
    assert Finding("c", FAIL, "bad").describe() == "bad"
    assert Finding("c", FAIL, "bad", "a/b.py").describe() == "a/b.py: bad"
    assert Finding("c", FAIL, "bad", "a/b.py", 7).describe() == "a/b.py:7: bad"

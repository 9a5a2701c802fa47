"""assay.versions.compare agrees with every vector of a peer scanner's test suite.

Each vector file is one test per ecosystem; a failure lists the first
disagreements with their file and line.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assay.versions import compare
from tests.versions.vectors import read_vectors, vector_files

_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "version-vectors"
VECTOR_DIR = Path(os.environ.get("ASSAY_SHARED_DATA", _DIR.parent)) / "version-vectors"
CASES = vector_files(VECTOR_DIR) if VECTOR_DIR.is_dir() else []


@pytest.mark.skipif(not CASES, reason=f"version vectors not found at {VECTOR_DIR}")
@pytest.mark.parametrize(("path", "ecosystem"), CASES, ids=[f"{p.stem}:{e}" for p, e in CASES])
def test_vectors_hold(path: Path, ecosystem: str) -> None:
    failures = []
    vectors = read_vectors(path)
    for v in vectors:
        got = compare(ecosystem, v.a, v.b)
        back = compare(ecosystem, v.b, v.a)
        sign = (got > 0) - (got < 0)
        if sign != v.expected_sign() or ((back > 0) - (back < 0)) != -sign:
            failures.append(f"{v.file}:{v.line}: {v.a} {v.op} {v.b} but compare gave {got}/{back}")
    assert vectors, f"{path.name} holds no vectors"
    assert not failures, f"{len(failures)} of {len(vectors)} vectors fail:\n" + "\n".join(
        failures[:25]
    )

"""``assay events coverage FILE --repo R --sha S [--format]`` end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from assay.core.db import Database
from assay.delivery import models as m
from tests.cli.events.conftest import exit_code

TESTDATA = Path(__file__).parents[2] / "delivery" / "testdata"
SHA = "a" * 40


@pytest.mark.parametrize(
    ("name", "fmt", "totals"),
    [
        ("cobertura.xml", "cobertura", (6, 9, 1, 4)),
        ("coverage-py.json", "coverage-py", (6, 9, 1, 4)),
        ("lcov.info", "lcov", (5, 7, 3, 4)),
        ("jacoco.xml", "jacoco", (6, 7, 1, 2)),
    ],
)
def test_each_format_is_recognised_and_stored(
    cli_db: Database, capsys: pytest.CaptureFixture[str], name: str, fmt: str, totals: tuple
) -> None:
    assert exit_code(["events", "coverage", str(TESTDATA / name), "--repo", "r", "--sha", SHA]) == 0
    assert capsys.readouterr().out == "1 event: 1 inserted, 0 updated, 0 unchanged\n"
    with cli_db.session() as s:
        row = s.execute(select(m.CoverageRow)).scalar_one()
        assert row.format == fmt
        assert (
            row.lines_covered,
            row.lines_valid,
            row.branches_covered,
            row.branches_valid,
        ) == totals
        files = s.execute(select(m.CoverageFileRow)).scalars().all()
        assert len(files) == 2


def test_a_wrong_explicit_format_exits_2(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    path = TESTDATA / "lcov.info"
    argv = ["events", "coverage", str(path), "--repo", "r", "--sha", SHA, "--format", "jacoco"]
    assert exit_code(argv) == 2
    assert capsys.readouterr().err.startswith(f"assay: error: {path}:1: invalid XML")

"""``assay events import FILE.jsonl [--keep-going]`` end to end, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from assay.core.audit import AuditEntry
from assay.core.db import Database
from assay.delivery import models as m
from tests.cli.events.conftest import exit_code

EVENTS = Path(__file__).parents[2] / "delivery" / "testdata" / "events.jsonl"


def rows(db: Database, model: type) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_import_twice_counts_then_unchanged(
    cli_db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code(["events", "import", str(EVENTS)]) == 0
    assert capsys.readouterr().out == "9 events: 9 inserted, 0 updated, 0 unchanged\n"
    assert exit_code(["events", "import", str(EVENTS)]) == 0
    assert capsys.readouterr().out == "9 events: 0 inserted, 0 updated, 9 unchanged\n"
    assert rows(cli_db, m.DeploymentRow) == 1 and rows(cli_db, m.PipelineJobRow) == 3
    with cli_db.session() as s:
        actors = (
            s.execute(select(AuditEntry.actor).where(AuditEntry.action == "events.ingest"))
            .scalars()
            .all()
        )
    assert len(actors) == 2 and all(a.startswith("cli:") for a in actors)


def test_a_bad_line_imports_nothing_and_exits_2(
    cli_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = EVENTS.read_text().splitlines()
    lines[4] = lines[4].replace(
        '"finished_at": "2026-03-29T10:09:00Z"', '"finished_at": "2026-03-29T10:09:00"'
    )
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines))
    assert exit_code(["events", "import", str(path)]) == 2
    err = capsys.readouterr().err
    assert err == (
        f"assay: error: {path}:5: deployment: finished_at: not an ISO 8601 time with a zone "
        "(add Z or an offset such as +02:00)\n"
    )
    assert rows(cli_db, m.CommitRow) == 0  # the lines before the bad one were rolled back


def test_keep_going_imports_the_rest_and_lists_bad_lines(
    cli_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = EVENTS.read_text().splitlines()
    lines[0] = lines[0].replace('"author"', '"autor"')
    lines[2] = '{"type": "pull_request"}'
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join(lines))
    assert exit_code(["events", "import", str(path), "--keep-going"]) == 0
    out, err = capsys.readouterr()
    assert out == "7 events: 7 inserted, 0 updated, 0 unchanged\n"
    assert f"assay: skipped: {path}:1: commit: unknown field 'autor'\n" in err
    assert f"assay: skipped: {path}:3: type: unknown event type 'pull_request'" in err
    assert err.endswith("assay: 2 bad lines skipped\n")
    assert rows(cli_db, m.CommitRow) == 1


def test_keep_going_with_nothing_good_exits_2(
    cli_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text("{}\n")
    assert exit_code(["events", "import", str(path), "--keep-going"]) == 2
    err = capsys.readouterr().err
    assert err.endswith(f"assay: error: {path}: no line could be imported (1 bad)\n")


def test_missing_file_exits_2(
    cli_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code(["events", "import", str(tmp_path / "nope.jsonl")]) == 2
    assert capsys.readouterr().err == f"assay: error: {tmp_path / 'nope.jsonl'}: no such file\n"

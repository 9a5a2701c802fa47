"""After ``assay db import``: one re-match job, only when the portfolio has components."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select, update

from assay.cli import context
from assay.cli.main import run
from assay.core.jobs import Job
from assay.vulndb.models import Advisory
from tests.inventory.intake_support import ADVISORIES, APP_1, run_jobs, team_key, upload


@pytest.fixture(autouse=True)
def _fresh_context() -> Iterator[None]:
    context.settings.cache_clear()
    context.database.cache_clear()
    yield
    if context.database.cache_info().currsize:
        context.database().dispose()
    context.settings.cache_clear()
    context.database.cache_clear()


def _exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        run(argv)
    code = info.value.code
    return code if isinstance(code, int) else 0


def _jobs() -> list[tuple[str, dict[str, object]]]:
    with context.database().session() as session:
        return [(j.kind, json.loads(j.args)) for j in session.scalars(select(Job))]


def test_import_queues_a_rematch_only_when_there_is_a_portfolio(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert _exit_code(["db", "import", str(ADVISORIES / "initial")]) == 0
    assert _jobs() == []  # scan users: nothing queued, nothing said
    assert "re-match" not in capsys.readouterr().err
    db = context.database()
    upload(db, team_key(db, "alpha"), APP_1)
    run_jobs(db)
    with db.session() as session:  # the import clock counts whole seconds: date them back
        session.execute(update(Advisory).values(imported_at="2000-01-01T00:00:00Z"))
    assert _exit_code(["db", "import", str(ADVISORIES / "later")]) == 0
    assert "queued a re-match of the portfolio against 1 new" in capsys.readouterr().err
    assert ("rematch", {"advisory_ids": ["PYSEC-2099-12"]}) in _jobs()
    before = len(_jobs())
    assert _exit_code(["db", "import", str(ADVISORIES / "later")]) == 0  # unchanged
    assert len(_jobs()) == before

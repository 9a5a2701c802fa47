"""``assay worker --once`` runs the queued jobs of the configured database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from assay.cli import context
from assay.cli.main import run
from assay.core.config import Settings
from assay.core.db import Database
from assay.core.jobs import DONE, FAILED, Job, enqueue


def test_worker_once_runs_queued_jobs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSAY_HOME", str(tmp_path))
    db = Database(Settings.from_env({"ASSAY_HOME": str(tmp_path)}))
    db.ensure_schema()
    with db.session() as session:
        enqueue(session, "rematch", advisory_ids=[])
        enqueue(session, "no-such-task")
    context.settings.cache_clear()
    context.database.cache_clear()
    with pytest.raises(SystemExit) as exit_:
        run(["worker", "--once"])
    context.database().dispose()
    context.settings.cache_clear()
    context.database.cache_clear()
    assert exit_.value.code == 0
    assert "ran 2 job(s)" in capsys.readouterr().err
    with db.session() as session:
        assert sorted(session.scalars(select(Job.state))) == sorted([DONE, FAILED])
    db.dispose()

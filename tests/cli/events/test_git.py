"""``assay events git PATH [--repo NAME] [--since DATE]`` end to end."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from assay.cli.events.git import parse_since
from assay.core.db import Database
from assay.core.errors import UsageError
from assay.delivery import models as m
from tests.cli.events.conftest import exit_code
from tests.delivery.test_git import commit, git


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "shop"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    commit(path, "a", "2026-01-01T10:00:00+05:30")
    commit(path, "b", "2026-02-01T10:00:00-05:00")
    git(path, "remote", "add", "origin", "git@github.com:acme/shop.git")
    return path


def test_history_is_imported_under_origins_name(
    cli_db: Database, repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code(["events", "git", str(repo)]) == 0
    out, err = capsys.readouterr()
    assert out == "2 events: 2 inserted, 0 updated, 0 unchanged\n"
    assert "as repository 'acme/shop'" in err
    assert exit_code(["events", "git", str(repo), "--repo", "shop", "--since", "2026-01-15"]) == 0
    assert capsys.readouterr().out == "1 event: 1 inserted, 0 updated, 0 unchanged\n"
    with cli_db.session() as s:
        names = s.execute(select(m.CommitRow.repo).order_by(m.CommitRow.repo)).scalars().all()
    assert names == ["acme/shop", "acme/shop", "shop"]


def test_not_a_repository_exits_2(
    cli_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code(["events", "git", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"assay: error: {tmp_path}: not a git repository")
    assert len(err.splitlines()) == 1


def test_an_empty_repository_exits_2(
    cli_db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(tmp_path, "init", "-q")
    assert exit_code(["events", "git", str(tmp_path)]) == 2
    assert capsys.readouterr().err.endswith(f"{tmp_path}: no commits on any branch or tag\n")


def test_since_needs_a_zone_or_a_date() -> None:
    assert parse_since("2026-01-15").isoformat() == "2026-01-15T00:00:00+00:00"
    assert parse_since("2026-01-15T00:00:00+05:30").isoformat() == "2026-01-14T18:30:00+00:00"
    with pytest.raises(UsageError, match="has no zone"):
        parse_since("2026-01-15T00:00:00")
    with pytest.raises(UsageError, match="not an ISO 8601 date"):
        parse_since("last week")

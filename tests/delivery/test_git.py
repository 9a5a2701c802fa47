"""Commit history from a real git repository built in a temporary directory."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from assay.core.db import Database
from assay.delivery.git import InvalidRepository, _name_from_url, read_commits, repo_name
from assay.delivery.store import IngestResult, ingest


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="Asha Rao",
        GIT_AUTHOR_EMAIL="asha@example.com",
        GIT_COMMITTER_NAME="CI",
        GIT_COMMITTER_EMAIL="ci@example.com",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(repo.parent),
    )
    if date is not None:
        env["GIT_AUTHOR_DATE"] = date
        env["GIT_COMMITTER_DATE"] = date
    out = subprocess.run(
        ["git", "-C", str(repo), *args], env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def commit(repo: Path, name: str, date: str) -> str:
    (repo / name).write_text(name)
    git(repo, "add", name)
    git(repo, "commit", "-q", "-m", f"add {name}", date=date)
    return git(repo, "rev-parse", "HEAD")


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    repo = tmp_path / "payments"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    shas = {
        "root": commit(repo, "a.txt", "2026-03-28T23:10:00+05:30"),
        # Europe/Berlin, one second before and at the DST jump (same UTC second + 1)
        "before_dst": commit(repo, "b.txt", "2026-03-29T01:59:59+01:00"),
    }
    git(repo, "checkout", "-q", "-b", "feature")
    shas["feature"] = commit(repo, "c.txt", "2026-03-29T03:00:00+02:00")
    git(repo, "checkout", "-q", "main")
    shas["main2"] = commit(repo, "d.txt", "2026-03-29T04:00:00+02:00")
    git(
        repo,
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge feature",
        "feature",
        date="2026-03-29T05:00:00Z",
    )
    shas["merge"] = git(repo, "rev-parse", "HEAD")
    git(
        repo,
        "remote",
        "add",
        "origin",
        "https://deploy:s3cr3t-token@git.example.com/acme/payments.git",
    )
    return repo, shas


def test_commits_with_zones_parents_and_merges(history: tuple[Path, dict[str, str]]) -> None:
    repo, shas = history
    commits = {c.sha: c for c in read_commits(repo, repo="acme/payments")}
    assert set(commits) == set(shas.values())
    root = commits[shas["root"]]
    assert root.authored_at == datetime(2026, 3, 28, 17, 40, tzinfo=UTC)
    assert root.parents == () and root.author == "Asha Rao" and root.message == "add a.txt"
    before, after = commits[shas["before_dst"]], commits[shas["feature"]]
    assert after.authored_at - before.authored_at == timedelta(seconds=1)
    merge = commits[shas["merge"]]
    assert merge.is_merge and merge.parents == (shas["main2"], shas["feature"])
    assert merge.message == "Merge feature"
    assert not commits[shas["main2"]].is_merge


def test_since_filters_by_committer_date(history: tuple[Path, dict[str, str]]) -> None:
    repo, shas = history
    since = datetime(2026, 3, 29, 2, 0, tzinfo=UTC)
    found = {c.sha for c in read_commits(repo, repo="r", since=since)}
    assert found == {shas["main2"], shas["merge"]}


def test_reimporting_the_history_is_unchanged(
    database: Database, history: tuple[Path, dict[str, str]]
) -> None:
    repo, _ = history
    with database.session() as s:
        assert ingest(s, read_commits(repo, repo="acme/payments")) == IngestResult(inserted=5)
    with database.session() as s:
        assert ingest(s, read_commits(repo, repo="acme/payments")) == IngestResult(unchanged=5)


def test_the_repository_name_comes_from_origin_without_credentials(
    history: tuple[Path, dict[str, str]],
) -> None:
    repo, _ = history
    assert repo_name(repo) == "acme/payments"
    git(repo, "remote", "remove", "origin")
    assert repo_name(repo) == "payments"


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("git@github.com:acme/payments.git", "acme/payments"),
        ("ssh://git@gitlab.example.com:2222/group/sub/proj.git", "group/sub/proj"),
        ("https://user:token@github.com/acme/pay", "acme/pay"),
        ("https://github.com/acme/pay.git/", "acme/pay"),
        ("/srv/git/pay.git", "pay"),
        ("file:///srv/git/pay.git", "srv/git/pay"),
    ],
)
def test_names_from_urls(url: str, name: str) -> None:
    assert _name_from_url(url) == name


def test_not_a_repository(tmp_path: Path) -> None:
    with pytest.raises(InvalidRepository, match="not a git repository"):
        list(read_commits(tmp_path, repo="r"))
    with pytest.raises(InvalidRepository, match="no such directory"):
        list(read_commits(tmp_path / "nope", repo="r"))
    (tmp_path / "f").write_text("x")
    with pytest.raises(InvalidRepository, match="not a directory"):
        list(read_commits(tmp_path / "f", repo="r"))


def test_an_empty_repository_has_no_commits(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    assert list(read_commits(tmp_path, repo="r")) == []


def test_hostile_subjects_cannot_shift_fields(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "x").write_text("x")
    git(tmp_path, "add", "x")
    git(
        tmp_path,
        "commit",
        "-q",
        "-m",
        "evil\x1fsubject\x1f" + "f" * 40,
        date="2026-01-01T00:00:00Z",
    )
    [c] = read_commits(tmp_path, repo="r")
    assert c.message == "evil\x1fsubject\x1f" + "f" * 40 and c.parents == ()


def test_a_signature_setting_in_the_repository_runs_nothing(tmp_path: Path) -> None:
    """log.showSignature makes git log run gpg.program on a signed commit; assay turns it off."""
    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, "x", "2026-01-01T00:00:00Z")
    tree = git(tmp_path, "rev-parse", "HEAD^{tree}")
    signed = tmp_path / "signed-commit"
    signed.write_text(
        f"tree {tree}\nauthor a <a@b> 1767225600 +0000\ncommitter a <a@b> 1767225600 +0000\n"
        "gpgsig -----BEGIN PGP SIGNATURE-----\n \n AAAA\n -----END PGP SIGNATURE-----\n\nsigned\n"
    )
    sha = git(tmp_path, "hash-object", "-t", "commit", "-w", str(signed))
    git(tmp_path, "update-ref", "refs/heads/main", sha)
    marker = tmp_path / "ran"
    script = tmp_path / "fake-gpg"
    script.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    script.chmod(0o755)
    git(tmp_path, "config", "log.showSignature", "true")
    git(tmp_path, "config", "gpg.program", str(script))
    assert [c.sha for c in read_commits(tmp_path, repo="r")] == [sha]
    assert not marker.exists()
    git(tmp_path, "log", "--format=%H")  # the same repository without assay's settings
    assert marker.exists()

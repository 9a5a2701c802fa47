"""``assay events git PATH [--repo NAME] [--since DATE]``: commits of a local repository."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli import console
from assay.cli._args import add_command
from assay.cli.events._ingest import write

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "git",
        run,
        help="import the commit history of a local git repository",
        description="Import every commit reachable from the branches, remote-tracking branches "
        "and tags\nof a local repository as commit events (merge commits included).",
    )
    parser.add_argument("path", type=Path, metavar="PATH", help="the repository's directory")
    parser.add_argument(
        "--repo",
        metavar="NAME",
        help="repository name (default: the path of origin's URL, e.g. acme/payments, "
        "else the directory name)",
    )
    parser.add_argument(
        "--since",
        metavar="DATE",
        help="only commits committed at or after this ISO 8601 date (UTC) or time with a zone",
    )


def parse_since(text: str) -> datetime:
    """An ISO 8601 date (midnight UTC) or a time with a zone; a naive time is refused."""
    from assay.core.errors import UsageError

    value = text.strip()
    try:
        if len(value) == 10:
            return datetime.fromisoformat(value).replace(tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--since: {text!r} is not an ISO 8601 date or time") from None
    if moment.tzinfo is None:
        raise UsageError(f"--since: {text!r} has no zone (add Z or an offset such as +02:00)")
    return moment.astimezone(UTC)


def run(args: argparse.Namespace) -> int:
    from assay.core.errors import UsageError
    from assay.delivery.codec import EventError, check_commit_ref
    from assay.delivery.git import InvalidRepository, check_repository, read_commits, repo_name

    path: Path = args.path
    since = parse_since(args.since) if args.since is not None else None
    check_repository(path)
    repo = args.repo if args.repo is not None else repo_name(path)
    try:
        repo, _ = check_commit_ref(repo, "0" * 40)
    except EventError as exc:
        raise UsageError(f"--repo: {str(exc).split(': ', 2)[-1]}") from None
    console.note(f"assay: reading commits of {path} as repository {repo!r}")
    result = write(read_commits(path, repo=repo, since=since), source="git", label="reading git")
    if result.total == 0 and since is None:
        raise InvalidRepository(path, "no commits on any branch or tag")
    return 0

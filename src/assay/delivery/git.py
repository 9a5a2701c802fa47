"""Commit history of a local git repository -> ``commit`` events.

Runs ``git log`` with a fixed argument list (no shell) and a machine-readable
format: NUL between commits, US (0x1f) between fields, the subject last so
that nothing in it can shift a field. Author and committer dates come with
their zones (``%aI``, ``%cI``); parents give merge commits (more than one).
The output is read as a stream, so memory stays bounded on any history.

Running git inside a repository someone else wrote is running their config:
signature display (``log.showSignature`` runs gpg), pagers and fsmonitor hooks
are switched off on the command line, and ``GIT_*`` variables of the caller's
environment are not passed on.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from assay.core.errors import InputError, UsageError
from assay.delivery.events import MAX_MESSAGE, MAX_NAME, Commit

_FORMAT = "%H%x1f%P%x1f%aI%x1f%cI%x1f%an%x1f%s"
_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")
_CHUNK = 64 * 1024
_SAFE = (
    "-c",
    "core.fsmonitor=false",
    "-c",
    "log.showSignature=false",
    "-c",
    "core.pager=cat",
    "--no-pager",
)


class InvalidRepository(InputError):
    """The path is not a git repository, or git could not read it."""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    return env


def _git(path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(
            ["git", *_SAFE, "-C", str(path), *args],
            capture_output=True,
            env=_env(),
            check=False,
            timeout=60,
        )
    except FileNotFoundError:
        raise UsageError("git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise InvalidRepository(path, f"git {args[0]} did not answer within 60 seconds") from None


def _first_line(stderr: bytes) -> str:
    lines = stderr.decode("utf-8", "replace").strip().splitlines()
    text = lines[0] if lines else "git failed"
    return text.removeprefix("fatal: ")[:200]


def check_repository(path: Path) -> Path:
    """The top-level directory of the work tree (or bare repository) at ``path``."""
    if not path.exists():
        raise InvalidRepository(path, "no such directory")
    if not path.is_dir():
        raise InvalidRepository(path, "not a directory")
    proc = _git(path, "rev-parse", "--absolute-git-dir")
    if proc.returncode != 0:
        raise InvalidRepository(path, f"not a git repository ({_first_line(proc.stderr)})")
    git_dir = Path(proc.stdout.decode("utf-8", "replace").strip())
    return git_dir.parent if git_dir.name == ".git" else git_dir


def repo_name(path: Path) -> str:
    """A name for the repository: the path of ``origin``'s URL (``acme/payments``), else
    the directory name. Credentials in the URL never leave this function."""
    proc = _git(path, "config", "--get", "remote.origin.url")
    url = proc.stdout.decode("utf-8", "replace").strip() if proc.returncode == 0 else ""
    name = _name_from_url(url) if url else ""
    if not name:
        top = check_repository(path)
        name = top.name.removesuffix(".git") or "repository"
    return name[:MAX_NAME]


def _name_from_url(url: str) -> str:
    if "://" in url:
        rest = url.split("://", 1)[1]
        rest = rest.rsplit("@", 1)[-1] if "@" in rest.split("/", 1)[0] else rest
        path = rest.split("/", 1)[1] if "/" in rest else ""
    elif re.match(r"[^/]+@[^/:]+:", url) or re.match(r"[A-Za-z0-9.-]+:(?!/)", url):
        path = url.split(":", 1)[1]  # scp-like: git@github.com:acme/payments.git
    else:
        path = Path(url).name  # a local path: only its last part names it
    path = path.split("?", 1)[0].split("#", 1)[0].strip("/")
    return path.removesuffix(".git").strip("/")


def read_commits(path: Path, *, repo: str, since: datetime | None = None) -> Iterator[Commit]:
    """Every commit reachable from the branches, remote-tracking branches and tags at ``path``,
    newest first; ``since`` limits by committer date."""
    top = check_repository(path)
    args = [
        "log",
        "--branches",
        "--remotes",
        "--tags",
        "-z",
        "--no-color",
        "--no-show-signature",
        f"--format={_FORMAT}",
    ]
    if since is not None:
        args.append(f"--since={since.isoformat()}")
    try:
        proc = subprocess.Popen(
            ["git", *_SAFE, "-C", str(top), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=_env(),
        )
    except FileNotFoundError:
        raise UsageError("git is not installed (or not on PATH)") from None
    assert proc.stdout is not None and proc.stderr is not None
    try:
        buffer = b""
        while chunk := proc.stdout.read(_CHUNK):
            buffer += chunk
            *records, buffer = buffer.split(b"\x00")
            for record in records:
                if record.strip():
                    yield _commit(path, repo, record)
        if buffer.strip():
            yield _commit(path, repo, buffer)
        stderr = proc.stderr.read()
        if proc.wait() != 0:
            raise InvalidRepository(path, f"git log failed: {_first_line(stderr)}")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()


def _commit(path: Path, repo: str, record: bytes) -> Commit:
    fields = record.decode("utf-8", "replace").lstrip("\n").split("\x1f", 5)
    if len(fields) != 6:
        raise InvalidRepository(path, f"unexpected git log output: {record[:80]!r}")
    sha, parents, authored, committed, author, subject = fields
    shas = parents.split()
    if not _SHA.fullmatch(sha) or not all(_SHA.fullmatch(p) for p in shas):
        raise InvalidRepository(path, f"unexpected git log output: {record[:80]!r}")
    try:
        return Commit(
            repo=repo,
            sha=sha,
            authored_at=datetime.fromisoformat(authored),
            committed_at=datetime.fromisoformat(committed),
            author=author.strip()[:MAX_NAME],
            parents=tuple(shas),
            message=subject[:MAX_MESSAGE],
        )
    except ValueError as exc:
        raise InvalidRepository(path, f"commit {sha}: {exc}") from None

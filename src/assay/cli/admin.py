"""``assay admin``: first-run set-up and administration of users, teams, keys; audit export.

Works on the configured database directly (embedded SQLite, or
``ASSAY_DATABASE_URL``), so it needs no running server. Changes are made by,
and audited as, ``cli:<OS user>``. ``create-api-key`` prints the new key alone
on the last line of standard output (messages go to standard error), so a CI
script can do ``KEY=$(assay admin create-api-key --team ci | tail -n1)``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from assay.cli import console
from assay.cli._args import add_command, add_group, format_choice
from assay.core.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Iterable

    from sqlalchemy.orm import Session

    from assay.cli._args import Subparsers
    from assay.core.permissions import Permission, Principal

MAX_PASSWORD = 1024


def register(subparsers: Subparsers) -> None:
    _, commands = add_group(subparsers, "admin", help="users, teams, API keys and the audit log")

    p = add_command(commands, "create-user", create_user, help="create a user who can sign in")
    p.add_argument("name", help="the username (1-128 printable characters)")
    p.add_argument("--admin", action="store_true", help="may administer everything")
    p.add_argument(
        "--team", action="append", default=[], metavar="TEAM",
        help="a team to join (made with default permissions if missing); repeatable",
    )  # fmt: skip
    p.add_argument(
        "--password-stdin", action="store_true",
        help="read the password from the first line of standard input (else prompt twice)",
    )  # fmt: skip

    p = add_command(
        commands, "create-api-key", create_key,
        help="create an API key for a team (made if missing); prints the key alone, last",
    )  # fmt: skip
    p.add_argument("--team", required=True, help="the team the key acts for")
    p.add_argument("--name", default="", help="what the key is for, e.g. 'jenkins'")
    p.add_argument(
        "--permissions", metavar="P1,P2",
        help="permissions of a new team (default: view_portfolio,upload_bom)",
    )  # fmt: skip

    p = add_command(commands, "revoke-api-key", revoke_key, help="revoke an API key by id")
    p.add_argument("key_id", type=int, metavar="ID", help="the key's id (see list-keys)")

    p = add_command(commands, "set-permissions", set_permissions, help="set a team's permissions")
    p.add_argument("team", help="the team's name")
    p.add_argument("permissions", metavar="P1,P2", help="comma-separated; '' for none")

    for name, handler, what in (
        ("list-users", list_users, "users, their teams and last sign-in"),
        ("list-teams", list_teams, "teams, permissions and members"),
        ("list-keys", list_keys, "API keys by prefix (never whole)"),
    ):
        p = add_command(commands, name, handler, help=what)
        format_choice(p, ("table", "json"), "table")

    p = add_command(commands, "audit", export_audit, help="export the audit log, oldest first")
    p.add_argument("--since", help="ISO 8601 time or date, inclusive")
    p.add_argument("--until", help="ISO 8601 time or date, exclusive")
    p.add_argument("--action", help="an action, or a prefix ending in * (e.g. 'key.*')")
    format_choice(p, ("table", "jsonl", "csv"), "table")
    p.add_argument("-o", "--output", type=Path, help="write to FILE instead of standard output")


def cli_principal() -> Principal:
    """The actor of CLI changes: every permission, named after the OS user."""
    import getpass

    from assay.core.permissions import ALL_PERMISSIONS, Principal

    try:
        name = getpass.getuser()
    except (OSError, KeyError):
        name = "unknown"
    return Principal("cli", name, ALL_PERMISSIONS, frozenset())


def _permissions(text: str) -> frozenset[Permission]:
    from assay.core.permissions import parse_permissions

    try:
        return parse_permissions(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _read_password(from_stdin: bool) -> str:
    import getpass

    if from_stdin:
        line = sys.stdin.readline(MAX_PASSWORD + 2)
        if not line:
            raise UsageError("--password-stdin: standard input is empty")
        password = line.rstrip("\r\n")
        if len(password) > MAX_PASSWORD:
            raise UsageError(f"--password-stdin: a password has at most {MAX_PASSWORD} characters")
        return password
    if not sys.stdin.isatty():
        raise UsageError("no terminal to ask for the password: use --password-stdin")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Repeat password: ") != first:
        raise UsageError("the passwords do not match")
    return first


def create_user(args: argparse.Namespace) -> int:
    from assay.cli.context import database
    from assay.core import account_service as accounts
    from assay.core.passwords import WeakPassword, check_strength

    password = _read_password(args.password_stdin)
    try:
        check_strength(password)
    except WeakPassword as exc:
        raise UsageError(f"password: {exc}") from None
    who = cli_principal()
    with database().session() as session:
        user = accounts.create_user(session, who, args.name, password, admin=args.admin)
        teams = []
        for name in args.team:
            team, made = accounts.ensure_team(session, who, name)
            if made:
                console.note(f"created team {team.name}")
            accounts.add_member(session, who, team, user)
            teams.append(team.name)
    role = "administrator" if user.is_admin else "user"
    joined = f" in team(s) {', '.join(teams)}" if teams else ""
    sys.stdout.write(f"created {role} {user.username} (id {user.id}){joined}\n")
    return 0


def create_key(args: argparse.Namespace) -> int:
    from assay.cli.context import database
    from assay.core import account_service as accounts
    from assay.core.permissions import format_permissions, parse_permissions

    wanted = None if args.permissions is None else _permissions(args.permissions)
    who = cli_principal()
    with database().session() as session:
        team = accounts.team_by_name(session, args.team.strip())
        if team is None:
            team = accounts.create_team(
                session,
                who,
                args.team,
                accounts.DEFAULT_TEAM_PERMISSIONS if wanted is None else wanted,
            )
            console.note(f"created team {team.name} ({team.permissions or 'no permissions'})")
        elif wanted is not None and parse_permissions(team.permissions) != wanted:
            raise UsageError(
                f"team {team.name!r} exists with permissions {team.permissions or 'none'}, not "
                f"{format_permissions(wanted) or 'none'}: use 'assay admin set-permissions'"
            )
        key = accounts.create_api_key(session, who, team, args.name)
    console.note(f"API key for team {args.team.strip()}: shown once, store it now")
    sys.stdout.write(key + "\n")
    return 0


def revoke_key(args: argparse.Namespace) -> int:
    from assay.cli.context import database
    from assay.core import account_service as accounts

    with database().session() as session:
        row = accounts.revoke_api_key(session, cli_principal(), args.key_id)
        sys.stdout.write(f"revoked API key {row.id} ({row.prefix}…) at {row.revoked_at}\n")
    return 0


def set_permissions(args: argparse.Namespace) -> int:
    from assay.cli.context import database
    from assay.core import account_service as accounts

    perms = _permissions(args.permissions)
    with database().session() as session:
        team = accounts.team_by_name(session, args.team.strip())
        if team is None:
            raise UsageError(f"no team named {args.team.strip()!r}")
        accounts.set_team_permissions(session, cli_principal(), team, perms)
        sys.stdout.write(f"team {team.name}: {team.permissions or 'no permissions'}\n")
    return 0


def _show(rows: list[dict[str, Any]], columns: tuple[str, ...], fmt: str, title: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title)
    for column in columns:
        keep = column in {"id", "prefix", "username", "name", "team"}  # never split these
        table.add_column(column.replace("_", " "), overflow="fold", no_wrap=keep)
    for row in rows:
        table.add_row(
            *(escape(_when(row[c]) if c.endswith("_at") else _text(row[c])) for c in columns)
        )
    console.out().print(table)


def _when(value: object) -> str:
    """A stored time to the minute, as a table shows it: ``2026-01-31 12:00``."""
    return value[:16].replace("T", " ") if isinstance(value, str) else "-"


def _text(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(_text(v) for v in value) or "-"
    return str(value)


def _all(session: Session, what: str) -> list[dict[str, Any]]:
    from dataclasses import asdict

    from assay.core import account_admin

    if what == "users":
        users = account_admin.list_users(session)
        return [{**asdict(u), "teams": [t.name for t in u.teams]} for u in users]
    if what == "teams":
        return [asdict(t) for t in account_admin.list_teams(session)]
    return [asdict(k) for k in account_admin.list_keys(session)]


def _list(args: argparse.Namespace, what: str, columns: tuple[str, ...]) -> int:
    from assay.cli.context import database

    with database().session() as session:
        rows = _all(session, what)
    _show(rows, columns, args.output_format, what)
    return 0


def list_users(args: argparse.Namespace) -> int:
    cols = ("id", "username", "is_admin", "active", "teams", "created_at", "last_login_at")
    return _list(args, "users", cols)


def list_teams(args: argparse.Namespace) -> int:
    return _list(args, "teams", ("id", "name", "permissions", "members", "active_keys"))


def list_keys(args: argparse.Namespace) -> int:
    cols = ("id", "team", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    return _list(args, "keys", cols)


def _table_lines(entries: Iterable[dict[str, Any]]) -> Iterable[str]:
    for e in entries:
        target = f"{e['target_type']}:{e['target_id']}" if e["target_id"] else e["target_type"]
        detail = json.dumps(e["detail"], sort_keys=True, ensure_ascii=False)
        yield f"{e['at']}  {e['actor']}  {e['action']}  {target or '-'}  {detail}\n"


def _write(lines: Iterable[str], out: TextIO) -> None:
    for line in lines:
        out.write(line)


def export_audit(args: argparse.Namespace) -> int:
    from assay.cli.context import database
    from assay.core import audit_export, audit_log

    filt = audit_log.AuditFilter(
        action=args.action or None,
        since=audit_log.parse_time(args.since, "--since"),
        until=audit_log.parse_time(args.until, "--until"),
    )
    scope = audit_log.AuditScope.of(cli_principal())
    entries = audit_log.iter_entries(database(), scope, filt)
    fmt = args.output_format
    lines = _table_lines(entries) if fmt == "table" else audit_export.lines(entries, fmt)
    if args.output is None:
        _write(lines, sys.stdout)
        return 0
    try:
        with args.output.open("w", encoding="utf-8", newline="") as out:
            _write(lines, out)
    except OSError as exc:
        raise UsageError(f"{args.output}: cannot write: {exc.strerror or exc}") from None
    return 0

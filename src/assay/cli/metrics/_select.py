"""What every ``assay metrics`` command shares: which services, which window, which format."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from assay.core.clock import now
from assay.core.errors import UsageError

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from assay.delivery.metrics.model import Selection

DEFAULT_DAYS = 90


def add_selection_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--service",
        action="append",
        default=[],
        metavar="S",
        help="a service (repeatable; default: all)",
    )
    parser.add_argument("--team", metavar="T", help="only the services of this team")
    parser.add_argument(
        "--since",
        metavar="DATE",
        help=f"start (ISO date or time; default: {DEFAULT_DAYS} days before --until)",
    )
    parser.add_argument(
        "--until", metavar="DATE", help="end; a date includes that whole day (default: now)"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument(
        "--explain", action="store_true", help="list the events behind every number"
    )


def window(args: argparse.Namespace) -> tuple[datetime, datetime]:
    from assay.delivery.metrics.window import parse_moment

    until = parse_moment("--until", args.until, end=True) if args.until else now()
    since = (
        parse_moment("--since", args.since, end=False)
        if args.since
        else until - timedelta(days=DEFAULT_DAYS)
    )
    if since >= until:
        raise UsageError("--since must be before --until")
    return since, until


def selection(args: argparse.Namespace, session: Session) -> Selection:
    """The selection the options name; an unknown service or team is a usage error."""
    from assay.delivery.metrics.model import Selection
    from assay.delivery.services import resolve

    since, until = window(args)
    services = resolve(session, args.service, team=args.team)
    missing = sorted(set(args.service) - {s.name for s in services})
    if missing:
        raise UsageError(f"--service: no service named {missing[0]!r} (see `assay services list`)")
    if args.team is not None and not services:
        raise UsageError(f"--team: no service belongs to team {args.team!r}")
    return Selection(since=since, until=until, services=tuple(services))

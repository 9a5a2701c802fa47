"""``assay worker``: run background jobs (BOM analysis, re-matching) without serving HTTP.

For deployments where the web servers run ``assay serve --no-worker``: any
number of workers may run against the same PostgreSQL database; a job is
claimed by exactly one of them (see assay.core.jobs).
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from assay.cli._args import add_command

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "worker",
        run,
        help="run background jobs (BOM analysis, re-matching) until stopped",
    )
    parser.add_argument(
        "--once", action="store_true", help="run the queued jobs, then exit (for cron or tests)"
    )
    parser.add_argument(
        "--poll", type=float, default=1.0, metavar="SECONDS", help="how often to look for work"
    )
    parser.add_argument(
        "--lease",
        type=float,
        default=900.0,
        metavar="SECONDS",
        help="take back jobs another worker started this long ago and never finished",
    )


def run(args: argparse.Namespace) -> int:
    import signal
    import threading

    from assay.api.tasks import TASKS
    from assay.cli import console
    from assay.cli.context import database
    from assay.core.jobs import Worker, drain, recover

    db = database()
    if args.once:
        recover(db, args.lease)
        console.note(f"ran {drain(db, TASKS)} job(s)")
        return 0
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    worker = Worker(db, TASKS, poll_seconds=args.poll, lease_seconds=args.lease)
    worker.start()
    console.note("assay worker: waiting for jobs (Ctrl-C to stop)")
    stop.wait()
    worker.stop()
    return 0

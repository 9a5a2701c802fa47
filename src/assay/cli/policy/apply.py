"""``assay policy apply DIR|FILE [--prune] [--dry-run]``: load policies into an assay server.

The files are read and checked locally first (the same loader the server uses), so a
mistake is reported with its file and line before anything is sent. Then the set is sent
to ``POST /api/v1/policies/apply``: policies are upserted by name, ``--prune`` deletes the
server's policies the set does not name, ``--dry-run`` asks what would change and changes
nothing. Prints the created, updated, unchanged and removed policies.

Exit codes: 0 applied (or planned); 2 unreadable policies, refused or unreachable server.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assay.cli._args import add_command
from assay.core.errors import InputError

if TYPE_CHECKING:
    from assay.cli._args import Subparsers

KINDS = ("created", "updated", "unchanged", "removed")


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "apply",
        run,
        help="load policy files into an assay server (API key from ASSAY_API_KEY)",
        description="Check policy files locally, then apply them to an assay server: upsert by\n"
        "name; --prune deletes the server's policies the files do not name; --dry-run\n"
        "shows what would change. Needs the manage_policy permission.\n\n"
        "Exit codes: 0 applied, 2 unreadable policies, refused or unreachable server.",
    )
    parser.add_argument("path", type=Path, metavar="DIR|FILE", help="policy file or directory")
    parser.add_argument("--prune", action="store_true", help="delete policies not in the set")
    parser.add_argument("--dry-run", action="store_true", help="show changes, change nothing")
    parser.add_argument("--server", metavar="URL", help="server URL (default: ASSAY_SERVER_URL)")


def document(path: Path) -> dict[str, Any]:
    """The policies under ``path``, checked, as the JSON document the server reads."""
    from assay.policy.loader import document as policy_set
    from assay.policy.loader import load_path

    if not path.exists():
        raise InputError(path, "no such file or directory")
    return policy_set(load_path(path))


def run(args: argparse.Namespace) -> int:
    from assay.cli import console
    from assay.cli._server import answer, connect

    body = {
        "document": document(args.path),
        "prune": bool(args.prune),
        "dry_run": bool(args.dry_run),
        "source": str(args.path)[:512],
    }
    with connect(args.server) as client:
        done = answer(client.post("/api/v1/policies/apply", json=body), "policy apply")
    if not isinstance(done, dict):
        done = {}
    out = console.out()
    prefix = "would be " if args.dry_run else ""
    for kind in KINDS:
        names = [str(n) for n in done.get(kind) or []]
        line = f"{prefix}{kind}: {len(names)}" + (f" ({', '.join(names)})" if names else "")
        out.print(line, markup=False, highlight=False)
    return 0

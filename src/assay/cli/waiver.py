"""``assay waiver add|list|revoke``: accept a policy violation for a project, until a date.

Talks to an assay server (API key from ``ASSAY_API_KEY``). Granting and revoking need the
grant_waiver permission and a project of one's own team; every waiver has a reason and
expires within 365 days.

Exit codes: 0 done; 2 bad arguments, refused or unreachable server.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import TYPE_CHECKING, Any

from assay.cli._args import add_command, add_group
from assay.core.errors import UsageError

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def register(subparsers: Subparsers) -> None:
    _, commands = add_group(subparsers, "waiver", help="grant, list and revoke policy waivers")
    add = add_command(commands, "add", run_add, help="waive a policy for a project until a date")
    add.add_argument("--project", required=True, help="project name")
    add.add_argument("--policy", required=True, help="policy name")
    add.add_argument("--reason", required=True, help="why the risk is accepted")
    add.add_argument("--expires", required=True, type=_date, help="last day (YYYY-MM-DD)")
    add.add_argument("--component", metavar="PURL", help="only this component (purl, no version)")
    add.add_argument("--versions", metavar="RANGE", help="only these versions of the component")
    listing = add_command(commands, "list", run_list, help="list waivers in force")
    listing.add_argument("--project", help="only this project")
    listing.add_argument("--all", action="store_true", help="include expired and revoked ones")
    revoke = add_command(commands, "revoke", run_revoke, help="revoke a waiver")
    revoke.add_argument("waiver_id", type=int, metavar="ID", help="the waiver's id")
    revoke.add_argument("--reason", required=True, help="why it is revoked")
    for parser in (add, listing, revoke):
        parser.add_argument(
            "--server", metavar="URL", help="server URL (default: ASSAY_SERVER_URL)"
        )


def _clean(value: object) -> str:
    """A field as one line of printable text: a reason may hold tabs, newlines or terminal
    escape sequences, which must neither break the columns nor reach the terminal."""
    return "".join(ch if ch.isprintable() else " " for ch in str(value))


def _line(w: dict[str, Any]) -> str:
    target = str(w.get("component") or "every component")
    if w.get("versions"):
        target += f" {w['versions']}"
    state = "active" if w.get("active") else ("revoked" if w.get("revoked_at") else "expired")
    fields = (w.get("id"), w.get("policy"), target, f"until {w.get('expires')}", state,
              f"{w.get('created_by')}: {w.get('reason')}")  # fmt: skip
    return "\t".join(_clean(f) for f in fields)


def _print(text: str) -> None:
    """One tab-separated line (id, policy, target, expiry, state, who: reason), for scripts."""
    from assay.cli import console

    console.write_output(text + "\n", None)


def run_add(args: argparse.Namespace) -> int:
    from assay.cli._server import answer, connect

    body = {
        "project": args.project, "policy": args.policy, "reason": args.reason,
        "expires": args.expires.isoformat(), "component": args.component,
        "versions": args.versions,
    }  # fmt: skip
    with connect(args.server) as client:
        made = answer(client.post("/api/v1/waivers", json=body), "waiver add")
    _print(_line(made if isinstance(made, dict) else {}))
    return 0


def run_list(args: argparse.Namespace) -> int:
    from assay.cli._server import answer, connect

    params: dict[str, str] = {"include_expired": "true" if args.all else "false"}
    if args.project:
        params["project"] = args.project
    with connect(args.server) as client:
        found = answer(client.get("/api/v1/waivers", params=params), "waiver list")
    for w in found if isinstance(found, list) else []:
        _print(_line(w))
    return 0


def run_revoke(args: argparse.Namespace) -> int:
    from assay.cli._server import answer, connect

    if args.waiver_id < 1:
        raise UsageError(f"waiver id must be a positive number, not {args.waiver_id}")
    with connect(args.server) as client:
        url = f"/api/v1/waivers/{args.waiver_id}"
        done = answer(client.delete(url, params={"reason": args.reason}), "waiver revoke")
    _print(_line(done if isinstance(done, dict) else {}))
    return 0

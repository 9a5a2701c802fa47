"""``assay catalogue review|approve|reject|reinstate|deprecate|ban``: decisions on entries.

Deciding needs the ``manage_catalogue`` permission on the server. Approving and rejecting
need a person: the CLI authenticates with a team's API key, which is a team credential and
not a person, so the server refuses ``approve`` and ``reject`` from it (403, "a person must
decide: sign in ..."). Make those decisions in the web UI, signed in, as someone other than
the requester. The commands stay so that the refusal says where to go.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from assay.cli._args import add_command
from assay.cli._server import answer, connect
from assay.cli.catalogue._common import V1, common, emit_json, entry_id, entry_line, line, reason

if TYPE_CHECKING:
    from assay.cli._args import Subparsers

SIMPLE = {
    "review": "take a requested (or rejected, or banned) entry into review",
    "approve": "approve an entry (a person decides: refused for API keys, use the web UI)",
    "reject": "reject an entry (a person decides: refused for API keys, use the web UI)",
    "reinstate": "take a deprecated entry back to approved",
}


def register(subparsers: Subparsers) -> None:
    for action, what in SIMPLE.items():
        p = add_command(subparsers, action, decide, help=what)
        p.add_argument("entry", metavar="ID|PURL")
        reason(p)
        if action in ("approve", "reinstate"):
            p.add_argument("--allowed", metavar="RANGE", help="allowed versions, e.g. '>=2.28'")
        p.add_argument("--recommended", metavar="VERSION", help="the version to converge on")
        common(p)
        p.set_defaults(action=action)

    p = add_command(subparsers, "deprecate", decide, help="deprecate an approved entry")
    p.add_argument("entry", metavar="ID|PURL")
    p.add_argument("--sunset", required=True, metavar="DATE", help="YYYY-MM-DD, today or later")
    p.add_argument("--replacement", metavar="PURL", help="the component to use instead")
    reason(p)
    common(p)
    p.set_defaults(action="deprecate")

    p = add_command(
        subparsers, "ban", ban,
        help="ban a component or a range of its versions (listed or not); opens remediation",
    )  # fmt: skip
    p.add_argument("entry", metavar="PURL|ID")
    p.add_argument("--versions", metavar="RANGE", help="ban only these versions, e.g. '<2.31'")
    p.add_argument("--due", metavar="DATE", help="remediation due date (default: in 14 days)")
    reason(p)
    common(p)


def _report(entry: dict[str, Any], fmt: str) -> None:
    if fmt == "json":
        emit_json(entry)
    else:
        line(entry_line(entry))


def decide(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"action": args.action, "reason": args.reason}
    for option, field in (
        ("allowed", "allowed_versions"), ("recommended", "recommended_version"),
        ("sunset", "sunset_date"), ("replacement", "replacement"),
    ):  # fmt: skip
        value = getattr(args, option, None)
        if value is not None:
            body[field] = value
    with connect(args.server) as client:
        ident = entry_id(client, args.entry)
        url = f"{V1}/catalogue/{ident}/transitions"
        entry = answer(client.post(url, json=body), f"{args.action} {args.entry}")
    _report(entry, args.output_format)
    return 0


def ban(args: argparse.Namespace) -> int:
    with connect(args.server) as client:
        what = f"ban {args.entry}"
        if args.entry.strip().isdigit():
            body: dict[str, Any] = {"action": "ban", "reason": args.reason}
            if args.versions:
                body["banned_versions"] = args.versions
            if args.due:
                body["due_date"] = args.due
            url = f"{V1}/catalogue/{int(args.entry)}/transitions"
            entry = answer(client.post(url, json=body), what)
        else:
            body = {"purl": args.entry, "reason": args.reason}
            if args.versions:
                body["versions"] = args.versions
            if args.due:
                body["due_date"] = args.due
            entry = answer(client.post(f"{V1}/catalogue/bans", json=body), what)
        progress = answer(client.get(f"{V1}/catalogue/{entry['id']}"), what)["remediation"]
    if args.output_format == "json":
        emit_json(entry)
    else:
        opened = progress["open"]
        line(f"{entry_line(entry)}: {opened} remediation item(s) open in the projects you see")
    return 0

"""``assay catalogue request|list|show``: ask for a component, read the catalogue."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from assay.cli._args import add_command
from assay.cli._server import answer, connect
from assay.cli.catalogue._common import (
    V1,
    common,
    emit_json,
    entry_id,
    entry_line,
    line,
    reason,
    table,
)

if TYPE_CHECKING:
    from assay.cli._args import Subparsers

STATES = ("requested", "in_review", "approved", "rejected", "deprecated", "banned")


def register(subparsers: Subparsers) -> None:
    p = add_command(
        subparsers, "request", request,
        help="ask for a component to be allowed in (it is vetted automatically)",
    )  # fmt: skip
    p.add_argument("purl", metavar="PURL", help="e.g. pkg:pypi/requests@2.32.3")
    reason(p)
    p.add_argument("--team", type=int, metavar="ID", help="the owning team's id")
    common(p)

    p = add_command(subparsers, "list", list_, help="the catalogue's entries")
    p.add_argument("--state", choices=STATES, help="only entries in this state")
    p.add_argument("--query", "-q", metavar="TEXT", help="purl or name contains TEXT")
    common(p)

    p = add_command(
        subparsers, "show", show,
        help="an entry: history, vetting verdict, affected projects, remediation progress",
    )  # fmt: skip
    p.add_argument("entry", metavar="ID|PURL")
    common(p)


def request(args: argparse.Namespace) -> int:
    body: dict[str, Any] = {"purl": args.purl, "reason": args.reason}
    if args.team is not None:
        body["owner_team_id"] = args.team
    with connect(args.server) as client:
        made = answer(client.post(f"{V1}/catalogue/requests", json=body), f"request {args.purl}")
    if args.output_format == "json":
        emit_json(made)
    else:
        line(entry_line(made) + ": vetting queued")
    return 0


def list_(args: argparse.Namespace) -> int:
    params: dict[str, Any] = {"page_size": 500}
    if args.state:
        params["state"] = args.state
    if args.query:
        params["q"] = args.query
    items: list[dict[str, Any]] = []
    with connect(args.server) as client:
        page = 1
        while True:
            found = answer(client.get(f"{V1}/catalogue", params={**params, "page": page}), "list")
            items += found["items"]
            if len(items) >= found["total"] or not found["items"]:
                break
            page += 1
    if args.output_format == "json":
        emit_json(items)
        return 0
    table(
        f"catalogue ({len(items)} entries)",
        ("id", "purl", "state", "allowed", "banned", "recommended", "updated"),
        [(e["id"], e["purl"], e["state"], e["allowed_versions"], e["banned_versions"],
          e["recommended_version"], e["updated_at"][:10]) for e in items],
    )  # fmt: skip
    return 0


def show(args: argparse.Namespace) -> int:
    with connect(args.server) as client:
        ident = entry_id(client, args.entry)
        detail = answer(client.get(f"{V1}/catalogue/{ident}"), f"entry {args.entry}")
    if args.output_format == "json":
        emit_json(detail)
        return 0
    entry, vetting, progress = detail["entry"], detail["vetting"], detail["remediation"]
    line(entry_line(entry))
    for label, key in (
        ("allowed versions", "allowed_versions"), ("banned versions", "banned_versions"),
        ("recommended", "recommended_version"), ("sunset", "sunset_date"),
        ("replacement", "replacement"), ("requested by", "requested_by"),
        ("decided by", "decided_by"),
    ):  # fmt: skip
        if entry.get(key):
            line(f"  {label}: {entry[key]}")
    verdict = "not yet" if vetting is None else vetting["verdict"]
    if vetting is not None and not vetting["complete"]:
        verdict += " (some checks could not run)"
    line(f"  vetting: {verdict}")
    line(f"  affected project versions you see: {detail['affected']}")
    line(
        f"  remediation: {progress['open']} open ({progress['overdue']} overdue), "
        f"{progress['done']} done"
    )
    table(
        "history",
        ("at", "action", "from", "to", "by", "reason"),
        [(h["at"][:16].replace("T", " "), h["action"], h["from_state"], h["to_state"],
          h["actor"], h["reason"]) for h in detail["history"]],
    )  # fmt: skip
    return 0

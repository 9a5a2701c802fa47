"""``assay catalogue unify [PURL]``: which versions the portfolio uses, and how to converge."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from assay.cli._args import add_command
from assay.cli._server import answer, connect
from assay.cli.catalogue._common import V1, common, emit_json, line, table

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    p = add_command(
        subparsers, "unify", run,
        help="version unification: versions in use per component and what converging takes",
    )  # fmt: skip
    p.add_argument(
        "purl", nargs="?", metavar="PURL", help="one component (default: all that need it)"
    )
    common(p)


def run(args: argparse.Namespace) -> int:
    params = {"purl": args.purl} if args.purl else {}
    with connect(args.server) as client:
        rows: list[dict[str, Any]] = answer(
            client.get(f"{V1}/catalogue/unification", params=params), "unification report"
        )
    if args.output_format == "json":
        emit_json(rows)
        return 0
    if not rows:
        line("nothing to unify: every component is used in one version")
        return 0
    table(
        "version unification",
        ("component", "recommended", "version", "status", "position", "majors behind", "projects"),
        [
            (r["purl"], r["recommended"], v["version"], v["status"], v["position"],
             v["majors_behind"], len(v["projects"]))
            for r in rows for v in r["versions"]
        ],
    )  # fmt: skip
    for r in rows:
        line(f"{r['purl']}: {r['converge']}")
    return 0

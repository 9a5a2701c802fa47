"""``assay policy show [PATH]``: the policies people get -- the starter set, or PATH's.

``--format yaml`` and ``--format json`` print a PolicySet document that
``assay policy validate`` and ``assay gate --policy`` read back unchanged.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli._args import add_command, format_choice

if TYPE_CHECKING:
    from assay.cli._args import Subparsers
    from assay.policy.model import Policy


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "show",
        run,
        help="print policies: the starter set, or those of a file or directory",
        description="Print policies as a table, or as a PolicySet document (yaml, json).\n"
        "Without PATH: the starter policy set assay applies when no policy is given.",
    )
    parser.add_argument(
        "path", type=Path, nargs="?", metavar="PATH", help="policy file or directory"
    )
    format_choice(parser, ("table", "json", "yaml"), "table")  # table: one block each


def run(args: argparse.Namespace) -> int:
    import sys

    from assay.policy.loader import document, load_path
    from assay.policy.starter import starter_policies

    policies = starter_policies() if args.path is None else load_path(args.path)
    if args.output_format == "json":
        sys.stdout.write(json.dumps(document(policies), indent=2) + "\n")
    elif args.output_format == "yaml":
        import yaml

        sys.stdout.write(yaml.safe_dump(document(policies), sort_keys=False, width=100))
    else:
        _table(policies)
    return 0


def _table(policies: list[Policy]) -> None:
    """One block per policy: a table squeezes long policy names at 80 columns."""
    import sys

    width = max((len(p.name) for p in policies), default=0)
    lines = [f"{len(policies)} {'policy' if len(policies) == 1 else 'policies'}"]
    for p in policies:
        joiner = " and " if p.match == "all" else " or "
        state = "" if p.enabled else " (disabled)"
        lines.append("")
        lines.append(f"{p.name.ljust(width)}  {p.verdict.value}{state}")
        lines.append(f"  applies to:  {p.scope.describe()}")
        lines.append(f"  violated by: {joiner.join(c.describe() for c in p.conditions)}")
        if p.description:
            lines.append(f"  why:         {p.description}")
    sys.stdout.write("\n".join(lines) + "\n")

"""``assay policy validate PATH``: read policy files as the gate and the server would.

Exit codes: 0 every policy reads (a summary is printed); 2 the first error, naming
file, policy and place.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

from assay.cli._args import add_command

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    parser = add_command(
        subparsers,
        "validate",
        run,
        help="check a policy file or a directory of them (*.yaml, *.yml, *.json)",
        description="Check policy files: schema, condition parameters, licence ids, version\n"
        "ranges, duplicate names across files.\n\n"
        "Exit codes: 0 valid, 2 invalid (the message names file, policy and place).",
    )
    parser.add_argument("path", type=Path, metavar="PATH", help="policy file or directory")


def run(args: argparse.Namespace) -> int:
    from assay.cli import console
    from assay.policy.loader import load_path

    policies = load_path(args.path)
    files = len({p.source for p in policies}) or 1
    verdicts = Counter(p.verdict.value for p in policies)
    disabled = sum(1 for p in policies if not p.enabled)
    counts = ", ".join(f"{verdicts[v]} {v}" for v in ("fail", "warn", "info") if verdicts[v])
    noun = "policy" if len(policies) == 1 else "policies"
    summary = f"{args.path}: {len(policies)} {noun} in {files} file{'s' if files > 1 else ''}"
    if counts:
        summary += f" ({counts})"
    if disabled:
        summary += f", {disabled} disabled"
    console.out().print(summary + ": valid", markup=False)
    return 0

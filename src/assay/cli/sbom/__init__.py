"""``assay sbom``: generate, read, validate, convert, score, diff and merge SBOMs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assay.cli._args import add_group
from assay.cli.sbom import convert, diff, generate, merge, quality, validate

if TYPE_CHECKING:
    from assay.cli._args import Command, Subparsers

# The explicit registry of ``assay sbom`` commands: each module has register() and run().
COMMANDS: tuple[Command, ...] = (generate, convert, quality, diff, merge, validate)


def register(subparsers: Subparsers) -> None:
    _, commands = add_group(
        subparsers, "sbom", help="generate, validate, convert, score, diff and merge SBOMs"
    )
    for module in COMMANDS:
        module.register(commands)

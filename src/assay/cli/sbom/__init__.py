"""``assay sbom``: generate, read, validate, convert, score, diff and merge SBOMs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assay.cli._args import add_group

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    _, commands = add_group(
        subparsers, "sbom", help="generate, validate, convert, score, diff and merge SBOMs"
    )
    for module in ():  # explicit registry of sbom commands
        module.register(commands)

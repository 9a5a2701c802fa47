"""``assay policy``: policy files -- check them, show them, apply them to a server."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assay.cli._args import add_group
from assay.cli.policy import apply, show, validate

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    _, commands = add_group(subparsers, "policy", help="check, show and apply policy files")
    for module in (validate, show, apply):  # explicit registry
        module.register(commands)

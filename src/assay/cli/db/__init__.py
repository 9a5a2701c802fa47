"""``assay db``: the vulnerability knowledge base."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assay.cli._args import add_group
from assay.cli.db import import_, show, status, sync, upgrade

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    _, commands = add_group(
        subparsers, "db", help="manage the offline vulnerability knowledge base"
    )
    for module in (sync, import_, status, show, upgrade):  # explicit registry
        module.register(commands)

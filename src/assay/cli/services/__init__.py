"""``assay services``: the per-service delivery configuration metrics read (docs/metrics.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assay.cli._args import add_group
from assay.cli.services import apply, list_

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    _, commands = add_group(
        subparsers,
        "services",
        help="service configurations: production environments, deploy stages, windows, team",
    )
    for module in (apply, list_):  # explicit registry
        module.register(commands)

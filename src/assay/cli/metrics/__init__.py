"""``assay metrics``: DORA, quality and flow metrics from the delivery events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assay.cli._args import add_group
from assay.cli.metrics import dora, flow, quality

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    _, commands = add_group(
        subparsers,
        "metrics",
        help="delivery metrics: DORA, quality, flow (bottlenecks, root causes)",
    )
    for module in (dora, quality, flow):  # explicit registry
        module.register(commands)

"""``assay events``: feed delivery events (commits, runs, deployments, tests, coverage ...)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from assay.cli._args import add_group
from assay.cli.events import coverage, git, import_, junit

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    _, commands = add_group(
        subparsers, "events", help="import delivery events: JSON Lines, JUnit, coverage, git"
    )
    for module in (import_, junit, coverage, git):  # explicit registry
        module.register(commands)

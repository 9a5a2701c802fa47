"""``assay catalogue``: the component catalogue on an assay server.

Every command calls the server's API (``--server URL``, default ``ASSAY_SERVER_URL``;
the API key from ``ASSAY_API_KEY``) through :mod:`assay.cli._server`, so the decisions,
their audit trail and the second-person rule live in one place. Exit codes: 0 done,
2 refused by the server (its reason in one line), unreachable, or bad usage.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from assay.cli._args import add_group
from assay.cli.catalogue import decide, entries, unify

if TYPE_CHECKING:
    from assay.cli._args import Subparsers


def register(subparsers: Subparsers) -> None:
    _, commands = add_group(
        subparsers, "catalogue", help="request, review, approve, deprecate and ban components"
    )
    for module in (entries, decide, unify):  # explicit registry
        module.register(commands)

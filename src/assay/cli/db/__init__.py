"""``assay db``: the vulnerability knowledge base."""

from __future__ import annotations

import typer

from assay.cli.db import upgrade

app = typer.Typer(
    help="Manage the offline vulnerability knowledge base.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.command("upgrade")(upgrade.command)

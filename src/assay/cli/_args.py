"""Shared pieces of the argparse command line: the help formatter and registration types.

The CLI is built on the standard library's argparse rather than Typer: importing
Typer costs ~50 ms (0.26) to ~135 ms (0.27+, which validates parameters through
pydantic), against a budget of ~100 ms for a whole ``assay scan`` process
(bench/scan.py: 3x a ``python -c json.load`` of the same lockfile).
argparse costs ~2 ms beyond what assay imports anyway.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Callable

    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]
    Handler = Callable[[argparse.Namespace], int]


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Keeps paragraph breaks in descriptions and shows defaults that matter."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32, width=100)


class Command(Protocol):
    """A command module: adds its parser, then runs with the parsed arguments."""

    def register(self, subparsers: Subparsers) -> None: ...


def add_command(
    subparsers: Subparsers, name: str, handler: Handler, *, help: str, description: str = ""
) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        name,
        help=help,
        description=description or help,
        formatter_class=HelpFormatter,
    )
    parser.set_defaults(handler=handler)
    return parser


def add_group(
    subparsers: Subparsers, name: str, *, help: str
) -> tuple[argparse.ArgumentParser, Subparsers]:
    """A command with subcommands (``assay db ...``); alone it prints its help and exits 2."""
    parser = subparsers.add_parser(name, help=help, description=help, formatter_class=HelpFormatter)
    group = parser.add_subparsers(title="commands", metavar="COMMAND")

    def usage(_: argparse.Namespace) -> int:
        parser.print_help()
        return 2

    parser.set_defaults(handler=usage)
    return parser, group


def format_choice(parser: argparse.ArgumentParser, choices: tuple[str, ...], default: str) -> None:
    parser.add_argument(
        "--format",
        "-f",
        dest="output_format",
        choices=choices,
        default=default,
        type=str.lower,
        metavar="FORMAT",
        help=f"one of {', '.join(choices)} (default: {default})",
    )

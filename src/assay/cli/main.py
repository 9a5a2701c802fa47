"""The ``assay`` command: the parser, and the one place errors become exit codes.

Exit codes: 0 ok, 1 findings at or above the threshold (or a failed gate),
2 bad usage or bad input. A traceback is printed only for a real bug.
Commands are registered from an explicit list; each command module imports
what it needs inside its handler, so ``assay scan`` pays only for scanning.
"""

from __future__ import annotations

import argparse
import os
import sys

from assay import __version__
from assay.cli._args import HelpFormatter
from assay.core.errors import EXIT_BAD_INPUT, AssayError


def build_parser() -> argparse.ArgumentParser:
    from assay.cli import (
        admin,
        catalogue,
        db,
        events,
        gate,
        metrics,
        policy,
        sbom,
        scan,
        serve,
        services,
        upload,
        vet,
        waiver,
        worker,
    )

    parser = argparse.ArgumentParser(
        prog="assay",
        description="DevSecOps governance: vulnerability knowledge base, scanner, SBOMs,\n"
        "policies, component catalogue, package vetting, CI gate, delivery events.\n\n"
        "Exit codes: 0 ok, 1 findings at or above --fail-on (or a failed gate or vetting),\n"
        "2 bad usage or input.",
        formatter_class=HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"assay {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")
    # the explicit registry of command modules
    for module in (
        scan,
        sbom,
        db,
        events,
        metrics,
        services,
        serve,
        worker,
        admin,
        upload,
        waiver,
        gate,
        vet,
        policy,
        catalogue,
    ):
        module.register(commands)

    def usage(_: argparse.Namespace) -> int:
        parser.print_help()
        return EXIT_BAD_INPUT

    parser.set_defaults(handler=usage)
    return parser


def _fail(message: str, code: int) -> None:
    sys.stderr.write(f"assay: error: {message}\n")
    sys.stderr.flush()
    raise SystemExit(code)


def run(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 with a usage message on bad usage
    try:
        code = args.handler(args)
    except AssayError as exc:
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        # Output piped into `head` and closed: not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(0) from None
    except MemoryError:
        _fail("out of memory: the input is too large to process", EXIT_BAD_INPUT)
    raise SystemExit(code)

"""The ``assay`` command: the Typer application and the one place errors become exit codes.

Exit codes: 0 ok, 1 findings at or above the threshold (or a failed gate),
2 bad usage or bad input. A traceback is printed only for a real bug, and then
with a request to report it.
"""

from __future__ import annotations

import os
import sys

import typer

from assay import __version__
from assay.core.errors import EXIT_BAD_INPUT, AssayError

app = typer.Typer(
    name="assay",
    help="DevSecOps governance: vulnerability knowledge base, scanner, SBOMs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"assay {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """assay: know what open source you run, whether it is vulnerable, and prove it."""


def _register() -> None:
    # Explicit list of command modules; each adds its commands to ``app``.
    from assay.cli import db, scan

    app.add_typer(db.app, name="db")
    app.command("scan")(scan.command)


_register()


def _fail(message: str, code: int) -> None:
    sys.stderr.write(f"assay: error: {message}\n")
    sys.stderr.flush()
    raise SystemExit(code)


def run(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        result = app(args=argv, standalone_mode=False, prog_name="assay")
    except typer.Exit as exc:
        raise SystemExit(exc.exit_code) from None
    except typer.TyperException as exc:  # click's usage errors: bad option, missing argument
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            sys.stderr.write(f"assay: error: {exc}\n")
        raise SystemExit(EXIT_BAD_INPUT) from None
    except AssayError as exc:
        _fail(str(exc), exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        _fail("interrupted", 130)
    except BrokenPipeError:
        # Output piped into `head` and closed: not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise SystemExit(0) from None
    except MemoryError:
        _fail("out of memory: the input is too large to process", EXIT_BAD_INPUT)
    raise SystemExit(result if isinstance(result, int) else 0)

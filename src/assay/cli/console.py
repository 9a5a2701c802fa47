"""Where the CLI writes: results to stdout, progress and messages to stderr.

Rich is imported lazily so that ``assay scan --format json`` (the CI hot path)
never pays for it.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from assay.core.errors import UsageError

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress


@lru_cache(maxsize=1)
def err() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


@lru_cache(maxsize=1)
def out() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


def progress(transient: bool = True) -> Progress:
    """A progress display on stderr; silent when stderr is not a terminal unless forced."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err(),
        transient=transient,
        disable=not sys.stderr.isatty(),
    )


def note(message: str) -> None:
    """One plain line on stderr; file names with brackets are not read as Rich markup."""
    err().print(message, markup=False, soft_wrap=True)


def write_output(text: str, output: Path | None) -> None:
    """A command's result: to standard output, or to ``output`` (``-o FILE``)."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{output}: cannot write: {exc.strerror or exc}") from None

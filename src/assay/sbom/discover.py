"""Find the inputs under a path and read them into one Bom.

A directory is walked without following symlinked directories (no loops, no
escaping the tree), skipping vendored and tool directories. A file is read by
the cataloger that claims its name, or, failing that, sniffed as an SBOM
document.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

from assay.core.errors import InputError, UsageError
from assay.sbom.catalogers.registry import cataloger_for, claimed
from assay.sbom.model import Bom

SKIP_DIRS = frozenset(
    {
        "node_modules",
        ".venv",
        "venv",
        ".git",
        ".hg",
        ".svn",
        "__pycache__",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "vendor",
        "bower_components",
        "target",
    }
)


# Directories skipped inside a project, but read in full when they are what was asked for.
INSTALLED_TREES = frozenset({"node_modules", ".venv", "venv", "site-packages"})


def walk(root: Path) -> Iterator[Path]:
    """Files under ``root`` that some cataloger claims, in a stable order.

    Pointed at an installed tree (a path through ``node_modules``, a virtual
    environment), the walk reads everything below it, nested ``node_modules``
    included: the user asked for exactly that tree.
    """
    installed = bool(INSTALLED_TREES.intersection(root.resolve().parts))
    skip = SKIP_DIRS - INSTALLED_TREES if installed else SKIP_DIRS
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if d not in skip)
        for name in sorted(filenames):
            path = Path(dirpath) / name
            if claimed(path):
                yield path


def read_file(path: Path) -> Bom:
    """One lockfile, manifest or SBOM document."""
    cataloger = cataloger_for(path)
    if cataloger is not None:
        return cataloger.read(path)
    from assay.sbom.formats.registry import reader_for

    reader = reader_for(path)
    if reader is None:
        raise InputError(
            path, "not a lockfile or SBOM assay can read (see 'assay scan --help' for formats)"
        )
    return reader.read(path)


def catalog(path: Path, on_file: Callable[[Path], None] | None = None) -> Bom:
    """Everything under ``path``: a file, or a directory searched recursively."""
    if not path.exists():
        if os.path.lexists(path):
            raise InputError(path, "broken or looping symbolic link")
        raise UsageError(f"{path}: no such file or directory")
    if path.is_dir():
        bom = Bom()
        found = False
        for file in walk(path):
            found = True
            if on_file is not None:
                on_file(file)
            bom.extend(read_file(file))
        if not found:
            raise UsageError(f"{path}: no lockfiles found (searched recursively)")
        return bom
    return read_file(path)

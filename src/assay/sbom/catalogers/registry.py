"""The explicit registry of lockfile and manifest readers.

Order matters only for files two catalogers could both claim; the first wins.
Adding a format: write ``assay/sbom/catalogers/<format>.py`` implementing
:class:`~assay.sbom.catalogers.interface.Cataloger`, add it here, and add its
fixtures under ``tests/sbom/catalogers/testdata/<format>/``.
"""

from __future__ import annotations

from pathlib import Path

from assay.sbom.catalogers import (
    cargo_lock,
    composer_lock,
    gemfile_lock,
    go_mod,
    package_lock,
    pipfile_lock,
    pnpm_lock,
    poetry_lock,
    requirements,
    uv_lock,
    yarn_lock,
)
from assay.sbom.catalogers.interface import Cataloger

CATALOGERS: tuple[Cataloger, ...] = (
    # Python
    requirements.RequirementsCataloger(),
    pipfile_lock.PipfileLockCataloger(),
    poetry_lock.PoetryLockCataloger(),
    uv_lock.UvLockCataloger(),
    # JavaScript
    package_lock.PackageLockCataloger(),
    yarn_lock.YarnLockCataloger(),
    pnpm_lock.PnpmLockCataloger(),
    # Go, Rust, Ruby, PHP
    go_mod.GoModCataloger(),
    cargo_lock.CargoLockCataloger(),
    gemfile_lock.GemfileLockCataloger(),
    composer_lock.ComposerLockCataloger(),
)

BY_NAME: dict[str, Cataloger] = {c.name: c for c in CATALOGERS}


def cataloger_for(path: Path) -> Cataloger | None:
    """The cataloger that reads ``path`` (by file name), or None."""
    for cataloger in CATALOGERS:
        if cataloger.matches(path):
            return cataloger
    return None

"""The explicit registry: names unique, each real lockfile claimed by exactly the right reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.sbom.catalogers.interface import Cataloger
from assay.sbom.catalogers.registry import BY_NAME, CATALOGERS, cataloger_for


def test_every_cataloger_satisfies_the_interface_and_names_are_unique() -> None:
    assert len(BY_NAME) == len(CATALOGERS)
    for cataloger in CATALOGERS:
        assert isinstance(cataloger, Cataloger)
        assert cataloger.name and cataloger.ecosystem


@pytest.mark.parametrize(
    ("file_name", "expected"),
    [
        ("requirements.txt", "requirements"),
        ("requirements-dev.txt", "requirements"),
        ("Pipfile.lock", "pipfile-lock"),
        ("poetry.lock", "poetry-lock"),
        ("uv.lock", "uv-lock"),
        ("package-lock.json", "npm-package-lock"),
        ("npm-shrinkwrap.json", "npm-package-lock"),
        ("yarn.lock", "yarn-lock"),
        ("pnpm-lock.yaml", "pnpm-lock"),
        ("go.mod", "go-mod"),
        ("Cargo.lock", "cargo-lock"),
        ("Gemfile.lock", "gemfile-lock"),
        ("composer.lock", "composer-lock"),
        ("package.json", None),
        ("README.md", None),
    ],
)
def test_file_names_route_to_catalogers(file_name: str, expected: str | None) -> None:
    found = cataloger_for(Path("project") / file_name)
    assert (found.name if found else None) == expected


def test_every_shared_lockfile_is_claimed(shared_data: Path) -> None:
    files = [p for p in (shared_data / "lockfiles").rglob("*") if p.is_file() and p.suffix != ".md"]
    unclaimed = [p.name for p in files if cataloger_for(p) is None]
    # pom.xml and go.sum are read by later catalogers (go.sum beside go.mod for hashes).
    assert sorted(unclaimed) == sorted(n for n in unclaimed if n.endswith(("pom.xml", "go.sum")))
    assert len(files) - len(unclaimed) >= 17

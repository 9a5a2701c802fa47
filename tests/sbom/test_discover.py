"""Walking a project tree: lockfiles found, vendored trees skipped, links never followed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assay.core.errors import InputError, UsageError
from assay.sbom.discover import catalog, read_file, walk

LOCK = {
    "name": "x",
    "lockfileVersion": 3,
    "packages": {"": {}, "node_modules/a": {"version": "1.0.0"}},
}


def write_lock(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "package-lock.json"
    path.write_text(json.dumps(LOCK))
    return path


def test_walk_finds_lockfiles_and_skips_vendored_dirs(tmp_path: Path) -> None:
    found = write_lock(tmp_path / "svc")
    write_lock(tmp_path / "svc" / "node_modules" / "dep")
    write_lock(tmp_path / ".venv" / "lib")
    write_lock(tmp_path / ".git" / "x")
    (tmp_path / "svc" / "README.md").write_text("not a lockfile")
    assert list(walk(tmp_path)) == [found]


def test_walk_does_not_follow_directory_symlinks(tmp_path: Path) -> None:
    found = write_lock(tmp_path / "a")
    (tmp_path / "a" / "loop").symlink_to(tmp_path)  # a loop back to the root
    assert list(walk(tmp_path)) == [found]


def test_catalog_of_a_directory_joins_every_file(tmp_path: Path) -> None:
    write_lock(tmp_path / "one")
    write_lock(tmp_path / "two")
    seen: list[Path] = []
    bom = catalog(tmp_path, on_file=seen.append)
    assert len(seen) == 2 and len(bom) == 2
    assert {c.source for c in bom} == {str(p) for p in seen}


def test_empty_directory_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no lockfiles found"):
        catalog(tmp_path)


def test_missing_path_and_looping_link(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file or directory"):
        catalog(tmp_path / "nope")
    (tmp_path / "a.json").symlink_to(tmp_path / "b.json")
    (tmp_path / "b.json").symlink_to(tmp_path / "a.json")
    with pytest.raises(InputError, match=r"a\.json: broken or looping symbolic link"):
        catalog(tmp_path / "a.json")


def test_unknown_file_is_refused_with_a_pointer_to_help(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("hello")
    with pytest.raises(InputError, match=r"notes\.txt: not a lockfile or SBOM"):
        read_file(notes)


def test_sbom_is_read_by_content_whatever_its_name(tmp_path: Path) -> None:
    sbom = tmp_path / "product.json"
    sbom.write_text(
        json.dumps(
            {
                "bomFormat": "CycloneDX",
                "specVersion": "1.5",
                "components": [
                    {"type": "library", "name": "a", "version": "1", "purl": "pkg:npm/a@1"}
                ],
            }
        )
    )
    assert [(c.ecosystem, c.name, c.version) for c in read_file(sbom)] == [("npm", "a", "1")]


def test_pointing_at_node_modules_reads_nested_installs(tmp_path: Path) -> None:
    nm = tmp_path / "node_modules"
    for rel, version in (("a", "1.0.0"), ("a/node_modules/b", "2.0.0")):
        pkg = nm / rel
        pkg.mkdir(parents=True)
        (pkg / "package.json").write_text(
            json.dumps({"name": rel.split("/")[-1], "version": version})
        )
    (nm / ".package-lock.json").write_text(
        json.dumps(LOCK)
    )  # npm's hidden lockfile: not read twice
    names = sorted((c.name, c.version) for c in catalog(nm))
    assert names == [("a", "1.0.0"), ("b", "2.0.0")]
    # Inside a project, node_modules stays skipped: the lockfile describes it.
    write_lock(tmp_path)
    assert [c.name for c in catalog(tmp_path)] == ["a"]


def test_the_first_subject_describes_a_whole_tree(tmp_path: Path) -> None:
    from assay.sbom.model import Bom, Component

    first, second = Bom(), Bom()
    second.subject = Component("Maven", "org.example:app", "1.0")
    first.extend(second)
    first.extend(Bom(subject=Component("npm", "other", "2")))
    assert first.subject is second.subject

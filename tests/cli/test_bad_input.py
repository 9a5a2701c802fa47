"""Bad input, end to end: every case runs the real ``assay`` process.

Each must exit 2 with exactly one ``assay: error:`` line naming the file (and
the line where the format has one), print no traceback, and stay inside a
1 GiB address-space limit set on the child process, which proves memory stays
bounded: a reader that tried to load a 10 GB file or expand an entity bomb
would die of MemoryError instead of refusing with the expected message.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

LIMIT = 1024**3


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def assay(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ASSAY_")}
    env["ASSAY_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "assay", *args],
        capture_output=True,
        text=True,
        env=env,
        preexec_fn=_limit_memory,
        timeout=120,
        check=False,
    )


def refused(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.startswith("assay: error:")]
    assert proc.returncode == 2, proc.stderr
    assert len(lines) == 1, proc.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def billion_laughs_xml() -> str:
    entities = ['<!ENTITY lol "lol">'] + [
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
    ]
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE bom [\n' + "\n".join(entities) + "\n]>\n"
        '<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components><component>'
        "<name>&lol9;</name></component></components></bom>\n"
    )


def billion_laughs_yaml() -> str:
    doc = "lockfileVersion: '9.0'\na: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        doc += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]\n"
    return doc


def sparse(path: Path, size: int) -> None:
    with path.open("wb") as fh:
        fh.truncate(size)


Case = Callable[[Path], tuple[list[str], list[str]]]


def scan_case(file_name: str, content: bytes | str | None) -> Case:
    def make(tmp: Path) -> tuple[list[str], list[str]]:
        path = tmp / file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        elif isinstance(content, str):
            path.write_text(content)
        return ["scan", str(path)], [file_name]

    return make


def enormous(tmp: Path) -> tuple[list[str], list[str]]:
    tmp.mkdir(parents=True, exist_ok=True)
    path = tmp / "package-lock.json"
    sparse(path, 10 * 1024**3)  # 10 GB, no disk used
    return ["scan", str(path)], ["package-lock.json", "over the", "limit"]


def looping_link(tmp: Path) -> tuple[list[str], list[str]]:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "package-lock.json").symlink_to(tmp / "other.json")
    (tmp / "other.json").symlink_to(tmp / "package-lock.json")
    return ["scan", str(tmp / "package-lock.json")], ["package-lock.json", "symbolic link"]


SCAN_CASES: dict[str, Case] = {
    "empty lockfile": scan_case("package-lock.json", ""),
    "truncated JSON names the line": scan_case(
        "package-lock.json", '{\n  "lockfileVersion": 3,\n  "packages": {\n    "": {'
    ),
    "binary poetry.lock": scan_case("poetry.lock", bytes(range(256)) * 8),
    "YAML where JSON belongs": scan_case("package-lock.json", "lockfileVersion: 3\n"),
    "JSON where TOML belongs": scan_case("Cargo.lock", '{"package": []}'),
    "deep JSON nesting": scan_case("package-lock.json", "[" * 100_000 + "]" * 100_000),
    "YAML billion laughs": scan_case("pnpm-lock.yaml", billion_laughs_yaml()),
    "deep YAML nesting": scan_case("pnpm-lock.yaml", "a: " + "[" * 50_000 + "]" * 50_000),
    "XML entity expansion": scan_case("bom.xml", billion_laughs_xml()),
    "truncated TOML names the line": scan_case(
        "poetry.lock", '[[package]]\nname = "requests"\nversion = "2.0'
    ),
    "enormous file": enormous,
    "symlink loop": looping_link,
}


@pytest.mark.parametrize("case", list(SCAN_CASES), ids=list(SCAN_CASES))
def test_scan_refuses_bad_input(case: str, tmp_path: Path) -> None:
    args, needles = SCAN_CASES[case](tmp_path / "in")
    refused(assay(*args, home=tmp_path / "home"), *needles)


def test_truncated_json_error_has_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "package-lock.json"
    path.write_text('{\n  "lockfileVersion": 3,\n  "packages": {\n    "": {')
    refused(assay("scan", str(path), home=tmp_path), f"{path}:4:")


def test_a_directory_symlink_loop_does_not_trap_the_walk(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "up").symlink_to(tmp_path)  # a directory loop
    (project / "requirements.txt").write_text("requests==2.31.0\n")
    proc = assay("scan", str(project), home=tmp_path / "home")
    # The walk ends (no loop); it then stops at the missing database, which is exit 2 too.
    refused(proc, "no vulnerability database")


def zip_bomb(tmp: Path) -> Path:
    path = tmp / "all.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("GHSA-bomb.json", b"{" + b" " * (200 * 1024 * 1024) + b"}")
    return path


def test_db_import_refuses_a_zip_bomb_without_expanding_it(tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path)
    assert bomb.stat().st_size < 1024 * 1024
    refused(assay("db", "import", str(bomb), home=tmp_path / "home"), "no OSV record could be read")


def test_db_import_refuses_truncated_zip_and_enormous_json(tmp_path: Path) -> None:
    good = tmp_path / "g.zip"
    with zipfile.ZipFile(good, "w") as zf:
        zf.writestr("A.json", json.dumps({"id": "A", "modified": "2024-01-01T00:00:00Z"}))
    truncated = tmp_path / "t.zip"
    truncated.write_bytes(good.read_bytes()[:40])
    refused(assay("db", "import", str(truncated), home=tmp_path / "h1"), "t.zip")
    huge = tmp_path / "huge.json"
    sparse(huge, 10 * 1024**3)
    proc = assay("db", "import", str(huge), home=tmp_path / "h2")
    refused(proc, "no OSV record could be read")
    assert "over the" in proc.stderr


def test_db_import_of_a_looping_directory_finds_nothing(tmp_path: Path) -> None:
    (tmp_path / "mirror").mkdir()
    (tmp_path / "mirror" / "self").symlink_to(tmp_path / "mirror")
    refused(assay("db", "import", str(tmp_path / "mirror"), home=tmp_path / "h"), "no OSV files")

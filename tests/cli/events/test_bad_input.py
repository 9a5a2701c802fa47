"""Hostile inputs through the real ``assay events`` process: exit 2, one line, bounded memory.

The child runs under a 1 GiB address-space limit: a reader that expanded an
entity bomb or read a giant line whole would die of MemoryError instead of
refusing with the expected message.
"""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_bad_input import assay, billion_laughs_xml, refused

SHA = "a" * 40


def test_an_xml_bomb_given_as_junit(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(billion_laughs_xml())
    proc = assay("events", "junit", str(bomb), "--repo", "r", "--sha", SHA, home=tmp_path)
    refused(proc, str(bomb), "DTD not allowed")


def test_an_xml_bomb_given_as_coverage(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(billion_laughs_xml())
    proc = assay("events", "coverage", str(bomb), "--repo", "r", "--sha", SHA, home=tmp_path)
    refused(proc, str(bomb), "DTD not allowed")


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with path.open("wb") as fh:  # sparse: 2 GiB that cost no disk
        fh.write(b'{"type": "defect", "title": "')
        fh.truncate(2 * 1024**3)
    proc = assay("events", "import", str(path), home=tmp_path)
    refused(proc, str(path), "over the 536,870,912-byte limit")


def test_a_line_over_32_mib_is_refused_by_length(tmp_path: Path) -> None:
    path = tmp_path / "long-line.jsonl"
    with path.open("wb") as fh:
        fh.write(b'{"type": "defect", "title": "')
        for _ in range(40):
            fh.write(b"x" * 1024**2)
        fh.write(b'"}\n')
    proc = assay("events", "import", str(path), home=tmp_path)
    refused(proc, f"{path}:1: line longer than 33,554,432 bytes")


def test_deep_json_on_a_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_text("[" * 200_000 + "]" * 200_000 + "\n")
    proc = assay("events", "import", str(path), home=tmp_path)
    refused(proc, f"{path}:1: JSON nested deeper than 512 levels")

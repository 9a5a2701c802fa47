"""Reading advisory inputs: files, directories, all.zip exports; bad ones skipped and named."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from assay.core.errors import InputError
from assay.vulndb import reader
from assay.vulndb.osv import OsvRecord
from assay.vulndb.reader import ZipLimits

TESTDATA = Path(__file__).parent / "testdata"
OSV_DIR = TESTDATA / "osv"


def read_all(
    paths: list[Path], limits: ZipLimits | None = None
) -> tuple[list[OsvRecord], list[tuple[str, str]]]:
    skipped: list[tuple[str, str]] = []
    plan = reader.plan(paths, limits)
    skipped.extend(plan.skipped)
    records = [
        r
        for src in plan.sources
        for r in reader.read(src, lambda w, why: skipped.append((w, why)), limits)
    ]
    return records, skipped


def record_json(rid: str, **extra: object) -> bytes:
    return json.dumps({"id": rid, "modified": "2024-01-01T00:00:00Z", **extra}).encode()


def test_directory_is_walked_recursively_skipping_hidden_and_other_files() -> None:
    records, skipped = read_all([OSV_DIR])
    assert sorted(r.id for r in records) == [
        "GHSA-aaaa-bbbb-cccc",
        "GO-2099-0001",
        "MAL-2099-1",
        "PYSEC-2099-1",
        "RUSTSEC-2099-0001",
    ]
    assert skipped == []  # README.md and .hidden/ are not inputs


def test_plan_counts_items_for_progress() -> None:
    plan = reader.plan([OSV_DIR, OSV_DIR / "MAL-2099-1.json"])
    assert plan.items == 4 + 1  # list.json is one item holding two records


def test_json_list_records_are_named_by_index(tmp_path: Path) -> None:
    path = tmp_path / "many.json"
    path.write_text(json.dumps([json.loads(record_json("GO-1")), {"id": 2}, []]))
    records, skipped = read_all([path])
    assert [r.id for r in records] == ["GO-1"]
    assert skipped == [
        (f"{path}[1]", "not an OSV record: no string 'id' and 'modified' fields"),
        (f"{path}[2]", "not an OSV record: expected an object, got a list"),
    ]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.json", b"", "file is empty"),
        ("blank.yaml", b"  \n", "file is empty"),
        ("binary.json", b"\x00\x01\x02PK", "binary file, expected JSON"),
        ("binary.yaml", b"\x89PNG\x00\x00", "binary file, expected text"),
        ("latin1.yaml", b"id: caf\xe9\n", "not valid UTF-8 text"),
        ("empty-list.json", b"[]", "empty list, no records"),
        ("scalar.yaml", b"just text\n", "not an OSV record: expected an object, got a string"),
        ("bad.yaml", b"id: [unclosed\n", "invalid YAML"),
        ("deep.json", b"[" * 100_000 + b"]" * 100_000, "JSON nested"),
    ],
)
def test_bad_files_are_skipped_with_a_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    (tmp_path / name).write_bytes(content)
    (tmp_path / "good.json").write_bytes(record_json("GO-1"))
    records, skipped = read_all([tmp_path])
    assert [r.id for r in records] == ["GO-1"]
    [(where, why)] = skipped
    assert where.startswith(str(tmp_path / name)) and reason in why


def test_truncated_json_names_the_line() -> None:
    records, skipped = read_all([TESTDATA / "truncated.json"])
    assert records == []
    [(where, why)] = skipped
    assert where == f"{TESTDATA / 'truncated.json'}:1"
    assert why.startswith("invalid JSON: Unterminated string")


def test_yaml_anchors_are_refused() -> None:
    records, skipped = read_all([TESTDATA / "anchors.yaml"])
    assert records == []
    assert skipped == [
        (f"{TESTDATA / 'anchors.yaml'}:4", "YAML anchors and aliases are not accepted")
    ]


def test_raw_nodejs_wg_format_is_a_bad_record() -> None:
    records, skipped = read_all([TESTDATA / "nodejs-wg-1.json"])
    assert records == []
    assert skipped == [
        (
            str(TESTDATA / "nodejs-wg-1.json"),
            "not an OSV record: no string 'id' and 'modified' fields",
        )
    ]


def test_explicit_file_of_unknown_kind_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    assert read_all([path]) == ([], [(str(path), "not a .json, .yaml, .yml or .zip file")])


def test_missing_path_is_an_error_before_anything_is_read(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.json: no such file or directory"):
        reader.plan([OSV_DIR, tmp_path / "nope.json"])


def test_symlinked_directories_are_not_followed_and_loops_end(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "GO-1.json").write_bytes(record_json("GO-1"))
    (root / "loop").symlink_to(root, target_is_directory=True)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "GO-2.json").write_bytes(record_json("GO-2"))
    (root / "elsewhere").symlink_to(outside, target_is_directory=True)
    (root / "self.json").symlink_to(root / "self.json")  # a symlink loop on a file
    records, skipped = read_all([root])
    assert [r.id for r in records] == ["GO-1"]
    [(where, why)] = skipped
    assert where == str(root / "self.json") and why.startswith("cannot read")


def make_zip(path: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_export_is_read_in_memory(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "all.zip",
        {
            "GO-1.json": record_json("GO-1"),
            "sub/PYSEC-1.yaml": b"id: PYSEC-1\nmodified: 2021-01-01 00:00:00+00:00\n",
            "README.md": b"not an advisory",
            "bad.json": b"{",
            "NSWG-1.json": b'{"id": 1}',
        },
    )
    before = sorted(os.listdir(tmp_path))
    records, skipped = read_all([path])
    assert sorted(os.listdir(tmp_path)) == before  # nothing extracted
    assert [r.id for r in records] == ["GO-1", "PYSEC-1"]
    assert skipped == [
        (
            f"{path}!bad.json:1",
            "invalid JSON: Expecting property name enclosed in double quotes (column 2)",
        ),
        (f"{path}!NSWG-1.json", "not an OSV record: no string 'id' and 'modified' fields"),
    ]
    assert reader.plan([path]).items == 4


def test_zip_bomb_member_is_refused_by_ratio(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "bomb.zip",
        {"bomb.json": b" " * (20 * 1024 * 1024), "GO-1.json": record_json("GO-1")},
    )
    records, skipped = read_all([path])
    assert [r.id for r in records] == ["GO-1"]
    assert skipped == [(f"{path}!bomb.json", "compression ratio over 200:1 (zip bomb?)")]


def test_zip_member_over_size_cap(tmp_path: Path) -> None:
    path = make_zip(
        tmp_path / "big.zip",
        {"big.json": record_json("GO-9", details="x" * 5000), "GO-1.json": record_json("GO-1")},
        method=zipfile.ZIP_STORED,
    )
    records, skipped = read_all([path], ZipLimits(max_member_bytes=1000))
    assert [r.id for r in records] == ["GO-1"]
    [(where, why)] = skipped
    assert where == f"{path}!big.json" and "over the 1,000-byte limit" in why


def test_zip_total_cap_stops_reading(tmp_path: Path) -> None:
    members = {f"GO-{i}.json": record_json(f"GO-{i}", details="x" * 400) for i in range(10)}
    path = make_zip(tmp_path / "all.zip", members)
    records, skipped = read_all([path], ZipLimits(max_total_bytes=2000))
    assert 1 <= len(records) < 10
    [(where, why)] = skipped
    assert "the rest of it is skipped" in why and where.startswith(f"{path}!GO-")


def test_zip_with_too_many_members_is_refused_whole(tmp_path: Path) -> None:
    members = {f"GO-{i}.json": record_json(f"GO-{i}") for i in range(5)}
    path = make_zip(tmp_path / "many.zip", members)
    records, skipped = read_all([path], ZipLimits(max_members=3))
    assert records == []
    assert skipped == [(str(path), "zip has 5 members, over the limit of 3")]


def test_zip64_directory_claiming_billions_of_members_is_refused(tmp_path: Path) -> None:
    """A zip64 end record (APPNOTE 4.3.14) announcing 2**40 entries is refused before
    zipfile would try to read a central directory that large."""
    import struct

    entries = 2**40
    zip64_end = struct.pack("<4sQHHIIQQQQ", b"PK\x06\x06", 44, 45, 45, 0, 0, entries, entries, 0, 0)
    locator = struct.pack("<4sIQI", b"PK\x06\x07", 0, 0, 1)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    path = tmp_path / "all.zip"
    path.write_bytes(zip64_end + locator + end)
    records, skipped = read_all([path])
    assert records == []
    assert skipped == [(str(path), f"zip has {entries:,} members, over the limit of 1,000,000")]


@pytest.mark.parametrize(
    ("content", "reason"),
    [(b"", "not a readable zip file"), (b"PK\x03\x04garbage", "not a readable zip file")],
)
def test_broken_zip_is_skipped(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "all.zip"
    path.write_bytes(content)
    records, skipped = read_all([path])
    assert records == [] and len(skipped) == 1
    assert skipped[0][0] == str(path) and skipped[0][1].startswith(reason)


def test_truncated_zip_is_skipped(tmp_path: Path) -> None:
    good = make_zip(tmp_path / "good.zip", {"GO-1.json": record_json("GO-1")})
    data = good.read_bytes()
    bad = tmp_path / "cut.zip"
    bad.write_bytes(data[: len(data) // 2])
    records, skipped = read_all([bad])
    assert records == [] and skipped[0][1].startswith("not a readable zip file")


def test_hostile_member_names_are_escaped(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "all.zip", {"../../evil\n\x1b[31m.json": b"{}"})
    _, skipped = read_all([path])
    [(where, why)] = skipped
    assert "\n" not in where and "\x1b" not in where
    assert where.endswith("!../../evil\\n\\x1b[31m.json")
    assert why == "not an OSV record: no string 'id' and 'modified' fields"


def test_shared_osv_data_reads_except_raw_nodejs(shared_data: Path) -> None:
    osv = shared_data / "osv"
    records, skipped = read_all([osv / "pypi-advisory-db", osv / "nodejs-security-wg"])
    assert len(records) == 2661
    assert len(skipped) == 468
    git_malformed = {
        "PYSEC-2017-27",
        "PYSEC-2019-155",
        "PYSEC-2021-371",
        "PYSEC-2021-424",
        "PYSEC-2021-425",
        "PYSEC-2021-436",
        "PYSEC-2023-80",
    }
    assert git_malformed <= {r.id for r in records}


def test_copying_testdata_into_a_zip_gives_the_same_records(tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    shutil.copytree(OSV_DIR, tree)
    members = {
        str(p.relative_to(tree)): p.read_bytes()
        for p in sorted(tree.rglob("*"))
        if p.is_file() and ".hidden" not in p.parts
    }
    path = make_zip(tmp_path / "all.zip", members)
    from_dir, _ = read_all([tree])
    from_zip, _ = read_all([path])
    assert sorted(r.content_hash for r in from_dir) == sorted(r.content_hash for r in from_zip)


def test_files_over_the_input_limit_are_skipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ASSAY_MAX_INPUT_MB", "1")
    big = tmp_path / "GO-big.json"
    big.write_bytes(record_json("GO-big", details="x" * (1024 * 1024)))
    zipped = make_zip(tmp_path / "all.zip", {"GO-big.json": big.read_bytes()})
    (tmp_path / "GO-1.json").write_bytes(record_json("GO-1"))
    records, skipped = read_all([tmp_path])
    assert [r.id for r in records] == ["GO-1"]
    assert skipped == [
        (
            str(big),
            f"file is {big.stat().st_size:,} bytes, over the 1,048,576-byte limit "
            "(ASSAY_MAX_INPUT_MB)",
        ),
        (
            f"{zipped}!GO-big.json",
            f"member is {big.stat().st_size:,} bytes, over the 1,048,576-byte limit",
        ),
    ]

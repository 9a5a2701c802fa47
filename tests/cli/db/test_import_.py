"""``assay db import``, ``assay db status`` and ``assay db show`` end to end (embedded SQLite)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from assay.cli import context
from assay.cli.main import run

OSV_DIR = Path(__file__).parents[2] / "vulndb" / "testdata" / "osv"
NODEJS = Path(__file__).parents[2] / "vulndb" / "testdata" / "nodejs-wg-1.json"


@pytest.fixture(autouse=True)
def _fresh_context() -> Iterator[None]:
    """Each test gets the settings and database of its own ASSAY_HOME."""
    context.settings.cache_clear()
    context.database.cache_clear()
    yield
    if context.database.cache_info().currsize:
        context.database().dispose()
    context.settings.cache_clear()
    context.database.cache_clear()


def exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        run(argv)
    code = info.value.code
    return code if isinstance(code, int) else 0


def test_import_then_status_then_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["db", "import", str(OSV_DIR), str(NODEJS)]) == 0
    out, err = capsys.readouterr()
    assert "added" in out and "5" in out and "ecosystem PyPI" in out
    assert err == (
        f"assay: skipped: {NODEJS}: not an OSV record: no string 'id' and 'modified' fields\n"
    )

    assert exit_code(["db", "import", str(OSV_DIR), "--source", "mirror"]) == 0
    out, _ = capsys.readouterr()
    assert "unchanged" in out

    assert exit_code(["db", "status", "--format", "json"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["advisories"] == 5 and status["malicious"] == 1
    assert status["by_ecosystem"] == {"Go": 1, "PyPI": 2, "crates.io": 1, "npm": 1}

    assert exit_code(["db", "status"]) == 0
    out = capsys.readouterr().out
    assert "advisories per ecosystem" in out and "crates.io" in out

    assert exit_code(["db", "show", "cve-2099-0001", "--format", "json"]) == 0
    vuln = json.loads(capsys.readouterr().out)
    assert vuln["id"] == "CVE-2099-0001"
    assert [a["id"] for a in vuln["advisories"]] == ["GHSA-aaaa-bbbb-cccc", "PYSEC-2099-1"]

    assert exit_code(["db", "show", "PYSEC-2099-1"]) == 0
    out = capsys.readouterr().out
    assert "CVE-2099-0001" in out and "critical (9.8)" in out


def test_show_unknown_id_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["db", "show", "CVE-1999-0001"]) == 2
    err = capsys.readouterr().err
    assert err == "assay: error: CVE-1999-0001: no advisory with this id or alias\n"


def test_missing_path_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope"
    assert exit_code(["db", "import", str(OSV_DIR), str(missing)]) == 2
    err = capsys.readouterr().err
    assert err == f"assay: error: {missing}: no such file or directory\n"
    assert exit_code(["db", "status", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["advisories"] == 0


def test_only_bad_inputs_exit_2_with_reasons_grouped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(12):
        (tmp_path / f"bad{i:02}.json").write_text("{")
    assert exit_code(["db", "import", str(tmp_path)]) == 2
    err = capsys.readouterr().err.splitlines()
    places = ", ".join(f"{tmp_path / f'bad0{i}.json'}:1" for i in range(3))
    assert err == [
        "assay: skipped 12: invalid JSON: Expecting property name enclosed in double quotes "
        f"(column 2): {places} and 9 more",
        f"assay: error: {tmp_path}: no OSV record could be read (12 skipped, reasons above)",
    ]


def test_many_distinct_reasons_are_capped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for i in range(12):  # twelve different syntax errors: one line each, up to ten
        (tmp_path / f"bad{i:02}.json").write_text("{" + " " * i + "x")
    (tmp_path / "good.json").write_text(
        '{"id": "OSV-1", "modified": "2024-01-01T00:00:00Z", "affected": []}'
    )
    assert exit_code(["db", "import", str(tmp_path)]) == 0  # one good record: the import ran
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 11
    assert all(line.startswith("assay: skipped: ") for line in err[:10])
    assert err[-1] == "assay: ... and 2 more skipped for other reasons"


@pytest.mark.parametrize(
    "argv",
    [
        ["db", "import"],
        ["db", "import", "x.json", "--source", " "],
        ["db", "status", "--format", "xml"],
        ["db", "show"],
        ["db", "show", "X", "--format", "yaml"],
    ],
)
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(argv) == 2
    err = capsys.readouterr().err
    assert err.strip() and "Traceback" not in err


def test_hostile_zip_does_not_abort(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import zipfile

    path = tmp_path / "all.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.json", b"[" + b" " * (30 * 1024 * 1024) + b"]")
        zf.writestr("[/]bad[bold].json", b"{")
        zf.writestr("GO-1.json", json.dumps({"id": "GO-1", "modified": "2024-01-01T00:00:00Z"}))
    assert exit_code(["db", "import", str(path)]) == 0
    err = capsys.readouterr().err
    assert "zip bomb" in err and "bomb.json" in err
    assert f"assay: skipped: {path}![/]bad[bold].json:1: invalid JSON" in err
    assert exit_code(["db", "show", "GO-1", "--format", "json"]) == 0


def test_markup_in_advisory_text_is_printed_literally(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    record = {
        "id": "GHSA-mark-up",
        "modified": "2024-01-01T00:00:00Z",
        "summary": "[/] closes nothing [bold red]",
        "affected": [{"package": {"ecosystem": "[/]eco", "name": "[link=x]p"}}],
    }
    (tmp_path / "r.json").write_text(json.dumps(record))
    assert exit_code(["db", "import", "--source", "[/]src", str(tmp_path)]) == 0
    assert "ecosystem [/]eco" in capsys.readouterr().out
    assert exit_code(["db", "show", "GHSA-mark-up"]) == 0
    out = capsys.readouterr().out
    assert "[/] closes nothing [bold red]" in out and "[/]eco/[link=x]p" in out
    assert exit_code(["db", "status"]) == 0
    assert "[/]src" in capsys.readouterr().out

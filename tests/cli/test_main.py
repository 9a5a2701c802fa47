"""The one place errors become exit codes: 0 ok, 1 findings, 2 bad usage or input."""

from __future__ import annotations

import subprocess
import sys

import pytest

from assay import __version__
from assay.cli.main import run


def exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as info:
        run(argv)
    code = info.value.code
    return code if isinstance(code, int) else 0


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"assay {__version__}"


def test_help_everywhere(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["db", "--help"], ["scan", "--help"], ["db", "upgrade", "--help"]):
        assert exit_code(argv) == 0
        assert "usage: assay" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv", [["no-such-command"], ["db", "nope"], ["scan", "--no-such-option"]]
)
def test_bad_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.strip()


def test_assay_error_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ASSAY_DATABASE_URL", "mysql://user:pw@host/db")
    from assay.cli import context

    context.settings.cache_clear()
    try:
        assert exit_code(["db", "upgrade"]) == 2
    finally:
        context.settings.cache_clear()
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("assay: error: ASSAY_DATABASE_URL: unsupported database 'mysql'")


def test_console_script_runs_as_a_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "assay", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0 and proc.stdout.startswith("assay ")

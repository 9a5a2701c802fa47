"""``assay policy validate``: 0 and a summary for good files, 2 and one clear line for bad."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.policy.starter import STARTER_PATH
from tests.cli.test_main import exit_code


def test_the_starter_set_is_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["policy", "validate", str(STARTER_PATH)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"{STARTER_PATH}: 9 policies in 1 file (6 fail, 3 warn): valid"


def test_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text(STARTER_PATH.read_text())
    (tmp_path / "b.yml").write_text(
        "apiVersion: assay.dev/v1\nkind: PolicySet\npolicies:\n"
        "  - {name: dev-only, verdict: info, enabled: false,"
        " conditions: [{component_scope: {in: [dev]}}]}\n"
    )
    assert exit_code(["policy", "validate", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "10 policies in 2 files (6 fail, 3 warn, 1 info), 1 disabled: valid" in out


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "file is empty"),
        (
            "apiVersion: assay.dev/v1\nkind: PolicySet\npolicies:\n  - name: no-kev\n"
            "    verdict: fail\n    conditions:\n      - kev: true\n"
            "      - severity: {at_least: hgh}\n",
            "policy 'no-kev': conditions[1]: severity: unknown severity 'hgh' "
            "(critical, high, medium, low)",
        ),
        ("apiVersion: assay.dev/v1\nkind: PolicySet\npolicies: [\n", "invalid YAML"),
    ],
)
def test_errors_exit_2_with_one_line(
    tmp_path: Path, text: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bank.yaml"
    path.write_text(text)
    assert exit_code(["policy", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"assay: error: {path}") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_a_missing_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["policy", "validate", str(tmp_path / "none.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err

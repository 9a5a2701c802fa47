"""``assay policy show``: the starter set by default; yaml and json print documents that read
back to the same policies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from assay.policy.loader import parse_document, policy_to_dict
from assay.policy.starter import starter_policies
from tests.cli.test_main import exit_code


def test_table_lists_the_starter_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["policy", "show"]) == 0
    out = capsys.readouterr().out
    for policy in starter_policies():
        assert policy.name in out
    assert "projects with tag production" in out


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_documents_round_trip(fmt: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code(["policy", "show", "--format", fmt]) == 0
    text = capsys.readouterr().out
    data = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    assert [policy_to_dict(p) for p in parse_document(data, "shown")] == [
        policy_to_dict(p) for p in starter_policies()
    ]
    path = tmp_path / f"copy.{fmt}"
    path.write_text(text)
    assert exit_code(["policy", "show", str(path), "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == (json.loads(text) if fmt == "json" else data)


def test_bad_path_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.json").write_text("{")
    assert exit_code(["policy", "show", str(tmp_path)]) == 2
    assert "invalid JSON" in capsys.readouterr().err

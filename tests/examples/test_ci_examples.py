"""The CI examples in examples/ci are valid, and every assay command in them parses.

Each YAML example must load (safe_load), the Jenkinsfile must be balanced
Groovy-ish text with a ``pipeline`` block and a ``junit`` step, and every
``assay ...`` command line in any of them must parse with assay's real argparse
parser, so an example cannot drift from the CLI it documents.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from assay.cli.main import build_parser

CI = Path(__file__).resolve().parents[2] / "examples" / "ci"
YAML_EXAMPLES = ("github-actions.yml", "gitlab-ci.yml")
SEPARATORS = re.compile(r"\s*(?:;|&&|\|\||\n|\bthen\b|\belse\b|\bfi\b)\s*")
GITHUB_EXPRESSION = re.compile(r"\$\{\{[^}]*\}\}")


SHELL_KEYS = frozenset({"run", "script", "before_script", "after_script"})


def _strings(node: Any, shell: bool = False) -> Iterator[str]:
    """Shell text in a CI document: the values of ``run`` (GitHub) and ``script`` keys."""
    if isinstance(node, str):
        if shell:
            yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(value, shell or key in SHELL_KEYS)
    elif isinstance(node, list):
        for value in node:
            yield from _strings(value, shell)


def assay_commands(snippet: str) -> list[list[str]]:
    """The argv of every ``assay`` command in a shell snippet, variables left as words."""
    snippet = GITHUB_EXPRESSION.sub("VALUE", snippet)
    found = []
    for segment in SEPARATORS.split(snippet):
        if segment.startswith("assay "):
            found.append(shlex.split(segment)[1:])
    return found


def commands_of(name: str) -> list[list[str]]:
    text = (CI / name).read_text()
    if name == "Jenkinsfile":
        snippets = re.findall(r"\bsh\s+'([^']*)'", text)
    else:
        snippets = list(_strings(yaml.safe_load(text)))
    return [argv for s in snippets for argv in assay_commands(s)]


@pytest.mark.parametrize("name", YAML_EXAMPLES)
def test_yaml_examples_load(name: str) -> None:
    doc = yaml.safe_load((CI / name).read_text())
    assert isinstance(doc, dict) and doc


def test_the_github_workflow_uploads_sarif_and_comments_on_pull_requests() -> None:
    doc = yaml.safe_load((CI / "github-actions.yml").read_text())
    steps = doc["jobs"]["gate"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("github/codeql-action/upload-sarif") for u in uses)
    assert any("pull-request-comment" in u for u in uses)
    assert doc["permissions"]["security-events"] == "write"


def test_the_gitlab_job_reports_junit() -> None:
    doc = yaml.safe_load((CI / "gitlab-ci.yml").read_text())
    assert doc["assay-gate"]["artifacts"]["reports"]["junit"] == "assay-junit.xml"


def test_the_jenkinsfile_is_balanced_and_has_a_junit_step() -> None:
    text = (CI / "Jenkinsfile").read_text()
    code = re.sub(r"'[^']*'|\"[^\"]*\"|//[^\n]*", "", text)  # strings and comments out
    assert code.count("{") == code.count("}") > 0
    assert code.count("(") == code.count(")")
    assert re.search(r"^pipeline \{", text, re.MULTILINE)
    assert "junit testResults: 'assay-junit.xml'" in text
    assert "credentialsId: 'assay-api-key'" in text


@pytest.mark.parametrize("name", [*YAML_EXAMPLES, "Jenkinsfile"])
def test_every_assay_command_parses_with_the_real_parser(name: str) -> None:
    commands = commands_of(name)
    assert any(argv[0] == "gate" for argv in commands), "the example never runs assay gate"
    parser = build_parser()
    for argv in commands:
        try:
            args = parser.parse_args(argv)
        except SystemExit as exc:  # argparse reports the problem on stderr
            pytest.fail(f"{name}: 'assay {shlex.join(argv)}' does not parse (exit {exc.code})")
        assert args.handler.__name__ != "usage", f"{name}: 'assay {shlex.join(argv)}' is no command"


def test_the_examples_never_put_the_api_key_on_a_command_line() -> None:
    for name in (*YAML_EXAMPLES, "Jenkinsfile"):
        for argv in commands_of(name):
            assert not any("API_KEY" in word for word in argv), (name, argv)


def test_assay_commands_are_found_in_shell_conditionals() -> None:
    snippet = 'if [ -n "$M" ]; then assay db import "$M/all.zip"; else assay db sync; fi'
    assert assay_commands(snippet) == [["db", "import", "$M/all.zip"], ["db", "sync"]]
    assert assay_commands("assay gate . -f junit || true") == [["gate", ".", "-f", "junit"]]

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.sbom.catalogers.go_mod import GoModCataloger
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    format_text,
    garbage_10mb,
    read_or_refuse,
    run_common,
    write,
)

DATA = Path(__file__).parent / "testdata" / "go_mod"
CAT = GoModCataloger()


def test_matches_by_name() -> None:
    assert CAT.matches(Path("go.mod"))
    assert CAT.matches(Path("cli__cli__b2e36a0979__go.mod"))
    assert not CAT.matches(Path("go.sum"))
    assert not CAT.matches(Path("ergo.mod"))


def test_every_directive() -> None:
    path = DATA / "full" / "go.mod"
    bom = CAT.read(path)
    got = {c.name: (c.version, c.direct) for c in bom}
    assert got == {
        "stdlib": ("1.22.5", True),  # toolchain wins over the go directive
        "golang.org/x/text": ("v0.14.0", True),
        "github.com/gorilla/mux": ("v1.8.0", True),
        "github.com/quoted/path": ("v1.0.0", True),
        "golang.org/x/net": ("v0.17.0", False),
        "golang.org/x/sys": ("v0.13.0", False),
        "github.com/new/lib": ("v1.3.0", True),  # replaced module and version
        "example.com/only/one": ("v1.0.1", True),  # versioned replace of that version only
    }
    assert all(c.ecosystem == "Go" and c.source == str(path) for c in bom)
    assert bom.metadata["module"] == "example.com/app"
    assert bom.warnings == [
        f"{path}:25: github.com/local/fork v0.1.0 is replaced by local directory ../fork;"
        " not scanned"
    ]
    hashes = {c.name: c.hashes for c in bom}
    assert hashes["github.com/gorilla/mux"] == (
        ("GO-H1", "i40aqfkR1h2SlN9hojwV5ZA91wcXFOvkdNIeFDP5koI="),
    )
    assert hashes["github.com/new/lib"] == (
        ("GO-H1", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
    )
    assert hashes["golang.org/x/net"] == ()


def test_go_directive_without_sum() -> None:
    bom = CAT.read(DATA / "nosum" / "go.mod")
    assert [(c.name, c.version, c.hashes) for c in bom] == [
        ("stdlib", "1.13", ()),
        ("github.com/pkg/errors", "v0.9.1", ()),
    ]


def test_shared_cli(shared_data: Path) -> None:
    path = shared_data / "lockfiles/go/cli__cli__b2e36a0979__go.mod"
    bom = CAT.read(path)
    assert len(bom) == 25  # 24 requires + stdlib
    got = {c.name: c for c in bom}
    assert got["stdlib"].version == "1.13"
    assert got["golang.org/x/crypto"].version == "v0.0.0-20200820211705-5c72a883971a"
    assert (got["golang.org/x/text"].version, got["golang.org/x/text"].direct) == ("v0.3.3", False)
    assert got["gopkg.in/yaml.v2"].direct is False
    assert "github.com/shurcooL/graphql" not in got
    assert got["github.com/cli/shurcooL-graphql"].version == "v0.0.0-20200707151639-0f7232a2bf7e"
    # the sibling copy cli__cli__...__go.sum supplies every hash
    assert all(c.hashes for c in bom if c.name != "stdlib")
    assert got["github.com/AlecAivazis/survey/v2"].hashes == (
        ("GO-H1", "LEMbHE0pLj75faaVEKClEX1TM4AJmmnOh9eimREzLWI="),
    )


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "go.mod", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("module a\n\nrequire (\n\tgithub.com/x/y v1.0.0\n", "require block is not closed", 3),
        (
            "module a\nrequire (\n\tgithub.com/x/y\n)\n",
            "require needs a module path and a version",
            3,
        ),
        ('{"module": "a"}\n', "unsupported quoted string", 1),  # JSON named go.mod
        ("{\n", "unknown directive", 1),
        ("module a\nrequire github.com/x/y 1.0.0\n", "invalid module version 1.0.0", 2),
        ("module a\nreplace a b\n", "replace needs '=>'", 2),
        ("module a\nreplace a => \n", "replace must be", 2),
        ("module a\nrequire (\n\t(\n)\n", "unexpected parenthesis", 3),
        ('module "unterminated\n', "unterminated or unsupported quoted string", 1),
        ("go 1.21 1.22\n", "go needs exactly one argument", 1),
        ("module a\nrequire x\x1b[2J v1.0.0\n", r"control character in x\\x1b\[2J", 2),
        ("module a\nexclude x\n", "exclude needs", 2),
        ("module a\nrequire " + "x" * 5000 + " v1.0.0\n", "token is 5,000 characters long", 2),
        ("(" * 100_000 + "\n", "token is 100,000 characters long", 1),
    ],
)
def test_bad_go_mod(tmp_path: Path, text: str, reason: str, line: int) -> None:
    assert_refused(CAT, write(tmp_path, "go.mod", text.encode()), reason, line=line)


def test_bad_go_sum_names_go_sum(tmp_path: Path) -> None:
    (tmp_path / "go.sum").write_text("a v1.0.0 h1:x=\ntruncated v1.0\n")
    path = write(tmp_path, "go.mod", b"module m\nrequire a v1.0.0\n")
    assert_refused(CAT, path, "not a go.sum line", line=2, source=tmp_path / "go.sum")


def test_huge_line_and_garbage(tmp_path: Path) -> None:
    assert_refused(CAT, write(tmp_path, "go.mod", b"module " + b"m" * 3_000_000), "3,000,000")
    assert_refused(CAT, write(tmp_path, "go.mod", garbage_10mb()), "unknown directive", line=1)


@settings(max_examples=150, deadline=None)
@given(
    format_text(
        [
            "\n",
            " ",
            "\t",
            "module",
            "go",
            "toolchain",
            "require",
            "replace",
            "exclude",
            "retract",
            "(",
            ")",
            "=>",
            "//",
            " indirect",
            "v1.0.0",
            "a/b",
            "./x",
            '"',
            "`",
        ]
    )
)
def test_never_crashes(text: str) -> None:
    read_or_refuse(CAT, "go.mod", text.encode())

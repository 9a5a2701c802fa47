from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.sbom.catalogers.mix_lock import MixLockCataloger
from assay.sbom.model import Scope
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    format_text,
    garbage_10mb,
    read_or_refuse,
    run_common,
    write,
)

DATA = Path(__file__).parent / "testdata" / "mix_lock"
CAT = MixLockCataloger()
COWBOY_OUTER = "1caf0226d6fe99796fe1f71368be0a7651de912a9707a232ec982bf24abf2dfb"


def test_matches_by_name() -> None:
    assert CAT.matches(Path("mix.lock"))
    assert CAT.matches(Path("apps__web__mix.lock"))
    assert not CAT.matches(Path("mix.exs"))


def test_hex_entries_checksums_edges_and_git() -> None:
    path = DATA / "mix.lock"
    bom = CAT.read(path)
    got = {c.name: (c.version, c.direct) for c in bom}
    assert got == {
        "castore": ("1.0.5", True),
        "cowboy": ("2.10.0", None),
        "cowlib": ("2.12.1", None),
        "jason": ("1.4.1", None),
        "private_pkg": ("0.3.0", True),  # app my_private, package private_pkg
        "plug": ("1.6.0", True),
        "ranch": ("1.8.0", None),
    }
    comps = {c.name: c for c in bom}
    assert comps["cowboy"].hashes == (("SHA-256", COWBOY_OUTER),)
    assert comps["plug"].hashes == ()  # an old six-element entry has no outer checksum
    assert dict(comps["private_pkg"].properties)["hex:repo"] == "hexpm:acme"
    assert len(dict(comps["cowboy"].properties)["hex:inner_checksum"]) == 64
    assert bom.edges == {
        ("Hex:cowboy@2.10.0", "Hex:cowlib@2.12.1"),
        ("Hex:cowboy@2.10.0", "Hex:ranch@1.8.0"),
        ("Hex:plug@1.6.0", "Hex:cowboy@2.10.0"),
        ("pkg:hex/acme/private_pkg@0.3.0", "Hex:jason@1.4.1"),  # an organisation's package
    }
    assert bom.warnings == [
        f"{path}:7: phoenix_live_view comes from git"
        " (https://github.com/phoenixframework/phoenix_live_view.git), not a Hex release;"
        " not listed"
    ]
    assert all(c.scope is Scope.REQUIRED and c.ecosystem == "Hex" for c in bom)
    assert comps["cowboy"].purl == "pkg:hex/cowboy@2.10.0"
    assert comps["private_pkg"].purl == "pkg:hex/acme/private_pkg@0.3.0"


def test_empty_map_and_minimal_entry(tmp_path: Path) -> None:
    assert len(CAT.read(write(tmp_path, "mix.lock", b"%{}\n"))) == 0
    bom = CAT.read(write(tmp_path, "mix.lock", b'%{"a": {:hex, :a, "1.0"}}'))
    assert [(c.name, c.version, c.direct, c.hashes) for c in bom] == [("a", "1.0", True, ())]


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "mix.lock", case)


SUM = "a" * 64


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ('%{\n  "a": {:hex, :a, "1.0", "', "unterminated string", 2),  # truncated
        ('%{\n  "a": {:hex, :a, "1.0"},\n', "unexpected end of file", 3),
        ('{"version": 1}', "keyword syntax is only read inside lists", 1),  # JSON is not a term
        ('[{:hex, :a, "1"}]', "expected a map", 1),
        ('%{"a": {:hex, :a, "1.0", "#{File.rm_rf!("/")}"}}', "interpolation", 1),
        ('%{"a": File.read!("/etc/passwd")}', "unexpected character|only data", 1),
        ('%{\n"a": [1]}', "a: expected a tuple", 2),
        ('%{"a": {}}', "a: expected a tuple", 1),
        ('%{"a": {:hex, "a", "1"}}', "needs a package name atom", 1),
        ('%{"a": {:hex, :a, 1}}', "needs a package name atom and a version", 1),
        ('%{"a": {:hex, :a, "1", "zz"}}', "a: invalid checksum zz", 1),
        (f'%{{"a": {{:hex, :a, "1", "{SUM}", [], [], "hexpm", "x"}}}}', "invalid checksum x", 1),
        (f'%{{"a": {{:hex, :a, "1", "{SUM}", [], :x}}}}', "dependencies must be a list", 1),
        (f'%{{"a": {{:hex, :a, "1", "{SUM}", [], [1]}}}}', "a dependency must be a tuple", 1),
        (f'%{{"a": {{:hex, :a, "1", "{SUM}", [], [], 7}}}}', "repository of a must be", 1),
        (
            f'%{{"a": {{:hex, :a, "1", "{SUM}", [], [], "h", "{SUM}", 9}}}}',
            "at most 8 elements",
            1,
        ),
        ('%{"a": {:hex, :a, "1\\e[2J"}}', "version of a .* has control characters", 1),
        ('%{"a": ' + "[" * 10_000, "nested deeper", 1),
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    assert_refused(CAT, write(tmp_path, "mix.lock", text.encode()), reason, line=line)


def test_garbage(tmp_path: Path) -> None:
    assert_refused(CAT, write(tmp_path, "mix.lock", garbage_10mb()), "unexpected", line=1)


def test_cycle_has_no_root_so_nothing_is_marked_direct(tmp_path: Path) -> None:
    text = (
        '%{"a": {:hex, :a, "1", "' + SUM + '", [], [{:b, "1", []}]},'
        ' "b": {:hex, :b, "1", "' + SUM + '", [], [{:a, "1", []}]}}'
    )
    bom = CAT.read(write(tmp_path, "mix.lock", text.encode()))
    assert {c.direct for c in bom} == {None} and len(bom.edges) == 2


@settings(max_examples=80, deadline=None)
@given(
    format_text(
        [
            "%{",
            "}",
            '"a": ',
            '"b" => ',
            "{:hex, :a, ",
            '"1.0", ',
            f'"{SUM}", ',
            "[:mix], ",
            '[{:b, "~> 1", [hex: :b, optional: false]}]',
            '"hexpm"',
            "{:git, ",
            ", ",
        ]
    )
)
def test_never_crashes(text: str) -> None:
    read_or_refuse(CAT, "mix.lock", text.encode())

"""The safe Elixir term reader: data in, Python values out, nothing evaluated."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assay.sbom.catalogers._elixir_term import MAX_DEPTH, Atom, TermError, parse


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ('%{"a": 1}', {Atom("a"): 1}),
        ('%{"a" => :b, c: "d",}', {"a": Atom("b"), Atom("c"): "d"}),
        ("{:hex, :x, [:mix]}", (Atom("hex"), Atom("x"), [Atom("mix")])),
        ("[optional: false, repo: nil]", [(Atom("optional"), False), (Atom("repo"), None)]),
        ("[:a, b: true]", [Atom("a"), (Atom("b"), True)]),
        ('"esc \\" \\\\ \\n \\t # x"', 'esc " \\ \n \t # x'),
        (':"quoted atom"', Atom("quoted atom")),
        (":ok? ", Atom("ok?")),
        ("-1_000", -1000),
        ("# comment\n{} # trailing\n", ()),
        ("%{}", {}),
        ("[]", []),
    ],
)
def test_values(text: str, value: object) -> None:
    assert parse(text) == value


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("", "unexpected end of file", 1),
        ('%{\n"a": {:hex,\n', "unexpected end of file", 3),
        ('%{"a": 1', "expected '}', found end of file", 1),
        ('"abc', "unterminated string", 1),
        ('"a#{System.cmd("rm")}"', "interpolation is not allowed", 1),
        ('"\\x41"', "unsupported escape", 1),
        ('File.read!("x")', "unexpected character|only data", 1),
        ("System", "unexpected name 'System'", 1),
        ("{1, 2} 3", "after the term", 1),
        ("{a: 1}", "keyword syntax is only read inside lists", 1),
        ("%{[1] => 2}", "map keys must be", 1),
        ('%{"a": 1, "a": 2}', "duplicate map key", 1),
        ("[1 2]", "expected ']'", 1),
        ("{" * (MAX_DEPTH + 5), "nested deeper", 1),
        ("@attr", "unexpected character '@'", 1),
        ("\n\n&fun/1", "unexpected character '&'", 3),
    ],
)
def test_bad_terms(text: str, reason: str, line: int) -> None:
    with pytest.raises(TermError, match=reason) as info:
        parse(text)
    assert info.value.line == line


def test_huge_string_is_refused() -> None:
    with pytest.raises(TermError, match="string longer than"):
        parse('"' + "a" * 200_000 + '"')


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet='%{}[],:"=> \n#abc_12\\', max_size=60))
def test_never_crashes(text: str) -> None:
    try:
        parse(text)
    except TermError as exc:
        assert exc.line >= 1

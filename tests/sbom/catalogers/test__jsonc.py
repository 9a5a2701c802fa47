from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.sbom.catalogers._jsonc import to_json
from assay.sbom.catalogers.interface import InvalidLockfile


def test_comments_and_trailing_commas_removed_lines_kept() -> None:
    text = '{\n  // a comment\n  "a": [1, 2,], /* block\n over lines */ "b": {"c": 1,},\n}\n'
    out = to_json(text, "x.lock")
    assert json.loads(out) == {"a": [1, 2], "b": {"c": 1}}
    assert out.count("\n") == text.count("\n")


def test_strings_are_never_touched() -> None:
    text = '{"url": "http://x//y", "s": "a /* b */ c", "t": "x,]", "e": "q\\"//",}'
    assert json.loads(to_json(text, "x.lock")) == {
        "url": "http://x//y",
        "s": "a /* b */ c",
        "t": "x,]",
        "e": 'q"//',
    }


def test_trailing_comma_before_comment_and_close() -> None:
    assert json.loads(to_json("[1, // one\n 2, // two\n]", "x")) == [1, 2]


@pytest.mark.parametrize("text", ["{/* never closed", '{"a": 1} /*/', "/*"])
def test_unterminated_block_comment_refused_with_line(text: str) -> None:
    with pytest.raises(InvalidLockfile, match=r"^x\.lock:1: unterminated /\* comment$"):
        to_json(text, "x.lock")


def test_many_unterminated_openers_are_linear() -> None:
    with pytest.raises(InvalidLockfile, match="unterminated"):
        to_json("/*" * 500_000, "x.lock")


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=10),
        lambda inner: (
            st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
        ),
        max_leaves=20,
    )
)
def test_plain_json_passes_through_unchanged(value: object) -> None:
    """Every JSON document is JSONC: the pre-pass must leave its meaning alone."""
    for text in (json.dumps(value), json.dumps(value, indent=2, ensure_ascii=False)):
        assert json.loads(to_json(text, "x")) == value

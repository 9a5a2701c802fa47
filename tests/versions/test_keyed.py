"""assay.versions._keyed: numeric keys and the two scheme shapes."""

from __future__ import annotations

import pytest

from assay.versions._keyed import CmpScheme, KeyedScheme, numkey


@pytest.mark.parametrize(
    ("smaller", "larger"),
    [
        ("0", "1"),
        ("9", "10"),
        ("010", "11"),
        ("99999999", "123456789"),
        ("9" * 5000, "1" + "0" * 5000),
    ],
)
def test_numkey_orders_by_value(smaller: str, larger: str) -> None:
    assert numkey(smaller) < numkey(larger)


def test_numkey_ignores_leading_zeros() -> None:
    assert numkey("007") == numkey("7")
    assert numkey("000") == numkey("0") == (0, "")


def test_keyed_scheme_compares_keys() -> None:
    scheme = KeyedScheme(name="length", key_fn=len)
    assert scheme.compare("ab", "c") == 1
    assert scheme.compare("a", "b") == 0
    assert scheme.compare("a", "bb") == -1
    assert sorted(["ccc", "a", "bb"], key=scheme.key) == ["a", "bb", "ccc"]


def test_cmp_scheme_key_follows_compare() -> None:
    scheme = CmpScheme(name="reversed", cmp_fn=lambda a, b: (a < b) - (a > b))
    assert sorted(["a", "c", "b"], key=scheme.key) == ["c", "b", "a"]
    assert scheme.key("a") == scheme.key("a")
    assert scheme.key("a") > scheme.key("b")
    assert scheme.key("a") >= scheme.key("b")
    assert scheme.key("b") <= scheme.key("a")
    with pytest.raises(TypeError, match="one scheme"):
        _ = scheme.key("a") < "a"

"""Properties every version scheme of assay.versions owned here must have.

A scheme orders every string (interface.py: "Total, never raises"):

* compare() never raises and answers exactly one of a < b, a = b, a > b;
* antisymmetry: sign(compare(a, b)) == -sign(compare(b, a));
* transitivity: a triple sorted by key() is a chain compare() agrees with;
* key() is consistent with compare(): key(a) < key(b) exactly when compare(a, b) < 0.

Inputs are version-shaped strings (numbers, qualifiers and separators the
specifications mention) and arbitrary text. Two documented exceptions to
transitivity: Maven's ComparableVersion is itself not transitive
(``2.9.0.RC1 < 2.9.0 < 2.9.0-1 < 2.9.0.RC1``, see test_maven.py), and PHP's
``version_compare`` makes the ``#`` form equal to every number (``1.2.3.#``
== ``1.2.3`` and == ``1.2.3.1``), so Packagist's transitivity is checked on
strings without ``#``.
"""

from __future__ import annotations

import importlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.versions.interface import VersionScheme

MODULES = [
    "pypi",
    "semver",
    "golang",
    "maven",
    "nuget",
    "packagist",
    "rubygems",
    "pub",
    "hackage",
    "cran",
]
TRANSITIVE = [m for m in MODULES if m != "maven"]

_WORDS = [
    "a", "alpha", "b", "beta", "m", "milestone", "rc", "RC", "cr", "c", "pre", "preview",
    "dev", "post", "r", "final", "Final", "ga", "release", "sp", "snapshot", "SNAPSHOT",
    "pl", "p", "x", "foo", "v", "incompatible", "#",
]  # fmt: skip
_SEPARATORS = [".", ".", ".", "-", "+", "_", "", "!"]

_number = st.integers(min_value=0, max_value=30).map(str) | st.sampled_from(["00", "01", "10"])
_token = _number | st.sampled_from(_WORDS)
version_like = st.lists(
    st.tuples(st.sampled_from(_SEPARATORS), _token), min_size=1, max_size=7
).map(lambda parts: "".join(sep + tok for sep, tok in parts)[1:] or "0")
_ident = st.sampled_from(["alpha", "beta", "rc", "0", "1", "2", "11", "x-y", "A"])
semver_like = st.builds(
    lambda core, pre, build, prefix: (
        prefix
        + ".".join(core)
        + ("-" + ".".join(pre) if pre else "")
        + ("+" + ".".join(build) if build else "")
    ),
    st.lists(_number, min_size=1, max_size=4),
    st.lists(_ident, max_size=3),
    st.lists(_ident, max_size=2),
    st.sampled_from(["", "", "", "v", "="]),
)
versions = version_like | semver_like | st.text(max_size=24)


def scheme(module: str) -> VersionScheme:
    loaded: VersionScheme = importlib.import_module(f"assay.versions.{module}").SCHEME
    return loaded


def _sign(n: int) -> int:
    return (n > 0) - (n < 0)


def _check_pair(s: VersionScheme, a: str, b: str) -> None:
    ab, ba = s.compare(a, b), s.compare(b, a)
    assert isinstance(ab, int)
    assert _sign(ab) == -_sign(ba), (a, b)
    ka, kb = s.key(a), s.key(b)
    assert (ka < kb) == (ab < 0), (a, b)
    assert (ka > kb) == (ab > 0), (a, b)
    assert (ka == kb) == (ab == 0), (a, b)


def _check_chain(s: VersionScheme, triple: list[str]) -> None:
    x, y, z = sorted(triple, key=s.key)
    xy, yz, xz = _sign(s.compare(x, y)), _sign(s.compare(y, z)), _sign(s.compare(x, z))
    assert xy <= 0 and yz <= 0 and xz <= 0, (x, y, z)
    if xy < 0 or yz < 0:
        assert xz < 0, (x, y, z)
    else:
        assert xz == 0, (x, y, z)


@pytest.mark.parametrize("module", MODULES)
@given(a=versions, b=versions, c=versions)
def test_scheme_is_a_total_order(module: str, a: str, b: str, c: str) -> None:
    s = scheme(module)
    for x in (a, b, c):
        assert s.compare(x, x) == 0
    _check_pair(s, a, b)
    _check_pair(s, b, c)
    _check_pair(s, a, c)
    if module in TRANSITIVE and not (module == "packagist" and "#" in a + b + c):
        _check_chain(s, [a, b, c])


@given(a=versions, b=versions, c=versions)
def test_packagist_transitive_without_hash_form(a: str, b: str, c: str) -> None:
    """Version-shaped strings without ``#`` exercise Packagist's transitivity more often."""
    s = scheme("packagist")
    _check_chain(s, [v.replace("#", "dev") for v in (a, b, c)])

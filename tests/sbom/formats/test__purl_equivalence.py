"""The fast purl split agrees with ``PackageURL.from_string``, field by field and on refusals."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packageurl import PackageURL

from assay.sbom.formats._purl import PurlError, PurlParts, split_common, split_purl

_TYPES = (
    *("npm", "NPM", "pypi", "PyPI", "maven", "golang", "cargo", "gem", "nuget", "composer"),
    *("deb", "apk", "rpm", "alpine", "github", "oci", "huggingface", "hex", "pub", "hackage"),
    *("mlflow", "flow", "m", "cpan", "pan", "a", "swift", "conan", "generic", "docker"),
    *("1abc", "x_y", ".dot", "bad!type", ""),
)
# plain characters plus everything that changes how a purl is split or normalised
_PIECES = st.sampled_from(
    (
        *"aZz09._-~+!$'()*,;",
        *("@", "/", "//", "?", "&", "=", ":", "#", " ", "\t", "%", "%2", "%2F", "%2f", "%20"),
        *("%40", "%3A", "%25", "%C3%A9", "%FF", "%0A", "_", "é", "İ", "\u2028", "..", "."),
    )
)
_TEXT = st.lists(_PIECES, max_size=8).map("".join)


@st.composite
def purls(draw: st.DrawFn) -> str:
    prefix = draw(st.sampled_from(("pkg:", "pkg:", "pkg:", "pkg:/", "PKG:", "pkg: ", "")))
    ptype = draw(st.sampled_from(_TYPES))
    namespace = draw(st.lists(_TEXT, max_size=3))
    name = draw(_TEXT)
    version = draw(st.none() | _TEXT)
    qualifiers = draw(st.lists(st.tuples(_TEXT, _TEXT), max_size=3))
    subpath = draw(st.none() | _TEXT)
    empty_query = draw(st.booleans())
    purl = prefix + ptype + "/" + "".join(f"{seg}/" for seg in namespace) + name
    if version is not None:
        purl += "@" + version
    if qualifiers or empty_query:
        purl += "?" + "&".join(f"{k}={v}" for k, v in qualifiers)
    if subpath is not None:
        purl += "#" + subpath
    return purl


def _reference(purl: str) -> PurlParts | None:
    try:
        p = PackageURL.from_string(purl)
    except ValueError:
        return None
    return PurlParts(p.type, p.namespace, p.name, p.version, dict(p.qualifiers))


def _ours(purl: str) -> PurlParts | None:
    try:
        return split_purl(purl)
    except PurlError:
        return None


def _agree(purl: str) -> None:
    expected = _reference(purl)
    assert _ours(purl) == expected, purl
    fast = split_common(purl)
    if fast is not None:  # the fast path never accepts what packageurl refuses
        assert fast == expected, purl


@given(purls())
@settings(max_examples=1500, deadline=None)
def test_generated_purls_agree(purl: str) -> None:
    _agree(purl)


@given(st.text(alphabet="pkg:npm/@%2F4a?=&# ", max_size=24))
@settings(max_examples=500, deadline=None)
def test_random_text_agrees(purl: str) -> None:
    _agree(purl)


@pytest.mark.parametrize(
    "purl",
    [
        "pkg:npm/%40babel/core@7.0.0",
        "pkg:npm/@babel/core@7.0.0",
        "pkg:npm/@babel/a/b@1",
        "pkg:npm/@babel",
        "pkg:pypi/Django_Rest@4.0",
        "pkg:maven/org.apache/commons-text@1.9?type=jar&classifier=sources",
        "pkg:deb/debian/curl@7.74.0?distro=debian-11&arch=amd64",
        "pkg:deb/debian/curl@7?distro=a&distro=%20",
        "pkg:golang/github.com/a/b@v1.2.3#sub/dir",
        "pkg:oci/Image@SHA256%3AABC",
        "pkg:huggingface/x@ABC",
        "pkg:mlflow/Model@1?repository_url=https://databricks.example",
        "pkg:ml/Model@1",
        "pkg:cpan/Foo::Bar@1",
        "pkg:pub/Flutter-Thing@1",
        "pkg:hackage/a_b@1",
        "pkg:github/Org%2FRepo/Name@1",
        "pkg:npm/a%20@%201%20",
        "pkg:npm/a?=x",
        "pkg:npm/a?1x=y",
        "pkg:npm/a?k",
    ],
)
def test_edge_cases_agree(purl: str) -> None:
    _agree(purl)


def test_common_shape_takes_the_fast_path() -> None:
    assert split_common("pkg:npm/%40babel/core@7.0.0") == PurlParts(
        "npm", "@babel", "core", "7.0.0", {}
    )
    assert split_common("pkg:golang/a/b@v1?k=a b") is None  # blanks go to packageurl


_PURL = re.compile(r"pkg:[A-Za-z][^\"'<>\s]*")


def test_real_purls_agree(shared_data: Path) -> None:
    found: set[str] = set()
    for path in sorted((shared_data / "sbom").rglob("*")):
        if path.is_file() and path.stat().st_size < 50_000_000:
            text = path.read_text(encoding="utf-8", errors="replace")
            found.update(m.replace("&amp;", "&") for m in _PURL.findall(text))
    assert len(found) > 1000
    fast = 0
    for purl in sorted(found):
        _agree(purl)
        fast += split_common(purl) is not None
    assert fast > len(found) * 0.9  # the common shape is common

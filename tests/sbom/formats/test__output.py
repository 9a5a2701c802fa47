"""What every writer shares: merging per package version, digests, subject, losses."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.sbom.formats._cyclonedx_xml_out import clean
from assay.sbom.formats._output import (
    DIGEST_BYTES,
    Losses,
    canonical_hash,
    entries,
    extension_fields,
    json_safe,
    note_extensions,
    split_tool,
    subject,
    timestamp,
)
from assay.sbom.model import Bom, Component, Scope


@given(st.sampled_from(sorted(DIGEST_BYTES)), st.data())
def test_hex_and_base64_of_one_digest_are_one_hash(algorithm: str, data: st.DataObject) -> None:
    """npm writes base64 (``integrity``), Cargo and poetry hex: both are the same digest."""
    raw = data.draw(st.binary(min_size=DIGEST_BYTES[algorithm], max_size=DIGEST_BYTES[algorithm]))
    want = (algorithm, raw.hex())
    assert canonical_hash(algorithm, raw.hex().upper()) == want
    assert canonical_hash(algorithm, base64.b64encode(raw).decode()) == want


@pytest.mark.parametrize(
    ("algorithm", "value", "want"),
    [
        ("sha256", "AB" * 32, ("SHA-256", "ab" * 32)),
        ("SHA_512", "00" * 64, ("SHA-512", "00" * 64)),
        ("SHA-256", "ab" * 31, None),  # too short
        ("SHA-1", base64.b64encode(b"x" * 19).decode(), None),  # decodes to the wrong length
        ("GO-H1", "h1:abc=", None),  # a Go dirhash, not a file digest
        ("SHA-256", "not base64 at all!", None),
        ("SHA-256", "", None),
    ],
)
def test_canonical_hash_refuses_what_is_not_a_digest(
    algorithm: str, value: str, want: tuple[str, str] | None
) -> None:
    assert canonical_hash(algorithm, value) == want


def test_entries_merge_one_package_version_named_by_several_files() -> None:
    bom = Bom.of(
        [
            Component("PyPI", "Django", "3.2", source="a.txt", scope=Scope.DEV, direct=None),
            Component(
                "PyPI", "django", "3.2", source="b.lock", direct=False, hashes=(("SHA-256", "1"),)
            ),
            Component("PyPI", "DJANGO", "3.2", source="a.txt", scope=Scope.OPTIONAL, direct=True),
            Component("PyPI", "django", "4.0", source="c.txt"),
        ]
    )
    bom.edges = {("PyPI:Django@3.2", "PyPI:django@4.0"), ("PyPI:DJANGO@3.2", "PyPI:django@3.2")}
    merged = entries(bom)
    assert [e.component.version for e in merged.items] == ["3.2", "4.0"]
    first = merged.items[0]
    assert first.sources == ("a.txt", "b.lock")
    assert first.component.scope is Scope.REQUIRED  # required in b.lock wins over dev
    assert first.component.direct is True
    assert first.component.hashes == (("SHA-256", "1"),)
    assert merged.edges(bom) == {"PyPI:django@3.2": ["PyPI:django@4.0"]}  # self-edge dropped


def test_entries_take_provenance_and_scope_from_what_assay_wrote() -> None:
    c = Component(
        "npm",
        "a",
        "1",
        source="sbom.spdx.json",
        properties=(
            ("spdx:comment", "assay:source=web/package-lock.json\nassay:scope=dev\nnote"),
            ("assay:direct", "true"),
            ("keep", "me"),
        ),
    )
    (entry,) = entries(Bom.of([c])).items
    assert entry.sources == ("web/package-lock.json",)
    assert entry.component.scope is Scope.DEV
    assert entry.component.properties == (("spdx:comment", "note"), ("keep", "me"))


def test_losses_count_kinds_with_three_examples() -> None:
    losses = Losses()
    for name in "abcdd":
        losses.add("things", name)
    losses.add("other")
    assert losses.lines() == ("things: 5 (e.g. a, b, c)", "other: 1")


def test_subject_is_named_after_the_inputs() -> None:
    bom = Bom(sources=["/p/shop/web/package-lock.json", "/p/shop/api/poetry.lock"])
    assert subject(bom).name == "shop" and subject(bom).kind == "application"
    assert subject(Bom(sources=["poetry.lock"])).name == "poetry.lock"
    assert subject(Bom()).name == "unnamed"
    named = Bom(metadata={"component": "portal"})
    assert subject(named).name == "portal"


@pytest.mark.parametrize(
    ("value", "want"),
    [
        ("2024-05-01T12:00:00Z", datetime(2024, 5, 1, 12, tzinfo=UTC)),
        ("2024-05-01T12:00:00", datetime(2024, 5, 1, 12, tzinfo=UTC)),
    ],
)
def test_timestamp(value: str, want: datetime) -> None:
    assert timestamp(Bom(timestamp=value)) == want


def test_a_bad_timestamp_means_now() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    assert timestamp(Bom(timestamp="yesterday-ish")) >= before


def test_split_tool() -> None:
    assert split_tool("syft 1.2.3") == ("syft", "1.2.3")
    assert split_tool("Some Tool 2") == ("Some Tool", "2")
    assert split_tool("cdxgen") == ("cdxgen", None)


def test_json_safe_and_xml_clean_keep_undecodable_names_writable() -> None:
    name = "dir/\udcffx"
    text = json_safe(json.dumps({"n": name}, ensure_ascii=False))
    text.encode("utf-8")
    assert json.loads(text)["n"] == name
    assert clean("a\x00b\x1fc\udcffd\te") == "a\ufffdb\ufffdc\ufffdd\te"


def test_entries_keep_the_first_stated_extensions() -> None:
    a = Component("PyPI", "x", "1", source="a.txt")
    b = Component("PyPI", "x", "1", source="b.txt", extensions='{"tags":["b"]}')
    c = Component("PyPI", "x", "1", source="c.txt", extensions='{"tags":["c"]}')
    (entry,) = entries(Bom.of([a, b, c])).items
    assert entry.component.extensions == '{"tags":["b"]}'


@pytest.mark.parametrize("broken", ["{not json", "[1, 2]", '"text"'])
def test_extension_fields_of_a_broken_value_are_none(broken: str) -> None:
    assert extension_fields(Component("PyPI", "x", "1", extensions=broken)) == {}


def test_note_extensions_counts_components_per_field() -> None:
    losses = Losses()
    for name in ("a", "b"):
        note_extensions(
            Component("", name, "", extensions='{"cryptoProperties":{},"tags":[]}'), losses, "X"
        )
    note_extensions(Component("", "c", ""), losses, "X")
    assert losses.lines() == (
        "components with CycloneDX 'cryptoProperties', which X cannot hold: 2 (e.g. a, b)",
        "components with CycloneDX 'tags', which X cannot hold: 2 (e.g. a, b)",
    )

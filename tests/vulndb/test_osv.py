"""OSV record parsing: https://ossf.github.io/osv-schema/ ("modified" and "id" are required;
timestamps are RFC 3339 in UTC)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assay.core.inputs import parse_yaml
from assay.vulndb.osv import InvalidAdvisory, normalise_timestamp, parse_record

TESTDATA = Path(__file__).parent / "testdata"


def minimal(**extra: Any) -> dict[str, Any]:
    return {"id": "GHSA-xxxx-yyyy-zzzz", "modified": "2024-01-31T12:00:00Z", **extra}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-01-31T12:00:00Z", "2024-01-31T12:00:00Z"),
        ("2021-01-01 00:00:00+00:00", "2021-01-01T00:00:00Z"),
        ("2021-09-01 12:23:00.123456+00:00", "2021-09-01T12:23:00Z"),
        ("2023-02-01T10:00:00.987654321Z", "2023-02-01T10:00:00Z"),
        ("2021-08-25T21:15:00+02:00", "2021-08-25T19:15:00Z"),
        ("2021-08-25T21:15:00", "2021-08-25T21:15:00Z"),
        ("2021-08-25t21:15:00z", "2021-08-25T21:15:00Z"),
        ("2021-08-25", "2021-08-25T00:00:00Z"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z"),
    ],
)
def test_timestamps_are_normalised_to_utc(value: str, expected: str) -> None:
    assert normalise_timestamp(value, "f.json", "modified") == expected


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("yesterday", "f.json: modified: not an ISO 8601 timestamp"),
        ("", "f.json: modified: expected a timestamp string"),
        (20240131, "f.json: modified: expected a timestamp string"),
        (None, "f.json: modified: expected a timestamp string"),
        ("2021-13-01T00:00:00Z", "not an ISO 8601 timestamp"),
        ("0001-01-01T00:00:00+01:00", "timestamp out of range"),
    ],
)
def test_bad_timestamps(value: object, match: str) -> None:
    with pytest.raises(InvalidAdvisory, match=match):
        normalise_timestamp(value, "f.json", "modified")


def test_yaml_record_with_unquoted_timestamps() -> None:
    path = TESTDATA / "osv" / "PYSEC-2099-1.yaml"
    record = parse_record(parse_yaml(path.read_text(), path), str(path))
    assert record.id == "PYSEC-2099-1"
    assert record.prefix == "PYSEC"
    assert record.modified == "2021-09-01T12:23:00Z"
    assert record.published == "2021-08-25T19:15:00Z"
    assert record.raw["modified"] == "2021-09-01T12:23:00Z"
    assert record.aliases == ("CVE-2099-0001", "GHSA-aaaa-bbbb-cccc")
    assert not record.malicious and record.withdrawn is None
    # GIT ranges are kept as written, never evaluated here.
    assert record.affected[0]["ranges"][0]["events"][1] == {"fixed": "cb35df940a"}
    [pkg] = record.packages()
    assert (pkg.ecosystem, pkg.name) == ("PyPI", "example-package")


def test_ecosystem_canonicalised_and_names_normalised() -> None:
    record = parse_record(
        minimal(
            affected=[
                {"package": {"ecosystem": "pypi", "name": "Zope.Interface"}},
                {"package": {"ecosystem": "CRATES.IO", "name": "Serde_JSON"}},
                {"package": {"ecosystem": "go", "name": "github.com/Foo/Bar"}},
                {"package": {"ecosystem": "debian:12", "name": "OpenSSL"}},
                {"ranges": [{"type": "GIT", "repo": "https://x", "events": []}]},
            ]
        ),
        "f.json",
    )
    assert [(p.ecosystem, p.name) for p in record.packages()] == [
        ("PyPI", "zope-interface"),
        ("crates.io", "serde_json"),
        ("Go", "github.com/Foo/Bar"),
        ("Debian:12", "openssl"),
    ]
    assert record.affected[0]["package"] == {"ecosystem": "PyPI", "name": "Zope.Interface"}
    assert len(record.affected) == 5


@pytest.mark.parametrize(
    ("record", "expected"),
    [
        ({"id": "MAL-2024-1", "modified": "2024-01-01T00:00:00Z"}, True),
        (minimal(aliases=["MAL-2022-1"]), True),
        (minimal(database_specific={"malicious-packages-origins": []}), True),
        (
            minimal(
                affected=[
                    {
                        "package": {"ecosystem": "npm", "name": "x"},
                        "database_specific": {"malicious-packages-origins": [{}]},
                    }
                ]
            ),
            True,
        ),
        (minimal(summary="Malicious code in x", database_specific={"severity": "HIGH"}), False),
    ],
)
def test_malicious_markers(record: dict[str, Any], expected: bool) -> None:
    assert parse_record(record, "f.json").malicious is expected


def test_own_id_in_aliases_is_dropped_and_duplicates_collapsed() -> None:
    record = parse_record(
        minimal(aliases=["CVE-1", "GHSA-xxxx-yyyy-zzzz", "CVE-1", " CVE-2 "]), "f.json"
    )
    assert record.aliases == ("CVE-1", "CVE-2")


def test_content_hash_is_independent_of_spelling_and_key_order() -> None:
    a = parse_record(minimal(summary="s", modified="2024-01-31 12:00:00+00:00"), "a.yaml")
    b = parse_record(
        json.loads(
            '{"summary": "s", "modified": "2024-01-31T12:00:00Z", "id": "GHSA-xxxx-yyyy-zzzz"}'
        ),
        "b.json",
    )
    c = parse_record(minimal(summary="t"), "c.json")
    assert a.content_hash == b.content_hash != c.content_hash
    assert json.loads(a.record_json) == a.raw


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ([], "f.json: not an OSV record: expected an object, got a list"),
        ("text", "not an OSV record: expected an object, got a string"),
        (
            json.loads((TESTDATA / "nodejs-wg-1.json").read_text()),
            "f.json: not an OSV record: no string 'id' and 'modified' fields",
        ),
        ({"id": "X-1"}, "no string 'id' and 'modified' fields"),
        (minimal(id="has space"), "id: not a valid advisory id"),
        (minimal(id="A" * 129), "id: not a valid advisory id"),
        (minimal(id="../../etc/passwd"), "id: not a valid advisory id"),
        (minimal(aliases="CVE-1"), "aliases: expected a list of ids"),
        (minimal(aliases=[1]), "aliases: expected a list of ids"),
        (minimal(aliases=["C" * 200]), "aliases: id longer than 128 characters"),
        (minimal(summary=5), "summary: expected a string"),
        (minimal(severity={"type": "CVSS_V3"}), "severity: expected a list of objects"),
        (minimal(severity=[{"type": "CVSS_V3"}]), r"severity\[0\]: expected 'type' and 'score'"),
        (minimal(affected=[{"package": "x"}]), r"affected\[0\]\.package: expected an object"),
        (
            minimal(affected=[{"package": {"name": "x"}}]),
            r"affected\[0\]\.package\.ecosystem: missing or invalid",
        ),
        (
            minimal(affected=[{"package": {"ecosystem": "npm", "name": ""}}]),
            r"affected\[0\]\.package\.name: missing or invalid",
        ),
        (
            minimal(affected=[{"package": {"ecosystem": "npm", "name": "x" * 600}}]),
            r"affected\[0\]\.package\.name: missing or invalid",
        ),
        (
            minimal(affected=[{"package": {"ecosystem": "npm", "name": "x"}, "ranges": {}}]),
            r"affected\[0\]\.ranges: expected a list",
        ),
        (minimal(database_specific=[]), "database_specific: expected an object"),
        (minimal(withdrawn="soon"), "withdrawn: not an ISO 8601 timestamp"),
        (minimal(summary="a\x00b"), "holds a NUL character"),
        (minimal(summary="\ud800"), "holds text that is not valid Unicode"),
        (minimal(extra={1: "int key", "a": "str key"}), "holds values that are not JSON"),
        (minimal(extra=b"bytes"), "holds values that are not JSON"),
    ],
)
def test_bad_records(data: object, match: str) -> None:
    with pytest.raises(InvalidAdvisory, match=match):
        parse_record(data, "f.json")


def test_error_message_is_one_line_with_file_and_id() -> None:
    with pytest.raises(InvalidAdvisory) as info:
        parse_record(minimal(modified="never"), "dir/f.json")
    assert str(info.value) == (
        "dir/f.json: GHSA-xxxx-yyyy-zzzz: modified: not an ISO 8601 timestamp: 'never'"
    )


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
FIELDS = st.sampled_from(
    [
        "published",
        "withdrawn",
        "aliases",
        "related",
        "summary",
        "details",
        "severity",
        "affected",
        "database_specific",
        "references",
        "ecosystem_specific",
    ]
)
AFFECTED = st.lists(
    st.fixed_dictionaries(
        {"package": st.fixed_dictionaries({"ecosystem": JSON, "name": JSON}) | JSON},
        optional={"ranges": JSON, "versions": JSON, "database_specific": JSON},
    ),
    max_size=3,
)


@given(
    st.sampled_from(["GO-1", "MAL-1", "bad id", ""]) | st.text(max_size=12),
    st.sampled_from(["2024-01-01T00:00:00Z", "2024-01-01 00:00:00+01:00", "x"]) | JSON,
    st.dictionaries(FIELDS, JSON | st.text(max_size=30) | AFFECTED, max_size=6),
)
def test_arbitrary_json_is_a_record_or_invalid_advisory(
    rid: str, modified: object, extra: dict[str, Any]
) -> None:
    try:
        record = parse_record({"id": rid, "modified": modified, **extra}, "f.json")
    except InvalidAdvisory as exc:
        assert "\n" not in str(exc) and str(exc).startswith("f.json")
        return
    assert record.modified.endswith("Z") and len(record.content_hash) == 64
    assert json.loads(record.record_json)["id"] == record.id
    for pkg in record.packages():
        assert pkg.name and pkg.ecosystem

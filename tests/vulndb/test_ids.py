"""The one naming rule for a vulnerability, shared by scan reports and `assay db show`."""

from __future__ import annotations

import pytest

from assay.vulndb.ids import natural_key, primary_id


def test_natural_key_orders_digit_runs_as_numbers() -> None:
    ids = ["CVE-2021-10000", "CVE-2021-9999", "cve-2020-1"]
    assert sorted(ids, key=natural_key) == ["cve-2020-1", "CVE-2021-9999", "CVE-2021-10000"]


@pytest.mark.parametrize(
    ("advisories", "every", "primary"),
    [
        (
            ["PYSEC-2021-1"],
            ["PYSEC-2021-1", "GHSA-aaaa-bbbb-cccc", "CVE-2021-10000", "CVE-2021-9"],
            "CVE-2021-9",
        ),
        (
            ["RUSTSEC-2020-1", "PYSEC-1"],
            ["RUSTSEC-2020-1", "PYSEC-1", "GHSA-zzzz-1111-2222"],
            "GHSA-zzzz-1111-2222",
        ),
        # No CVE, no GHSA: the smallest stored advisory id, never an alias from elsewhere.
        (["GO-2021-10", "GO-2021-9"], ["GO-2021-10", "GO-2021-9", "BIT-foo-1"], "GO-2021-9"),
    ],
)
def test_primary_id(advisories: list[str], every: list[str], primary: str) -> None:
    assert primary_id(advisories, every) == primary
    assert primary_id(reversed(advisories), reversed(every)) == primary


def test_headline_prefers_summary_then_first_line_of_details() -> None:
    from assay.vulndb.ids import headline

    assert headline("Short summary", "Long details") == "Short summary"
    assert headline("", "\n  urllib3 does not strip the Cookie header.\nMore text.") == (
        "urllib3 does not strip the Cookie header."
    )
    assert headline(None, None) == ""
    long = headline("", "word " * 100)
    assert len(long) <= 201 and long.endswith("…") and "  " not in long

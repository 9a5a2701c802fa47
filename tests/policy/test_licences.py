"""Licence expressions evaluated as expressions (SPDX 2.3 Annex D: OR offers a choice, AND
requires both, WITH adds an exception, parentheses group), and licence groups."""

from __future__ import annotations

import pytest

from assay.policy import licences
from assay.policy.licences import (
    MAX_CHOICES,
    UnknownLicence,
    canonical_item,
    choices,
    group_of,
    read,
    satisfies,
    unavoidably_uses,
)


@pytest.mark.parametrize(
    ("license_id", "group"),
    [
        ("MIT", "permissive"),
        ("mit", "permissive"),
        ("Apache-2.0", "permissive"),
        ("BSD-3-Clause", "permissive"),
        ("0BSD", "permissive"),
        ("LGPL-2.1-only", "weak-copyleft"),
        ("MPL-2.0", "weak-copyleft"),
        ("EPL-2.0", "weak-copyleft"),
        ("GPL-3.0-only", "strong-copyleft"),
        ("GPL-2.0-or-later", "strong-copyleft"),
        ("AGPL-3.0-only", "network-copyleft"),
        ("SSPL-1.0", "network-copyleft"),
        ("OSL-3.0", "network-copyleft"),
        ("LicenseRef-proprietary", "proprietary"),
        ("Commercial", "proprietary"),
        ("BUSL-1.1", "proprietary"),
        ("GPL-2.0-only WITH Classpath-exception-2.0", "weak-copyleft"),
        ("gpl-2.0-only with classpath-exception-2.0", "weak-copyleft"),
        ("GPL-3.0-only WITH GCC-exception-3.1", "weak-copyleft"),
        ("AGPL-3.0-only WITH Classpath-exception-2.0", "network-copyleft"),  # stays network
        ("GPL-2.0-only WITH openvpn-openssl-exception", "strong-copyleft"),  # not a linking one
        ("Apache-2.0 WITH LLVM-exception", "permissive"),
        ("LicenseRef-acme-internal", "unknown"),
        ("NOASSERTION", "unknown"),
        ("Artistic-1.0-Perl", "unknown"),  # valid SPDX id assay does not classify
        ("not a licence", "unknown"),
    ],
)
def test_groups(license_id: str, group: str) -> None:
    assert group_of(license_id) == group


def test_every_table_id_but_our_own_names_is_on_the_spdx_list() -> None:
    """A typo in the group table would silently make a licence 'unknown'."""
    known = licences._licensing().known_symbols
    for ident in licences._TABLE:
        if ident in {"licenseref-proprietary", "licenseref-commercial"}:
            continue
        if ident in {"commercial", "proprietary"}:
            continue
        assert any(k.lower() == ident for k in known), ident
    for exception in licences.LINKING_EXCEPTIONS:
        assert any(k.lower() == exception and s.is_exception for k, s in known.items()), exception


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("MIT", [{"MIT"}]),
        ("mit OR gpl-3.0-only", [{"MIT"}, {"GPL-3.0-only"}]),
        ("MIT AND BSD-3-Clause", [{"MIT", "BSD-3-Clause"}]),
        (
            "MIT AND (BSD-3-Clause OR Apache-2.0)",
            [{"MIT", "BSD-3-Clause"}, {"MIT", "Apache-2.0"}],
        ),
        (
            "(MIT OR ISC) AND (Zlib OR 0BSD)",
            [{"MIT", "Zlib"}, {"MIT", "0BSD"}, {"ISC", "Zlib"}, {"ISC", "0BSD"}],
        ),
        ("GPL-2.0 OR GPL-2.0+", [{"GPL-2.0-only"}, {"GPL-2.0-or-later"}]),  # deprecated ids
        (
            "GPL-2.0-only WITH Classpath-exception-2.0",
            [{"GPL-2.0-only WITH Classpath-exception-2.0"}],
        ),
        ("MIT OR MIT", [{"MIT"}]),
        ("", [{"NOASSERTION"}]),
        ("NONE", [{"NOASSERTION"}]),
        ("MIT OR", [{"NOASSERTION"}]),
        ("(MIT", [{"NOASSERTION"}]),
        ("MIT/Apache-2.0", [{"NOASSERTION"}]),
    ],
)
def test_choices(expression: str, expected: list[set[str]]) -> None:
    assert [set(c) for c in choices(expression)] == expected


def test_unreadable_expressions_say_why() -> None:
    assert read("(MIT").problem.startswith("not a valid licence expression")
    assert read(None).problem == "no licence stated"
    assert read("NONE").problem == "NONE: the author grants no licence"
    assert read("MIT").problem == ""


def test_huge_expressions_are_unknown_not_expanded() -> None:
    long = " OR ".join(["MIT"] * 300)
    assert "longer than 1,000" in read(long).problem
    # 3^4 = 81 alternatives from a short text: refused, not expanded
    groups = [
        "MIT OR ISC OR Zlib",
        "Apache-2.0 OR BSD-2-Clause OR 0BSD",
        "MPL-2.0 OR EPL-2.0 OR CDDL-1.0",
        "GPL-2.0-only OR GPL-3.0-only OR LGPL-2.1-only",
    ]
    product = " AND ".join(f"({g})" for g in groups)
    assert len(product) < 1000
    assert f"more than {MAX_CHOICES} alternatives" in read(product).problem
    assert group_of(next(iter(choices(product)[0]))) == "unknown"


def test_deeply_nested_expression_is_unknown_not_a_crash() -> None:
    nested = "(" * 600 + "MIT" + ")" * 600
    assert "longer than" in read(nested).problem  # never handed to the parser
    shallow = "(" * 450 + "MIT" + ")" * 450  # under the length limit: parsed
    assert [set(c) for c in choices(shallow)] == [{"MIT"}]
    chain = "MIT"
    for _ in range(60):
        chain = f"(ISC AND {chain})"
    assert [set(c) for c in choices(chain)] == [{"ISC", "MIT"}]


@pytest.mark.parametrize(
    ("expression", "allowed", "ok"),
    [
        ("MIT OR GPL-3.0-only", ["MIT"], True),
        ("MIT AND GPL-3.0-only", ["MIT"], False),
        ("MIT AND (GPL-3.0-only OR Apache-2.0)", ["permissive"], True),
        ("GPL-2.0-only WITH Classpath-exception-2.0", ["weak-copyleft"], True),
        ("GPL-2.0-only WITH Classpath-exception-2.0", ["GPL-2.0-only"], True),
        ("GPL-2.0-only", ["GPL-2.0-only WITH Classpath-exception-2.0"], False),
        ("", ["permissive"], False),
        ("", ["unknown"], True),
        ("LicenseRef-acme", ["LicenseRef-acme"], True),
        ("licenseref-ACME", ["LicenseRef-acme"], True),
    ],
)
def test_satisfies(expression: str, allowed: list[str], ok: bool) -> None:
    assert satisfies(expression, allowed) is ok


@pytest.mark.parametrize(
    ("expression", "denied", "used"),
    [
        ("MIT OR GPL-3.0-only", ["strong-copyleft"], None),
        ("MIT AND GPL-3.0-only", ["strong-copyleft"], {"GPL-3.0-only"}),
        ("GPL-3.0-only OR AGPL-3.0-only", ["strong-copyleft", "network-copyleft"],
         {"GPL-3.0-only", "AGPL-3.0-only"}),
        ("GPL-2.0-only WITH Classpath-exception-2.0", ["strong-copyleft"], None),
        ("GPL-2.0-only WITH Classpath-exception-2.0", ["GPL-2.0-only"],
         {"GPL-2.0-only WITH Classpath-exception-2.0"}),
        ("", ["unknown"], {"NOASSERTION"}),
        ("MIT OR LicenseRef-foo", ["unknown"], None),
        ("Apache-2.0", ["gpl-3.0-only"], None),
    ],
)  # fmt: skip
def test_unavoidably_uses(expression: str, denied: list[str], used: set[str] | None) -> None:
    result = unavoidably_uses(expression, denied)
    assert (set(result) if result is not None else None) == used


@pytest.mark.parametrize(
    ("item", "canonical"),
    [
        ("mit", "MIT"),
        ("Apache-2.0", "Apache-2.0"),
        ("GPL-2.0", "GPL-2.0-only"),
        ("Strong-Copyleft", "strong-copyleft"),
        ("LicenseRef-acme-1.0", "LicenseRef-acme-1.0"),
        ("commercial", "Commercial"),
    ],
)
def test_canonical_items(item: str, canonical: str) -> None:
    assert canonical_item(item) == canonical


@pytest.mark.parametrize(
    "item",
    [
        "MTI",
        "MIT OR Apache-2.0",
        "Classpath-exception-2.0",
        "",
        "x" * 500,
        "MIT;rm -rf",
        "copyleft",
    ],
)
def test_unknown_items_are_refused(item: str) -> None:
    with pytest.raises(UnknownLicence):
        canonical_item(item)

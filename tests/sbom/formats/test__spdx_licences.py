"""Licence expressions for SPDX output: listed ids kept, unlisted names as LicenseRef-."""

from __future__ import annotations

from assay.sbom.formats._output import Losses
from assay.sbom.formats._spdx_licences import Licences


def test_listed_expressions_are_kept() -> None:
    losses = Losses()
    licences = Licences(losses)
    assert str(licences.declared("MIT OR Apache-2.0", "a@1")) == "MIT OR Apache-2.0"
    assert str(licences.declared(None, "a@1")) == "NOASSERTION"
    assert losses.lines() == () and licences.extracted() == []


def test_an_unlisted_name_becomes_a_licence_ref_with_its_name() -> None:
    losses = Losses()
    licences = Licences(losses)
    assert str(licences.declared("BSD", "a@1")) == "LicenseRef-BSD"
    [extracted] = licences.extracted()
    assert (extracted.license_id, extracted.license_name) == ("LicenseRef-BSD", "BSD")
    assert losses.lines() == (
        "licence names not on the SPDX list, written as LicenseRef- with the name: 1 "
        "(e.g. a@1: BSD)",
    )


def test_an_expression_it_cannot_hold_is_noassertion_and_reported() -> None:
    losses = Losses()
    assert str(Licences(losses).declared("Foo Bar OR MIT", "a@1")) == "NOASSERTION"
    assert len(losses.lines()) == 1 and "written as NOASSERTION" in losses.lines()[0]

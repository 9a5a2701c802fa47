"""Licence expressions for SPDX 2.3 output, through spdx-tools' licensing.

A stated expression is written as parsed when every symbol is on the SPDX list
(or a ``LicenseRef-``); a single unlisted name becomes ``LicenseRef-<name>``
with an extracted-licensing entry naming it; anything else is NOASSERTION,
reported in the losses.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from assay.sbom.formats._output import Losses

if TYPE_CHECKING:
    from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo

_ID_CHARS = re.compile(r"[^A-Za-z0-9.]+")  # "-" too: runs of dashes collapse to one


def _well_formed(spdx_licensing: Any, parsed: Any) -> bool:
    """False when an exception stands as a licence or the reverse, as spdx-tools' validator checks
    (``GPL-2.0-with-classpath-exception``, a deprecated id, is an exception symbol)."""
    from license_expression import ExpressionError, ExpressionParseError

    try:
        spdx_licensing.parse(str(parsed), validate=True, strict=True)
    except ExpressionParseError:
        return False
    except ExpressionError:  # unknown symbols: judged by the caller
        return True
    return True


def _licensing() -> Any:
    """spdx-tools' shared SPDX licensing (building one costs ~0.3 s, so reuse theirs)."""
    from spdx_tools.common.spdx_licensing import spdx_licensing  # type: ignore[import-untyped]

    return spdx_licensing


class Licences:
    """Stated expressions as spdx-tools licence expressions; unlisted names become LicenseRef-."""

    def __init__(self, losses: Losses) -> None:
        self.losses = losses
        self.refs: dict[str, str] = {}  # LicenseRef-id -> name as the source wrote it

    def declared(self, expression: str | None, label: str) -> Any:
        from license_expression import ExpressionError
        from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion

        spdx_licensing = _licensing()
        if not expression or not expression.strip():
            return SpdxNoAssertion()
        text = expression.strip()
        try:
            parsed = spdx_licensing.parse(text)
        except ExpressionError:
            return self._as_ref(text, label)
        if parsed is None:
            return SpdxNoAssertion()
        unknown = spdx_licensing.validate(parsed).invalid_symbols
        # an exception standing as a licence is unusable like an unlisted name
        usable = _well_formed(spdx_licensing, parsed)
        if usable and not unknown:
            return parsed
        if usable and all(str(s).startswith("LicenseRef-") for s in unknown):
            for symbol in unknown:
                self.refs.setdefault(str(symbol), str(symbol).removeprefix("LicenseRef-"))
            return parsed
        if " " not in text:  # one name: not on the list, or an exception used as a licence
            return self._as_ref(text, label)
        self.losses.add(
            "licence expressions SPDX 2.3 cannot hold (unlisted licences, misused exceptions), "
            "written as NOASSERTION",
            f"{label}: {text}",
        )
        return SpdxNoAssertion()

    def _as_ref(self, text: str, label: str) -> Any:
        spdx_licensing = _licensing()

        ref = "LicenseRef-" + (_ID_CHARS.sub("-", text).strip("-") or "unknown")
        self.refs.setdefault(ref, text)
        self.losses.add(
            "licence names not on the SPDX list, written as LicenseRef- with the name",
            f"{label}: {text}",
        )
        return spdx_licensing.parse(ref)

    def extracted(self) -> list[ExtractedLicensingInfo]:
        from spdx_tools.spdx.model.extracted_licensing_info import ExtractedLicensingInfo

        return [
            ExtractedLicensingInfo(
                license_id=ref,
                extracted_text=f"The licence the source names {name!r}; its text was not recorded.",
                license_name=name,
            )
            for ref, name in self.refs.items()
        ]

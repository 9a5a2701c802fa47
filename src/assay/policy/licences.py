"""Licence groups and licence expressions evaluated as expressions.

An SPDX expression is read with ``license-expression`` (its SPDX licensing, ids
case-insensitive, deprecated ids mapped to their successors: ``GPL-2.0`` is
``GPL-2.0-only``) and turned into its *choices*: the OR-alternatives, each the
set of licences a user of that alternative must honour. ``MIT AND (BSD-3-Clause
OR Apache-2.0)`` has two choices, ``{MIT, BSD-3-Clause}`` and ``{MIT,
Apache-2.0}``. A licence with an exception is one id, ``GPL-2.0-only WITH
Classpath-exception-2.0``.

* allowed (:func:`satisfies`): SOME choice uses only allowed licences;
* denied (:func:`unavoidably_uses`): EVERY choice includes a denied licence.

Each id belongs to one group (:func:`group_of`), from the table below. A valid
SPDX id the table does not list is ``unknown`` (assay does not guess); so are
no licence, ``NOASSERTION``, ``NONE``, ``LicenseRef-*`` (except the
proprietary ones) and anything unreadable. Expressions longer than
:data:`MAX_EXPRESSION` characters or with more than :data:`MAX_CHOICES`
alternatives are not expanded: they count as ``unknown`` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

GROUPS = (
    "permissive",
    "weak-copyleft",
    "strong-copyleft",
    "network-copyleft",
    "proprietary",
    "unknown",
)
MAX_EXPRESSION = 1000
MAX_CHOICES = 64
NO_LICENCE = "NOASSERTION"  # the id standing for "no licence stated" in choices

_PERMISSIVE = """
0BSD AFL-1.1 AFL-1.2 AFL-2.0 AFL-2.1 AFL-3.0 AML Apache-1.0 Apache-1.1 Apache-2.0 Artistic-2.0
Beerware BlueOak-1.0.0 BSD-1-Clause BSD-2-Clause BSD-2-Clause-Patent BSD-2-Clause-Views
BSD-3-Clause BSD-3-Clause-Clear BSD-3-Clause-LBNL BSD-3-Clause-Modification BSD-4-Clause
BSD-4-Clause-UC BSD-Source-Code BSL-1.0 bzip2-1.0.6 CC0-1.0 CC-BY-3.0 CC-BY-4.0 CECILL-B
CNRI-Python curl ECL-2.0 EFL-2.0 FSFAP FSFUL FSFULLR FTL HPND ICU IJG Info-ZIP ISC Libpng
libpng-2.0 MIT MIT-0 MIT-CMU MIT-Modern-Variant MulanPSL-2.0 NCSA OLDAP-2.8 OpenSSL PHP-3.0
PHP-3.01 PostgreSQL PSF-2.0 Python-2.0 Python-2.0.1 Ruby SSLeay-standalone TCL Unicode-3.0
Unicode-DFS-2015 Unicode-DFS-2016 Unlicense UPL-1.0 W3C W3C-19980720 W3C-20150513 WTFPL X11
Xnet Zlib zlib-acknowledgement ZPL-2.0 ZPL-2.1
"""
_WEAK = """
APSL-2.0 CC-BY-SA-3.0 CC-BY-SA-4.0 CDDL-1.0 CDDL-1.1 CECILL-C CPL-1.0 eCos-2.0 EPL-1.0 EPL-2.0
ErlPL-1.1 GPL-2.0-with-autoconf-exception
GPL-2.0-with-classpath-exception GPL-2.0-with-font-exception GPL-2.0-with-GCC-exception
GPL-3.0-with-autoconf-exception GPL-3.0-with-GCC-exception IPL-1.0 LGPL-2.0-only
LGPL-2.0-or-later LGPL-2.1-only LGPL-2.1-or-later LGPL-3.0-only LGPL-3.0-or-later LGPLLR MPL-1.0
MPL-1.1 MPL-2.0 MPL-2.0-no-copyleft-exception MS-PL MS-RL NPL-1.0 NPL-1.1 ODbL-1.0 OFL-1.0
OFL-1.1 SPL-1.0
"""
_STRONG = """
CECILL-1.0 CECILL-1.1 CECILL-2.0 CECILL-2.1 GPL-1.0-only GPL-1.0-or-later GPL-2.0-only
GPL-2.0-or-later GPL-3.0-only GPL-3.0-or-later OSL-1.0 OSL-1.1 QPL-1.0 Sleepycat
"""
# copyleft that reaches users over a network (SaaS): AGPL, SSPL, and licences whose
# "external deployment" or "communication" clauses do the same
_NETWORK = """
AGPL-1.0-only AGPL-1.0-or-later AGPL-3.0-only AGPL-3.0-or-later CPAL-1.0 EUPL-1.0 EUPL-1.1
EUPL-1.2 OSL-2.0 OSL-2.1 OSL-3.0 Parity-6.0.0 Parity-7.0.0 RPL-1.1 RPL-1.5 RPSL-1.0 SSPL-1.0
"""
# not open source: source-available, non-commercial, or a vendor's own terms
_PROPRIETARY = """
BUSL-1.1 CC-BY-NC-3.0 CC-BY-NC-4.0 CC-BY-NC-ND-4.0 CC-BY-NC-SA-4.0 Elastic-2.0
PolyForm-Noncommercial-1.0.0 PolyForm-Small-Business-1.0.0 LicenseRef-proprietary
LicenseRef-commercial Commercial Proprietary
"""
# Exceptions that let code be linked without the licence reaching it: a strong
# copyleft licence WITH one of them is weak copyleft.
LINKING_EXCEPTIONS = frozenset(
    """
Autoconf-exception-2.0 Autoconf-exception-3.0 Bison-exception-2.2 Classpath-exception-2.0
eCos-exception-2.0 FLTK-exception Font-exception-2.0 freertos-exception-2.0 GCC-exception-2.0
GCC-exception-3.1 GNAT-exception GPL-3.0-linking-exception GPL-3.0-linking-source-exception
LGPL-3.0-linking-exception Libtool-exception LLVM-exception mif-exception
OCaml-LGPL-linking-exception Qt-GPL-exception-1.0 u-boot-exception-2.0 WxWindows-exception-3.1
""".lower().split()
)

_TABLE: dict[str, str] = {
    ident.lower(): group
    for group, text in (
        ("permissive", _PERMISSIVE),
        ("weak-copyleft", _WEAK),
        ("strong-copyleft", _STRONG),
        ("network-copyleft", _NETWORK),
        ("proprietary", _PROPRIETARY),
    )
    for ident in text.split()
}
_WITH = re.compile(r"^(\S+)\s+WITH\s+(\S+)$", re.IGNORECASE)


def group_of(license_id: str) -> str:
    """The group of one id (``MIT``, ``GPL-2.0-only WITH Classpath-exception-2.0``).

    Lookup is case-insensitive. An id the table does not list -- a valid SPDX id
    assay has not classified, a ``LicenseRef-``, ``NOASSERTION`` -- is ``unknown``.
    """
    m = _WITH.match(license_id.strip())
    if m is not None:
        base = group_of(m.group(1))
        if base == "strong-copyleft" and m.group(2).lower() in LINKING_EXCEPTIONS:
            return "weak-copyleft"
        return base
    return _TABLE.get(license_id.strip().lower(), "unknown")


@dataclass(frozen=True, slots=True)
class Expression:
    """A licence expression read once: its OR-choices, and why it counts as unknown if it does."""

    text: str
    choices: tuple[frozenset[str], ...]
    problem: str = ""  # "" when read; else the reason it is treated as no licence


@cache
def _licensing() -> Any:
    from license_expression import get_spdx_licensing

    return get_spdx_licensing()


def _unknown(text: str, problem: str) -> Expression:
    return Expression(text, (frozenset({NO_LICENCE}),), problem)


@lru_cache(maxsize=8192)
def read(expression: str | None) -> Expression:
    """Read ``expression`` (None or blank: no licence stated); never raises."""
    text = (expression or "").strip()
    if text.upper() == "NONE":
        return _unknown(text, "NONE: the author grants no licence")
    if not text or text.upper() == "NOASSERTION":
        return _unknown(text, "no licence stated")
    if len(text) > MAX_EXPRESSION:
        return _unknown(text, f"licence expression longer than {MAX_EXPRESSION:,} characters")
    from license_expression import ExpressionError

    try:
        parsed = _licensing().parse(text, validate=False)
    except (ExpressionError, ValueError, TypeError, AttributeError, RecursionError) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        return _unknown(text, f"not a valid licence expression ({reason})")
    if parsed is None:
        return _unknown(text, "no licence stated")
    try:
        expanded = _choices(parsed)
    except _TooMany:
        return _unknown(text, f"licence expression has more than {MAX_CHOICES} alternatives")
    except RecursionError:
        return _unknown(text, "licence expression nested too deeply")
    return Expression(text, expanded)


class _TooMany(Exception):
    pass


@cache
def _types() -> tuple[Any, Any, Any, Any]:
    from license_expression import AND, OR, LicenseSymbol, LicenseWithExceptionSymbol

    return AND, OR, LicenseSymbol, LicenseWithExceptionSymbol


def _choices(node: Any) -> tuple[frozenset[str], ...]:
    """Disjunctive normal form, refusing to grow past MAX_CHOICES alternatives."""
    AND, OR, LicenseSymbol, LicenseWithExceptionSymbol = _types()
    if isinstance(node, LicenseWithExceptionSymbol):
        return (frozenset({f"{node.license_symbol.key} WITH {node.exception_symbol.key}"}),)
    if isinstance(node, LicenseSymbol):
        return (frozenset({str(node.key)}),)
    if isinstance(node, OR):
        result: list[frozenset[str]] = []
        for arg in node.args:
            for choice in _choices(arg):
                if choice not in result:
                    result.append(choice)
            if len(result) > MAX_CHOICES:
                raise _TooMany
        return tuple(result)
    if isinstance(node, AND):
        acc: list[frozenset[str]] = [frozenset()]
        for arg in node.args:
            parts = _choices(arg)
            if len(acc) * len(parts) > MAX_CHOICES:
                raise _TooMany
            combined: list[frozenset[str]] = []
            for left in acc:
                for right in parts:
                    union = left | right
                    if union not in combined:
                        combined.append(union)
            acc = combined
        return tuple(acc)
    raise _TooMany  # pragma: no cover - the parser builds only the node types above


def choices(expression: str) -> list[frozenset[str]]:
    """The OR-alternatives of ``expression``, each the set of ids it uses."""
    return list(read(expression).choices)


def _base(license_id: str) -> str:
    m = _WITH.match(license_id)
    return m.group(1) if m is not None else license_id


def selects(license_id: str, items: Collection[str]) -> bool:
    """Whether ``license_id`` is one of ``items`` (lower-case ids or group names).

    An item that is a licence also selects that licence with any exception; a group
    selects by the id's group (an exception may change it: GPL WITH Classpath is weak).
    """
    low = license_id.lower()
    return low in items or _base(low) in items or group_of(license_id) in items


def _lowered(items: Collection[str]) -> frozenset[str]:
    return frozenset(i.lower() for i in items)


def satisfies(expression: str | Expression, allowed_ids_or_groups: Collection[str]) -> bool:
    """True when SOME choice of ``expression`` uses only allowed licences."""
    items = _lowered(allowed_ids_or_groups)
    parsed = expression if isinstance(expression, Expression) else read(expression)
    return any(all(selects(i, items) for i in choice) for choice in parsed.choices)


def unavoidably_uses(
    expression: str | Expression, denied: Collection[str]
) -> frozenset[str] | None:
    """The denied ids ``expression`` uses when EVERY choice includes one; None otherwise."""
    items = _lowered(denied)
    used: set[str] = set()
    parsed = expression if isinstance(expression, Expression) else read(expression)
    for choice in parsed.choices:
        hits = {i for i in choice if selects(i, items)}
        if not hits:
            return None
        used |= hits
    return frozenset(used)


class UnknownLicence(ValueError):
    """A policy names a licence that is neither on the SPDX list nor a group."""


def canonical_item(item: str) -> str:
    """A policy's licence item as stored: a group name, or the SPDX id in its list spelling.

    ``LicenseRef-...`` items are kept as written (an organisation's own licence names).
    Raises UnknownLicence for anything else.
    """
    text = item.strip()
    if text.lower() in GROUPS:
        return text.lower()
    if re.fullmatch(r"LicenseRef-[A-Za-z0-9.\-]{1,100}", text, flags=re.IGNORECASE):
        return "LicenseRef-" + text[len("LicenseRef-") :]
    if text.lower() in {"commercial", "proprietary"}:
        return text.capitalize()
    if len(text) > 100 or not re.fullmatch(r"[A-Za-z0-9.+\-]+", text):
        raise UnknownLicence(text[:60])
    from license_expression import ExpressionError, LicenseSymbol

    try:
        parsed = _licensing().parse(text, validate=False)
    except ExpressionError:
        raise UnknownLicence(text) from None
    if not isinstance(parsed, LicenseSymbol):
        raise UnknownLicence(text)
    symbol = _licensing().known_symbols.get(str(parsed.key))
    if symbol is None or symbol.is_exception:
        raise UnknownLicence(text)
    return str(symbol.key)

"""Reading CycloneDX fields (JSON-shaped) into model values: licences, entities, tools.

Shared by the CycloneDX builder for components and the document's metadata.
"""

from __future__ import annotations

import json
import re
from typing import Any

_LICENSE_REF = re.compile(r"[^A-Za-z0-9.-]+")
#: component keys the model holds (``components``: nested ones are read as components);
#: every other key of a JSON component is kept verbatim in ``Component.extensions``.
#: ``authors`` and ``publisher`` are kept too: the model holds them only as fallbacks
#: (joined names, the supplier's name).
MODELLED = frozenset(
    {
        "type",
        "bom-ref",
        "supplier",
        "author",
        "group",
        "name",
        "version",
        "description",
        "scope",
        "hashes",
        "licenses",
        "cpe",
        "purl",
        "externalReferences",
        "properties",
        "components",
    }
)

#: CycloneDX 1.6 component fields: extension fields outside it are dropped (1.7 input)
COMPONENT_FIELDS = frozenset(
    {
        "author",
        "authors",
        "bom-ref",
        "components",
        "copyright",
        "cpe",
        "cryptoProperties",
        "data",
        "description",
        "evidence",
        "externalReferences",
        "group",
        "hashes",
        "licenses",
        "manufacturer",
        "mime-type",
        "modelCard",
        "modified",
        "name",
        "omniborId",
        "pedigree",
        "properties",
        "publisher",
        "purl",
        "releaseNotes",
        "scope",
        "signature",
        "supplier",
        "swhid",
        "swid",
        "tags",
        "type",
        "version",
    }
)


def _licence_part(item: Any) -> str | None:
    """One ``licenses`` entry: its expression, SPDX id, or ``LicenseRef-<name>``."""
    if not isinstance(item, dict):
        return None
    expression = item.get("expression")
    if isinstance(expression, str) and expression.strip():
        return expression.strip()
    lic = item.get("license")
    if not isinstance(lic, dict):
        return None
    ident, name = lic.get("id"), lic.get("name")
    if isinstance(ident, str) and ident.strip():
        return ident.strip()
    if isinstance(name, str) and name.strip():
        return "LicenseRef-" + _LICENSE_REF.sub("-", name.strip()).strip("-")
    return None


def licence_expression(licenses: Any) -> str | None:
    """CycloneDX ``licenses`` -> one SPDX expression, or None when none is stated."""
    if not isinstance(licenses, list):
        return None
    if len(licenses) == 1:  # the usual case
        return _licence_part(licenses[0])
    parts = [p for p in map(_licence_part, licenses) if p is not None]
    unique = list(dict.fromkeys(parts))
    if len(unique) <= 1:
        return unique[0] if unique else None
    return " AND ".join(f"({p})" if " " in p else p for p in unique)


def text(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def pairs(value: Any, key: str, val: str) -> tuple[tuple[str, str], ...]:
    if not value or not isinstance(value, list):  # absent or empty: most components
        return ()
    pairs: list[tuple[str, str]] = []
    for item in value:  # a plain loop: this runs several times per component
        if isinstance(item, dict):
            first, second = item.get(key), item.get(val)
            if isinstance(first, str) and isinstance(second, str):
                pairs.append((first, second))
    return tuple(pairs)


def entity_name(value: Any) -> str | None:
    """An organizationalEntity / contact (``{"name": ..., "email": ...}``) as one string."""
    if value is None:
        return None
    if not isinstance(value, dict):
        return text(value)
    return text(value.get("name")) or text(value.get("email"))


def author(item: dict[str, Any]) -> str | None:
    """A component's ``author`` (1.2-1.6), else its 1.6 ``authors`` joined."""
    stated = text(item.get("author"))
    if stated:
        return stated
    authors = item.get("authors")
    if not authors:
        return None
    names = [n for n in (entity_name(a) for a in as_list_soft(authors)) if n]
    return ", ".join(names) or None  # 1.6 component.authors


def as_list_soft(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def tool_names(tools: Any) -> list[str]:
    """``metadata.tools``: a list of tools (1.2-1.4) or ``{components, services}`` (1.5+)."""
    if isinstance(tools, dict):
        items = as_list_soft(tools.get("components")) + as_list_soft(tools.get("services"))
    else:
        items = as_list_soft(tools)
    names: list[str] = []
    for tool in items:
        if not isinstance(tool, dict):
            continue
        name = text(tool.get("name"))
        if name is None:
            continue
        vendor = entity_name(tool.get("vendor")) or text(tool.get("group"))
        label = f"{vendor} {name}" if vendor and vendor.lower() not in name.lower() else name
        version = text(tool.get("version"))
        names.append(f"{label} {version}" if version else label)
    return list(dict.fromkeys(names))


def extensions(item: dict[str, Any]) -> str | None:
    """The component's keys the model does not hold, as compact sorted JSON; None if none.

    Items converted from XML (they carry ``"__line"``) give None: the XML reader
    converts only the elements assay models.
    """
    if MODELLED.issuperset(item):  # the usual case: no set is built
        return None
    if "__line" in item:
        return None
    extra = {k: v for k, v in item.items() if k not in MODELLED}
    return json.dumps(extra, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

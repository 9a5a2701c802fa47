"""``${...}`` property interpolation inside one Maven POM, bounded against hostile files.

Maven substitutes ``${name}`` from the model (``project.version``,
``project.parent.groupId`` ...) and from ``<properties>``; values may refer to
other properties. Only what the file itself defines can be resolved offline:
``env.*``, ``settings.*`` and properties of a parent POM in a repository are
not, and :meth:`Properties.resolve` answers None for them. Expansion is
bounded twice: a result longer than :data:`MAX_FIELD` (exponential
"billion laughs" chains) and references nested deeper than :data:`MAX_DEPTH`
(cycles) are refused with InvalidLockfile, as Maven itself refuses cycles.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from xml.etree.ElementTree import Element

from assay.sbom.catalogers._lockcommon import MAX_FIELD, field, quote
from assay.sbom.catalogers.interface import InvalidLockfile

#: deepest chain of properties referring to properties; real POMs use two or three
MAX_DEPTH = 32
_REF = re.compile(r"\$\{([^${}]*)\}")


class Properties:
    def __init__(self, source: Path) -> None:
        self.source = source
        self._builtin: dict[str, str] = {}
        self._user: dict[str, str] = {}

    def define_block(self, elements: Iterable[Element], ns: str) -> None:
        """The children of ``<properties>``: ``<name>value</name>``; the first definition wins."""
        for element in elements:
            tag = element.tag
            if isinstance(tag, str) and tag.startswith(ns):
                self._user.setdefault(tag[len(ns) :], (element.text or "").strip())

    def define_builtin(self, name: str, value: str) -> None:
        """A model value (``project.version``): wins over ``<properties>``; empty means unknown."""
        if value:
            self._builtin[name] = value

    def get(self, name: str) -> str | None:
        found = self._builtin.get(name)
        return found if found is not None else self._user.get(name)

    def resolve(self, text: str) -> str | None:
        """``text`` with every ``${...}`` substituted, or None when one is not defined here."""
        if "${" not in text:
            return text
        original = text
        for _ in range(MAX_DEPTH):
            missing = False
            total = 0

            def substitute(m: re.Match[str]) -> str:
                nonlocal missing, total
                value = self.get(m.group(1))
                if value is None:
                    missing = True
                    return m.group()
                total += len(value)
                if total > MAX_FIELD:
                    raise InvalidLockfile(
                        self.source,
                        f"{quote(original)} expands to more than {MAX_FIELD} characters",
                    )
                return value

            expanded = _REF.sub(substitute, text)
            if missing or expanded == text:
                return None
            if len(expanded) > MAX_FIELD:
                raise InvalidLockfile(
                    self.source, f"{quote(original)} expands to more than {MAX_FIELD} characters"
                )
            if "${" not in expanded:
                return field(expanded, self.source, f"value of {quote(original)}", required=False)
            text = expanded
        raise InvalidLockfile(
            self.source, f"{quote(original)}: properties refer to each other in a cycle"
        )

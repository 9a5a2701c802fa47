"""The gate report axis: a formatter turns a :class:`GateReport` into one document.

Every format renders a report the same way whether the gate ran locally or on the
server (``assay gate --server`` reads the server's JSON back with ``from_dict``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from assay.policy.gate.report import GateReport


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """``color`` and ``width`` matter only to the terminal table."""

    color: bool = False
    width: int = 120


class GateFormatter(Protocol):
    #: the ``--format`` value, e.g. ``"junit"``
    name: str

    def render(self, report: GateReport, options: RenderOptions) -> str:
        """The whole document, ending with a newline."""
        ...

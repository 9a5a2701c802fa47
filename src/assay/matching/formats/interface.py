"""The scan output axis: one interface, one module per format, an explicit registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from assay import __version__
from assay.matching.model import ScanResult


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What a formatter may need beyond the result itself.

    ``color`` and ``width`` matter only to the terminal table; ``fail_on`` is
    echoed in the summaries so a reader knows what the gate was.
    """

    tool_name: str = "assay"
    tool_version: str = __version__
    color: bool = False
    width: int = 120
    fail_on: str = "any"


class Formatter(Protocol):
    #: the ``--format`` value, e.g. ``"json"``
    name: str

    def render(self, result: ScanResult, options: RenderOptions) -> str:
        """The whole document, ending with a newline."""
        ...

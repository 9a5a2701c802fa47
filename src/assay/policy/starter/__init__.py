"""The starter policy set for a bank, shipped with assay (``bank.yaml`` beside this module).

``assay gate`` applies it when no ``--policy`` is given and a new server is
seeded with it; ``assay policy show`` prints it. See docs/policy.md.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from assay.policy.model import Policy

STARTER_PATH = Path(__file__).with_name("bank.yaml")
SOURCE = "assay starter policies (bank.yaml)"  # what reports name as the policies' source


@cache
def _policies() -> tuple[Policy, ...]:
    from dataclasses import replace

    from assay.policy.loader import load_file

    return tuple(replace(p, source=SOURCE) for p in load_file(STARTER_PATH))


def starter_policies() -> list[Policy]:
    """The starter set, read (and checked) once per process."""
    return list(_policies())

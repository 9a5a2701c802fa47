"""Known vulnerabilities and malicious-package records for one exact package version.

Reads the local advisory database through :mod:`assay.matching` (the same index
and matcher as ``assay scan``), so a vetting verdict and a later scan agree.
OSV ``MAL-`` records (and any advisory flagged malicious) make the package
malicious. Without a database both checks could not run.
"""

from __future__ import annotations

from dataclasses import dataclass

from assay.core.config import Settings
from assay.core.errors import DatabaseError
from assay.matching.model import Vulnerability
from assay.sbom.model import Bom, Component

VULNERABILITIES = "vulnerabilities"
MALICIOUS = "malicious"


@dataclass(frozen=True, slots=True)
class AdvisoryAnswer:
    vulnerabilities: tuple[Vulnerability, ...] = ()
    error: str | None = None  # why the database could not be consulted
    database: str = ""

    @property
    def malicious(self) -> tuple[Vulnerability, ...]:
        return tuple(
            v
            for v in self.vulnerabilities
            if v.malicious or any(i.startswith("MAL-") for i in v.ids)
        )


def known_advisories(ecosystem: str, name: str, version: str, settings: Settings) -> AdvisoryAnswer:
    from assay.matching.engine import match
    from assay.matching.index import open_index

    try:
        index = open_index(settings)
    except DatabaseError as exc:
        # reports are shown to every reviewer: no database location in them
        where = settings.redacted_database_url() + ": "
        return AdvisoryAnswer(error=str(exc).replace(where, ""))
    try:
        result = match(Bom(components=[Component(ecosystem, name, version)]), index)
    finally:
        index.close()
    vulnerabilities = {f.vulnerability.id: f.vulnerability for f in result.findings}
    return AdvisoryAnswer(tuple(vulnerabilities.values()), database=result.database.location)

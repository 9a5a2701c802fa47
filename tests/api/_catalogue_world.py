"""The catalogue entry the access matrix and the fuzzer point ``{entry_id}`` at.

django (used by alpha and beta) requested by the system, so any manager may decide on it
and the entry itself names nothing of alpha's. The jobs the request queued are dropped:
tests that drain the queue must not vet django against the real PyPI.
"""

from __future__ import annotations

from sqlalchemy import delete, func, select

from assay.catalogue import service
from assay.core.jobs import Job
from assay.core.permissions import SYSTEM
from tests.api.conftest import Api

MATRIX_COMPONENT = "pkg:pypi/django@3.2.4"


def catalogue_entry(api: Api) -> int:
    with api.db.session() as s:
        before = s.scalar(select(func.max(Job.id))) or 0
        entry_id = service.request(s, SYSTEM, MATRIX_COMPONENT, "the matrix's entry").id
        s.execute(delete(Job).where(Job.id > before))
        return entry_id

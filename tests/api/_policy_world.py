"""The policies and the waiver the access matrix and the fuzzer point ``{name}`` and
``{waiver_id}`` at.

Both policies are starter policies (every new server has them). The matrix deletes
:data:`MATRIX_DELETED_POLICY` and reads and replaces :data:`MATRIX_POLICY`: the matrix runs
operations in sorted order, so a DELETE comes before the GET and PUT of the same path.
The waiver is alpha's (granted by the system), so only a caller who sees alpha may know it.
"""

from __future__ import annotations

from datetime import timedelta

from assay.core.clock import now
from assay.core.permissions import SYSTEM
from assay.policy import waiver_service
from tests.api.conftest import Api

MATRIX_POLICY = "no-malicious-packages"
MATRIX_DELETED_POLICY = "deprecated-components"


def policy_waiver(api: Api, project_id: int) -> int:
    expires = (now() + timedelta(days=30)).date()
    with api.db.session() as s:
        row = waiver_service.create(
            s, SYSTEM, project_id, MATRIX_POLICY, "the matrix's waiver", expires
        )
        return row.id

"""Every domain's tables, gathered for Alembic's autogenerate and for tests.

This is the one module that imports all domains' ``models``; nothing imports
it but migrations and tooling.
"""

from __future__ import annotations

import assay.catalogue.models
import assay.core.accounts
import assay.core.audit
import assay.core.jobs
import assay.delivery.models
import assay.inventory.models
import assay.policy.store
import assay.vetting.models
import assay.vulndb.models  # noqa: F401  (registers the tables)
from assay.core.orm import Base

metadata = Base.metadata

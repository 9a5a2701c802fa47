"""Bodies of ``/api/v1/bom``: the upload's answer and the processing status."""

from __future__ import annotations

from pydantic import BaseModel, Field

#: No control characters (PostgreSQL refuses NUL in text; none belongs in a name).
NO_CONTROL = r"^[^\x00-\x1f\x7f]*$"
MAX_PROJECT = 256  # project.name
MAX_VERSION = 128  # project_version.version
UPLOAD_ID_PATTERN = r"^[0-9a-f]{1,64}$"  # an upload token: hex


class BomAccepted(BaseModel):
    """The upload was stored and queued; poll ``GET /api/v1/bom/token/{token}``."""

    token: str = Field(description="what to poll for the processing state")


class BomStatus(BaseModel):
    token: str
    state: str = Field(description="queued, processing, done or failed")
    processing: bool = Field(description="true until the upload is done or failed")
    error: str | None = Field(description="one line: why processing failed, or what superseded it")
    project: str
    version: str
    components: int | None = Field(description="components stored, once done")
    findings: int | None = Field(description="open findings of the version, once done")
    format: str | None = Field(description="the document's format, once read")

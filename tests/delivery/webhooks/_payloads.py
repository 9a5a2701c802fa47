"""The hand-written webhook payloads of testdata/ (the shapes GitHub and GitLab document)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

TESTDATA = Path(__file__).parent / "testdata"


def payload(platform: str, name: str) -> Any:
    return json.loads((TESTDATA / platform / f"{name}.json").read_text(encoding="utf-8"))


def raw(platform: str, name: str) -> bytes:
    return (TESTDATA / platform / f"{name}.json").read_bytes()

"""Content-addressed files under ``$ASSAY_HOME/blobs``: uploaded SBOMs, reports.

A blob is named by the SHA-256 of its bytes (``ab/abcdef...``), written to a
temporary file in the same directory and renamed into place, so a reader
never sees half a blob and storing the same bytes twice stores them once.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from assay.core.errors import InputTooLarge

CHUNK = 1 << 20


class BlobStore:
    def __init__(self, root: Path, max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes

    def path(self, digest: str) -> Path:
        if len(digest) != 64 or not all(c in "0123456789abcdef" for c in digest):
            raise ValueError(f"not a sha256 digest: {digest!r}")
        return self.root / digest[:2] / digest

    def put_chunks(self, chunks: Iterable[bytes], name: str = "upload") -> tuple[str, int]:
        """Store a stream; returns (sha256 hex, size). Refuses more than ``max_bytes``."""
        self.root.mkdir(parents=True, exist_ok=True)
        sha = hashlib.sha256()
        size = 0
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise InputTooLarge(
                            name, f"larger than the limit of {self.max_bytes // (1 << 20)} MiB"
                        )
                    sha.update(chunk)
                    out.write(chunk)
            digest = sha.hexdigest()
            target = self.path(digest)
            target.parent.mkdir(parents=True, exist_ok=True)
            Path(tmp).replace(target)
            return digest, size
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def put(self, data: bytes, name: str = "upload") -> tuple[str, int]:
        return self.put_chunks(
            [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)] or [b""], name
        )

    def read(self, digest: str) -> bytes:
        return self.path(digest).read_bytes()

    def exists(self, digest: str) -> bool:
        return self.path(digest).is_file()

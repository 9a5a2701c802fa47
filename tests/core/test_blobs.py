"""Content-addressed blob storage: atomic, deduplicated, bounded."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from assay.core.blobs import BlobStore
from assay.core.errors import InputTooLarge


def test_put_names_by_sha256_and_deduplicates(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, max_bytes=1 << 20)
    digest, size = store.put(b'{"bomFormat": "CycloneDX"}')
    assert digest == hashlib.sha256(b'{"bomFormat": "CycloneDX"}').hexdigest()
    assert size == 26
    assert store.read(digest) == b'{"bomFormat": "CycloneDX"}'
    assert store.put(b'{"bomFormat": "CycloneDX"}')[0] == digest
    assert [p.name for p in tmp_path.rglob("*") if p.is_file()] == [digest]


def test_empty_blob(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, max_bytes=10)
    digest, size = store.put(b"")
    assert size == 0 and store.exists(digest)


def test_too_large_leaves_nothing_behind(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, max_bytes=1024)
    with pytest.raises(InputTooLarge, match=r"bom\.json: larger than the limit"):
        store.put_chunks(iter([b"x" * 1000, b"x" * 1000]), "bom.json")
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]


def test_path_refuses_anything_but_a_digest(tmp_path: Path) -> None:
    store = BlobStore(tmp_path, max_bytes=10)
    for bad in ("../../etc/passwd", "A" * 64, "0" * 63, ""):
        with pytest.raises(ValueError, match="not a sha256 digest"):
            store.path(bad)

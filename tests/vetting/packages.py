"""Fixture packages built at test time, and a fake PyPI/npm registry on a real HTTP server.

The archives are made in memory with tarfile/zipfile; the registry is
``tests.vulndb.feed_server.FeedServer`` (a real server on 127.0.0.1) serving the
PyPI JSON API (``/pypi/NAME/json``, ``/pypi/NAME/VERSION/json``), npm packuments
(``/NAME``, ``/@scope%2fname``) and the archives under ``/files/``.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import io
import json
import tarfile
import zipfile
from typing import Any

from assay.core.config import Settings
from tests.vulndb.feed_server import FeedServer

OLD = "2024-03-01T10:00:00.000000Z"  # well past the "too new" window
CLEAN_INIT = b'"""A harmless module."""\n\n\ndef add(a, b):\n    return a + b\n'
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56


def tar_gz(files: dict[str, bytes], *, links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return buffer.getvalue()


def zip_bytes(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def sha512_integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def settings_for(server: FeedServer, base: Settings | None = None, **changes: Any) -> Settings:
    settings = base or Settings.from_env()
    urls = {"pypi_url": server.url(""), "npm_url": server.url("")}
    return dataclasses.replace(settings, **{**urls, **changes})


def with_password(server: FeedServer, password: str = "S3cret") -> str:
    """The server's base URL with credentials in it, as an operator may configure a mirror."""
    return server.url("").replace("http://", f"http://svc:{password}@")


def publish_pypi(
    server: FeedServer,
    name: str,
    version: str,
    files: dict[str, bytes],
    *,
    uploaded: str = OLD,
    license: str | None = "MIT",
    other_versions: dict[str, str] | None = None,
    digests: dict[str, str] | None = None,
    yanked: bool = False,
) -> None:
    """Publish one release (files by file name: .whl are wheels, the rest sdists)."""
    entries = []
    for filename, data in files.items():
        entries.append(
            {
                "filename": filename,
                "packagetype": "bdist_wheel" if filename.endswith(".whl") else "sdist",
                "url": server.url(f"/files/{filename}"),
                "digests": {
                    "sha256": (digests or {}).get(filename, hashlib.sha256(data).hexdigest())
                },
                "size": len(data),
                "upload_time_iso_8601": uploaded,
                "yanked": yanked,
            }
        )
        server.put(f"/files/{filename}", data)
    releases: dict[str, Any] = {version: entries}
    for other, when in (other_versions or {}).items():
        releases[other] = [
            {
                "filename": f"{name}-{other}.tar.gz",
                "packagetype": "sdist",
                "url": server.url(f"/files/{name}-{other}.tar.gz"),
                "digests": {"sha256": "0" * 64},
                "upload_time_iso_8601": when,
                "yanked": False,
            }
        ]
    info: dict[str, Any] = {"name": name, "version": version, "license": license, "classifiers": []}
    server.put(f"/pypi/{name}/json", json.dumps({"info": info, "releases": releases}).encode())
    detail = {**info, "requires_dist": ["idna>=2"]}
    server.put(
        f"/pypi/{name}/{version}/json", json.dumps({"info": detail, "urls": entries}).encode()
    )


def npm_path(name: str) -> str:
    return "/" + name.replace("/", "%2f")


def publish_npm(
    server: FeedServer,
    name: str,
    version: str,
    tarball: bytes,
    *,
    scripts: dict[str, str] | None = None,
    published: str = OLD,
    integrity: str | None = None,
    maintainers: int = 2,
) -> None:
    filename = f"{name.rsplit('/', 1)[-1]}-{version}.tgz"
    server.put(f"/files/{filename}", tarball)
    packument = {
        "name": name,
        "dist-tags": {"latest": version},
        "maintainers": [{"name": f"m{i}"} for i in range(maintainers)],
        "license": "MIT",
        "time": {"created": published, version: published},
        "versions": {
            version: {
                "name": name,
                "version": version,
                "license": "MIT",
                "scripts": scripts or {},
                "dist": {
                    "tarball": server.url(f"/files/{filename}"),
                    "integrity": integrity or sha512_integrity(tarball),
                },
            }
        },
    }
    server.put(npm_path(name), json.dumps(packument).encode())


def npm_tarball(files: dict[str, bytes], scripts: dict[str, str] | None = None) -> bytes:
    manifest = {"name": "x", "version": "1.0.0", "scripts": scripts or {}}
    return tar_gz(
        {
            "package/package.json": json.dumps(manifest).encode(),
            **{f"package/{k}": v for k, v in files.items()},
        }
    )

"""Installed distributions: a fake site-packages built per test, and this project's own venv."""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.core.errors import InputTooLarge
from assay.sbom.catalogers import python_installed
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.catalogers.python_installed import PythonInstalledCataloger
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    format_text,
    garbage_10mb,
)

CAT = PythonInstalledCataloger()


def dist(
    site: Path,
    dirname: str,
    headers: str,
    *,
    requested: bool = False,
    installer: str | None = None,
    record: bool = True,
    body: str = "",
) -> Path:
    """Write ``site/dirname/METADATA`` (or PKG-INFO for .egg-info) and its companions."""
    folder = site / dirname
    folder.mkdir(parents=True)
    meta = folder / ("PKG-INFO" if dirname.endswith(".egg-info") else "METADATA")
    data = (headers.strip("\n") + "\n\n" + body).encode()
    meta.write_bytes(data)
    if requested:
        (folder / "REQUESTED").write_text("")
    if installer is not None:
        (folder / "INSTALLER").write_text(installer + "\n")
    if record:
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        (folder / "RECORD").write_text(
            f"pkg/__init__.py,sha256=AAAA,10\n{dirname}/{meta.name},sha256={digest},{len(data)}\n"
            f"{dirname}/RECORD,,\n"
        )
    return meta


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return tmp_path / "lib" / "python3.11" / "site-packages"


def test_matches_metadata_files_only() -> None:
    assert CAT.matches(Path("sp/httpx-0.28.1.dist-info/METADATA"))
    assert CAT.matches(Path("sp/six-1.16.0-py3.11.egg-info/PKG-INFO"))
    assert not CAT.matches(Path("sp/httpx-0.28.1.dist-info/RECORD"))
    assert not CAT.matches(Path("sp/httpx/METADATA"))
    assert not CAT.matches(Path("sdist-1.0/PKG-INFO"))
    assert CAT.matches(Path("lib/site-packages/six.egg-info/PKG-INFO"))
    assert not CAT.matches(Path("project/src/assay.egg-info/PKG-INFO"))  # a develop build


def test_full_distribution(site: Path) -> None:
    meta = dist(
        site,
        "demo_pkg-1.2.0.dist-info",
        """
Metadata-Version: 2.4
Name: Demo_Pkg
Version: 1.2.0
Summary: A demo
  package
Author-email: Ann <ann@example.com>
License-Expression: mit OR apache-2.0
Project-URL: Homepage, https://example.com
Project-URL: Source Code, https://github.com/example/demo
Project-URL: Bug Tracker, https://github.com/example/demo/issues
Project-URL: Funding, https://example.com/fund
Requires-Dist: Requests>=2 ; python_version >= "3.8"
Requires-Dist: pysocks ; extra == "socks"
Requires-Dist: not-installed
""",
        requested=True,
        body="Long description\n\nName: ignored\n",
    )
    dist(site, "requests-2.32.3.dist-info", "Name: requests\nVersion: 2.32.3\n")
    dist(site, "PySocks-1.7.1.dist-info", "Name: PySocks\nVersion: 1.7.1\n")
    bom = CAT.read(meta)
    (comp,) = bom.components
    expected = hashlib.sha256(meta.read_bytes()).hexdigest()
    assert (comp.name, comp.version, comp.direct) == ("Demo_Pkg", "1.2.0", True)
    assert comp.purl == "pkg:pypi/demo-pkg@1.2.0"
    assert comp.licenses == "MIT OR Apache-2.0"
    assert comp.hashes == (("SHA-256", expected),)
    assert comp.author == "Ann <ann@example.com>"
    assert comp.description == "A demo package"
    assert comp.external_refs == (
        ("website", "https://example.com"),
        ("vcs", "https://github.com/example/demo"),
        ("issue-tracker", "https://github.com/example/demo/issues"),
        ("other", "https://example.com/fund"),
    )
    assert comp.source == str(meta)
    # the extra's dependency and the missing one give no edge
    assert bom.edges == {("PyPI:Demo_Pkg@1.2.0", "PyPI:requests@2.32.3")}
    assert bom.warnings == []


@pytest.mark.parametrize(
    ("headers", "licenses", "properties"),
    [
        ("License: mit\n", "MIT", ()),
        (
            "License: MIT License\nClassifier: License :: OSI Approved :: MIT License\n",
            "MIT",
            (("assay:license-text", "MIT License"),),
        ),
        (
            "License: Copyright (c) Ann\n  Permission is hereby granted\n"
            "Classifier: License :: OSI Approved :: Apache Software License\n"
            "Classifier: License :: OSI Approved :: MIT License\n",
            "Apache-2.0 AND MIT",
            (("assay:license-text", "Copyright (c) Ann Permission is hereby granted"),),
        ),
        ("Classifier: License :: OSI Approved :: BSD License\n", None, ()),  # ambiguous
        ("License: UNKNOWN\n", None, ()),
        ("License-Expression: LicenseRef-Custom\n", "LicenseRef-Custom", ()),
    ],
)
def test_licence_sources(
    site: Path, headers: str, licenses: str | None, properties: tuple[tuple[str, str], ...]
) -> None:
    meta = dist(site, "a-1.dist-info", "Name: a\nVersion: 1\n" + headers)
    (comp,) = CAT.read(meta)
    assert (comp.licenses, comp.properties) == (licenses, properties)


@pytest.mark.parametrize(
    ("requested", "installer", "direct"),
    [(True, None, True), (False, "pip", False), (False, "uv", False), (False, "conda", None)],
)
def test_direct_from_requested(
    site: Path, requested: bool, installer: str | None, direct: bool | None
) -> None:
    meta = dist(site, "a-1.dist-info", "Name: a\nVersion: 1\n", requested=requested,
                installer=installer)  # fmt: skip
    (comp,) = CAT.read(meta)
    assert comp.direct is direct


def test_special_installer_file_is_not_opened(site: Path) -> None:
    meta = dist(site, "a-1.dist-info", "Name: a\nVersion: 1\n")
    os.mkfifo(site / "a-1.dist-info" / "INSTALLER")  # reading it would block forever
    (comp,) = CAT.read(meta)
    assert comp.direct is None


def test_egg_info_and_maintainer(site: Path) -> None:
    meta = dist(
        site,
        "old_pkg-0.9-py3.11.egg-info",
        "Metadata-Version: 1.1\nName: old-pkg\nVersion: 0.9\nMaintainer: Bob\nHome-page: UNKNOWN\n",
        record=False,
    )
    (comp,) = CAT.read(meta)
    assert (comp.name, comp.version, comp.author, comp.hashes, comp.external_refs) == (
        "old-pkg",
        "0.9",
        "Bob",
        (),
        (),
    )


def test_broken_neighbour_and_record_do_not_fail_this_file(site: Path) -> None:
    meta = dist(site, "a-1.dist-info", "Name: a\nVersion: 1\nRequires-Dist: b\nRequires-Dist: c\n")
    (site / "a-1.dist-info" / "RECORD").write_bytes(b"a-1.dist-info/METADATA,sha256=!!!,1\n")
    (site / "b-2.dist-info").mkdir()
    (site / "b-2.dist-info" / "METADATA").write_bytes(b"\x00\x01binary")
    dist(site, "c-3.dist-info", "Name: c\nVersion: 3\n")
    bom = CAT.read(meta)
    assert bom.components[0].hashes == ()
    assert bom.edges == {("PyPI:a@1", "PyPI:c@3")}


def test_real_environment() -> None:
    """This project's own interpreter: versions agree with importlib.metadata."""
    site = Path(str(importlib.metadata.distribution("httpx").locate_file("")))
    assert site.is_dir(), site
    found: dict[str, str] = {}
    edges: set[tuple[str, str]] = set()
    for meta in sorted(site.glob("*.dist-info/METADATA")):
        bom = CAT.read(meta)
        comp = bom.components[0]
        found[comp.key_name] = comp.version
        edges |= bom.edges
        assert comp.hashes and comp.hashes[0][0] == "SHA-256", meta
    for name in ("sqlalchemy", "httpx", "packaging", "license-expression"):
        assert found[name] == importlib.metadata.version(name), name
    httpx = f"PyPI:httpx@{found['httpx']}"
    assert any(a == httpx and b.startswith("PyPI:httpcore@") for a, b in edges)


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(site: Path, case: str) -> None:
    data, reason = common_cases()[case]
    (site / "a-1.dist-info").mkdir(parents=True)
    path = site / "a-1.dist-info" / "METADATA"
    path.write_bytes(data)
    assert_refused(CAT, path, reason)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ('{"name": "a"}\n', "not a core metadata file", 1),
        ("Metadata-Version: 2.1\nVersion: 1\n", "no Name header", None),
        ("Metadata-Version: 2.1\nName: a\n", "no Version header", None),
        ("Name: a\nVersion:\n", r"Version \(empty\) is not valid", 2),
        ("Name: a\x1b[31m\nVersion: 1\n", r"Name a\\x1b\[31m is not valid", 1),
        ("\n\nName: a\nVersion: 1\n", "not a core metadata file", 1),  # headers first
        ("Name: " + "n" * 5000 + "\nVersion: 1\n", "is not valid", 1),
    ],
)
def test_bad_documents(site: Path, text: str, reason: str, line: int | None) -> None:
    (site / "a-1.dist-info").mkdir(parents=True)
    path = site / "a-1.dist-info" / "METADATA"
    path.write_text(text)
    assert_refused(CAT, path, reason, line=line)


def test_garbage_and_oversized(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (site / "a-1.dist-info").mkdir(parents=True)
    path = site / "a-1.dist-info" / "METADATA"
    path.write_bytes(garbage_10mb())
    assert_refused(CAT, path, "not a core metadata file", line=1)
    monkeypatch.setattr(python_installed, "MAX_METADATA", 1024)
    path.write_text("Name: a\nVersion: 1\n\n" + "x" * 2048)
    with pytest.raises(InputTooLarge, match="over the 1,024-byte limit"):
        CAT.read(path)


@settings(max_examples=80, deadline=None)
@given(
    format_text(
        [
            "Name: a\n",
            "Version: 1\n",
            "License: ",
            "License-Expression: ",
            "MIT",
            " OR ",
            "Classifier: License :: OSI Approved :: MIT License\n",
            "Requires-Dist: ",
            "Project-URL: ",
            "Home-page: ",
            ", ",
            "\n",
            "\n\n",
            "  ",
            ":",
            "extra == 'x'",
            "Author: ",
            "\r\n",
            "\udcff",
        ]
    )
)
def test_never_crashes_on_any_header_text(text: str) -> None:
    """Any text either reads or raises InvalidLockfile naming the file; nothing else escapes."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "site-packages" / "a-1.dist-info"
        folder.mkdir(parents=True)
        path = folder / "METADATA"
        path.write_bytes(text.encode("utf-8", errors="surrogateescape"))
        try:
            CAT.read(path)
        except InvalidLockfile as exc:
            assert str(exc).startswith(str(path)), str(exc)
            assert "\n" not in str(exc)

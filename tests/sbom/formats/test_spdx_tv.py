from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from assay.core.errors import InputTooLarge
from assay.sbom.formats.spdx_json import SpdxJsonReader
from assay.sbom.formats.spdx_tv import SpdxTagValueReader, lines_of
from assay.sbom.model import Bom
from tests.sbom.formats._bad import assert_refused

DATA = Path(__file__).parent / "testdata"
TV = DATA / "full-2.3.spdx"
JSON = DATA / "full-2.3.spdx.json"
READER = SpdxTagValueReader()
HEADER = "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n"


def comparable(bom: Bom) -> tuple[object, ...]:
    def plain(c: object) -> object:
        return dataclasses.replace(c, source="") if c is not None else None  # type: ignore[type-var]

    return (
        [plain(c) for c in bom.components],
        bom.edges,
        plain(bom.subject),
        bom.authors,
        bom.tools,
        bom.timestamp,
        bom.serial,
        bom.spec,
        bom.metadata,
        [w.split(": ", 1)[1] for w in bom.warnings],
    )


def test_reads_like_the_json_encoding_of_the_same_document() -> None:
    bom = READER.read(TV)
    assert comparable(bom) == comparable(SpdxJsonReader().read(JSON))
    express, debug = bom.components
    assert (express.bom_ref, express.kind, express.supplier, express.author) == (
        "SPDXRef-express",
        "framework",
        "OpenJS Foundation",
        "TJ Holowaychuk",
    )
    # <text> values span lines; a "Tag:" inside them is text
    assert express.description == (
        "Fast, unopinionated, minimalist web framework.\nVersion: not a tag inside text"
    )
    assert ("spdx:licenseDeclared", "(MIT OR Apache-2.0)") in express.properties
    assert express.hashes[1] == (
        "SHA-256",
        "d9e4c2a1b0f8e7d6c5b4a392817161514131211100f0e0d0c0b0a09080706050",
    )
    assert express.cpe == "cpe:2.3:a:expressjs:express:4.17.1:*:*:*:*:*:*:*"
    assert express.external_refs == (
        ("website", "https://expressjs.com/"),
        ("distribution", "https://registry.npmjs.org/express/-/express-4.17.1.tgz"),
    )
    assert debug.external_refs == (("vcs", "git+https://github.com/debug-js/debug.git"),)
    assert (express.direct, debug.direct) == (True, False)
    assert bom.edges == {("SPDXRef-express", "SPDXRef-debug")}
    assert bom.subject is not None
    assert (bom.subject.name, bom.subject.kind, bom.subject.supplier, bom.subject.purl) == (
        "shop",
        "application",
        "Example Bank",
        None,
    )
    assert bom.authors == ["Jane Doe (jane@example.com)", "Example Bank"]
    assert bom.tools == ["sbom-maker-2.1.0"]
    assert (bom.timestamp, bom.spec) == ("2026-11-23T10:00:00Z", "SPDX 2.3")
    assert bom.serial == "https://example.com/spdx/shop-3.0.0"
    # the file's SPDXID after FileName is the file's, not the package's
    assert "SPDXRef-file-index" not in {c.bom_ref for c in bom}


def test_lines_keep_their_numbers() -> None:
    tags = lines_of(TV)
    assert tags[0] == (2, "SPDXVersion", "SPDX-2.3")
    description = next(t for t in tags if t[1] == "PackageDescription")
    assert description[0] == 50


def test_spdx_2_2_and_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "doc.spdx"
    path.write_text(
        "\ufeff# comment\n\nSPDXVersion: SPDX-2.2\n  PackageName: a\nSPDXID: SPDXRef-a\n"
        "PackageVersion: 1.0\nExternalRef: PACKAGE-MANAGER purl pkg:pypi/a@1.0\n"
        "Relationship: SPDXRef-DOCUMENT DESCRIBES SPDXRef-a\nUnknownTag: kept quiet\n"
    )
    bom = READER.read(path)
    assert [(c.ecosystem, c.name, c.version, c.bom_ref) for c in bom] == [
        ("PyPI", "a", "1.0", "SPDXRef-a")
    ]
    assert bom.spec == "SPDX 2.2" and bom.subject is not None


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("", "file is empty", None),
        ("\n\n# only comments\n", "an SPDX tag-value document starts with SPDXVersion", None),
        ("DataLicense: CC0-1.0\nSPDXVersion: SPDX-2.3\n", "starts with SPDXVersion", 1),
        ("SPDXVersion: SPDX-2.1\n", "unsupported SPDXVersion 'SPDX-2.1'", 1),
        ("SPDXVersion: SPDX-3.0\n", "unsupported SPDXVersion", 1),
        (HEADER + "this is not a tag\n", "expected 'Tag: value'", 4),
        (HEADER + "PackageName: a\nPackageComment: <text>never\nclosed\n", "never closed", 5),
        (HEADER + "Relationship: SPDXRef-a DEPENDS_ON\n", "Relationship needs", 4),
        (HEADER + "PackageName: a\nExternalRef: PACKAGE-MANAGER purl\n", "ExternalRef needs", 5),
        (HEADER + "PackageName: a\nPackageChecksum: d41d8cd98f00b204\n", "PackageChecksum", 5),
        ('{"spdxVersion": "SPDX-2.3"}', "expected 'Tag: value'", 1),
    ],
    ids=[
        "empty",
        "comments-only",
        "version-not-first",
        "spdx-2.1",
        "spdx-3",
        "not-a-tag",
        "unclosed-text",
        "short-relationship",
        "short-external-ref",
        "checksum-without-algorithm",
        "json",
    ],
)
def test_bad_documents(tmp_path: Path, text: str, reason: str, line: int | None) -> None:
    path = tmp_path / "doc.spdx"
    path.write_text(text)
    assert_refused(READER, path, reason, line)


def test_binary_and_oversized_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "doc.spdx"
    path.write_bytes(b"SPDXVersion: SPDX-2.3\n\x00\x01\x02")
    assert_refused(READER, path, "binary file")
    path.write_bytes(HEADER.encode() * 100_000)
    monkeypatch.setenv("ASSAY_MAX_INPUT_MB", "1")
    with pytest.raises(
        InputTooLarge, match=r"doc.spdx: file is 6,800,000 bytes, over the 1,048,576"
    ):
        READER.read(path)


def test_shared_examples_read_like_their_json_twins(shared_data: Path) -> None:
    base = shared_data / "sbom/spdx-examples"
    for version in ("2.2", "2.3"):
        tv = READER.read(base / f"spdx-spec-v{version}/examples/SPDXTagExample-v{version}.spdx")
        twin = SpdxJsonReader().read(
            base / f"spdx-spec-v{version}/examples/SPDXJSONExample-v{version}.spdx.json"
        )
        assert (
            [c.purl for c in tv]
            == [c.purl for c in twin]
            == [None, "pkg:maven/org.apache.jena/apache-jena@3.12.0", None]
        )
        assert tv.subject is not None and twin.subject is not None
        assert dataclasses.replace(tv.subject, source="") == dataclasses.replace(
            twin.subject, source=""
        )
        assert (tv.tools, tv.timestamp, tv.serial) == (twin.tools, twin.timestamp, twin.serial)
    repo = sorted((base / "spdx-examples-repo/software").rglob("*.spdx"))
    assert len(repo) == 12
    for path in repo:
        bom = READER.read(path)
        assert bom.spec == "SPDX 2.2" and bom.subject is not None, path

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.sbom.catalogers.gradle_verification import GradleVerificationCataloger
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    format_text,
    garbage_10mb,
    read_or_refuse,
    run_common,
    write,
)

DATA = Path(__file__).parent / "testdata" / "gradle_verification"
CAT = GradleVerificationCataloger()
HEAD = b'<verification-metadata xmlns="https://schema.gradle.org/dependency-verification">\n'


def doc(components: bytes) -> bytes:
    return HEAD + b"<components>\n" + components + b"\n</components></verification-metadata>"


@pytest.mark.parametrize(
    ("path", "claimed"),
    [
        ("gradle/verification-metadata.xml", True),
        ("repo__gradle__verification-metadata.xml", True),
        ("verification-metadata.xml", False),  # only inside a gradle/ folder
        ("docs/verification-metadata.xml", False),
        ("gradle/verification-keyring.keys", False),
    ],
)
def test_matches(path: str, claimed: bool) -> None:
    assert CAT.matches(Path(path)) is claimed


def test_components_and_main_artifact_hashes() -> None:
    path = DATA / "project" / "gradle" / "verification-metadata.xml"
    bom = CAT.read(path)
    got = {(c.name, c.version): (c.hashes, c.properties) for c in bom}
    assert got == {
        ("com.google.guava:guava", "31.1-jre"): (
            (
                ("SHA-256", "a4dfdec8b4a3dbe5b2e4ce8f1f7f9f0b0c1e7a1f7c6f1c6a6e9d1f2c3b4a5968"),
                ("SHA-512", "3" * 128),
            ),
            (("gradle:artifact", "guava-31.1-jre.jar"),),
        ),
        ("com.google.guava:guava-parent", "31.1-jre"): (
            (("SHA-1", "5" * 40),),
            (("gradle:artifact", "guava-parent-31.1-jre.pom"),),
        ),
        ("org.jetbrains.kotlin:kotlin-stdlib", "1.9.0"): (
            (("MD5", "6" * 32),),
            (("gradle:artifact", "kotlin-stdlib-1.9.0-all.klib"),),
        ),
        ("org.empty:nothing", "1.0"): ((), ()),
    }
    guava = bom.components[0]
    assert guava.purl == "pkg:maven/com.google.guava/guava@31.1-jre"
    assert guava.namespace == "com.google.guava" and guava.direct is None
    assert bom.warnings == [
        f"{path}: verification metadata lists every artifact the build verified, plugins and "
        "test dependencies included; scopes and direct dependencies are unknown"
    ]


def test_duplicate_components_merge(tmp_path: Path) -> None:
    sha = b"a" * 64
    data = doc(
        b'<component group="g" name="a" version="1"/>\n'
        b'<component group="g" name="a" version="1"><artifact name="a-1.jar">'
        b'<sha256 value="' + sha + b'"/></artifact></component>'
    )
    (c,) = CAT.read(write(tmp_path, "verification-metadata.xml", data))
    assert c.hashes == (("SHA-256", "a" * 64),)


@pytest.mark.parametrize("case", sorted(c for c in common_cases() if c != "latin1"))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "verification-metadata.xml", case)


@pytest.mark.parametrize(
    ("data", "reason", "line"),
    [
        (doc(b'<component name="a" version="1"/>'), r"attribute 'group' must be a non-empty", 3),
        (
            doc(b'<component group="g" name="a" version=""/>'),
            r"<component> attribute 'version' must be a non-empty string",
            3,
        ),
        (
            doc(
                b'<component group="g" name="a" version="1">\n<artifact name="a.jar">\n'
                b'<sha256 value="xyz"/></artifact></component>'
            ),
            r"g:a:1: sha256 xyz is not a valid digest",
            5,
        ),
        (
            doc(b'<component group="g&#10;x" name="a" version="1"/>'),
            r"attribute 'group' g\\nx has control characters",
            3,
        ),
        (HEAD + b"<components>\n<component", r"invalid XML: unclosed token", 3),
        (b"<project/>", r"root element is <project>, expected <verification-metadata>", 1),
        (b"name = 'x'\n", r"invalid XML: syntax error", 1),
    ],
)
def test_malformed_refused(tmp_path: Path, data: bytes, reason: str, line: int) -> None:
    path = write(tmp_path, "verification-metadata.xml", data)
    assert_refused(CAT, path, reason, line=line)


@pytest.mark.parametrize(
    "data",
    [
        b'<?xml version="1.0"?>\n<!DOCTYPE v [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        b'<verification-metadata><components><component group="&x;" name="a" version="1"/>'
        b"</components></verification-metadata>",
        b'<!DOCTYPE v [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>\n'
        b"<verification-metadata>&b;</verification-metadata>",
    ],
    ids=["external-entity", "entity-expansion"],
)
def test_hostile_xml_refused(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, "verification-metadata.xml", data)
    assert_refused(CAT, path, r"XML \w+ declarations are not accepted")


def test_garbage_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "verification-metadata.xml", garbage_10mb())
    assert_refused(CAT, path, "invalid XML", line=1)


@settings(max_examples=150, deadline=None)
@given(
    format_text(
        [
            HEAD.decode(),
            "</verification-metadata>",
            "<components>",
            "</components>",
            '<component group="g" name="a" version="1">',
            "</component>",
            '<artifact name="a-1.jar">',
            "</artifact>",
            '<sha256 value="' + "b" * 64 + '"/>',
            '<sha1 value="zz"/>',
            "\n",
        ]
    )
)
def test_any_text_reads_or_refuses(text: str) -> None:
    read_or_refuse(CAT, "verification-metadata.xml", text.encode())

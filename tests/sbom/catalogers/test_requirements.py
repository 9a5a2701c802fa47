from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings

from assay.core.errors import InputError, InputTooLarge
from assay.sbom.catalogers.interface import InvalidLockfile
from assay.sbom.catalogers.requirements import MAX_DEPTH, RequirementsCataloger
from assay.sbom.model import Bom
from tests.sbom.catalogers._hostile import (
    assert_refused,
    common_cases,
    format_text,
    garbage_10mb,
    read_or_refuse,
    run_common,
    write,
)

DATA = Path(__file__).parent / "testdata" / "requirements"
CAT = RequirementsCataloger()


def versions(bom: Bom) -> dict[str, str]:
    return {c.name: c.version for c in bom}


@pytest.mark.parametrize(
    ("name", "claimed"),
    [
        ("requirements.txt", True),
        ("requirements-dev.txt", True),
        ("dev-requirements.txt", True),
        ("app__requirements.txt", True),
        ("constraints.txt", True),
        ("constraints-py311.txt", True),
        ("requirements.in", False),
        ("README.txt", False),
        ("poetry.lock", False),
    ],
)
def test_matches_by_name(name: str, claimed: bool) -> None:
    assert CAT.matches(Path("/x") / name) is claimed


def test_plain_file_pins_extras_markers_hashes_includes_and_warnings() -> None:
    path = DATA / "plain" / "requirements.txt"
    bom = CAT.read(path)
    assert versions(bom) == {
        "certifi": "2022.6.15",  # from -r base-requirements.txt
        "idna": "3.3",
        "Django": "4.0.4",
        "requests": "2.28.1",  # extras and marker: kept, marker not evaluated
        "PyYAML": "5.1",  # ===
        "cryptography": "37.0.2",
        "flask": "2.1.2",  # flask>=2.0 pinned by -c constraints.txt
        "urllib3": "1.26.5",  # parenthesised specifier
    }
    by_name = {c.name: c for c in bom}
    assert by_name["certifi"].source == str(DATA / "plain" / "base-requirements.txt")
    assert by_name["Django"].source == str(path)
    assert by_name["cryptography"].hashes == (
        ("SHA-256", "2bd1096476aaac820426239ab534b636c77d71af66c547b9ddcd76eb9c79e004"),
        ("SHA-256", "31fe38d14d2e5f787e0aecef831457da6cec68e0bb09a35835b0b44ae8b988fe"),
    )
    assert all(c.direct is True and c.ecosystem == "PyPI" for c in bom)
    # jinja2 is only constrained, never required: not a component
    assert "jinja2" not in by_name
    text = "\n".join(bom.warnings)
    assert f"{path}:12: sqlalchemy is not pinned; not scanned" in bom.warnings
    assert f"{path}:13: editable requirement" in text
    assert f"{path}:14: https://files.pypi-mirror.example/packages/six" in text
    assert f"{path}:15: ./vendor/localpkg is a URL or path requirement" in text
    assert f"{path}:16: pillow @ https://" in text
    assert len(bom.warnings) == 5


def test_pip_compile_via_comments_give_direct_and_edges() -> None:
    bom = CAT.read(DATA / "compiled" / "requirements.txt")
    direct = {c.name: c.direct for c in bom}
    assert direct == {
        "aiohttp": True,
        "aiohttp-jinja2": True,
        "aiosignal": False,
        "jinja2": False,
        "markupsafe": False,
        "mypkg": True,  # via myproject (pyproject.toml)
    }
    assert ("PyPI:aiohttp@3.8.1", "PyPI:aiosignal@1.2.0") in bom.edges
    assert ("PyPI:aiohttp-jinja2@1.5", "PyPI:aiohttp@3.8.1") in bom.edges
    assert ("PyPI:jinja2@3.1.2", "PyPI:markupsafe@2.1.1") in bom.edges
    assert len(bom.edges) == 4
    assert all(len(c.hashes) == 1 for c in bom)


def test_include_cycle_is_a_warning_and_each_file_read_once() -> None:
    path = DATA / "cycle" / "requirements.txt"
    bom = CAT.read(path)
    assert versions(bom) == {"six": "1.16.0", "idna": "3.3"}
    assert len(bom.warnings) == 1
    assert "include cycle" in bom.warnings[0]
    assert bom.warnings[0].startswith(f"{DATA / 'cycle' / 'requirements-extra.txt'}:2: ")


def test_include_outside_project_followed_but_urls_never() -> None:
    bom = CAT.read(DATA / "outside" / "project" / "requirements.txt")
    assert versions(bom) == {"packaging": "21.3", "attrs": "22.1.0"}
    assert any("included URL https://example.invalid" in w for w in bom.warnings)


def test_shared_pygoat(shared_data: Path) -> None:
    path = shared_data / "lockfiles/pypi/adeyosemanputra__pygoat__ff35510457__requirements.txt"
    assert CAT.matches(path)
    bom = CAT.read(path)
    assert len(bom) == 42
    assert not bom.warnings
    got = versions(bom)
    assert got["Django"] == "4.0.4"
    assert got["cryptography"] == "37.0.2"
    assert got["PyYAML"] == "5.1"
    assert all(c.direct for c in bom)


def test_shared_dvpwa_old_pip_compile(shared_data: Path) -> None:
    bom = CAT.read(shared_data / "lockfiles/pypi/anxolerd__dvpwa__5ee2dc2350__requirements.txt")
    assert len(bom) == 18
    got = versions(bom)
    assert (got["aiohttp"], got["jinja2"], got["pyyaml"], got["idna"]) == (
        "3.5.3",
        "2.10",
        "3.13",
        "2.8",
    )
    direct = {c.name for c in bom if c.direct}
    assert direct == {
        "aiohttp-jinja2",
        "aiohttp-session",
        "aiohttp",
        "aiopg",
        "aioredis",
        "pyyaml",
        "trafaret-config",
        "trafaret",
    }
    assert ("PyPI:aioredis@1.2.0", "PyPI:hiredis@0.3.1") in bom.edges


@pytest.mark.parametrize("case", sorted(common_cases()))
def test_common_bad_inputs(tmp_path: Path, case: str) -> None:
    run_common(CAT, tmp_path, "requirements.txt", case)


@pytest.mark.parametrize(
    ("text", "reason", "line"),
    [
        ("django==4.0\nflask==\n", "invalid requirement flask==", 2),  # truncated
        ("a==1 \\\n  --hash=sha256:abc\n", "invalid hash sha256:abc", 1),  # cut hash
        ('{"packages": {"django": "4.0"}}\n', "not a requirement", 1),  # JSON named .txt
        ("[[package]]\nname = 'x'\n", "not a requirement", 1),  # TOML named .txt
        ("django 4.0\n", "invalid requirement", 1),
        ("django[a b]==1\n", "invalid extra", 1),
        ("-r\n", "option -r needs a value", 1),
        ("-r missing.txt\n", "included file missing.txt not found", 1),
        ("a==1 --hash\n", "option --hash needs a value", 1),
        ("a==1 --hash=md5:d41d8cd98f00b204e9800998ecf8427e\n", "invalid hash", 1),
        ('-r "unclosed\n', "cannot split options", 1),
    ],
)
def test_bad_lines(tmp_path: Path, text: str, reason: str, line: int) -> None:
    path = write(tmp_path, "requirements.txt", text.encode())
    assert_refused(CAT, path, reason, line=line)


def test_huge_line(tmp_path: Path) -> None:
    path = write(tmp_path, "requirements.txt", b"django==1\n" + b"a" * (2 * 1024 * 1024))
    assert_refused(CAT, path, "line is over", line=2)


def test_huge_continued_line(tmp_path: Path) -> None:
    path = write(tmp_path, "requirements.txt", b"a==1 \\\n" * 300_000)
    assert_refused(CAT, path, "line is over", line=1)


def test_long_name_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "requirements.txt", b"a" * 5000 + b"==1\n")
    assert_refused(CAT, path, "package name is 5,000 characters long", line=1)


def test_garbage_10mb(tmp_path: Path) -> None:
    path = write(tmp_path, "requirements.txt", garbage_10mb())
    assert_refused(CAT, path, "not a requirement", line=1)


def test_deep_include_chain(tmp_path: Path) -> None:
    for i in range(MAX_DEPTH + 5):
        (tmp_path / f"requirements-{i}.txt").write_text(f"-r requirements-{i + 1}.txt\n")
    (tmp_path / f"requirements-{MAX_DEPTH + 5}.txt").write_text("six==1.16.0\n")
    exc = assert_refused(
        CAT,
        tmp_path / "requirements-0.txt",
        "includes nested deeper than",
        line=1,
        source=tmp_path / f"requirements-{MAX_DEPTH}.txt",
    )
    assert exc.source.endswith(f"requirements-{MAX_DEPTH}.txt")


def test_error_in_included_file_names_that_file(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("six==1.16.0\n-r base.txt\n")
    (tmp_path / "base.txt").write_text("ok==1\nbroken===\n")
    assert_refused(
        CAT,
        tmp_path / "requirements.txt",
        "invalid requirement",
        line=2,
        source=tmp_path / "base.txt",
    )


def test_comments_continuations_and_options(tmp_path: Path) -> None:
    text = (
        "--extra-index-url https://pypi-mirror.example/simple\n"
        "--pre\n"
        "# a comment line ending in a backslash \\\n"
        "six==1.16.0 # trailing comment\n"
        "attrs\\\n"
        "==22.1.0\n"
        "--frobnicate\n"
        "wheel==0.38 --no-such-option\n"
        "pytz==2022.1; sys_platform == 'win32'  # marker kept, not evaluated\n"
        "-rother-requirements.txt\n"
    )
    (tmp_path / "other-requirements.txt").write_text("idna==3.3\n")
    bom = CAT.read(write(tmp_path, "requirements.txt", text.encode()))
    assert versions(bom) == {
        "six": "1.16.0",
        "attrs": "22.1.0",
        "wheel": "0.38",
        "pytz": "2022.1",
        "idna": "3.3",
    }
    assert [w.split(": ", 1)[1] for w in bom.warnings] == [
        "unknown option --frobnicate ignored",
        "unknown option --no-such-option ignored",
    ]


def test_wildcard_and_range_are_not_pins(tmp_path: Path) -> None:
    text = "a==1.*\nb>=1,<2\nc~=1.4\nd!=1.0\n"
    bom = CAT.read(write(tmp_path, "requirements.txt", text.encode()))
    assert len(bom) == 0
    assert [w.split(": ", 1)[1] for w in bom.warnings] == [
        f"{spec} is not pinned; not scanned" for spec in ("a==1.*", "b>=1,<2", "c~=1.4", "d!=1.0")
    ]


def test_constraints_file_read_on_its_own(tmp_path: Path) -> None:
    bom = CAT.read(DATA / "plain" / "constraints.txt")
    assert versions(bom) == {"flask": "2.1.2", "jinja2": "3.1.2"}


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidLockfile, match=r"requirements.txt: cannot read"):
        CAT.read(tmp_path / "requirements.txt")
    (tmp_path / "dir-requirements.txt").mkdir()
    with pytest.raises(InvalidLockfile, match="not a regular file"):
        CAT.read(tmp_path / "dir-requirements.txt")


def test_file_over_the_input_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The size limit is the core's InputTooLarge (an InputError), raised before reading."""
    monkeypatch.setenv("ASSAY_MAX_INPUT_MB", "1")
    path = write(tmp_path, "requirements.txt", b"six==1.16.0\n" * 200_000)
    with pytest.raises(InputTooLarge, match="over the 1,048,576-byte limit") as info:
        CAT.read(path)
    assert isinstance(info.value, InputError)


@settings(max_examples=150, deadline=None)
@given(
    format_text(
        [
            "\n",
            " ",
            "\\\n",
            "a",
            "==",
            "1.0",
            "[x]",
            ";",
            "#",
            " # via ",
            "-r",
            "-c",
            "-e",
            "--hash=",
            "sha256:",
            "@",
            "://",
            "(",
            ")",
            ">=",
            ",",
            "*",
            "--",
            "=",
            "'",
            '"',
        ]
    )
)
def test_never_crashes(text: str) -> None:
    read_or_refuse(CAT, "requirements.txt", text.encode())


def test_one_name_at_too_many_versions(tmp_path: Path) -> None:
    text = "".join(f"a=={i}  # via a\n" for i in range(300))
    path = write(tmp_path, "requirements.txt", text.encode())
    assert_refused(CAT, path, "more than 256 versions")

"""Safe readers: every malformed or hostile input becomes an InputError naming the place."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.core.errors import InputError, InputTooLarge
from assay.core.inputs import (
    MAX_JSON_DEPTH,
    decode_text,
    load_json,
    parse_json,
    parse_toml,
    parse_yaml,
    read_bytes,
    read_text,
)


class Special(InputError):
    pass


def test_json_error_names_file_line_and_column() -> None:
    with pytest.raises(InputError, match=r"^f\.json:3: invalid JSON: .*column"):
        parse_json(b'{\n "a": 1,\n "b": }\n', "f.json")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b"  \n\t", "file is empty"),
        (b"\x00\x01binary", "binary file"),
        (b'{"a": [1, 2', "invalid JSON"),
        (b"\xff\xfe{}", "not valid UTF-8|invalid JSON"),
    ],
)
def test_bad_json(data: bytes, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse_json(data, "x.json")


def test_json_nesting_is_bounded() -> None:
    deep = b"[" * (MAX_JSON_DEPTH * 4) + b"]" * (MAX_JSON_DEPTH * 4)
    with pytest.raises(InputError, match="nested"):
        parse_json(deep, "deep.json")


def test_json_with_utf8_bom_is_read() -> None:
    assert parse_json(b'\xef\xbb\xbf{"a": 1}', "bom.json") == {"a": 1}


def test_error_subclass_is_used() -> None:
    with pytest.raises(Special):
        parse_json(b"{", "x.json", error=Special)


def test_yaml_keeps_timestamps_as_strings() -> None:
    doc = parse_yaml("modified: 2021-03-04T05:06:07Z\npublished: 2021-03-04\n", "a.yaml")
    assert doc == {"modified": "2021-03-04T05:06:07Z", "published": "2021-03-04"}


def test_yaml_billion_laughs_is_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n"
    for i in range(1, 9):
        bomb += f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]\n"
    with pytest.raises(InputError, match=r"^bomb\.yaml:1: YAML anchors and aliases"):
        parse_yaml(bomb, "bomb.yaml")


def test_yaml_ampersand_inside_strings_is_fine() -> None:
    assert parse_yaml("summary: 'Tom & *Jerry'\n", "ok.yaml") == {"summary": "Tom & *Jerry"}


def test_yaml_refuses_python_objects() -> None:
    with pytest.raises(InputError, match="invalid YAML"):
        parse_yaml("x: !!python/object/apply:os.system ['true']\n", "evil.yaml")


def test_yaml_syntax_error_has_a_line() -> None:
    with pytest.raises(InputError, match=r"^y\.yaml:2: invalid YAML"):
        parse_yaml("a: [1, 2\nb: : :\n", "y.yaml")


def test_toml_error_has_a_line() -> None:
    with pytest.raises(InputError, match=r"^p\.toml:2: invalid TOML"):
        parse_toml("a = 1\nb = = 2\n", "p.toml")


def test_read_bytes_enforces_the_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2048)
    with pytest.raises(
        InputTooLarge, match=r"big\.json: file is 2,048 bytes, over the 1,024-byte limit"
    ):
        read_bytes(big, limit=1024)


def test_read_bytes_refuses_directories_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a regular file"):
        read_bytes(tmp_path)
    with pytest.raises(InputError, match="cannot read"):
        read_bytes(tmp_path / "missing")


def test_read_text_refuses_invalid_utf8_with_line(tmp_path: Path) -> None:
    f = tmp_path / "req.txt"
    f.write_bytes(b"a==1\nb==2\n\xc3\x28==3\n")
    with pytest.raises(InputError, match=r"req\.txt:3: not valid UTF-8"):
        read_text(f)


def test_decode_text_drops_bom() -> None:
    assert decode_text(b"\xef\xbb\xbfhello", "x") == "hello"


def test_load_json_reads_a_file(tmp_path: Path) -> None:
    f = tmp_path / "a.json"
    f.write_text('{"k": [1]}')
    assert load_json(f) == {"k": [1]}


@pytest.mark.parametrize("text", ["[" * 30000 + "]" * 30000, "- " * 100000 + "x\n"])
def test_deep_yaml_is_refused_not_crashing_libyaml(text: str) -> None:
    with pytest.raises(InputError, match=r"^deep\.yaml:1: YAML nested deeper than 1000 levels"):
        parse_yaml(text, "deep.yaml")


def test_toml_error_at_end_of_document_names_the_last_line() -> None:
    with pytest.raises(InputError, match=r"^t\.toml:3: invalid TOML"):
        parse_toml("a = 1\nb = 2\n[c\n", "t.toml")

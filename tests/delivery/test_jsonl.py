"""The JSON Lines reader: streaming, strict by default, FILE:LINE: type: field errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from assay.delivery.jsonl import InvalidEvents, LineError, read_events

TESTDATA = Path(__file__).parent / "testdata"
GOOD = (
    '{"type":"defect","id":"B1","service":"s","created_at":"2026-01-01T00:00:00Z",'
    '"found_in":"testing"}'
)


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "events.jsonl"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    else:
        path.write_bytes(content)
    return path


def test_the_example_file_reads_in_order() -> None:
    events = list(read_events(TESTDATA / "events.jsonl"))
    assert [e.TYPE for e in events] == [
        "commit",
        "commit",
        "change",
        "pipeline_run",
        "deployment",
        "incident",
        "test_run",
        "coverage",
        "defect",
    ]


def test_the_first_bad_line_stops_with_file_line_type_and_field(tmp_path: Path) -> None:
    bad = GOOD.replace("2026-01-01T00:00:00Z", "2026-01-01T00:00:00")
    path = write(tmp_path, f"{GOOD}\n\n{bad}\n{GOOD}\n")
    with pytest.raises(InvalidEvents) as info:
        list(read_events(path))
    assert str(info.value) == (
        f"{path}:3: defect: created_at: not an ISO 8601 time with a zone "
        "(add Z or an offset such as +02:00)"
    )


def test_keep_going_collects_bad_lines_and_reads_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, f'{GOOD}\n{{"type": "nope"}}\nnot json\n[1]\n{GOOD}\n')
    errors: list[LineError] = []
    events = list(read_events(path, keep_going=True, errors=errors))
    assert len(events) == 2
    assert [e.line for e in errors] == [2, 3, 4]
    assert errors[0].reason.startswith("type: unknown event type 'nope'")
    assert errors[1].reason.startswith("invalid JSON: Expecting value")
    assert errors[2].reason == "expected a JSON object with a 'type', got a list"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "file is empty"),
        ("\n  \n\n", "file is empty"),
        (b"\x00\x01binary", "binary file"),
        (GOOD[:40] + "\n", ":1: invalid JSON: Expecting"),
        ('{"type": "defect", "id": "B1"', ":1: invalid JSON"),
        (b'{"type": "defect", "id": "\xff"}\n', ":1: not valid UTF-8 text"),
        ("[" * 100_000 + "]" * 100_000 + "\n", ":1: JSON nested deeper than 512 levels"),
        (
            '{"type": "incident", "id": "\\ud800", "service": "s"}\n',
            ":1: invalid JSON: a \\u escape",
        ),
        ("<?xml version='1.0'?><testsuites/>\n", ":1: invalid JSON"),
    ],
)
def test_hostile_and_wrong_input_is_refused(
    tmp_path: Path, content: str | bytes, message: str
) -> None:
    path = write(tmp_path, content)
    with pytest.raises(InvalidEvents) as info:
        list(read_events(path))
    assert message in str(info.value)
    assert str(info.value).startswith(str(path))


def test_a_huge_line_is_refused_without_being_read_whole(tmp_path: Path) -> None:
    path = write(tmp_path, f'{GOOD}\n{{"type": "defect", "title": "{"x" * 5000}"}}\n{GOOD}\n')
    with pytest.raises(InvalidEvents, match=r":2: line longer than 1,000 bytes"):
        list(read_events(path, max_line=1000))
    errors: list[LineError] = []
    events = list(read_events(path, max_line=1000, keep_going=True, errors=errors))
    assert len(events) == 2 and [e.line for e in errors] == [2]


def test_a_byte_order_mark_and_crlf_are_accepted(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xef\xbb\xbf" + GOOD.encode() + b"\r\n" + GOOD.encode())
    assert len(list(read_events(path))) == 2


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(InvalidEvents, match="no such file"):
        list(read_events(tmp_path / "nope.jsonl"))
    with pytest.raises(InvalidEvents, match="not a regular file"):
        list(read_events(tmp_path))


def test_the_size_limit_applies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSAY_MAX_INPUT_MB", "1")
    path = write(tmp_path, (GOOD + "\n") * 12_000)
    with pytest.raises(InvalidEvents, match="over the 1,048,576-byte limit"):
        list(read_events(path))

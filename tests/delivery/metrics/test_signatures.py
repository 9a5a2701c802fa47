"""Failure signatures: the varying parts of a failure message are replaced, the cause kept."""

from __future__ import annotations

import pytest

from assay.delivery.metrics.signatures import MAX_INPUT, MAX_SIGNATURE, normalise


@pytest.mark.parametrize(
    ("error_type", "message", "expected"),
    [
        (
            "AssertionError",
            "expected 200 got 503 at /tmp/run-81/x.py",
            "assertionerror: expected <n> got <n> at <path>",
        ),
        (
            "TimeoutError",
            "request 3F2A1B9C-1234-4ABC-9DEF-0123456789AB timed out after 30.5s",
            "timeouterror: request <uuid> timed out after <n>s",
        ),
        ("", "at 2026-03-29T10:09:00.123+02:00 and 10:09:01", "at <time> and <time>"),
        ("KeyError", "'user_42' missing", "keyerror: <str> missing"),
        ("E", 'no "key" in "other"', "e: no <str> in <str>"),
        ("E", "object at 0x7f3a2b1c, commit deadbeef12", "e: object at <hex>, commit <hex>"),
        ("E", "a word of hex letters: defaced", "e: a word of hex letters: defaced"),
        ("E", "C:\\Users\\bob\\x.py line 3", "e: <path> line <n>"),
        ("E", "  many\t\tspaces \n and lines  ", "e: many spaces and lines"),
        ("ValueError", "", "valueerror"),
        ("", "", "<no message>"),
    ],
)
def test_varying_parts_become_placeholders(error_type: str, message: str, expected: str) -> None:
    assert normalise(error_type, message) == expected


def test_the_same_cause_with_other_ids_has_one_signature() -> None:
    a = normalise("ConnectionError", "port 5432 refused by db-7 at /var/run/a1/sock after 3 tries")
    b = normalise("ConnectionError", "port 6543 refused by db-9 at /var/run/b2/sock after 12 tries")
    assert a == b
    assert normalise("ConnectionError", "refused") != normalise("TimeoutError", "refused")


def test_control_characters_become_spaces_and_unicode_is_kept() -> None:
    signature = normalise("E", "bad\x1b[31m red\x00 \u00e9t\u00e9 \u2603 \u0663\u0664")
    assert "\x1b" not in signature and "\x00" not in signature
    assert signature == "e: bad [<n>m red \u00e9t\u00e9 \u2603 \u0663\u0664"


def test_a_long_message_is_cut_to_200_characters() -> None:
    signature = normalise("E", "word " * 10_000)
    assert len(signature) == MAX_SIGNATURE
    assert signature.startswith("e: word word")


@pytest.mark.parametrize(
    "hostile",
    [
        '"' * 200_000,
        "'" * 200_000,
        "/" * 200_000,
        "\\" * 200_000,
        "a/" * 100_000,
        "0" * 200_000,
        "1-" * 100_000,
        "f" * 200_000,
        "2026-03-29 " * 20_000,
        "'a" * 100_000,
        "\x00" * 200_000,
    ],
)
def test_hostile_messages_are_read_only_up_to_a_bound(hostile: str) -> None:
    """Every pattern is linear and only MAX_INPUT characters are read: the work is bounded by
    the cut, not the message (compare with the cut message, no clock involved)."""
    assert normalise("E", hostile) == normalise("E", hostile[: MAX_INPUT - 3])
    assert len(normalise("E", hostile)) <= MAX_SIGNATURE


def test_a_near_miss_uuid_is_hex_and_numbers() -> None:
    assert normalise("E", "12345678-1234-1234-1234-12345678901") == "e: <hex>-<n>-<n>-<n>-<hex>"

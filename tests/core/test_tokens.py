"""Random secrets, API keys, digests and constant-time comparison."""

from __future__ import annotations

import re

from assay.core import tokens


def test_secrets_are_long_url_safe_and_unique() -> None:
    made = {tokens.new_secret() for _ in range(200)}
    assert len(made) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{43}", s) for s in made)  # 32 bytes of base64


def test_api_keys_carry_a_recognisable_prefix() -> None:
    key = tokens.new_api_key()
    assert key.startswith(tokens.KEY_PREFIX) and len(key) == len(tokens.KEY_PREFIX) + 43
    shown = tokens.display_prefix(key)
    assert shown == key[: len(tokens.KEY_PREFIX) + tokens.SHOWN_PREFIX_LENGTH]
    assert len(shown) == 14 and key != shown


def test_digest_is_sha256_hex_and_deterministic() -> None:
    assert tokens.digest("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )  # FIPS 180-2 test vector
    assert tokens.digest("é") == tokens.digest("é") != tokens.digest("e")


def test_same_compares_whole_strings() -> None:
    assert tokens.same("abc", "abc")
    assert not tokens.same("abc", "abd")
    assert not tokens.same("abc", "ab")
    assert not tokens.same("", "a")

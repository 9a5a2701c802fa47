"""argon2id password hashes: strength rule, verification, upgrade of weak hashes."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from assay.core import passwords

PASSWORD = "correct horse battery staple"


@pytest.mark.parametrize(
    ("candidate", "match"),
    [
        ("", "at least 12 characters"),
        ("elevenchars", "at least 12 characters"),
        (" twelve chars+", "must not start or end with spaces"),
        ("twelve chars+\n", "must not start or end with spaces"),
    ],
)
def test_weak_passwords_are_refused(candidate: str, match: str) -> None:
    with pytest.raises(passwords.WeakPassword, match=match):
        passwords.check_strength(candidate)


def test_twelve_characters_with_inner_spaces_are_enough() -> None:
    passwords.check_strength("twelve chars")


def test_hash_is_argon2id_salted_and_verifies() -> None:
    first, second = passwords.hash_password(PASSWORD), passwords.hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second  # a fresh salt each time
    assert PASSWORD not in first
    assert passwords.verify(first, PASSWORD) and passwords.verify(second, PASSWORD)
    assert not passwords.verify(first, PASSWORD + " ")
    assert not passwords.needs_rehash(first)


@pytest.mark.parametrize("stored", ["", "not-a-hash", "$argon2id$v=19$m=1,t=1,p=1$", "$2b$12$x"])
def test_malformed_stored_hashes_never_verify(stored: str) -> None:
    assert passwords.verify(stored, PASSWORD) is False


def test_weaker_parameters_need_a_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    assert passwords.verify(weak, PASSWORD)
    assert passwords.needs_rehash(weak)


def test_dummy_hash_is_a_real_hash_that_matches_no_ordinary_password() -> None:
    assert passwords.DUMMY_HASH.startswith("$argon2id$")
    assert not passwords.verify(passwords.DUMMY_HASH, PASSWORD)
    assert not passwords.verify(passwords.DUMMY_HASH, "")

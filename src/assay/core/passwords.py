"""Password hashing with argon2id (RFC 9106 parameters chosen by argon2-cffi).

Only hashes are stored. :func:`verify` also says when a stored hash was made
with weaker parameters than today's, so a login can upgrade it in place.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from assay.core.errors import UsageError

_HASHER = PasswordHasher()

MIN_LENGTH = 12


class WeakPassword(UsageError, ValueError):
    """The password breaks the rule; the message says which part."""


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"a password needs at least {MIN_LENGTH} characters")
    if password.strip() != password:
        raise WeakPassword("a password must not start or end with spaces")


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _HASHER.check_needs_rehash(stored_hash)


#: Verified against when a username does not exist, so a login takes as long
#: for an unknown user as for a known one (no user enumeration by timing).
DUMMY_HASH = _HASHER.hash("assay-no-such-user-placeholder")

"""Random secrets given to clients: API keys and session tokens.

A secret is 32 random bytes, URL-safe base64, with a readable prefix
(``assay_`` for API keys) so leaked keys can be recognised by secret scanners.
Only its SHA-256 digest is stored; comparison is by digest lookup, then a
constant-time compare.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_PREFIX = "assay_"
SHOWN_PREFIX_LENGTH = 8  # characters after KEY_PREFIX kept for display and audit


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def new_api_key() -> str:
    return KEY_PREFIX + new_secret()


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def display_prefix(api_key: str) -> str:
    """What people and the audit log see of a key: ``assay_AbCdEfGh``."""
    return api_key[: len(KEY_PREFIX) + SHOWN_PREFIX_LENGTH]


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))

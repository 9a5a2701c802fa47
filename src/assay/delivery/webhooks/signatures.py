"""Authenticating webhook deliveries by the platform's shared secret, in constant time.

GitHub signs the raw request body with HMAC-SHA256 under the webhook's secret
and sends ``X-Hub-Signature-256: sha256=<hex>``; GitLab sends the secret token
itself in ``X-Gitlab-Token``. Both checks compare with
:func:`hmac.compare_digest`, so the time taken says nothing about how much of a
guess was right. Neither function logs or returns the secret.
"""

from __future__ import annotations

import hashlib
import hmac

GITHUB_PREFIX = "sha256="


def github_signature(secret: str, body: bytes) -> str:
    """The ``X-Hub-Signature-256`` value GitHub sends for ``body``."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()
    return GITHUB_PREFIX + digest


def github_valid(secret: str, body: bytes, header: str | None) -> bool:
    """Whether ``header`` is GitHub's signature of the raw ``body`` under ``secret``."""
    if not secret or not header or not header.startswith(GITHUB_PREFIX):
        return False
    expected = github_signature(secret, body)
    return hmac.compare_digest(expected.encode("ascii"), header.strip().lower().encode("utf-8"))


def gitlab_valid(token: str, header: str | None) -> bool:
    """Whether ``header`` (``X-Gitlab-Token``) is the configured secret ``token``."""
    if not token or header is None:
        return False
    return hmac.compare_digest(token.encode("utf-8"), header.encode("utf-8"))

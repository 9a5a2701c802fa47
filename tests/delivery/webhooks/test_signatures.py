"""Webhook authentication: GitHub's documented HMAC-SHA256 example, GitLab's token, bad headers."""

from __future__ import annotations

import pytest

from assay.delivery.webhooks.signatures import github_signature, github_valid, gitlab_valid

# GitHub's documentation ("Validating webhook deliveries") gives this test vector.
DOC_SECRET = "It's a Secret to Everybody"
DOC_BODY = b"Hello, World!"
DOC_SIGNATURE = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"


def test_the_documented_example_signature_is_reproduced_and_accepted() -> None:
    assert github_signature(DOC_SECRET, DOC_BODY) == DOC_SIGNATURE
    assert github_valid(DOC_SECRET, DOC_BODY, DOC_SIGNATURE)


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        DOC_SIGNATURE.removeprefix("sha256="),  # no scheme
        "sha1=" + DOC_SIGNATURE.removeprefix("sha256="),
        DOC_SIGNATURE[:-1] + "0",  # one digit off
        DOC_SIGNATURE[:20],  # truncated
        "sha256=" + "ü" * 64,  # not hexadecimal, not ASCII
    ],
)
def test_a_missing_or_wrong_signature_is_refused(header: str | None) -> None:
    assert not github_valid(DOC_SECRET, DOC_BODY, header)


def test_a_changed_body_or_another_secret_is_refused() -> None:
    assert not github_valid(DOC_SECRET, DOC_BODY + b" ", DOC_SIGNATURE)
    assert not github_valid("another secret", DOC_BODY, DOC_SIGNATURE)


def test_an_empty_secret_never_validates() -> None:
    assert not github_valid("", DOC_BODY, github_signature("", DOC_BODY))
    assert not gitlab_valid("", "")


@pytest.mark.parametrize("header", [None, "", "s3cret", "s3cret-token ", "S3CRET-TOKEN", "é"])
def test_gitlab_needs_exactly_the_token(header: str | None) -> None:
    assert gitlab_valid("s3cret-token", "s3cret-token")
    assert not gitlab_valid("s3cret-token", header)

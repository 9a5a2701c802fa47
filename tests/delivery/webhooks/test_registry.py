"""The registry lists each platform once, with the headers its documentation names."""

from __future__ import annotations

from assay.delivery.webhooks import github, gitlab
from assay.delivery.webhooks.registry import PLATFORMS


def test_each_platform_has_its_translator_and_headers() -> None:
    assert PLATFORMS["github"].translate is github.translate
    assert PLATFORMS["gitlab"].translate is gitlab.translate
    assert PLATFORMS["github"].event_header == "X-GitHub-Event"
    assert PLATFORMS["gitlab"].event_header == "X-Gitlab-Event"
    assert {name: p.name for name, p in PLATFORMS.items()} == {
        "github": "github",
        "gitlab": "gitlab",
    }

"""The explicit registry of webhook platforms (``/api/v1/webhooks/<name>``)."""

from __future__ import annotations

from assay.delivery.webhooks import github, gitlab
from assay.delivery.webhooks.interface import Platform

PLATFORMS: dict[str, Platform] = {
    "github": Platform("github", "X-GitHub-Event", "X-GitHub-Delivery", github.translate),
    "gitlab": Platform("gitlab", "X-Gitlab-Event", "X-Gitlab-Event-UUID", gitlab.translate),
}

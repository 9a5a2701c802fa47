"""The known-answer histories themselves: every file reads cleanly and every sha is its label's.

The expected answers in the other modules refer to commits by label
(``sha("squash/M1")``), and each commit event carries its label as its
message; this keeps a hand edit of a history from silently breaking that link
(a typo in a sha would turn a scenario into a different one).
"""

from __future__ import annotations

import pytest

from assay.delivery.events import Commit
from tests.delivery.metrics.known._history import HISTORIES, events, sha

WITH_COMMITS = sorted(
    p.stem for p in HISTORIES.glob("*.jsonl") if '"type": "commit"' in p.read_text("utf-8")
)


def test_every_history_reads() -> None:
    names = sorted(p.stem for p in HISTORIES.glob("*.jsonl"))
    assert len(names) >= 15
    for name in names:
        assert events(name), name


@pytest.mark.parametrize("name", WITH_COMMITS)
def test_every_commit_sha_is_the_sha_of_its_label(name: str) -> None:
    commits = [e for e in events(name) if isinstance(e, Commit)]
    assert commits
    for commit in commits:
        assert commit.sha == sha(commit.message), commit.message

"""``assay db upgrade`` brings the embedded database to the schema head, idempotently."""

from __future__ import annotations

import pytest

from tests.cli.test_main import exit_code


def test_db_upgrade_creates_the_embedded_database(capsys: pytest.CaptureFixture[str]) -> None:
    from assay.cli import context

    context.settings.cache_clear()
    assert exit_code(["db", "upgrade"]) == 0
    assert "upgraded from empty" in capsys.readouterr().err
    assert exit_code(["db", "upgrade"]) == 0
    assert "already at" in capsys.readouterr().err
    context.settings.cache_clear()

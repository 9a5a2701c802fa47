"""Numbers and untrusted text as the metrics commands print them."""

from __future__ import annotations

from assay.cli.metrics._format import number, percent, rows_table, safe


def test_missing_values_print_as_a_dash_never_zero() -> None:
    assert number(None) == "-"
    assert percent(None) == "-"
    assert safe(None) == "-"


def test_numbers_and_rates() -> None:
    assert number(1234.56, " min") == "1,234.6 min"
    assert number(0.5, digits=2) == "0.50"
    assert percent(0.25) == "25.0%"


def test_untrusted_text_cannot_style_or_move_the_terminal() -> None:
    assert safe("[red]x[/red]") == "\\[red]x\\[/red]"
    assert "\x1b" not in safe("ok\x1b[2Jgone")


def test_rows_table_counts_and_fills_gaps() -> None:
    table = rows_table(
        "builds", [{"id": "r1"}, {"id": "r2", "result": "failure"}], ("id", "result")
    )
    assert table.title == "builds (2)"
    assert table.row_count == 2

"""Cells of a column table (no Qt): on screen with thousands separators, in the clipboard as
numbers a spreadsheet can add, at the precision shown; missing values are empty."""

from __future__ import annotations

from views.column_model import copy_value, format_value


def test_copy_value_has_no_thousands_separators_and_keeps_the_precision_shown():
    assert format_value(1535.74, "money") == "1,535.74"  # on screen
    assert copy_value(1535.74, "money") == "1535.74"  # in the clipboard
    assert copy_value(-1234567.891, "money") == "-1234567.89"
    assert copy_value(12345.6789, "mwh") == "12345.679"
    assert copy_value(1200, "int") == "1200"
    assert format_value(32388, "id") == "32388"  # an acceptance number, not a quantity
    assert copy_value(0.98765432, "ratio") == "0.9876543"
    assert copy_value(float("nan"), "mwh") == "" and copy_value(None, "money") == ""
    assert copy_value(True, "bool") == "yes" and copy_value(False, "bool") == ""
    assert copy_value("a\tb\nc", "text") == "a b c"  # one cell stays one cell

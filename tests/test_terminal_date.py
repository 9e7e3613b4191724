"""The terminal table's date column: short, and honest about how the date was got."""

from __future__ import annotations

from datetime import date

import pytest

from pipelines.cli import terminal_date


@pytest.mark.parametrize("earliest, latest, granularity, basis, shown", [
    (date(2020, 7, 17), date(2020, 7, 17), "day", "explicit", "2020-07-17"),
    (date(2020, 5, 1), date(2020, 5, 31), "month", "explicit", "2020-05"),
    (date(2020, 1, 1), date(2020, 12, 31), "year", "explicit", "2020"),
    (date(2020, 5, 1), date(2020, 12, 16), "range", "explicit", "2020-05-01…12-16"),
    (date(2012, 1, 1), date(2022, 8, 30), "range", "inherited", "2012-01-01…2022-08-30*"),
    (date(2020, 7, 17), date(2020, 7, 17), "day", "inherited", "2020-07-17*"),
    (date(2020, 1, 1), date(2020, 12, 16), "year", "bounded", "2020?"),
    (None, None, None, "bounded", "?"),
])
def test_terminal_date(earliest, latest, granularity, basis, shown):
    row = {"earliest": earliest, "latest": latest, "granularity": granularity, "date_basis": basis}
    assert terminal_date(row) == shown

"""What fails on a newer Python fails on the oldest one too (CI runs 3.11)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime

import pytest


@pytest.mark.parametrize("value", [date(2026, 12, 3), datetime(2026, 12, 3, 9, 30, tzinfo=UTC)])
def test_a_date_handed_to_sqlite3_unconverted_fails_as_on_python_3_12(value: date) -> None:
    connection = sqlite3.connect(":memory:")
    try:
        with pytest.raises(DeprecationWarning, match=r"adapter is deprecated as of Python 3\.12"):
            connection.execute("SELECT ?", (value,))
    finally:
        connection.close()

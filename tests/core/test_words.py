"""Swedish numbers, dates and periods (geomap.core.words)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geomap.core.periods import date_range, iso_week, month, tertial, years
from geomap.core.words import (
    MONTH_NAMES,
    WEEKDAY_NAMES,
    format_date,
    format_number,
    format_p_value,
    format_percent,
    period_text,
)

NBSP = "\u00a0"
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0, 0, "0"),
        (999, 0, "999"),
        (1000, 0, f"1{NBSP}000"),
        (1234.5, 1, f"1{NBSP}234,5"),
        (1234567.891, 2, f"1{NBSP}234{NBSP}567,89"),
        (-1234.5, 1, f"{MINUS}1{NBSP}234,5"),
        (-0.0, 0, "0"),
        (-0.04, 1, "0,0"),
        (0.5, 0, "0"),  # half to even, as Python rounds
        (2.5, 0, "2"),
        (float("inf"), 0, "∞"),
        (float("-inf"), 0, f"{MINUS}∞"),
    ],
)
def test_format_number(value: float, decimals: int, expected: str) -> None:
    assert format_number(value, decimals=decimals) == expected


@pytest.mark.parametrize("missing", [None, float("nan"), pd.NA, pd.NaT])
def test_format_number_missing(missing: object) -> None:
    assert format_number(missing) == "–"  # type: ignore[arg-type]
    assert format_number(missing, missing="") == ""  # type: ignore[arg-type]


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_format_number_round_trips_integers(n: int) -> None:
    text = format_number(n)
    assert int(text.replace(NBSP, "").replace(MINUS, "-")) == n
    groups = text.lstrip(MINUS).split(NBSP)
    assert all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False), st.integers(0, 3))
def test_format_number_round_trips_floats(x: float, decimals: int) -> None:
    text = format_number(x, decimals=decimals)
    back = float(text.replace(NBSP, "").replace(MINUS, "-").replace(",", "."))
    assert back == pytest.approx(round(x, decimals), abs=10**-decimals)
    assert "." not in text and " " not in text


def test_format_percent_and_p_value() -> None:
    assert format_percent(0.125, decimals=1) == f"12,5{NBSP}%"
    assert format_percent(1) == f"100{NBSP}%"
    assert format_percent(None) == "–"
    assert format_p_value(0.0004) == "p < 0,001"
    assert format_p_value(0.001) == "p = 0,001"
    assert format_p_value(0.0031) == "p = 0,003"
    assert format_p_value(0.05) == "p = 0,05"
    assert format_p_value(1.0) == "p = 1,00"
    assert format_p_value(float("nan")) == "–"


def test_format_date() -> None:
    assert format_date(dt.date(2025, 12, 1)) == "1 december 2025"
    assert format_date(dt.datetime(2024, 2, 29, 23, 59)) == "29 februari 2024"
    assert format_date(pd.Timestamp("2025-12-31T23:30Z")) == "1 januari 2026"  # local time
    assert format_date(pd.NaT) == "–"  # type: ignore[arg-type]
    assert format_date(None, missing="") == ""


def test_names() -> None:
    assert len(MONTH_NAMES) == 12 and MONTH_NAMES[0] == "januari" and MONTH_NAMES[-1] == "december"
    assert WEEKDAY_NAMES == ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag")
    assert WEEKDAY_NAMES[dt.date(2025, 11, 17).weekday()] == "måndag"


@pytest.mark.parametrize(
    ("period", "expected"),
    [
        (iso_week("2025-W47"), "vecka 47 2025"),
        (iso_week("2020-W53"), "vecka 53 2020"),
        (tertial("2025-T3"), "tertial 3 2025"),
        (years("2024-2025"), "2024–2025"),
        (month("2024-02"), "februari 2024"),
        (date_range("2025-06-01", "2025-08-31"), "1 juni–31 augusti 2025"),
        (date_range("2024-12-30", "2025-01-02"), "30 december 2024–2 januari 2025"),
        (date_range("2024-02-29", "2024-02-29"), "29 februari 2024"),
    ],
)
def test_period_text(period: object, expected: str) -> None:
    assert period_text(period) == expected  # type: ignore[arg-type]

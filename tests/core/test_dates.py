"""The one date parser (geomap.core.dates): stated rules, the defects it fixes, invariants."""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from geomap.core.dates import TIMEZONE, DateResult, parse_timestamps

T = pd.Timestamp


def parse(values: list[object], times: list[object] | None = None, **kw: object) -> DateResult:
    return parse_timestamps(
        pd.Series(values, dtype=object),
        None if times is None else pd.Series(times, dtype=object),
        **kw,  # type: ignore[arg-type]
    )


def stamps(values: list[object], times: list[object] | None = None) -> list[object]:
    return parse(values, times).timestamps.tolist()


# --- the defects of the old parser (remarks._timestamps) -----------------------------------------


def test_offsets_that_differ_per_row_do_not_crash() -> None:
    """A year-long export has +01:00 in winter and +02:00 in summer: both are 10:00 local."""
    result = parse(["2025-01-15T10:00+01:00", "2025-07-15T10:00+02:00"])
    assert result.timestamps.tolist() == [T("2025-01-15 10:00"), T("2025-07-15 10:00")]
    assert result.warnings == []
    assert str(result.timestamps.dtype) == "datetime64[ms]"


def test_date_with_empty_time_keeps_day_and_month() -> None:
    """`datum` 2025-06-01 with an empty `tid` was stored as 2025-01-06."""
    assert stamps(["2025-06-01", "2025-06-01"], ["", None]) == [T("2025-06-01")] * 2
    assert stamps(["2025-06-01"], ["14:30"]) == [T("2025-06-01 14:30")]


def test_impossible_month_is_invalid_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    """`2025-13-01` became 13 January."""
    with caplog.at_level(logging.WARNING, logger="geomap.core.dates"):
        result = parse(
            ["2025-06-01", "2025-13-01"], where="lagesbild.csv", column="datum", rows=[7, 8]
        )
    assert result.timestamps.tolist()[0] == T("2025-06-01")
    assert result.timestamps.isna().tolist() == [False, True]
    assert result.invalid == 1
    assert len(result.warnings) == 1
    warning = result.warnings[0]
    assert warning.startswith("lagesbild.csv: column 'datum': 1 value is not a valid date")
    assert "row 8: '2025-13-01'" in warning
    assert warning in caplog.text


def test_slash_order_is_one_per_column() -> None:
    """`06/01` was read day first but `12/13` month first, in one column."""
    result = parse(["06/01 2025", "12/13 2025"], where="a.csv", column="datum")
    assert result.timestamps.tolist() == [T("2025-06-01"), T("2025-12-13")]
    assert result.order == "month-first"
    assert len(result.warnings) == 1
    assert "read month first" in result.warnings[0]
    assert "'12/13 2025' (row 2)" in result.warnings[0]


# --- slash order ---------------------------------------------------------------------------------


def test_slash_dates_are_day_first_by_default() -> None:
    result = parse(["13/12 2025", "06/01 2025", "1/6/2025"])
    assert result.timestamps.tolist() == [T("2025-12-13"), T("2025-01-06"), T("2025-06-01")]
    assert result.order == "day-first"
    assert result.warnings == []


def test_slash_column_with_both_orders_stays_day_first_with_warning() -> None:
    result = parse(["13/12 2025", "12/13 2025", "13/13 2025"])
    assert result.order == "day-first"
    assert result.timestamps.tolist()[0] == T("2025-12-13")
    assert result.timestamps.isna().tolist() == [False, True, True]
    assert result.invalid == 2
    assert "mixes day/month dates such as '13/12 2025' (row 1)" in result.warnings[0]
    assert "row 2: '12/13 2025', row 3: '13/13 2025'" in result.warnings[1]


def test_values_impossible_both_ways_do_not_block_month_first() -> None:
    result = parse(["12/13 2025", "13/13 2025", "1/6 2025"])
    assert result.order == "month-first"
    assert result.timestamps.tolist()[2] == T("2025-01-06")
    assert result.timestamps.isna().tolist() == [False, True, False]


@pytest.mark.parametrize("value", ["06/01", "1/6", "1/6 25", "1/6-2025"])
def test_slash_forms_without_a_four_digit_year_are_refused(value: str) -> None:
    result = parse([value])
    assert result.timestamps.isna().all()
    assert result.invalid == 1


def test_slash_order_is_decided_per_file() -> None:
    result = parse_timestamps(
        pd.Series(["1/6 2025", "12/13 2025", "1/6 2025"]),
        where=pd.Series(["a.csv", "b.csv", "c.csv"]),
        column="datum",
        rows=pd.Series([5, 6, 7]),
    )
    assert result.timestamps.tolist() == [T("2025-06-01"), T("2025-12-13"), T("2025-06-01")]
    assert result.orders == {"a.csv": "day-first", "b.csv": "month-first", "c.csv": "day-first"}
    assert result.order == "mixed"
    assert result.warnings[0].startswith("b.csv: column 'datum': slash dates are read month first")
    assert "(row 6)" in result.warnings[0]


# --- accepted forms ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-01", "2025-06-01 00:00"),
        ("2025-6-1", "2025-06-01 00:00"),
        ("2025-06-01T14:30", "2025-06-01 14:30"),
        ("2025-06-01 14:30:00", "2025-06-01 14:30"),
        ("2025-06-01 14.30", "2025-06-01 14:30"),
        ("2025-06-01T14:30:15.250", "2025-06-01 14:30:15.250"),
        ("2025-06-01T12:30Z", "2025-06-01 14:30"),
        ("2025-06-01t12:30:00z", "2025-06-01 14:30"),
        ("2025-06-01T14:30+02:00", "2025-06-01 14:30"),
        ("2025-06-01T14:30:00+0200", "2025-06-01 14:30"),
        ("2025-06-01T13:30+01", "2025-06-01 14:30"),
        ("2025-06-01T05:30-07:00", "2025-06-01 14:30"),
        ("2025-01-15T10:00:00+00:00", "2025-01-15 11:00"),
        ("  2025-06-01  ", "2025-06-01 00:00"),
        ("2025/06/01", "2025-06-01 00:00"),
        ("2025/06/01 14:30", "2025-06-01 14:30"),
        ("20250601", "2025-06-01 00:00"),
        ("1/6 2025", "2025-06-01 00:00"),
        ("1/6/2025 14:30", "2025-06-01 14:30"),
        ("01/06 2025 kl 14.30", "2025-06-01 14:30"),
    ],
)
def test_accepted_forms(text: str, expected: str) -> None:
    result = parse([text])
    assert result.timestamps.tolist() == [T(expected)]
    assert result.warnings == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 juni 2025", "2025-06-01 00:00"),
        ("1 jun 2025", "2025-06-01 00:00"),
        ("1 JUNI 2025", "2025-06-01 00:00"),
        ("14 mars 2025 21:40", "2025-03-14 21:40"),
        ("3 okt. 2025 kl. 9.05", "2025-10-03 09:05"),
        ("5 sept 2025", "2025-09-05 00:00"),
        ("31 december 2025, kl 23:59", "2025-12-31 23:59"),
        ("1 maj 2025", "2025-05-01 00:00"),
        ("29 Feb 2024", "2024-02-29 00:00"),
    ],
)
def test_swedish_month_names(text: str, expected: str) -> None:
    assert stamps([text]) == [T(expected)]


@pytest.mark.parametrize("text", ["1 june 2025", "1 oct 2025", "1 juno 2025", "31 april 2025"])
def test_english_or_unknown_month_names_are_invalid(text: str) -> None:
    assert parse([text]).invalid == 1


def test_leap_day() -> None:
    result = parse(["2024-02-29", "2025-02-29", "29/2 2024", "29/2 2025", "2025-02-30"])
    assert result.timestamps.tolist()[0] == T("2024-02-29")
    assert result.timestamps.tolist()[2] == T("2024-02-29")
    assert result.timestamps.isna().tolist() == [False, True, False, True, True]


# --- Excel serials -------------------------------------------------------------------------------


def test_excel_serials_in_a_numeric_column() -> None:
    result = parse_timestamps(pd.Series([45809, 45809.5, np.nan]))
    assert result.timestamps.tolist()[:2] == [T("2025-06-01"), T("2025-06-01 12:00")]
    assert result.invalid == 0


def test_excel_serials_as_numeric_text() -> None:
    assert stamps(["45809", "45809,5", "45809.75", ""])[:3] == [
        T("2025-06-01"),
        T("2025-06-01 12:00"),
        T("2025-06-01 18:00"),
    ]


def test_numbers_in_a_column_of_text_are_not_serials() -> None:
    result = parse(["45809", "2025-06-02"])
    assert result.timestamps.isna().tolist() == [True, False]
    assert "row 1: '45809'" in result.warnings[0]


def test_serials_outside_1990_to_2100_are_invalid() -> None:
    result = parse_timestamps(pd.Series([45809, 1, 32873, 73416]))
    assert result.timestamps.isna().tolist() == [False, True, True, True]
    assert result.invalid == 3


def test_numbers_that_are_compact_dates() -> None:
    assert parse_timestamps(pd.Series([20250601])).timestamps.tolist() == [T("2025-06-01")]


# --- datetime inputs -----------------------------------------------------------------------------


def test_datetime_columns_pass_through() -> None:
    naive = pd.Series(pd.to_datetime(["2025-06-01 14:30", None]))
    assert parse_timestamps(naive).timestamps.tolist()[0] == T("2025-06-01 14:30")
    aware = naive.dt.tz_localize("UTC")
    result = parse_timestamps(aware)
    assert result.timestamps.tolist()[0] == T("2025-06-01 16:30")
    assert result.invalid == 0
    assert str(result.timestamps.dtype) == "datetime64[ms]"


def test_timestamps_in_an_object_column() -> None:
    values = [
        T("2025-01-15 09:00", tz="UTC"),
        T("2025-07-15 10:00", tz=TIMEZONE),
        dt.datetime(2025, 6, 1, 14, 30),
        dt.date(2025, 6, 2),
        "2025-06-03",
        None,
    ]
    assert stamps(values)[:5] == [
        T("2025-01-15 10:00"),
        T("2025-07-15 10:00"),
        T("2025-06-01 14:30"),
        T("2025-06-02"),
        T("2025-06-03"),
    ]


def test_dates_before_1900_or_after_2199_are_invalid() -> None:
    result = parse(["0201-06-01", "2205-06-01", "1899-12-31", "1900-01-01"])
    assert result.timestamps.isna().tolist() == [True, True, True, False]
    assert "(years 1900–2199)" in result.warnings[0]
    column = pd.Series(pd.to_datetime(["1800-01-01", "2025-06-01", None]))
    assert parse_timestamps(column).invalid == 1
    objects = [dt.datetime(1800, 1, 1), T("2300-01-01", tz="UTC"), T("2025-06-01", tz="UTC")]
    result = parse(objects)
    assert result.invalid == 2
    assert "row 2: '2300-01-01 00:00:00+00:00'" in result.warnings[0]


# --- the time column -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("time", "expected"),
    [
        ("14:30", "14:30"),
        ("14.30", "14:30"),
        ("1430", "14:30"),
        ("930", "09:30"),
        ("9:05", "09:05"),
        ("14:30:15", "14:30:15"),
        ("kl 14.30", "14:30"),
        ("", "00:00"),
        (None, "00:00"),
        (dt.time(14, 30), "14:30"),
        (1430, "14:30"),
        (0.5, "12:00"),
        (dt.datetime(1899, 12, 30, 14, 30), "14:30"),
    ],
)
def test_time_forms(time: object, expected: str) -> None:
    result = parse(["2025-06-01"], [time])
    assert result.timestamps.tolist() == [T(f"2025-06-01 {expected}")]
    assert result.warnings == []


@pytest.mark.parametrize("time", ["25:00", "14:60", "14:3", "morgon", 14.3, "24:00"])
def test_invalid_time_keeps_the_date_at_midnight_with_a_warning(time: object) -> None:
    result = parse(
        ["2025-06-01", "2025-06-02"], [time, "08:00"], where="a.csv", time_column="tid", rows=[4, 5]
    )
    assert result.timestamps.tolist() == [T("2025-06-01"), T("2025-06-02 08:00")]
    assert result.invalid_times == 1
    assert result.invalid == 0
    assert result.warnings[0].startswith("a.csv: column 'tid': 1 value is not a valid time")
    assert f"row 4: {str(time)!r}" in result.warnings[0]
    assert "00:00" in result.warnings[0]


def test_a_date_with_its_own_time_keeps_it() -> None:
    assert stamps(["2025-06-01 09:00", "2025-06-01"], ["14:30", "14:30"]) == [
        T("2025-06-01 09:00"),
        T("2025-06-01 14:30"),
    ]


def test_time_column_with_a_datetime_column() -> None:
    dates = pd.Series(pd.to_datetime(["2025-06-01", "2025-06-02"]))
    result = parse_timestamps(dates, pd.Series([dt.time(14, 30), "08.15"], dtype=object))
    assert result.timestamps.tolist() == [T("2025-06-01 14:30"), T("2025-06-02 08:15")]


# --- invalid values and warnings -----------------------------------------------------------------


def test_warning_lists_five_rows_then_how_many_more() -> None:
    values = [f"nonsens {i}" for i in range(8)]
    result = parse(values, where="a.csv", column="datum", rows=list(range(10, 18)))
    assert result.invalid == 8
    (warning,) = result.warnings
    assert "8 values are not valid dates" in warning
    assert "row 14: 'nonsens 4', and 3 more" in warning
    assert "row 15" not in warning


def test_empty_cells_are_missing_not_invalid() -> None:
    result = parse(["", "  ", None, np.nan, pd.NaT, pd.NA])
    assert result.timestamps.isna().all()
    assert result.invalid == 0
    assert result.warnings == []


def test_mixed_garbage_never_raises() -> None:
    values: list[object] = [
        "x",
        3.5,
        -1,
        True,
        10**400,
        float("inf"),
        b"2025",
        ["2025-06-01"],
        {"a": 1},
        object(),
        "\ud800",
        "٢٠٢٥-٠٦-٠١",
        "2025-06-01T10:00+25:00",
    ]
    result = parse(values, [object(), "\x00", *[None] * (len(values) - 2)])
    assert len(result.timestamps) == len(values)
    assert result.timestamps.isna().all()
    assert result.invalid == len(values)


def test_result_is_aligned_with_the_input_index() -> None:
    values = pd.Series(["2025-06-01", "x", "1/6 2025"], index=[10, 10, -3])
    result = parse_timestamps(values)
    assert result.timestamps.index.tolist() == [10, 10, -3]
    assert result.timestamps.isna().tolist() == [False, True, False]


def test_a_text_dtype_column() -> None:
    values = pd.Series(["2025-06-01", None, "1 juni 2025"], dtype="str")
    assert parse_timestamps(values).timestamps.tolist()[::2] == [T("2025-06-01")] * 2


# --- invariants ----------------------------------------------------------------------------------

_ATOMS = st.one_of(
    st.none(),
    st.text(max_size=30),
    st.text(alphabet="0123456789-/:.,+ TZtzjunikl", max_size=25),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.integers(min_value=30_000, max_value=80_000),
    st.floats(min_value=30_000, max_value=80_000),
    st.datetimes(timezones=st.none() | st.timezones()),
    st.dates(),
    st.times(),
    st.just(pd.NaT),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(_ATOMS, max_size=12),
    st.lists(_ATOMS, max_size=12),
    st.booleans(),
    st.booleans(),
)
def test_fuzz_never_raises_and_keeps_length_and_index(
    values: list[object], times: list[object], with_times: bool, infer: bool
) -> None:
    index = pd.Index([f"r{i}" for i in range(len(values))])
    try:
        series = pd.Series(values, index=index, dtype=None if infer else object)
    except (TypeError, ValueError, OverflowError):
        series = pd.Series(values, index=index, dtype=object)
    padded = (times + [None] * len(values))[: len(values)]
    time_series = pd.Series(padded, index=index, dtype=object) if with_times else None
    result = parse_timestamps(series, time_series, where="a.csv", column="datum")
    assert len(result.timestamps) == len(values)
    assert result.timestamps.index.equals(index)
    assert str(result.timestamps.dtype) == "datetime64[ms]"
    assert 0 <= result.invalid <= int(result.timestamps.isna().sum())
    assert len(result.warnings) <= 3  # at most: slash order, invalid dates, invalid times


_MONTH_NAMES = (
    ("januari", "jan"),
    ("februari", "feb"),
    ("mars", "mar"),
    ("april", "apr"),
    ("maj", "maj"),
    ("juni", "jun"),
    ("juli", "jul"),
    ("augusti", "aug"),
    ("september", "sep"),
    ("oktober", "okt"),
    ("november", "nov"),
    ("december", "dec"),
)


def _format(local: pd.Timestamp, form: str, offset_minutes: int, short: bool) -> object:
    if form == "iso":
        instant = local.tz_localize(TIMEZONE, ambiguous=True).tz_convert(
            dt.timezone(dt.timedelta(minutes=offset_minutes))
        )
        text = instant.strftime("%Y-%m-%dT%H:%M:%S%z")
        return text[:-2] + ":" + text[-2:]
    if form == "slash":
        return f"{local.day}/{local.month} {local.year} {local:%H:%M}"
    if form == "named":
        name = _MONTH_NAMES[local.month - 1][1 if short else 0]
        return f"{local.day} {name.upper() if short else name} {local.year} kl {local:%H.%M}"
    return (local - T("1899-12-30")) / pd.Timedelta(days=1)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.datetimes(
            min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2100, 12, 31, 23, 59)
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from(["iso", "slash", "named", "serial"]),
    st.integers(min_value=-14 * 60, max_value=14 * 60),
    st.booleans(),
)
def test_round_trip_every_form(
    moments: list[dt.datetime], form: str, offset_minutes: int, short: bool
) -> None:
    locals_ = [T(m).floor("min") for m in moments]
    for local in locals_:  # a local time that the spring DST gap skips has no instant
        assume(local.tz_localize(TIMEZONE, nonexistent="NaT", ambiguous=True) is not pd.NaT)
    values = [_format(local, form, offset_minutes, short) for local in locals_]
    series = pd.Series(values, dtype="float64" if form == "serial" else object)
    result = parse_timestamps(series)
    assert result.invalid == 0, result.warnings
    assert result.timestamps.dt.floor("min").tolist() == locals_
    if form == "slash":
        assert result.order == "day-first"


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2199, 12, 31)),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["%Y-%m-%d", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S.%f"]),
    st.lists(st.sampled_from(["2025-13-01", "2025-02-30", " 2025-06-01", "", None]), max_size=2),
)
def test_fast_path_for_plain_iso_equals_the_general_rules(
    stamps: list[dt.datetime], form: str, odd: list[str | None]
) -> None:
    """The one-call path for plain ISO columns gives what the general rules give, odd values too."""
    values = pd.Series([s.strftime(form) for s in stamps] + odd, dtype="str")
    general = parse_timestamps(values, pd.Series([None] * len(values), dtype=object))
    fast = parse_timestamps(values)
    pd.testing.assert_series_equal(fast.timestamps, general.timestamps)
    assert fast.invalid == general.invalid and len(fast.warnings) == len(general.warnings)

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geomap.core.periods import (
    KINDS,
    Period,
    date_range,
    iso_week,
    local_dates,
    month,
    parse_date,
    period_from_arguments,
    tertial,
    years,
)
from geomap.errors import InputError

D = dt.date
ONE_DAY = dt.timedelta(days=1)


# --- parse_date -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-01", D(2025, 3, 1)),
        ("  2024-02-29 ", D(2024, 2, 29)),
        (D(2025, 3, 1), D(2025, 3, 1)),
        (dt.datetime(2025, 3, 1, 23, 59), D(2025, 3, 1)),
        (pd.Timestamp("2025-03-01 12:00"), D(2025, 3, 1)),
        (None, None),
        ("", None),
        ("   ", None),
    ],
)
def test_parse_date(value: str | dt.date | None, expected: dt.date | None) -> None:
    assert parse_date(value, argument="date_from") == expected


@pytest.mark.parametrize(
    "value",
    ["2025-13-01", "2023-02-29", "2025-3-1", "20250301", "2025-W47-1", "1 mars 2025", "idag"],
)
def test_parse_date_rejects(value: str) -> None:
    with pytest.raises(InputError, match=r"^`date_to`: '.*' is not a date; write it as YYYY-MM-DD"):
        parse_date(value, argument="date_to")


# --- local_dates ----------------------------------------------------------------------------


def test_local_dates_uses_stockholm_time_for_aware_values() -> None:
    stamps = pd.Series(pd.to_datetime(["2025-01-01 23:30Z", "2025-06-30 21:59Z"]))
    assert local_dates(stamps).tolist() == [pd.Timestamp("2025-01-02"), pd.Timestamp("2025-06-30")]


def test_local_dates_parses_strings_and_coerces_garbage() -> None:
    result = local_dates(pd.Series(["2025-03-01 08:15", "2025-03-02", "okänt", None]))
    assert result.iloc[:2].tolist() == [pd.Timestamp("2025-03-01"), pd.Timestamp("2025-03-02")]
    assert result.iloc[2:].isna().all()
    assert result.dt.tz is None


# --- ISO weeks ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "start", "end", "label"),
    [
        ("2025-W47", D(2025, 11, 17), D(2025, 11, 23), "vecka 47 2025"),
        ("2025W47", D(2025, 11, 17), D(2025, 11, 23), "vecka 47 2025"),
        ("2025-w7", D(2025, 2, 10), D(2025, 2, 16), "vecka 7 2025"),
        (" 2025-W07 ", D(2025, 2, 10), D(2025, 2, 16), "vecka 7 2025"),
        ("2020-W53", D(2020, 12, 28), D(2021, 1, 3), "vecka 53 2020"),
        ("2026-W01", D(2025, 12, 29), D(2026, 1, 4), "vecka 1 2026"),
        ("2021-W01", D(2021, 1, 4), D(2021, 1, 10), "vecka 1 2021"),
    ],
)
def test_iso_week(spec: str, start: dt.date, end: dt.date, label: str) -> None:
    week = iso_week(spec)
    assert (week.start, week.end, week.kind, week.label, str(week)) == (
        start,
        end,
        "week",
        label,
        label,
    )
    assert week.days == 7


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("2021-W53", r"`week`: '2021-W53' does not exist; ISO year 2021 has weeks 1–52"),
        ("2025-W00", r"`week`: '2025-W00' does not exist; ISO year 2025 has weeks 1–52"),
        ("2020-W54", r"`week`: '2020-W54' does not exist; ISO year 2020 has weeks 1–53"),
        ("vecka 47", r"`week`: 'vecka 47' is not an ISO week; write it as YYYY-Www, e.g. 2025-W47"),
        ("2025-47", r"`week`: '2025-47' is not an ISO week"),
        ("2025-W", r"`week`: '2025-W' is not an ISO week"),
        ("0000-W01", r"`week`: '0000-W01' has year 0000; give a year from 0001"),
    ],
)
def test_iso_week_rejects(spec: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        iso_week(spec)


@pytest.mark.parametrize(
    ("spec", "previous"),
    [
        ("2021-W01", "2020-W53"),
        ("2026-W01", "2025-W52"),
        ("2025-W47", "2025-W46"),
        ("2020-W53", "2020-W52"),
    ],
)
def test_previous_week(spec: str, previous: str) -> None:
    assert iso_week(spec).previous() == iso_week(previous)


def test_previous_week_many_steps_crosses_years() -> None:
    assert iso_week("2021-W02").previous(3) == iso_week("2020-W52")
    assert iso_week("2026-W10").previous(62) == iso_week("2024-W52")
    assert iso_week("2021-W01").previous(53) == iso_week("2020-W01")


@pytest.mark.parametrize(
    ("spec", "earlier"),
    [
        ("2021-W10", "2020-W10"),
        ("2021-W01", "2020-W01"),
        ("2026-W53", "2025-W52"),  # 2025 has no week 53
        ("2021-W52", "2020-W52"),
        ("2020-W53", "2019-W52"),
    ],
)
def test_week_year_earlier(spec: str, earlier: str) -> None:
    assert iso_week(spec).year_earlier() == iso_week(earlier)


# --- months ---------------------------------------------------------------------------------

MONTH_NAMES = (
    "januari",
    "februari",
    "mars",
    "april",
    "maj",
    "juni",
    "juli",
    "augusti",
    "september",
    "oktober",
    "november",
    "december",
)


@pytest.mark.parametrize("number", range(1, 13))
def test_month_labels_are_swedish(number: int) -> None:
    period = month(f"2025-{number:02d}")
    assert period.label == f"{MONTH_NAMES[number - 1]} 2025"
    assert period.start == D(2025, number, 1)
    assert (period.end + ONE_DAY).day == 1
    assert period.kind == "month"


@pytest.mark.parametrize(
    ("spec", "days"), [("2024-02", 29), ("2025-02", 28), ("2000-02", 29), ("1900-02", 28)]
)
def test_month_days_in_leap_years(spec: str, days: int) -> None:
    assert month(spec).days == days


def test_month_previous_and_year_earlier() -> None:
    assert month("2025-01").previous() == month("2024-12")
    assert month("2025-03").previous(14) == month("2024-01")
    assert month("2024-02").year_earlier() == month("2023-02")
    assert month("2025-2") == month("2025-02")


@pytest.mark.parametrize("spec", ["2025-13", "2025-00", "2025/03", "mars 2025", "25-03", ""])
def test_month_rejects(spec: str) -> None:
    with pytest.raises(InputError, match=r"`month`: '.*' is not a month; write it as YYYY-MM"):
        month(spec)


# --- tertials -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spec", "start", "end"),
    [
        ("2025-T1", D(2025, 1, 1), D(2025, 4, 30)),
        ("2025-T2", D(2025, 5, 1), D(2025, 8, 31)),
        ("2025-T3", D(2025, 9, 1), D(2025, 12, 31)),
        ("2025t3", D(2025, 9, 1), D(2025, 12, 31)),
    ],
)
def test_tertial(spec: str, start: dt.date, end: dt.date) -> None:
    period = tertial(spec)
    assert (period.start, period.end, period.kind) == (start, end, "tertial")
    assert period.label == f"tertial {spec[-1]} 2025"


def test_tertial_previous_and_year_earlier() -> None:
    assert tertial("2025-T1").previous() == tertial("2024-T3")
    assert tertial("2025-T3").previous() == tertial("2025-T2")
    assert tertial("2025-T1").previous(4) == tertial("2023-T3")
    assert tertial("2025-T2").year_earlier() == tertial("2024-T2")
    assert tertial("2024-T1").days == 121  # leap year: 31 + 29 + 31 + 30


@pytest.mark.parametrize("spec", ["2025-T0", "2025-T4", "2025-3", "T2", "2025-T"])
def test_tertial_rejects(spec: str) -> None:
    with pytest.raises(InputError, match=r"`tertial`: '.*' is not a tertial; .*n from 1 to 3"):
        tertial(spec)


# --- years ----------------------------------------------------------------------------------


def test_single_year() -> None:
    period = years("2025")
    assert (period.start, period.end, period.kind, period.label) == (
        D(2025, 1, 1),
        D(2025, 12, 31),
        "year",
        "2025",
    )
    assert years("2024").days == 366
    assert years("2025").previous() == years("2024")
    assert years("2025").year_earlier() == years("2024")
    assert years("2025-2025") == years("2025")


def test_span_of_years() -> None:
    period = years("2024-2025")
    assert (period.kind, period.label, period.days) == ("years", "2024–2025", 731)
    assert years("2024–2025") == years(" 2024 - 2025 ") == period
    assert period.previous() == years("2022-2023")
    assert period.previous(2) == years("2020-2021")
    assert period.year_earlier() == years("2023-2024")
    assert years("2016-2025").days == 3653


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        ("2025-2024", r"`years`: in '2025-2024' the first year 2025 is after the last year 2024"),
        ("2015-2025", r"`years`: '2015-2025' spans 11 years; give at most 10, e.g. 2016-2025"),
        ("25", r"`years`: '25' is not a year or a span of years; write it as YYYY or YYYY-YYYY"),
        ("2024-", r"`years`: '2024-' is not a year"),
        ("0000", r"`years`: '0000' has year 0000"),
    ],
)
def test_years_rejects(spec: str, match: str) -> None:
    with pytest.raises(InputError, match=match):
        years(spec)


# --- date ranges ----------------------------------------------------------------------------


def test_date_range() -> None:
    period = date_range("2025-03-01", D(2025, 3, 31))
    assert (period.kind, period.label, period.days) == ("range", "2025-03-01 – 2025-03-31", 31)
    assert period.previous() == date_range("2025-01-29", "2025-02-28")
    assert period.previous(2) == date_range("2024-12-29", "2025-01-28")
    assert period.year_earlier() == date_range("2024-03-01", "2024-03-31")


def test_single_day() -> None:
    period = date_range("2025-03-01", "2025-03-01")
    assert (period.kind, period.label, period.days) == ("day", "2025-03-01", 1)
    assert period.previous() == date_range("2025-02-28", "2025-02-28")
    assert period.previous().kind == "day"


def test_range_year_earlier_moves_29_february_to_28() -> None:
    assert date_range("2024-02-29", "2024-02-29").year_earlier() == date_range(
        "2023-02-28", "2023-02-28"
    )
    assert date_range("2024-02-01", "2024-02-29").year_earlier() == date_range(
        "2023-02-01", "2023-02-28"
    )
    assert date_range("2024-02-29", "2024-03-31").year_earlier() == date_range(
        "2023-02-28", "2023-03-31"
    )


@pytest.mark.parametrize(
    ("date_from", "date_to", "match"),
    [
        (
            "2025-03-31",
            "2025-03-01",
            r"`date_from` \(2025-03-31\) is after `date_to` \(2025-03-01\); give the earlier day",
        ),
        ("2025-03-01", None, r"^`date_to` not given; give both `date_from` and `date_to`"),
        ("", "2025-03-01", r"^`date_from` not given; give both `date_from` and `date_to`"),
        (None, None, r"^`date_from` and `date_to` not given; give both"),
        ("2025-02-30", "2025-03-01", r"`date_from`: '2025-02-30' is not a date"),
        ("2025-03-01", "31/3", r"`date_to`: '31/3' is not a date"),
    ],
)
def test_date_range_rejects(date_from: str | None, date_to: str | None, match: str) -> None:
    with pytest.raises(InputError, match=match):
        date_range(date_from, date_to)


# --- Period ---------------------------------------------------------------------------------


def test_contains_uses_local_dates_and_rejects_missing() -> None:
    stamps = pd.Series(
        [
            "2025-02-28 23:59",
            "2025-03-01 00:00",
            "2025-03-31 23:59",
            "2025-04-01 00:00",
            None,
            "okänt",
        ]
    )
    mask = month("2025-03").contains(stamps)
    assert isinstance(mask, np.ndarray)
    assert mask.dtype == bool
    assert mask.tolist() == [False, True, True, False, False, False]


def test_contains_converts_aware_timestamps_to_stockholm() -> None:
    stamps = pd.Series(pd.to_datetime(["2025-02-28 23:30Z", "2025-03-31 22:30Z"]))
    assert month("2025-03").contains(stamps).tolist() == [True, False]
    assert month("2025-03").contains(pd.Series([], dtype=object)).tolist() == []


def test_references_most_recent_first() -> None:
    assert month("2025-02").references(3) == [month("2025-01"), month("2024-12"), month("2024-11")]
    assert month("2025-02").references(0) == []


@pytest.mark.parametrize(("method", "n"), [("previous", 0), ("previous", -1), ("references", -1)])
def test_steps_must_be_counted_from_one(method: str, n: int) -> None:
    with pytest.raises(InputError, match=rf"`n`: {n} is not a whole number ≥"):
        getattr(month("2025-02"), method)(n)


@pytest.mark.parametrize("n", [1.5, True, "2"])
def test_steps_must_be_whole_numbers(n: object) -> None:
    with pytest.raises(InputError, match=r"`n`: .* is not a whole number ≥ 1; give e.g. n=1"):
        month("2025-02").previous(n)  # type: ignore[arg-type]


def test_previous_outside_the_calendar() -> None:
    with pytest.raises(InputError, match=r"`n`: 1 periods before 1 fall outside the calendar"):
        years("0001").previous()
    with pytest.raises(InputError, match=r"`n`: 3 periods before mars 1 fall outside"):
        month("0001-03").previous(3)
    with pytest.raises(InputError, match=r"^vecka 1 1: a year earlier falls before year 1"):
        iso_week("0001-W01").year_earlier()


@pytest.mark.parametrize(
    ("start", "end", "kind", "match"),
    [
        (D(2025, 3, 1), D(2025, 3, 31), "quarter", r"`kind`: 'quarter' is not a period kind"),
        (D(2025, 3, 31), D(2025, 3, 1), "range", r"`start` \(2025-03-31\) is after `end`"),
        (D(2025, 3, 4), D(2025, 3, 10), "week", r"2025-03-04 – 2025-03-10 is not a whole week"),
        (D(2025, 3, 1), D(2025, 3, 30), "month", r"is not a whole month"),
        (D(2025, 2, 1), D(2025, 5, 31), "tertial", r"is not a whole tertial"),
        (D(2024, 1, 1), D(2025, 12, 31), "year", r"is not a whole year"),
        (D(2025, 1, 1), D(2025, 12, 31), "years", r"is not a whole years"),
        (D(2025, 3, 1), D(2025, 3, 2), "day", r"is not a whole day"),
        (D(2025, 3, 1), D(2025, 3, 1), "range", r"is not a whole range"),
    ],
)
def test_period_rejects_inconsistent_fields(
    start: dt.date, end: dt.date, kind: str, match: str
) -> None:
    with pytest.raises(InputError, match=match):
        Period(start, end, kind, "egen")


def test_period_by_hand_and_kinds() -> None:
    period = Period(D(2025, 11, 17), D(2025, 11, 23), "week", "v. 47")
    assert str(period) == "v. 47"
    assert period.previous() == iso_week("2025-W46")
    assert set(KINDS) == {"day", "week", "month", "tertial", "year", "years", "range"}
    with pytest.raises(AttributeError):
        period.kind = "month"  # type: ignore[misc]


# --- period_from_arguments -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"week": "2025-W47"}, iso_week("2025-W47")),
        ({"month": "2025-03"}, month("2025-03")),
        ({"tertial": "2025-T3"}, tertial("2025-T3")),
        ({"years": "2024-2025"}, years("2024-2025")),
        (
            {"date_from": "2025-03-01", "date_to": "2025-03-31"},
            date_range("2025-03-01", "2025-03-31"),
        ),
        (
            {"date_from": D(2025, 3, 1), "date_to": D(2025, 3, 1)},
            date_range("2025-03-01", "2025-03-01"),
        ),
        ({"week": "2025-W47", "month": "", "date_from": None}, iso_week("2025-W47")),
        ({}, None),
        ({"week": "", "month": " ", "date_from": "", "date_to": None}, None),
    ],
)
def test_period_from_arguments(arguments: dict[str, str], expected: Period | None) -> None:
    assert period_from_arguments(**arguments) == expected


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        (
            {"week": "2025-W47", "month": "2025-03"},
            r"^`week` \('2025-W47'\) and `month` \('2025-03'\) are given together; give only one",
        ),
        (
            {
                "tertial": "2025-T1",
                "years": "2025",
                "date_from": "2025-01-01",
                "date_to": "2025-02-01",
            },
            r"^`tertial` .* and `years` .* and `date_from`, `date_to` \('2025-01-01', '2025-02-01'\) are given together",
        ),
        ({"month": "2025-03", "date_to": "2025-03-31"}, r"`month` .* and `date_from`, `date_to`"),
        ({"date_from": "2025-03-01"}, r"^`date_to` not given; give both `date_from` and `date_to`"),
        ({"date_to": "2025-03-31"}, r"^`date_from` not given; give both `date_from` and `date_to`"),
        ({"week": "2025-W99"}, r"^`week`: '2025-W99' does not exist"),
        ({"years": "2030-2020"}, r"^`years`: in '2030-2020' the first year"),
    ],
)
def test_period_from_arguments_rejects(arguments: dict[str, str], match: str) -> None:
    with pytest.raises(InputError, match=match):
        period_from_arguments(**arguments)


# --- invariants -----------------------------------------------------------------------------

DAYS = st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31))


def _period_around(day: dt.date, kind: str, length: int) -> Period:
    """The period of ``kind`` that contains ``day`` (``length`` years or days for spans)."""
    iso = day.isocalendar()
    builders = {
        "week": lambda: iso_week(f"{iso.year}-W{iso.week:02d}"),
        "month": lambda: month(f"{day:%Y-%m}"),
        "tertial": lambda: tertial(f"{day.year}-T{(day.month - 1) // 4 + 1}"),
        "years": lambda: years(f"{day.year}-{day.year + length - 1}"),
        "range": lambda: date_range(day, day + dt.timedelta(days=length - 1)),
    }
    return builders[kind]()


@given(day=DAYS)
def test_iso_week_of_a_day_contains_it(day: dt.date) -> None:
    iso = day.isocalendar()
    week = iso_week(f"{iso.year}-W{iso.week}")
    assert week.start <= day <= week.end
    assert week.start.isoweekday() == 1
    assert week.contains(pd.Series([pd.Timestamp(day)])).tolist() == [True]


@given(
    day=DAYS,
    kind=st.sampled_from(["week", "month", "tertial", "years", "range"]),
    length=st.integers(min_value=1, max_value=10),
    steps=st.integers(min_value=1, max_value=8),
)
def test_previous_periods_tile_time(day: dt.date, kind: str, length: int, steps: int) -> None:
    period = _period_around(day, kind, length)
    assert period.start <= day <= period.end
    chain = [period, *period.references(steps)]
    for later, earlier in itertools.pairwise(chain):
        assert earlier.end + ONE_DAY == later.start
        assert earlier.kind == later.kind
        assert earlier.days == later.days or kind in ("month", "tertial", "years")
    assert period.previous(steps) == chain[-1]


@given(day=DAYS, kind=st.sampled_from(["week", "month", "tertial", "years", "range"]))
def test_year_earlier_is_about_a_year_back(day: dt.date, kind: str) -> None:
    period = _period_around(day, kind, 3)
    earlier = period.year_earlier()
    assert earlier.kind == period.kind
    assert 364 - 7 <= (period.start - earlier.start).days <= 366 + 7
    if kind == "week":
        week_number = period.start.isocalendar().week
        assert earlier.start.isocalendar().week in (week_number, 52)

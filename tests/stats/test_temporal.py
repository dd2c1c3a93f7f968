"""Weekday × hour, month profile, solar elevation and daylight (geomap.stats.temporal)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.core.dates import parse_timestamps
from geomap.errors import InputError
from geomap.stats.temporal import (
    MONTHS,
    WEEKDAYS,
    daylight,
    month_profile,
    solar_elevation,
    time_known,
    weekday_hour,
)

STOCKHOLM = (18.0686, 59.3293)  # lon, lat of Stockholm city (Sergels torg)


# --- weekday × hour ---------------------------------------------------------------------------


def test_weekday_hour_shape_names_and_counts() -> None:
    stamps = pd.Series(
        ["2025-11-17 08:15", "2025-11-17 08:59", "2025-11-23 23:59", "2025-11-22 00:00:01"]
    )
    table = weekday_hour(stamps)
    assert table.shape == (7, 24)
    assert table.index.tolist() == list(WEEKDAYS) and table.index[0] == "måndag"
    assert table.columns.tolist() == list(range(24))
    assert table.loc["måndag", 8] == 2 and table.loc["söndag", 23] == 1
    assert table.loc["lördag", 0] == 1  # one second past midnight is a known time
    assert table.attrs == {"counted": 4, "unknown_time": 0, "missing": 0}


def test_dates_without_time_are_left_out_and_counted() -> None:
    # The date parser stores a date without a time at 00:00: that is "time unknown".
    parsed = parse_timestamps(pd.Series(["2025-06-01", "1 juni 2025 kl 14.30", "", "skräp"]))
    table = weekday_hour(parsed.timestamps)
    assert table.to_numpy().sum() == 1 and table.loc["söndag", 14] == 1
    assert table.attrs == {"counted": 1, "unknown_time": 1, "missing": 2}
    assert time_known(parsed.timestamps).tolist() == [False, True, False, False]


def test_aware_timestamps_are_read_in_stockholm_time() -> None:
    # 2025-06-01 (a Sunday) 22:30 UTC is Monday 00:30 summer time; 2025-01-05 22:30 UTC is
    # Sunday 23:30 winter time.
    stamps = pd.Series(pd.to_datetime(["2025-06-01T22:30Z", "2025-01-05T22:30Z"]))
    table = weekday_hour(stamps)
    assert table.loc["måndag", 0] == 1 and table.loc["söndag", 23] == 1


@settings(max_examples=40, deadline=None)
@given(st.lists(st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2100, 1, 1)), max_size=50))
def test_weekday_hour_agrees_with_pandas(stamps: list[dt.datetime]) -> None:
    series = pd.Series(stamps, dtype="datetime64[ns]")
    table = weekday_hour(series)
    known = series[series != series.dt.normalize()]
    expected = np.zeros((7, 24), dtype=int)
    np.add.at(expected, (known.dt.day_of_week.to_numpy(), known.dt.hour.to_numpy()), 1)
    assert (table.to_numpy() == expected).all()
    assert table.attrs["counted"] + table.attrs["unknown_time"] == len(series)


# --- month profile ----------------------------------------------------------------------------


def test_month_profile_counts_dates_without_time_too() -> None:
    stamps = pd.Series(["2024-01-05", "2025-01-10 12:00", "2025-03-01", "2025-12-31 23:59", None])
    profile = month_profile(stamps)
    assert profile.index.tolist() == list(MONTHS)
    assert profile.loc["januari"] == 2 and profile.loc["mars"] == 1 and profile.loc["december"] == 1
    assert profile.sum() == 4 and profile.attrs["missing"] == 1


def test_month_profile_by_year_shows_every_year() -> None:
    stamps = pd.Series(["2022-05-01", "2024-05-01", "2024-06-30"])
    table = month_profile(stamps, by_year=True)
    assert table.index.tolist() == [2022, 2023, 2024]
    assert table.loc[2023].sum() == 0 and table.loc[2024, "juni"] == 1


def test_month_profile_of_nothing() -> None:
    assert month_profile(pd.Series([], dtype="datetime64[ns]")).sum() == 0
    assert month_profile(pd.Series([None]), by_year=True).empty


# --- solar elevation and daylight --------------------------------------------------------------


def _day_minutes(day: str, *, twilight: str = "sunset") -> pd.Series:
    stamps = pd.Series(pd.date_range(f"{day} 00:01", periods=1439, freq="min"))
    words = daylight(stamps, *STOCKHOLM, twilight=twilight)
    return stamps[words == "dagsljus"]


@pytest.mark.parametrize(
    ("day", "length_minutes", "sunrise", "sunset"),
    [
        # Day length at the solstices in Stockholm: 18 h 37 min 8 s (21 June 2022) and
        # 6 h 4 min 48 s at the winter solstice, as published by Ångshult produktioner,
        # "Årets längsta dag", 2022-06-21 (SMHI/almanac values). Sunrise and sunset as in the
        # almanac (timeanddate.com / Almanacka för Stockholm): 03:31 / 22:08 and 08:44 / 14:48.
        ("2022-06-21", 18 * 60 + 37.1, "03:31", "22:08"),
        ("2022-12-21", 6 * 60 + 4.8, "08:44", "14:48"),
    ],
)
def test_daylight_matches_stockholm_sunrise_and_sunset(
    day: str, length_minutes: float, sunrise: str, sunset: str
) -> None:
    light = _day_minutes(day)
    assert len(light) == pytest.approx(length_minutes, abs=3)
    first, last = light.iloc[0], light.iloc[-1]
    tolerance = pd.Timedelta(minutes=3)
    assert abs(first - pd.Timestamp(f"{day} {sunrise}")) <= tolerance
    assert abs(last - pd.Timestamp(f"{day} {sunset}")) <= tolerance


def test_civil_twilight_counts_as_daylight() -> None:
    # At midsummer the sun in Stockholm stays above −7.3°, so under the civil rule (−6°) the night
    # is short but real; in December civil twilight adds about 40 minutes at each end.
    assert len(_day_minutes("2022-12-21", twilight="civil")) > len(_day_minutes("2022-12-21")) + 60
    assert 21 * 60 < len(_day_minutes("2022-06-21", twilight="civil")) < 22 * 60


def test_solar_elevation_at_noon_of_the_solstices() -> None:
    # At solar noon the elevation is 90° − latitude + declination (±23.44° at the solstices).
    noon = np.array(["2025-06-21T10:50", "2025-12-21T10:40"], dtype="datetime64[ns]")
    elevation = solar_elevation(noon, STOCKHOLM[0], STOCKHOLM[1])
    assert elevation[0] == pytest.approx(90 - 59.3293 + 23.44, abs=0.1)
    assert elevation[1] == pytest.approx(90 - 59.3293 - 23.44, abs=0.1)
    assert np.isnan(solar_elevation(np.array(["NaT"], dtype="datetime64[ns]"), 18.0, 59.0)[0])


def test_daylight_unknowns_and_per_remark_positions() -> None:
    stamps = pd.Series(
        ["2025-12-21 12:00", "2025-12-21 17:00", "2025-12-21 00:00", None, "2025-12-21 12:00"],
        index=[5, 6, 7, 8, 9],
    )
    lon = np.array([17.98, 17.98, 17.98, 17.98, np.nan])
    lat = np.array([59.24, 59.24, 59.24, 59.24, 59.24])
    words = daylight(stamps, lon, lat)
    assert words.tolist() == ["dagsljus", "mörker", "okänd", "okänd", "okänd"]
    assert words.index.tolist() == [5, 6, 7, 8, 9]


def test_daylight_across_the_clock_changes() -> None:
    # 02:30 on 2025-03-30 does not exist (moved forward); 02:30 on 2025-10-26 happens twice (read
    # as winter time). Both are night.
    stamps = pd.Series(["2025-03-30 02:30", "2025-10-26 02:30"])
    assert daylight(stamps, 17.98, 59.24).tolist() == ["mörker", "mörker"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (
            {"twilight": "nautical"},
            r"`twilight`: 'nautical' is not a rule; give one of 'sunset', 'civil'",
        ),
        (
            {"lon": np.array([18.0, 18.0]), "lat": 59.0},
            r"`lon`, `lat`: 2 and 1 values for 1 timestamps",
        ),
    ],
)
def test_daylight_rejects(kwargs: dict[str, object], match: str) -> None:
    arguments: dict[str, object] = {"lon": 18.0, "lat": 59.0, **kwargs}
    twilight = str(arguments.pop("twilight", "sunset"))
    with pytest.raises(InputError, match=match):
        daylight(
            pd.Series(["2025-06-01 12:00"]), arguments["lon"], arguments["lat"], twilight=twilight
        )  # type: ignore[arg-type]

"""Tests for geomap.demo.timing: per-category hour, weekday and season profiles."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.core.categories import load_categories
from geomap.demo.remarks import CATEGORY_VARIANTS
from geomap.demo.timing import PROFILES, draw_minutes


def _stamps(codes: list[str] | np.ndarray, year: int = 2025, **kwargs: bool) -> pd.Series:
    minutes = draw_minutes(
        np.random.default_rng(7), np.asarray(codes, dtype=object), year, **kwargs
    )
    start = np.datetime64(f"{year}-01-01T00:00", "m")
    return pd.Series(start + minutes.astype("timedelta64[m]"))


def test_every_category_of_the_log_has_a_profile_of_the_right_shape() -> None:
    keys = {key for _, key in CATEGORY_VARIANTS.values()}
    assert keys <= set(PROFILES)
    assert set(PROFILES) - {"okand"} <= set(load_categories().codes())
    for profile in PROFILES.values():
        assert len(profile.hours) == 24 and len(profile.weekdays) == 7
        assert len(profile.months) == 12
        assert min(profile.hours + profile.weekdays + profile.months) > 0


def test_lighting_faults_are_reported_in_the_dark() -> None:
    t = _stamps(["belysning"] * 6000)
    month = t.dt.month
    assert (month.isin([11, 12, 1])).sum() > 6 * (month.isin([5, 6, 7])).sum()
    dark_hours = t.dt.hour.isin([16, 17, 18, 19, 20, 21, 6, 7])
    assert dark_hours.mean() > 0.5


def test_littering_is_reported_in_the_morning_after_the_weekend() -> None:
    t = _stamps(["nedskrapning"] * 6000)
    assert t.dt.day_of_week.isin([6, 0]).mean() > 0.35  # Sunday and Monday (2/7 = 0.29 if flat)
    assert t.dt.hour.between(7, 11).mean() > 0.4


def test_vandalism_and_gatherings_are_evening_weekend_and_summer() -> None:
    for code in ("skadegorelse", "samling"):
        t = _stamps([code] * 6000)
        assert t.dt.hour.between(18, 23).mean() > 0.4
        assert t.dt.day_of_week.isin([4, 5]).mean() > 0.33  # Friday and Saturday
        assert t.dt.month.isin([6, 7, 8]).sum() > 1.4 * t.dt.month.isin([12, 1, 2]).sum()


def test_fires_peak_on_new_years_eve() -> None:
    t = _stamps(["brand"] * 20000)
    per_day = t.dt.normalize().value_counts()
    assert per_day.idxmax() == pd.Timestamp("2025-12-31")
    assert per_day.max() > 5 * per_day.median()


def test_ramp_grows_over_the_year_without_a_season() -> None:
    t = _stamps(["belysning"] * 8000, ramp=True)  # belysning's dark season is replaced
    quarters = t.dt.quarter.value_counts().sort_index().to_numpy()
    assert (np.diff(quarters) > 0).all()
    assert quarters[3] > 4 * quarters[0]  # linear from 0: 7:1 in expectation


@settings(max_examples=20, deadline=None)
@given(
    year=st.integers(1990, 2100),
    codes=st.lists(st.sampled_from(sorted(PROFILES)), min_size=0, max_size=300),
    ramp=st.booleans(),
)
def test_times_fall_inside_the_year_including_leap_days(
    year: int, codes: list[str], ramp: bool
) -> None:
    t = _stamps(codes, year, ramp=ramp)
    assert len(t) == len(codes)
    assert t.dt.year.eq(year).all()


@pytest.mark.parametrize("year", [2020, 2024])
def test_leap_day_can_be_drawn(year: int) -> None:
    t = _stamps(["okand"] * 20000, year)
    assert ((t.dt.month == 2) & (t.dt.day == 29)).any()

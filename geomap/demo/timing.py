"""When synthetic incidents happen: hour, weekday and month profiles per category (vectorised).

Each category code has a :class:`TimeProfile`; a day's weight is weekday × month × special day
(New Year's Eve and Valborg for fires and gatherings), and the hour is drawn from the category's
hour profile. The shapes (documented in ``data/README.md``): vandalism, graffiti, fires and
gatherings in the evening and night with Friday/Saturday peaks and more in summer; littering
reported in the morning, mostly on Mondays and Sundays (after the weekend), more in summer;
lighting faults reported in the dark hours and the dark season (October–February); overgrown
vegetation in the daytime of the growing season. ``ramp=True`` replaces the month profile by a
linear rise from 0 on 1 January to its maximum on 31 December (the place that grows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["PROFILES", "TimeProfile", "draw_minutes"]


@dataclass(frozen=True)
class TimeProfile:
    """Relative weights: 24 hours (0–23), 7 weekdays (Monday … Sunday), 12 months."""

    hours: tuple[float, ...]
    weekdays: tuple[float, ...]
    months: tuple[float, ...]
    special: tuple[tuple[int, int, float], ...] = ()  # (month, day, factor)


# fmt: off
_NIGHT = (1.3, 1.0, 0.7, 0.4, 0.25, 0.2, 0.2, 0.3, 0.35, 0.4, 0.45, 0.5,
          0.55, 0.55, 0.6, 0.7, 0.8, 0.9, 1.1, 1.4, 1.7, 1.9, 1.8, 1.6)
_EVENING = (0.6, 0.4, 0.25, 0.15, 0.1, 0.1, 0.15, 0.25, 0.3, 0.35, 0.4, 0.45,
            0.55, 0.6, 0.7, 0.9, 1.1, 1.3, 1.6, 1.9, 2.0, 1.9, 1.5, 1.0)
_MORNING = (0.1, 0.08, 0.05, 0.05, 0.05, 0.2, 0.6, 1.4, 1.9, 1.8, 1.5, 1.2,
            1.0, 0.9, 0.8, 0.7, 0.6, 0.5, 0.45, 0.4, 0.35, 0.3, 0.2, 0.15)
_DARK = (0.5, 0.3, 0.2, 0.15, 0.2, 0.5, 1.0, 1.3, 0.8, 0.4, 0.3, 0.3,
         0.3, 0.3, 0.4, 0.8, 1.3, 1.7, 1.8, 1.7, 1.5, 1.3, 1.0, 0.7)
_DAY = (0.05, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.8, 1.4, 1.7, 1.7, 1.5,
        1.3, 1.5, 1.5, 1.3, 1.0, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05)

_WEEKEND = (0.8, 0.8, 0.85, 0.95, 1.35, 1.5, 1.0)
_AFTER_WEEKEND = (1.8, 1.0, 0.9, 0.85, 0.9, 1.0, 1.3)
_WORKDAYS = (1.15, 1.15, 1.1, 1.1, 1.0, 0.7, 0.7)
_FLAT7 = (1.0,) * 7

_SUMMER = (0.7, 0.7, 0.8, 0.95, 1.1, 1.3, 1.35, 1.3, 1.1, 0.95, 0.85, 0.8)
_MILD = (0.85, 0.85, 0.9, 1.0, 1.05, 1.1, 1.1, 1.1, 1.05, 1.0, 0.95, 0.9)
_DARK_SEASON = (1.7, 1.4, 1.0, 0.6, 0.35, 0.2, 0.25, 0.45, 0.9, 1.4, 1.8, 1.9)
_GROWING = (0.2, 0.2, 0.4, 0.9, 1.6, 1.9, 1.8, 1.6, 1.2, 0.6, 0.3, 0.2)
_FIRE = (1.2, 0.7, 0.8, 1.3, 1.1, 1.0, 1.0, 1.0, 0.9, 0.9, 0.9, 1.1)
_FLAT12 = (1.0,) * 12
_DARKER = (1.15, 1.1, 1.0, 0.9, 0.85, 0.8, 0.8, 0.85, 0.95, 1.1, 1.2, 1.2)
_NEW_YEAR = ((12, 31, 8.0), (1, 1, 4.0), (4, 30, 3.0))
_VALBORG = ((4, 30, 3.0),)
# fmt: on

#: Time profile per category code (the codes of ``geomap/core/categories``; ``okand`` = unknown).
PROFILES: dict[str, TimeProfile] = {
    "klotter": TimeProfile(_NIGHT, _WEEKEND, _MILD),
    "skadegorelse": TimeProfile(_NIGHT, _WEEKEND, _SUMMER),
    "nedskrapning": TimeProfile(_MORNING, _AFTER_WEEKEND, _SUMMER),
    "belysning": TimeProfile(_DARK, _FLAT7, _DARK_SEASON),
    "otrygg_plats": TimeProfile(_EVENING, _FLAT7, _DARKER),
    "samling": TimeProfile(_EVENING, _WEEKEND, _SUMMER, _VALBORG),
    "hot_mot_personal": TimeProfile(_EVENING, _FLAT7, _FLAT12),
    "brand": TimeProfile(_NIGHT, _WEEKEND, _FIRE, _NEW_YEAR),
    "vegetation": TimeProfile(_DAY, _WORKDAYS, _GROWING),
    "narkotika": TimeProfile(_EVENING, _WEEKEND, _FLAT12),
    "trafik": TimeProfile(_EVENING, _WEEKEND, _SUMMER),
    "okand": TimeProfile(_DAY, _FLAT7, _FLAT12),
}


def _day_weights(profile: TimeProfile, year: int, *, ramp: bool) -> np.ndarray:
    """Weight of each day of ``year`` for one profile."""
    first = np.datetime64(f"{year}-01-01", "D")
    dates = np.arange(first, np.datetime64(f"{year + 1}-01-01", "D"))
    weekday = (dates.astype(np.int64) + 3) % 7  # 1970-01-01 was a Thursday
    month = dates.astype("datetime64[M]").astype(np.int64) % 12
    day_of_month = (dates - dates.astype("datetime64[M]")).astype(np.int64) + 1
    months = np.ones(12) if ramp else np.asarray(profile.months)  # the ramp is its season
    weight = np.asarray(profile.weekdays)[weekday] * months[month]
    for m, d, factor in profile.special:
        weight = np.where((month == m - 1) & (day_of_month == d), weight * factor, weight)
    if ramp:
        weight = weight * (np.arange(len(dates)) + 0.5) / len(dates)
    return weight


def draw_minutes(
    rng: np.random.Generator,
    codes: np.ndarray,
    year: int,
    *,
    ramp: bool = False,
) -> np.ndarray:
    """Minutes since 1 January of ``year`` for incidents of the category ``codes``.

    One vectorised draw per category (not per incident): day from weekday × month × special
    day, hour from the hour profile, minute uniform.

    Examples
    --------
    >>> codes = np.array(["belysning"] * 2000, dtype=object)
    >>> minutes = draw_minutes(np.random.default_rng(1), codes, 2025)
    >>> month = (np.datetime64("2025-01-01T00:00") + minutes.astype("timedelta64[m]")).astype(
    ...     "datetime64[M]").astype(int) % 12
    >>> bool((month == 11).sum() > 4 * (month == 5).sum())  # more in December than in June
    True
    """
    out = np.zeros(len(codes), dtype=np.int64)
    for code, profile in PROFILES.items():
        where = np.flatnonzero(codes == code)
        if len(where) == 0:
            continue
        p_day = _day_weights(profile, year, ramp=ramp)
        p_hour = np.asarray(profile.hours)
        days = rng.choice(len(p_day), size=len(where), p=p_day / p_day.sum())
        hours = rng.choice(24, size=len(where), p=p_hour / p_hour.sum())
        out[where] = days * 1440 + hours * 60 + rng.integers(0, 60, size=len(where))
    return out

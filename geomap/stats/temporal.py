"""When remarks happen: weekday × hour, month profile, daylight or dark.

Public API
----------
``weekday_hour(timestamps) -> pd.DataFrame``
    7 × 24 counts: rows the Swedish weekdays (:data:`WEEKDAYS`, "måndag" first), columns the hours
    0–23 (local time, Europe/Stockholm). ``attrs["unknown_time"]`` and ``attrs["missing"]`` count
    what was left out.
``month_profile(timestamps, *, by_year: bool = False) -> pd.Series | pd.DataFrame``
    Counts per calendar month (Swedish month names, :data:`MONTHS`); with ``by_year`` a
    years × months frame.
``daylight(timestamps, lon, lat, *, twilight: str = "sunset") -> pd.Series``
    "dagsljus", "mörker" or "okänd" per remark.
``solar_elevation(utc, lon, lat) -> np.ndarray``
    Sun's elevation in degrees (NOAA formulas) at UTC times.
``time_known(timestamps) -> np.ndarray``
    True where the timestamp carries a time of day.

Unknown times
-------------
geomap stores a date given without a time at local midnight (:mod:`geomap.core.dates`: "an empty
time leaves the date at 00:00"), so a timestamp at exactly 00:00:00.000 is taken as "time
unknown": it counts in the month profile but not in the hour table, and its daylight is "okänd".
A remark truly made at midnight is lost to the hour table; the count is reported.

Daylight
--------
The solar elevation follows NOAA's solar calculator (Meeus, *Astronomical Algorithms*): the
geometric elevation of the sun's centre, without refraction. ``twilight="sunset"`` (default):
"dagsljus" while the elevation is above −0.833° (sunrise to sunset as almanacs give them:
refraction 34′ plus the sun's radius 16′); ``"civil"``: while above −6° (civil twilight counts as
daylight). Naive timestamps are Europe/Stockholm local time; in the repeated hour when summer time
ends they are read as winter time, and non-existent spring-forward times are moved forward.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geomap.core.dates import TIMEZONE
from geomap.core.words import MONTH_NAMES, WEEKDAY_NAMES
from geomap.errors import InputError

__all__ = [
    "DAYLIGHT_LABELS",
    "MONTHS",
    "TWILIGHT",
    "WEEKDAYS",
    "daylight",
    "month_profile",
    "solar_elevation",
    "time_known",
    "weekday_hour",
]

#: Swedish weekday names, Monday first (:data:`geomap.core.words.WEEKDAY_NAMES`).
WEEKDAYS = WEEKDAY_NAMES
#: Swedish month names (:data:`geomap.core.words.MONTH_NAMES`).
MONTHS = MONTH_NAMES
#: Words of :func:`daylight`.
DAYLIGHT_LABELS = {"day": "dagsljus", "dark": "mörker", "unknown": "okänd"}
#: Sun elevation (degrees) above which it is "dagsljus", by ``twilight`` rule.
TWILIGHT = {"sunset": -0.833, "civil": -6.0}

_NS_HOUR = 3_600_000_000_000
_NS_DAY = 24 * _NS_HOUR


def _local(timestamps: pd.Series | pd.DatetimeIndex | np.ndarray) -> pd.Series:
    """Naive Europe/Stockholm ``datetime64[ns]`` (aware values converted; garbage becomes NaT)."""
    series = pd.Series(timestamps)
    if not pd.api.types.is_datetime64_any_dtype(series.dtype):
        series = pd.to_datetime(series, errors="coerce", format="mixed")
    if isinstance(series.dtype, pd.DatetimeTZDtype):
        series = series.dt.tz_convert(TIMEZONE).dt.tz_localize(None)
    return series.astype("datetime64[ns]")


def time_known(timestamps: pd.Series | pd.DatetimeIndex | np.ndarray) -> np.ndarray:
    """Tell where a timestamp has a time of day (not missing and not exactly local midnight).

    Examples
    --------
    >>> time_known(pd.Series(["2025-06-01 00:00", "2025-06-01 00:01", None])).tolist()
    [False, True, False]
    """
    local = _local(timestamps).to_numpy()
    return ~np.isnat(local) & (local.view(np.int64) % _NS_DAY != 0)


def weekday_hour(timestamps: pd.Series | pd.DatetimeIndex | np.ndarray) -> pd.DataFrame:
    """Count remarks by weekday and hour of the day (local time); unknown times are left out.

    Parameters
    ----------
    timestamps : pandas.Series, DatetimeIndex or array
        Naive local times (as geomap stores them) or aware ones (converted to Europe/Stockholm).

    Returns
    -------
    pandas.DataFrame
        Index :data:`WEEKDAYS` (named ``veckodag``), columns 0–23 (named ``timme``), whole counts.
        ``attrs``: ``counted``, ``unknown_time`` (at exactly 00:00), ``missing`` (no date).

    Examples
    --------
    >>> t = weekday_hour(pd.Series(["2025-11-17 08:15", "2025-11-17 08:50",
    ...                             "2025-11-23 23:59", "2025-11-18 00:00", None]))
    >>> int(t.loc["måndag", 8]), int(t.loc["söndag", 23]), int(t.to_numpy().sum())
    (2, 1, 3)
    >>> t.attrs
    {'counted': 3, 'unknown_time': 1, 'missing': 1}
    """
    local = _local(timestamps).to_numpy()
    missing = np.isnat(local)
    ns = local.view(np.int64)
    known = ~missing & (ns % _NS_DAY != 0)
    days = ns[known] // _NS_DAY
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday
    hour = (ns[known] % _NS_DAY) // _NS_HOUR
    counts = np.bincount(weekday * 24 + hour, minlength=7 * 24).reshape(7, 24)
    table = pd.DataFrame(
        counts,
        index=pd.Index(WEEKDAYS, name="veckodag"),
        columns=pd.Index(range(24), name="timme"),
    )
    table.attrs.update(
        counted=int(known.sum()),
        unknown_time=int((~missing & ~known).sum()),
        missing=int(missing.sum()),
    )
    return table


def month_profile(
    timestamps: pd.Series | pd.DatetimeIndex | np.ndarray, *, by_year: bool = False
) -> pd.Series | pd.DataFrame:
    """Count remarks per calendar month (local date); times need not be known.

    Parameters
    ----------
    timestamps : pandas.Series, DatetimeIndex or array
        Local or aware timestamps; missing ones are left out (``attrs["missing"]``).
    by_year : bool, default False
        One row per year (years between the first and last, all shown) instead of one total.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Counts indexed by :data:`MONTHS` (named ``månad``); with ``by_year`` rows are years.

    Examples
    --------
    >>> stamps = pd.Series(["2024-01-05", "2025-01-10 12:00", "2025-03-01", None])
    >>> month_profile(stamps).head(3).tolist()
    [2, 0, 1]
    >>> month_profile(stamps, by_year=True).loc[2025, ["januari", "mars"]].tolist()
    [1, 1]
    """
    local = _local(timestamps)
    missing = int(local.isna().sum())
    local = local.dropna()
    months = local.dt.month.to_numpy() - 1
    columns = pd.Index(MONTHS, name="månad")
    if not by_year:
        result: pd.Series | pd.DataFrame = pd.Series(
            np.bincount(months, minlength=12), index=columns, name="count"
        )
    else:
        years = local.dt.year.to_numpy()
        first = int(years.min()) if len(years) else 0
        span = int(years.max()) - first + 1 if len(years) else 0
        counts = np.bincount((years - first) * 12 + months, minlength=span * 12)
        result = pd.DataFrame(
            counts.reshape(span, 12),
            index=pd.Index(range(first, first + span), name="år"),
            columns=columns,
        )
    result.attrs["missing"] = missing
    return result


def solar_elevation(
    utc: np.ndarray | pd.Series, lon: float | np.ndarray, lat: float | np.ndarray
) -> np.ndarray:
    """Elevation of the sun's centre in degrees (NOAA solar calculator, no refraction).

    Parameters
    ----------
    utc : numpy.ndarray or pandas.Series
        Times in UTC (naive ``datetime64``); NaT gives NaN.
    lon, lat : float or numpy.ndarray
        Longitude (east positive) and latitude in degrees (WGS84), scalars or one per time.

    Examples
    --------
    >>> noon = np.array(["2025-06-21T11:00"], dtype="datetime64[ns]")  # 13:00 in Stockholm
    >>> round(float(solar_elevation(noon, 18.07, 59.33)[0]), 1)
    54.1
    """
    stamps = np.asarray(pd.Series(utc).astype("datetime64[ns]"))
    bad = np.isnat(stamps)
    seconds = np.where(bad, 0, stamps.view(np.int64)) // 1_000_000_000
    # Declination and equation of time change by < 0.02° and < 0.02 min an hour: compute them
    # once per distinct hour (at its middle) and share them.
    which, hours = pd.factorize(seconds // 3600)
    declination, equation_of_time = _sun(hours * 3600.0 + 1800.0)
    minutes = (seconds % 86400) / 60.0
    lon = np.asarray(lon, dtype=float)
    solar_time = (minutes + equation_of_time[which] + 4 * lon) % 1440
    hour_angle = np.radians(solar_time / 4 - 180)
    phi = np.radians(np.asarray(lat, dtype=float))
    sin_d, cos_d = np.sin(declination)[which], np.cos(declination)[which]
    cos_zenith = np.sin(phi) * sin_d + np.cos(phi) * cos_d * np.cos(hour_angle)
    elevation = 90 - np.degrees(np.arccos(np.clip(cos_zenith, -1, 1)))
    return np.where(bad, np.nan, elevation)


def _sun(seconds: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Solar declination (radians) and equation of time (minutes) at Unix times (NOAA)."""
    t = (seconds / 86400.0 + 2440587.5 - 2451545.0) / 36525.0
    l0 = np.radians((280.46646 + t * (36000.76983 + t * 0.0003032)) % 360)
    m = np.radians(357.52911 + t * (35999.05029 - 0.0001537 * t))
    e = 0.016708634 - t * (0.000042037 + 0.0000001267 * t)
    centre = (
        np.sin(m) * (1.914602 - t * (0.004817 + 0.000014 * t))
        + np.sin(2 * m) * (0.019993 - 0.000101 * t)
        + np.sin(3 * m) * 0.000289
    )
    omega = np.radians(125.04 - 1934.136 * t)
    apparent = np.radians(np.degrees(l0) + centre - 0.00569 - 0.00478 * np.sin(omega))
    mean_obliquity = 23 + (26 + (21.448 - t * (46.815 + t * (0.00059 - t * 0.001813))) / 60) / 60
    obliquity = np.radians(mean_obliquity + 0.00256 * np.cos(omega))
    declination = np.arcsin(np.sin(obliquity) * np.sin(apparent))
    v = np.tan(obliquity / 2) ** 2
    equation_of_time = 4 * np.degrees(
        v * np.sin(2 * l0)
        - 2 * e * np.sin(m)
        + 4 * e * v * np.sin(m) * np.cos(2 * l0)
        - 0.5 * v * v * np.sin(4 * l0)
        - 1.25 * e * e * np.sin(2 * m)
    )
    return declination, equation_of_time


def daylight(
    timestamps: pd.Series | pd.DatetimeIndex | np.ndarray,
    lon: float | np.ndarray | pd.Series,
    lat: float | np.ndarray | pd.Series,
    *,
    twilight: str = "sunset",
) -> pd.Series:
    """Tell for each remark whether it happened in daylight, in the dark, or at an unknown time.

    Parameters
    ----------
    timestamps : pandas.Series, DatetimeIndex or array
        Naive local (Europe/Stockholm) or aware timestamps; missing ones and those at exactly
        00:00 (time unknown) give "okänd".
    lon, lat : float or array-like
        WGS84 longitude and latitude in degrees, one pair for all or one per remark; NaN gives
        "okänd".
    twilight : {"sunset", "civil"}, default "sunset"
        "dagsljus" while the sun's centre is above −0.833° ("sunset") or above −6° ("civil").

    Returns
    -------
    pandas.Series
        "dagsljus", "mörker" or "okänd" (:data:`DAYLIGHT_LABELS`; categorical with these three
        categories in this order), with the index of ``timestamps`` when it is a Series.

    Raises
    ------
    InputError
        If ``twilight`` is unknown or ``lon``/``lat`` do not match the timestamps in length.

    Examples
    --------
    >>> stamps = pd.Series(["2025-12-21 12:00", "2025-12-21 17:00", "2025-12-21 00:00"])
    >>> daylight(stamps, 17.98, 59.24).tolist()  # Huddinge
    ['dagsljus', 'mörker', 'okänd']
    """
    if twilight not in TWILIGHT:
        msg = (
            f"`twilight`: {twilight!r} is not a rule; give one of {', '.join(map(repr, TWILIGHT))}"
        )
        raise InputError(msg)
    local = _local(timestamps)
    lons, lats = _coordinates(lon, lat, len(local))
    known = time_known(local.to_numpy()) & np.isfinite(lons) & np.isfinite(lats)
    elevation = solar_elevation(_naive_utc(local), lons, lats)
    codes = np.where(known, np.where(elevation > TWILIGHT[twilight], 0, 1), 2)
    words = pd.Categorical.from_codes(
        codes, dtype=pd.CategoricalDtype(list(DAYLIGHT_LABELS.values()))
    )
    index = timestamps.index if isinstance(timestamps, pd.Series) else None
    return pd.Series(words, index=index, name="daylight")


def _coordinates(
    lon: float | np.ndarray | pd.Series, lat: float | np.ndarray | pd.Series, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return ``n`` longitudes and latitudes (one pair broadcast to all), checking their length."""
    lons, lats = (
        np.broadcast_to(np.asarray(v, dtype=float), (n,))
        if np.ndim(v) == 0
        else np.asarray(v, dtype=float)
        for v in (lon, lat)
    )
    if len(lons) != n or len(lats) != n:
        msg = f"`lon`, `lat`: {len(lons)} and {len(lats)} values for {n} timestamps; give one pair for all or one per timestamp"
        raise InputError(msg)
    return lons, lats


def _naive_utc(local: pd.Series) -> np.ndarray:
    """Return naive local times as naive UTC (ambiguous hour as winter time, gaps shifted on)."""
    utc = (
        local.dt.tz_localize(
            TIMEZONE, ambiguous=np.zeros(len(local), dtype=bool), nonexistent="shift_forward"
        )
        .dt.tz_convert("UTC")
        .dt.tz_localize(None)
    )
    return utc.to_numpy()

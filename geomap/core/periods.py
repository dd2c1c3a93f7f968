"""Reporting periods (ISO week, month, tertial, year(s), date range) and dates given as arguments.

This is the one place where geomap defines its reporting periods. A :class:`Period` is an inclusive
span of calendar days with a Swedish label ("vecka 47 2025", "tertial 3 2025"). It knows the period
just before it (:meth:`Period.previous`) and the same period a year earlier
(:meth:`Period.year_earlier`), so that reports can compare with reference periods. Timestamps are
compared by their calendar date in Europe/Stockholm (:func:`local_dates`).

Tertials follow Swedish municipal reporting: T1 = januari–april, T2 = maj–augusti,
T3 = september–december.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geomap.core.words import MONTH_NAMES
from geomap.errors import InputError

__all__ = [
    "KINDS",
    "Period",
    "date_range",
    "iso_week",
    "local_dates",
    "month",
    "parse_date",
    "period_from_arguments",
    "tertial",
    "years",
]

#: The kinds of :class:`Period`: calendar units, then a single day and a free range of days.
KINDS = ("day", "week", "month", "tertial", "year", "years", "range")

_MAX_YEARS = 10
_LAST_YEAR = 9998  # the last ISO week of year 9999 ends in year 10000, which `datetime` lacks
_ONE_DAY = dt.timedelta(days=1)
_CALENDAR_KINDS = ("week", "month", "tertial", "year", "years")

_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
_WEEK_RE = re.compile(r"(\d{4})-?[Ww](\d{1,2})")
_MONTH_RE = re.compile(r"(\d{4})-(\d{1,2})")
_TERTIAL_RE = re.compile(r"(\d{4})-?[Tt](\d{1,2})")
_YEARS_RE = re.compile(r"(\d{4})(?:\s*[-–]\s*(\d{4}))?")


def parse_date(value: str | dt.date | None, *, argument: str) -> dt.date | None:
    """Parse a ``YYYY-MM-DD`` date given as an argument.

    Parameters
    ----------
    value : str, datetime.date or None
        The date; None or an empty string means "no date". A ``datetime`` gives its date.
    argument : str
        Name of the argument, used in the error message (e.g. ``"date_from"``).

    Returns
    -------
    datetime.date or None

    Raises
    ------
    InputError
        If ``value`` is not a valid ``YYYY-MM-DD`` date.

    Examples
    --------
    >>> parse_date(" 2025-03-01 ", argument="date_from")
    datetime.date(2025, 3, 1)
    >>> parse_date(dt.datetime(2025, 3, 1, 12, 30), argument="date_from")
    datetime.date(2025, 3, 1)
    >>> parse_date("", argument="date_from") is None
    True
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    try:
        if _DATE_RE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    msg = f"`{argument}`: {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2025-03-01"
    raise InputError(msg)


def local_dates(timestamps: pd.Series) -> pd.Series:
    """Return the calendar date (Europe/Stockholm for time-zone aware values) of each timestamp.

    Parameters
    ----------
    timestamps : pandas.Series
        Timestamps, dates or strings; what cannot be parsed becomes ``NaT``.

    Returns
    -------
    pandas.Series
        Time-zone naive timestamps at midnight (``datetime64``).

    Examples
    --------
    >>> local_dates(pd.Series(pd.to_datetime(["2025-01-01 23:30Z"]))).iloc[0]
    Timestamp('2025-01-02 00:00:00')
    >>> local_dates(pd.Series(["2025-03-01 08:15", "okänt"])).tolist()
    [Timestamp('2025-03-01 00:00:00'), NaT]
    """
    values = pd.to_datetime(timestamps, errors="coerce", format="mixed")
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_convert("Europe/Stockholm").dt.tz_localize(None)
    return values.dt.normalize()


@dataclass(frozen=True)
class Period:
    """An inclusive span of calendar days: an ISO week, month, tertial, year(s), day or date range.

    Build one with :func:`iso_week`, :func:`month`, :func:`tertial`, :func:`years`,
    :func:`date_range` or :func:`period_from_arguments` rather than by hand.

    Parameters
    ----------
    start, end : datetime.date
        First and last day, both included.
    kind : str
        One of :data:`KINDS`. A calendar kind must cover the whole unit (a week runs Monday to
        Sunday), ``"day"`` is one day and ``"range"`` more than one.
    label : str
        Swedish name, e.g. ``"vecka 47 2025"``, ``"januari 2025"``, ``"tertial 3 2025"``,
        ``"2025"``, ``"2024–2025"``, ``"2025-03-01 – 2025-03-31"``.

    Raises
    ------
    InputError
        If ``kind`` is unknown, ``start`` is after ``end`` or the days do not form a whole ``kind``.

    Examples
    --------
    >>> p = month("2025-03")
    >>> p
    Period(start=datetime.date(2025, 3, 1), end=datetime.date(2025, 3, 31), kind='month', label='mars 2025')
    >>> print(p, p.previous(), p.year_earlier(), sep=" | ")
    mars 2025 | februari 2025 | mars 2024
    """

    start: dt.date
    end: dt.date
    kind: str
    label: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            msg = f"`kind`: {self.kind!r} is not a period kind; use one of {', '.join(KINDS)}"
            raise InputError(msg)
        if self.start > self.end:
            msg = (
                f"`start` ({self.start}) is after `end` ({self.end}); give the first day as `start`"
            )
            raise InputError(msg)
        if not _is_whole(self.kind, self.start, self.end):
            msg = f"`start`, `end`: {self.start} – {self.end} is not a whole {self.kind}; build the period with iso_week(), month(), tertial(), years() or date_range()"
            raise InputError(msg)

    def __str__(self) -> str:
        return self.label

    @property
    def days(self) -> int:
        """Number of days in the period, both ends included.

        Examples
        --------
        >>> month("2024-02").days
        29
        """
        return (self.end - self.start).days + 1

    def contains(self, dates: pd.Series) -> np.ndarray:
        """Tell for each timestamp whether its local calendar date lies in the period.

        Parameters
        ----------
        dates : pandas.Series
            Timestamps, dates or strings, read as by :func:`local_dates`.

        Returns
        -------
        numpy.ndarray
            Boolean mask; missing or unreadable values (``NaT``) are False.

        Examples
        --------
        >>> stamps = pd.Series(["2025-03-31 23:59", "2025-04-01 00:00", None])
        >>> month("2025-03").contains(stamps)
        array([ True, False, False])
        """
        local = local_dates(dates)
        inside = local.ge(pd.Timestamp(self.start)) & local.le(pd.Timestamp(self.end))
        return inside.to_numpy(dtype=bool)

    def previous(self, n: int = 1) -> Period:
        """Return the period of the same kind ``n`` steps earlier.

        Weeks step by ISO week, months, tertials and years by their unit, a span of years by its
        own length, and a day or date range by its number of days (the days just before).

        Parameters
        ----------
        n : int, default 1
            Number of steps back, at least 1.

        Raises
        ------
        InputError
            If ``n`` is not a whole number ≥ 1 or the result falls outside years 1–9999.

        Examples
        --------
        >>> print(iso_week("2021-W01").previous(), iso_week("2026-W01").previous(), sep=" | ")
        vecka 53 2020 | vecka 52 2025
        >>> print(years("2024-2025").previous())
        2022–2023
        """
        _check_steps(n, minimum=1)
        try:
            return self._before(n)
        except (OverflowError, ValueError):
            msg = f"`n`: {n} periods before {self.label} fall outside the calendar (years 1–9999); give a smaller `n`"
            raise InputError(msg) from None

    def year_earlier(self) -> Period:
        """Return the same period one year earlier.

        An ISO week gets the week with the same number in the previous ISO year (week 52 when that
        year has no week 53); a day or range is moved one calendar year back (29 February becomes
        28 February); a span of years moves by one year.

        Raises
        ------
        InputError
            If the result falls before year 1.

        Examples
        --------
        >>> print(iso_week("2026-W53").year_earlier())
        vecka 52 2025
        >>> print(date_range("2024-02-01", "2024-02-29").year_earlier())
        2023-02-01 – 2023-02-28
        """
        try:
            return self._year_before()
        except (OverflowError, ValueError):
            msg = f"{self.label}: a year earlier falls before year 1; give a later period"
            raise InputError(msg) from None

    def references(self, n: int) -> list[Period]:
        """Return the ``n`` periods just before this one, most recent first.

        Parameters
        ----------
        n : int
            Number of reference periods, at least 0.

        Examples
        --------
        >>> [str(p) for p in tertial("2025-T2").references(3)]
        ['tertial 1 2025', 'tertial 3 2024', 'tertial 2 2024']
        """
        _check_steps(n, minimum=0)
        return [self.previous(step) for step in range(1, n + 1)]

    def _before(self, n: int) -> Period:
        start, end = self.start, self.end
        if self.kind == "week":
            return _week_of(start - dt.timedelta(weeks=n))
        if self.kind == "month":
            year, index = divmod(start.year * 12 + start.month - 1 - n, 12)
            return _month(year, index + 1)
        if self.kind == "tertial":
            year, index = divmod(start.year * 3 + (start.month - 1) // 4 - n, 3)
            return _tertial(year, index + 1)
        if self.kind in ("year", "years"):
            shift = n * (end.year - start.year + 1)
            return _years(start.year - shift, end.year - shift)
        last = start - dt.timedelta(days=(n - 1) * self.days + 1)
        return _span(last - dt.timedelta(days=self.days - 1), last)

    def _year_before(self) -> Period:
        if self.kind == "week":
            iso = self.start.isocalendar()
            return _week(iso.year - 1, min(iso.week, _weeks_in(iso.year - 1)))
        if self.kind == "month":
            return self._before(12)
        if self.kind == "tertial":
            return self._before(3)
        if self.kind in ("year", "years"):
            return _years(self.start.year - 1, self.end.year - 1)
        return _span(_calendar_year_before(self.start), _calendar_year_before(self.end))


def iso_week(spec: str) -> Period:
    """Return the ISO week ``spec`` (``"2025-W47"``, ``"2025W47"`` or ``"2025-w7"``).

    Raises
    ------
    InputError
        If ``spec`` is not written like that or the week does not exist in that ISO year.

    Examples
    --------
    >>> iso_week("2020-W53")
    Period(start=datetime.date(2020, 12, 28), end=datetime.date(2021, 1, 3), kind='week', label='vecka 53 2020')
    >>> print(iso_week("2025w7"))
    vecka 7 2025
    """
    match = _WEEK_RE.fullmatch(str(spec).strip())
    if match is None:
        msg = f"`week`: {spec!r} is not an ISO week; write it as YYYY-Www, e.g. 2025-W47"
        raise InputError(msg)
    year = _year(match[1], argument="week", spec=spec)
    week, weeks = int(match[2]), _weeks_in(year)
    if not 1 <= week <= weeks:
        msg = f"`week`: {spec!r} does not exist; ISO year {year} has weeks 1–{weeks}, e.g. {year}-W{weeks:02d}"
        raise InputError(msg)
    return _week(year, week)


def month(spec: str) -> Period:
    """Return the calendar month ``spec`` (``"2025-03"``).

    Raises
    ------
    InputError
        If ``spec`` is not a ``YYYY-MM`` month.

    Examples
    --------
    >>> p = month("2025-01")
    >>> print(p, p.start, p.end)
    januari 2025 2025-01-01 2025-01-31
    """
    match = _MONTH_RE.fullmatch(str(spec).strip())
    if match is None or not 1 <= int(match[2]) <= 12:
        msg = f"`month`: {spec!r} is not a month; write it as YYYY-MM, e.g. 2025-03"
        raise InputError(msg)
    return _month(_year(match[1], argument="month", spec=spec), int(match[2]))


def tertial(spec: str) -> Period:
    """Return the tertial ``spec`` (``"2025-T3"``): T1 januari–april, T2 maj–augusti, T3 september–december.

    Raises
    ------
    InputError
        If ``spec`` is not a ``YYYY-Tn`` tertial with n from 1 to 3.

    Examples
    --------
    >>> p = tertial("2025-T3")
    >>> print(p, p.start, p.end)
    tertial 3 2025 2025-09-01 2025-12-31
    """
    match = _TERTIAL_RE.fullmatch(str(spec).strip())
    if match is None or not 1 <= int(match[2]) <= 3:
        msg = f"`tertial`: {spec!r} is not a tertial; write it as YYYY-Tn with n from 1 to 3 (T1 jan–apr, T2 maj–aug, T3 sep–dec), e.g. 2025-T3"
        raise InputError(msg)
    return _tertial(_year(match[1], argument="tertial", spec=spec), int(match[2]))


def years(spec: str) -> Period:
    """Return the calendar year ``"2025"`` or the span of whole years ``"2024-2025"``.

    A span runs from the first year to the last, both included, at most 10 years.

    Raises
    ------
    InputError
        If ``spec`` is malformed, the first year is after the last or the span is too long.

    Examples
    --------
    >>> print(years("2025"), years("2024-2025").kind, years("2024-2025").days)
    2025 years 731
    """
    match = _YEARS_RE.fullmatch(str(spec).strip())
    if match is None:
        msg = f"`years`: {spec!r} is not a year or a span of years; write it as YYYY or YYYY-YYYY, e.g. 2025 or 2024-2025"
        raise InputError(msg)
    first = _year(match[1], argument="years", spec=spec)
    last = first if match[2] is None else _year(match[2], argument="years", spec=spec)
    if first > last:
        msg = f"`years`: in {spec!r} the first year {first} is after the last year {last}; give the earlier year first, e.g. {last}-{first}"
        raise InputError(msg)
    if last - first + 1 > _MAX_YEARS:
        msg = f"`years`: {spec!r} spans {last - first + 1} years; give at most {_MAX_YEARS}, e.g. {last - _MAX_YEARS + 1}-{last}"
        raise InputError(msg)
    return _years(first, last)


def date_range(date_from: str | dt.date | None, date_to: str | dt.date | None) -> Period:
    """Return the days from ``date_from`` to ``date_to``, both included.

    One day gives a period of kind ``"day"``, more days one of kind ``"range"``.

    Raises
    ------
    InputError
        If a date is malformed or missing, or ``date_from`` is after ``date_to``.

    Examples
    --------
    >>> p = date_range("2025-03-01", dt.date(2025, 3, 31))
    >>> print(p, p.kind, p.days)
    2025-03-01 – 2025-03-31 range 31
    >>> print(date_range("2025-03-01", "2025-03-01").kind)
    day
    """
    start = parse_date(date_from, argument="date_from")
    end = parse_date(date_to, argument="date_to")
    if start is None or end is None:
        missing = (name for name, day in (("date_from", start), ("date_to", end)) if day is None)
        msg = f"{' and '.join(f'`{name}`' for name in missing)} not given; give both `date_from` and `date_to` (both days included), e.g. 2025-03-01 and 2025-03-31"
        raise InputError(msg)
    if start > end:
        msg = (
            f"`date_from` ({start}) is after `date_to` ({end}); give the earlier day as `date_from`"
        )
        raise InputError(msg)
    return _span(start, end)


_PARSERS: dict[str, Callable[[str], Period]] = {
    "week": iso_week,
    "month": month,
    "tertial": tertial,
    "years": years,
}


def period_from_arguments(
    *,
    week: str | None = None,
    month: str | None = None,
    tertial: str | None = None,
    years: str | None = None,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
) -> Period | None:
    """Return the one period chosen by the arguments, or None when none is given.

    ``date_from`` and ``date_to`` together count as one choice and must be given together. None
    and empty strings count as not given.

    Parameters
    ----------
    week : str, optional
        ISO week, e.g. ``"2025-W47"`` (see :func:`iso_week`).
    month : str, optional
        Month, e.g. ``"2025-03"`` (see :func:`month`).
    tertial : str, optional
        Tertial, e.g. ``"2025-T3"`` (see :func:`tertial`).
    years : str, optional
        Year or span of years, e.g. ``"2025"`` or ``"2024-2025"`` (see :func:`years`).
    date_from, date_to : str or datetime.date, optional
        First and last day of a date range, both included (see :func:`date_range`).

    Returns
    -------
    Period or None

    Raises
    ------
    InputError
        If two kinds are given, ``date_from`` or ``date_to`` lacks the other, or a value is bad.

    Examples
    --------
    >>> print(period_from_arguments(week="2025-W47"))
    vecka 47 2025
    >>> print(period_from_arguments(date_from="2025-03-01", date_to="2025-03-31"))
    2025-03-01 – 2025-03-31
    >>> period_from_arguments() is None
    True
    """
    named = {"week": week, "month": month, "tertial": tertial, "years": years}
    chosen = {name: f"`{name}` ('{value}')" for name, value in named.items() if _given(value)}
    if _given(date_from) or _given(date_to):
        chosen["range"] = f"`date_from`, `date_to` ('{date_from}', '{date_to}')"
    if len(chosen) > 1:
        msg = f"{' and '.join(chosen.values())} are given together; give only one period: `week`, `month`, `tertial`, `years`, or `date_from` with `date_to`"
        raise InputError(msg)
    if not chosen:
        return None
    (name,) = chosen
    if name == "range":
        return date_range(date_from, date_to)
    return _PARSERS[name](named[name] or "")


def _given(value: str | dt.date | None) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _check_steps(n: int, *, minimum: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < minimum:
        msg = f"`n`: {n!r} is not a whole number ≥ {minimum}; give e.g. n={max(minimum, 1)}"
        raise InputError(msg)


def _year(text: str, *, argument: str, spec: str) -> int:
    year = int(text)
    if not 1 <= year <= _LAST_YEAR:
        msg = f"`{argument}`: {spec!r} has year {text}; give a year from 0001 to {_LAST_YEAR}"
        raise InputError(msg)
    return year


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _weeks_in(iso_year: int) -> int:
    # 28 December always lies in the last ISO week of its year.
    return dt.date(iso_year, 12, 28).isocalendar().week


def _bounds(kind: str, day: dt.date, last_year: int) -> tuple[dt.date, dt.date]:
    """First and last day of the calendar ``kind`` containing ``day`` (years: up to ``last_year``)."""
    if kind == "week":
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + 6 * _ONE_DAY
    if kind == "month":
        return day.replace(day=1), _month_end(day.year, day.month)
    if kind == "tertial":
        first = (day.month - 1) // 4 * 4 + 1
        return dt.date(day.year, first, 1), _month_end(day.year, first + 3)
    return dt.date(day.year, 1, 1), dt.date(last_year, 12, 31)


def _is_whole(kind: str, start: dt.date, end: dt.date) -> bool:
    if kind == "day":
        return start == end
    if kind == "range":
        return start < end
    if kind in ("year", "years") and (kind == "year") != (start.year == end.year):
        return False
    return (start, end) == _bounds(kind, start, end.year)


def _week(iso_year: int, week: int) -> Period:
    start = dt.date.fromisocalendar(iso_year, week, 1)
    return Period(start, start + 6 * _ONE_DAY, "week", f"vecka {week} {iso_year}")


def _week_of(day: dt.date) -> Period:
    iso = day.isocalendar()
    return _week(iso.year, iso.week)


def _month(year: int, number: int) -> Period:
    start, end = _bounds("month", dt.date(year, number, 1), year)
    return Period(start, end, "month", f"{MONTH_NAMES[number - 1]} {year}")


def _tertial(year: int, number: int) -> Period:
    start, end = _bounds("tertial", dt.date(year, 4 * number - 3, 1), year)
    return Period(start, end, "tertial", f"tertial {number} {year}")


def _years(first: int, last: int) -> Period:
    start, end = dt.date(first, 1, 1), dt.date(last, 12, 31)
    if first == last:
        return Period(start, end, "year", str(first))
    return Period(start, end, "years", f"{first}–{last}")


def _span(start: dt.date, end: dt.date) -> Period:
    if start == end:
        return Period(start, end, "day", start.isoformat())
    return Period(start, end, "range", f"{start.isoformat()} – {end.isoformat()}")


def _calendar_year_before(day: dt.date) -> dt.date:
    if (day.month, day.day) == (2, 29):
        return day.replace(year=day.year - 1, day=28)
    return day.replace(year=day.year - 1)

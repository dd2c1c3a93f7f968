"""Swedish words in what geomap prints: singular and plural, numbers, dates, times and periods.

The labels of codes (route methods, flags) are in :mod:`geomap.core.labels`; this module holds the
small grammar around counts and times. Numbers follow the Swedish standard (Språkrådet, SS 014):
a no-break space (U+00A0) between groups of thousands, a decimal comma and the minus sign U+2212;
percentages have a space before ``%``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING

import pandas as pd

from geomap.core.dates import TIMEZONE

if TYPE_CHECKING:
    from geomap.core.periods import Period

__all__ = [
    "MONTH_NAMES",
    "WEEKDAY_NAMES",
    "format_date",
    "format_number",
    "format_p_value",
    "format_percent",
    "format_time",
    "period_text",
    "plural",
]

#: Swedish month names, January first (lower case, as Swedish writes them).
MONTH_NAMES: tuple[str, ...] = (
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
#: Swedish weekday names, Monday first (ISO order, as :meth:`datetime.date.weekday`).
WEEKDAY_NAMES: tuple[str, ...] = (
    "måndag",
    "tisdag",
    "onsdag",
    "torsdag",
    "fredag",
    "lördag",
    "söndag",
)
_NBSP = "\u00a0"
_MINUS = "\u2212"


def plural(n: int, singular: str, plural: str) -> str:
    """Return ``n`` with the Swedish singular (``n == 1``) or plural phrase (also for 0).

    Examples
    --------
    >>> plural(1, "ogiltig polygon reparerad", "ogiltiga polygoner reparerade")
    '1 ogiltig polygon reparerad'
    >>> plural(2, "anmärkning", "anmärkningar"), plural(0, "anmärkning", "anmärkningar")
    ('2 anmärkningar', '0 anmärkningar')
    """
    return f"{n} {singular if n == 1 else plural}"


def format_time(value: object, *, missing: str = "?") -> str:
    """Return a timestamp as local ``YYYY-MM-DD HH:MM`` (Europe/Stockholm), or ``missing``.

    Accepts ISO text (``2025-01-01T01:01:00``, with or without an offset), a datetime or a
    pandas Timestamp; naive values are taken as local time, aware ones converted to it. Text that
    is not a time is returned as it is.

    Examples
    --------
    >>> format_time("2025-01-01T01:01:00")
    '2025-01-01 01:01'
    >>> format_time("2025-06-01T12:30:00+00:00")
    '2025-06-01 14:30'
    >>> format_time(None), format_time("")
    ('?', '?')
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return missing
    try:
        stamp = pd.Timestamp(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return str(value)
    if pd.isna(stamp):
        return missing
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(TIMEZONE)
    return stamp.strftime("%Y-%m-%d %H:%M")


def format_number(value: float | int | None, *, decimals: int = 0, missing: str = "–") -> str:
    """Return ``value`` written the Swedish way: ``1 234,5`` (no-break space, decimal comma).

    Parameters
    ----------
    value : float, int or None
        The number; None and NaN give ``missing``, infinities ``∞``/``−∞``.
    decimals : int, default 0
        Digits after the decimal comma (rounded half to even, as Python's ``format``).
    missing : str, default "–"
        Text for a missing number.

    Returns
    -------
    str
        Thousands separated by U+00A0, negative numbers with the minus sign U+2212.

    Examples
    --------
    >>> format_number(1234.5, decimals=1) == "1\u00a0234,5"
    True
    >>> format_number(-3), format_number(None), format_number(0.25, decimals=2)
    ('−3', '–', '0,25')
    """
    if value is None or pd.isna(value):
        return missing
    number = float(value)
    if math.isinf(number):
        return "∞" if number > 0 else f"{_MINUS}∞"
    text = f"{abs(number):,.{max(decimals, 0)}f}"
    if text.strip("0.,") == "":  # -0.0 and values that round to zero carry no sign
        number = 0.0
    text = text.replace(",", " ").replace(".", ",").replace(" ", _NBSP)
    return f"{_MINUS}{text}" if number < 0 else text


def format_percent(share: float | None, *, decimals: int = 0) -> str:
    """Return a share (0–1) as a Swedish percentage: ``12,5 %`` (no-break space before ``%``).

    Examples
    --------
    >>> format_percent(0.125, decimals=1) == "12,5\u00a0%"
    True
    >>> format_percent(None)
    '–'
    """
    if share is None or pd.isna(share):
        return "–"
    return f"{format_number(float(share) * 100, decimals=decimals)}{_NBSP}%"


def format_p_value(p: float | None) -> str:
    """Return a p-value as a report writes it: ``p = 0,003``, ``p < 0,001``, ``p = 0,42``.

    Values from 0.001 to 0.01 get three decimals, larger ones two.

    Examples
    --------
    >>> format_p_value(0.0031), format_p_value(0.0004), format_p_value(0.4213)
    ('p = 0,003', 'p < 0,001', 'p = 0,42')
    >>> format_p_value(None)
    '–'
    """
    if p is None or pd.isna(p):
        return "–"
    value = float(p)
    if value < 0.001:
        return "p < 0,001"
    return f"p = {format_number(value, decimals=3 if value < 0.01 else 2)}"


def format_date(day: dt.date | pd.Timestamp | None, *, missing: str = "–") -> str:
    """Return a date as Swedish text: ``1 december 2025``.

    Time-zone aware timestamps are taken in Swedish local time first.

    Examples
    --------
    >>> format_date(dt.date(2025, 12, 1)), format_date(None)
    ('1 december 2025', '–')
    >>> format_date(pd.Timestamp("2025-06-30T23:30Z"))
    '1 juli 2025'
    """
    if day is None or (not isinstance(day, dt.date) and pd.isna(day)):
        return missing
    stamp = pd.Timestamp(day)
    if pd.isna(stamp):
        return missing
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(TIMEZONE)
    return f"{stamp.day} {MONTH_NAMES[stamp.month - 1]} {stamp.year}"


def period_text(period: Period) -> str:
    """Return a period as running Swedish text: ``vecka 47 2025``, ``1 juni–31 augusti 2025``.

    Calendar periods keep their label; a day or range of days is written with month names
    (the year once when both ends share it), joined by an en dash.

    Examples
    --------
    >>> from geomap.core.periods import date_range, iso_week, tertial, years
    >>> period_text(iso_week("2025-W47")), period_text(tertial("2025-T3")), period_text(years("2024-2025"))
    ('vecka 47 2025', 'tertial 3 2025', '2024–2025')
    >>> period_text(date_range("2025-06-01", "2025-08-31"))
    '1 juni–31 augusti 2025'
    >>> period_text(date_range("2024-12-30", "2025-01-02")), period_text(date_range("2025-03-01", "2025-03-01"))
    ('30 december 2024–2 januari 2025', '1 mars 2025')
    """
    if period.kind not in ("day", "range"):
        return period.label
    start, end = period.start, period.end
    if period.kind == "day":
        return format_date(start)
    first = format_date(start)
    if start.year == end.year:
        first = first.rsplit(" ", 1)[0]
    return f"{first}–{format_date(end)}"

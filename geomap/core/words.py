"""Swedish words in what geomap prints: singular and plural, and dates and times.

The labels of codes (route methods, flags) are in :mod:`geomap.core.labels`; this module holds the
small grammar around counts and times.
"""

from __future__ import annotations

import pandas as pd

from geomap.core.dates import TIMEZONE

__all__ = ["format_time", "plural"]


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

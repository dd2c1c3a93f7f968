"""Per-owner work lists an owner can act on: columns, dates, property designation, map links.

The lists of a real run on the demo data (situational picture + safety walks, the synthetic
owner layer with its ``fastighet`` column), read back with openpyxl and the csv module.
"""

from __future__ import annotations

import csv
import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import geomap.routing.lists as lists
from geomap.core.routed import RoutedData
from geomap.errors import GeomapError
from geomap.io.sanitize import owner_file_stem
from geomap.io.sheets import write_csv, write_xlsx
from geomap.maps import write_run_maps
from geomap.routing import route
from geomap.routing.lists import (
    ListContext,
    _map_links,
    list_frame,
    write_owner_lists,
    write_unrouted_list,
)
from geomap.routing.outputs import write_outputs
from geomap.routing.pipeline import RouteResult

from tests.conftest import X0, Y0

DATA = Path(__file__).resolve().parents[2] / "data"
FIRST_SHEET = [
    "Syntetiska data",
    "Id",
    "Datum och tid",
    "Kategori",
    "Plats",
    "Beskrivning",
    "Önskad åtgärd",
    "Fastighet",
    "Karta",
    "Ansvarig",
    "Markägare",
    "Dirigerad via",
    "Avstånd (m)",
    "Flaggor",
    "Kandidater",
    "Källa",
    "Vandring",
    "Kategori (original)",
]
CRS_NAME = "SWEREF99 18 00"
TECHNICAL = [
    "Anledning",
    "Latitud",
    "Longitud",
    f"E ({CRS_NAME})",
    f"N ({CRS_NAME})",
    "Fil",
    "Rad",
]
CSV_COLUMNS = [*FIRST_SHEET, *TECHNICAL]
TECHNICAL_SHEET = ["Syntetiska data", "Id", *TECHNICAL]


@dataclass
class Run:
    result: RouteResult
    out: Path


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    result = route(
        [DATA / "lagesbild_2025_synthetic.csv", DATA / "trygghetsvandringar_synthetic.gpkg"],
        owners=DATA / "owners_synthetic.gpkg",
        registry=DATA / "owners.toml",
    )
    out = tmp_path_factory.mktemp("lists") / "out"
    write_outputs(
        result, out, extra=lambda tmp: write_run_maps(RoutedData.from_result(result), tmp)
    )
    return Run(result, out)


@pytest.fixture(scope="module")
def hard_cases(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """A run with unrouted remarks (with and without coordinates)."""
    result = route(
        DATA / "hard_cases_synthetic.csv",
        owners=DATA / "owners_synthetic.gpkg",
        registry=DATA / "owners.toml",
        crs="EPSG:3011",
    )
    out = tmp_path_factory.mktemp("hard") / "out"
    write_outputs(
        result, out, extra=lambda tmp: write_run_maps(RoutedData.from_result(result), tmp)
    )
    return Run(result, out)


def _sheet_rows(path: Path, sheet: str) -> tuple[list[str], list[dict[str, object]]]:
    rows = list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return header, [dict(zip(header, r, strict=True)) for r in rows[1:]]


def _csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def test_first_sheet_starts_with_what_a_caretaker_acts_on(run: Run) -> None:
    book = openpyxl.load_workbook(run.out / "owners" / "huge_bostader.xlsx")
    assert book.sheetnames == ["Anmärkningar", "Teknik"]
    header, rows = _sheet_rows(run.out / "owners" / "huge_bostader.xlsx", "Anmärkningar")
    assert header == FIRST_SHEET
    assert {r["Ansvarig"] for r in rows} == {"Huge Bostäder AB"}
    assert str(rows[0]["Syntetiska data"]).startswith("Syntetiska demodata")


def test_header_frozen_and_filtered_on_both_sheets(run: Run) -> None:
    book = openpyxl.load_workbook(run.out / "owners" / "privat.xlsx")
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2"
        last = openpyxl.utils.get_column_letter(sheet.max_column)
        assert sheet.auto_filter.ref == f"A1:{last}{sheet.max_row}"
        assert sheet.column_dimensions["B"].width > 2


def test_teknik_sheet_holds_the_internals_row_by_row(run: Run) -> None:
    path = run.out / "owners" / "huddinge_kommun.xlsx"
    header, rows = _sheet_rows(path, "Teknik")
    assert header == TECHNICAL_SHEET
    _, first = _sheet_rows(path, "Anmärkningar")
    assert [r["Id"] for r in rows] == [r["Id"] for r in first]
    assert {r["Fil"] for r in rows} == {
        "lagesbild_2025_synthetic.csv",
        "trygghetsvandringar_synthetic.gpkg",
    }
    assert all(isinstance(r["Rad"], int) and r["Rad"] >= 1 for r in rows)
    assert all(r["Anledning"] for r in rows)
    assert all(59.0 < r["Latitud"] < 59.4 for r in rows)  # type: ignore[operator]
    sheet = openpyxl.load_workbook(path)["Teknik"]
    formats = {sheet.cell(1, c).value: sheet.cell(2, c).number_format for c in range(1, 10)}
    assert formats["Latitud"] == "0.000000"
    assert formats[f"E ({CRS_NAME})"] == "0.00"


def test_datum_och_tid_is_an_excel_date_time(run: Run) -> None:
    path = run.out / "owners" / "huge_bostader.xlsx"
    sheet = openpyxl.load_workbook(path)["Anmärkningar"]
    column = FIRST_SHEET.index("Datum och tid") + 1
    cell = sheet.cell(2, column)
    assert isinstance(cell.value, dt.datetime)
    assert cell.number_format == "yyyy-mm-dd hh:mm"
    distance = sheet.cell(2, FIRST_SHEET.index("Avstånd (m)") + 1)
    assert distance.number_format == "0.0"
    assert isinstance(distance.value, int | float)  # a number, not text
    _, rows = _csv(run.out / "owners" / "huge_bostader.csv")
    assert rows[0]["Datum och tid"] == cell.value.strftime("%Y-%m-%d %H:%M")
    dated = [r["Datum och tid"] for r in rows if r["Datum och tid"]]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", d) for d in dated)


def test_rows_in_date_order_undated_last(run: Run) -> None:
    _, rows = _sheet_rows(run.out / "owners" / "privat.xlsx", "Anmärkningar")
    stamps = [r["Datum och tid"] for r in rows]
    dated = [s for s in stamps if s is not None]
    undated = len(stamps) - len(dated)
    assert stamps[len(dated) :] == [None] * undated  # undated last (if any)
    keys = [(r["Datum och tid"], str(r["Id"])) for r in rows[: len(dated)]]
    assert keys == sorted(keys)  # by time, then id
    rest = [str(r["Id"]) for r in rows[len(dated) :]]
    assert rest == sorted(rest)


def test_csv_has_the_first_sheet_then_the_teknik_columns(run: Run) -> None:
    header, rows = _csv(run.out / "owners" / "huge_bostader.csv")
    assert header == CSV_COLUMNS
    _, first = _sheet_rows(run.out / "owners" / "huge_bostader.xlsx", "Anmärkningar")
    assert [r["Id"] for r in rows] == [r["Id"] for r in first]
    nearest = [r for r in rows if r["Dirigerad via"] == "närmaste ägare"]
    assert nearest and all(re.fullmatch(r"\d+(,\d+)?", r["Avstånd (m)"]) for r in nearest)


def test_map_links_open_the_owners_map_at_the_remark(run: Run) -> None:
    owners = run.out / "owners"
    for stem in ("huge_bostader", "privat"):
        sheet = openpyxl.load_workbook(owners / f"{stem}.xlsx")["Anmärkningar"]
        column = FIRST_SHEET.index("Karta") + 1
        ids = [sheet.cell(r, 2).value for r in range(2, sheet.max_row + 1)]
        cells = [sheet.cell(r, column) for r in range(2, sheet.max_row + 1)]
        assert [c.value for c in cells] == ["Visa på kartan"] * len(cells)
        # Excel keeps a link's #fragment as its location (sub-address).
        links = [c.hyperlink for c in cells]
        targets = [f"{h.target}#{h.location}" if h else None for h in links]
        assert targets == [f"{stem}.html#anmarkning={quote(str(i), safe='')}" for i in ids]
        html = (owners / f"{stem}.html").read_text(encoding="utf-8")  # the map beside the list
        assert f'"{ids[0]}"' in html and f'"{ids[-1]}"' in html  # holds the remarks linked to
        _, rows = _csv(owners / f"{stem}.csv")
        assert [r["Karta"] for r in rows] == targets


def test_fastighet_from_the_owner_layer(run: Run) -> None:
    parcels = gpd.read_file(DATA / "owners_synthetic.gpkg").to_crs(3011)
    _, rows = _csv(run.out / "owners" / "huddinge_kommun.csv")
    assert all(r["Fastighet"] for r in rows)
    remarks = run.result.remarks.set_index("remark_id")
    inside = [r for r in rows if r["Dirigerad via"] == "ägande" and not r["Flaggor"]]
    assert len(inside) > 100
    points = gpd.GeoDataFrame(
        {"Id": [r["Id"] for r in inside], "Fastighet": [r["Fastighet"] for r in inside]},
        geometry=remarks.loc[[r["Id"] for r in inside]].geometry.to_numpy(),
        crs=3011,
    )
    joined = points.sjoin(parcels[parcels["owner"] == "huddinge_kommun"], predicate="within")
    assert (joined["Fastighet"] == joined["fastighet"]).all()
    assert set(joined["Id"]) == set(points["Id"])
    nearest = [r for r in rows if r["Dirigerad via"] == "närmaste ägare"]
    assert nearest
    for r in nearest[:20]:
        parcel = parcels[parcels["fastighet"] == r["Fastighet"]]
        assert parcel["owner"].tolist() == ["huddinge_kommun"]
        gap = parcel.distance(remarks.loc[r["Id"]].geometry).iloc[0]
        assert gap == pytest.approx(float(r["Avstånd (m)"].replace(",", ".")), abs=0.01)


def test_owner_without_remarks_gets_no_list(run: Run) -> None:
    owners = run.out / "owners"
    registered = {o.id for o in run.result.registry.owners}
    routed = set(run.result.remarks["owner"].dropna())
    assert registered - routed  # e.g. the grid company has nothing this time
    for owner in registered - routed:
        assert not list(owners.glob(f"{owner_file_stem(owner)}.*"))
    assert {p.stem for p in owners.glob("*.csv")} == {owner_file_stem(o) for o in routed}


def test_unrouted_csv_has_the_same_layout(hard_cases: Run) -> None:
    header, rows = _csv(hard_cases.out / "unrouted.csv")
    owner_header, _ = _csv(hard_cases.out / "owners" / "huge_bostader.csv")
    assert header == owner_header == CSV_COLUMNS
    remarks = hard_cases.result.remarks
    unrouted = remarks[remarks["route_method"] == "unrouted"]
    expected = unrouted.sort_values(["timestamp", "remark_id"], na_position="last")
    assert [r["Id"] for r in rows] == expected["remark_id"].tolist()
    located = dict(zip(expected["remark_id"], ~expected.geometry.isna(), strict=True))
    assert True in located.values() and False in located.values()
    for r in rows:  # the coordinators' map beside it; without coordinates on no map
        assert r["Karta"] == (f"map.html#anmarkning={r['Id']}" if located[r["Id"]] else "")
    assert {r["Fastighet"] for r in rows} == {""}


def _owners(column: str | None) -> gpd.GeoDataFrame:
    extra = {} if column is None else {column: ["Huddinge Kommunen 1:1", "Huge 2:2"]}
    return gpd.GeoDataFrame(
        {"owner": ["kommun", "huge"], **extra},
        geometry=[
            shapely.box(X0, Y0, X0 + 100, Y0 + 100),
            shapely.box(X0 + 100, Y0, X0 + 200, Y0 + 100),
        ],
        crs=3011,
    )


def _remarks() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["Å 1/#x", "B2", "C3"],
            "kategori": ["Klotter"] * 3,
            "datum": ["2025-06-01 14:30", None, "2025-05-01"],
        },
        geometry=[
            shapely.Point(X0 + 50, Y0 + 50),
            shapely.Point(X0 + 150, Y0 + 110),  # 10 m outside huge's parcel
            shapely.Point(X0 + 100, Y0 + 50),  # on the shared edge
        ],
        crs=3011,
    )


@pytest.mark.parametrize("column", ["fastighet", "Fastighetsbeteckning", "FASTBET", "beteckning"])
def test_fastighet_column_names(column: str) -> None:
    result = route(_remarks(), owners=_owners(column))
    frame = list_frame(result.remarks, result)
    assert frame["Id"].tolist() == ["C3", "Å 1/#x", "B2"]  # by date, undated last
    # C3 on the shared edge goes to huge (equal priority: the lower id), and so does its parcel;
    # B2 lies 10 m outside huge's parcel and gets the nearest one.
    assert frame["Ansvarig"].tolist() == ["huge", "kommun", "huge"]
    assert frame["Fastighet"].tolist() == ["Huge 2:2", "Huddinge Kommunen 1:1", "Huge 2:2"]


def test_fastighet_empty_without_a_designation_column(tmp_path: Path) -> None:
    result = route(_remarks(), owners=_owners(None))
    frame = list_frame(result.remarks, result)
    assert frame["Fastighet"].isna().all()
    assert "Syntetiska data" not in frame.columns  # registry from the ids: not synthetic
    assert frame.columns.tolist() == CSV_COLUMNS[1:]
    assert list_frame(result.remarks, result, links=False)["Karta"].isna().all()
    write_outputs(result, tmp_path / "no-maps")  # no maps written: no links to them
    assert _csv(tmp_path / "no-maps" / "owners" / "kommun.csv")[1][0]["Karta"] == ""
    write_outputs(
        result,
        tmp_path / "out",
        extra=lambda tmp: write_run_maps(RoutedData.from_result(result), tmp),
    )
    header, rows = _csv(tmp_path / "out" / "owners" / "kommun.csv")
    assert header == CSV_COLUMNS[1:]
    assert [r["Datum och tid"] for r in rows] == ["2025-06-01 14:30"]
    assert rows[0]["Karta"] == "kommun.html#anmarkning=%C3%85%201%2F%23x"
    _, rows = _csv(tmp_path / "out" / "owners" / "huge.csv")
    assert [r["Datum och tid"] for r in rows] == ["2025-05-01 00:00", ""]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6, unique=True))
def test_links_round_trip_any_remark_id(ids: list[str]) -> None:
    remarks = gpd.GeoDataFrame(
        {"remark_id": ids, "owner": ["Huge Bostäder AB"] * len(ids)},
        geometry=[shapely.Point(X0 + i, Y0) for i in range(len(ids))],
        crs=3011,
    )
    links = _map_links(remarks, None)
    stem = owner_file_stem("Huge Bostäder AB")
    for link, remark_id in zip(links, ids, strict=True):
        page, _, fragment = str(link).partition("#anmarkning=")
        assert page == f"{stem}.html"
        assert re.fullmatch(r"[A-Za-z0-9_.~%-]+", fragment)
        assert unquote(fragment) == remark_id


def test_no_link_without_coordinates() -> None:
    remarks = gpd.GeoDataFrame(
        {"remark_id": ["a", "b"], "owner": [None, "x"]},
        geometry=[None, shapely.Point(np.nan, np.nan)],
        crs=3011,
    )
    assert _map_links(remarks, None).tolist() == [None, None]
    located = remarks.set_geometry([shapely.Point(X0, Y0), None], crs=3011)
    assert _map_links(located, None).tolist() == ["map.html#anmarkning=a", None]
    assert pd.isna(_map_links(located, "x.html")[1])


def test_list_of_a_result_with_empty_points(tmp_path: Path) -> None:
    """A result built by hand may hold POINT EMPTY: the list has no coordinates for it."""
    import shapely

    result = route(_remarks(), owners=_owners(None))
    first = result.remarks.index[0]
    result.remarks.loc[first, "geometry"] = shapely.Point()
    frame = list_frame(result.remarks, result).set_index("Id")
    row = frame.loc[result.remarks.loc[first, "remark_id"]]
    assert pd.isna(row["Latitud"]) and pd.isna(row["Karta"])


# --- write_owner_lists: one pass over remarks grouped by owner ------------------------------------


def _files(folder: Path) -> dict[str, bytes]:
    """Every list in ``folder``: the CSV bytes, and the XLSX cells read back."""
    out: dict[str, object] = {p.name: p.read_bytes() for p in folder.glob("*.csv")}
    for path in folder.glob("*.xlsx"):
        book = openpyxl.load_workbook(path)
        out[path.name] = [
            [tuple(c.value for c in row) for row in sheet.iter_rows()] for sheet in book.worksheets
        ]
    return out  # type: ignore[return-value]


@pytest.fixture(scope="module")
def one_pass(run: Run, tmp_path_factory: pytest.TempPathFactory) -> Path:
    ordered = run.result.remarks.sort_values("owner", kind="stable")
    folder = tmp_path_factory.mktemp("one-pass")
    files = write_owner_lists([ordered], folder, context=run.result)
    assert files == json_owners(run)
    return folder


def json_owners(run: Run) -> dict[str, dict[str, str]]:
    import json

    return json.loads((run.out / "summary.json").read_text(encoding="utf-8"))["outputs"]["owners"]


def test_owner_lists_in_one_pass_are_the_lists_of_the_run(run: Run, one_pass: Path) -> None:
    assert _files(one_pass) == _files(run.out / "owners")


def test_owner_lists_are_each_owners_list_written_alone(
    run: Run, one_pass: Path, tmp_path: Path
) -> None:
    """Written together (one pass, many owners at once), each file is that owner's list alone."""
    remarks = run.result.remarks
    for owner, group in remarks[remarks["owner"].notna()].groupby("owner"):
        stem = owner_file_stem(str(owner))
        frame = list_frame(group, run.result, map_page=f"{stem}.html")
        alone = write_csv(frame, tmp_path / f"{stem}.csv")
        assert (one_pass / f"{stem}.csv").read_bytes() == alone.read_bytes()
        single = write_xlsx(
            lists._sheets(frame),
            tmp_path / f"{stem}.xlsx",
            number_formats=lists._number_formats(frame),
            links={"Karta": "Visa på kartan"},
        )
        together = openpyxl.load_workbook(one_pass / f"{stem}.xlsx")
        apart = openpyxl.load_workbook(single)
        assert together.sheetnames == apart.sheetnames
        assert (
            together.properties.title == f"Anmärkningar för {run.result.registry[str(owner)].name}"
        )
        for name in apart.sheetnames:
            a, b = together[name], apart[name]
            assert a.auto_filter.ref == b.auto_filter.ref and a.freeze_panes == b.freeze_panes
            cells = [
                [
                    (
                        c.value,
                        c.number_format,
                        c.hyperlink and c.hyperlink.target,
                        c.hyperlink and c.hyperlink.location,
                    )
                    for c in row
                ]
                for row in a.iter_rows()
            ]
            assert cells == [
                [
                    (
                        c.value,
                        c.number_format,
                        c.hyperlink and c.hyperlink.target,
                        c.hyperlink and c.hyperlink.location,
                    )
                    for c in row
                ]
                for row in b.iter_rows()
            ]


def test_many_small_owners_in_one_chunk_get_their_own_rows(tmp_path: Path) -> None:
    n = 30
    remarks = gpd.GeoDataFrame(
        {"id": [f"R{i}" for i in range(n)], "kategori": ["Klotter"] * n},
        geometry=[shapely.Point(X0 + 5 + 10 * i, Y0 + 5) for i in range(n)],
        crs=3011,
    )
    parcels = gpd.GeoDataFrame(
        {"owner": [f"o{i:02d}" for i in range(n)]},
        geometry=[shapely.box(X0 + 10 * i, Y0, X0 + 10 * i + 10, Y0 + 10) for i in range(n)],
        crs=3011,
    )
    result = route(remarks, owners=parcels)
    ordered = result.remarks.sort_values("owner")
    files = write_owner_lists([ordered], tmp_path, context=result)
    assert len(files) == n
    for i in range(n):
        sheet = openpyxl.load_workbook(tmp_path / f"o{i:02d}.xlsx")["Anmärkningar"]
        assert [c.value for c in sheet["A"]][1:] == [f"R{i}"]
        assert sheet.auto_filter.ref.endswith("2")
        assert sheet["H2"].hyperlink.target == f"o{i:02d}.html"
        assert sheet["H2"].hyperlink.location == f"anmarkning=R{i}"
        assert _csv(tmp_path / f"o{i:02d}.csv")[1][0]["Id"] == f"R{i}"


@settings(max_examples=8, deadline=None)
@given(size=st.integers(20, 400), arrow=st.booleans())
def test_owner_lists_do_not_depend_on_batches(
    run: Run, one_pass: Path, tmp_path_factory: pytest.TempPathFactory, size: int, arrow: bool
) -> None:
    """Batches of any size, frames or Arrow record batches, write the same files."""
    ordered = run.result.remarks.sort_values("owner", kind="stable")
    batches = [ordered.iloc[i : i + size] for i in range(0, len(ordered), size)]
    if arrow:
        batches = [pa.table(b.to_arrow(geometry_encoding="WKB")) for b in batches]  # type: ignore[misc]
    folder = tmp_path_factory.mktemp("batches")
    context = ListContext.from_result(run.result)
    write_owner_lists(batches, folder, context=context)
    assert {p.name: p.read_bytes() for p in folder.glob("*.csv")} == {
        p.name: p.read_bytes() for p in one_pass.glob("*.csv")
    }


def test_owner_lists_need_remarks_grouped_by_owner(run: Run, tmp_path: Path) -> None:
    remarks = run.result.remarks.sort_values("owner")
    owners = remarks["owner"].dropna().unique()
    first = remarks[remarks["owner"] == owners[0]]
    again = [first.iloc[:1], remarks[remarks["owner"] == owners[1]], first.iloc[1:]]
    with pytest.raises(
        GeomapError, match=rf"not grouped by owner: owner '{owners[0]}' comes again"
    ):
        write_owner_lists(again, tmp_path, context=run.result)


def test_owner_beyond_excels_rows_gets_only_a_csv(
    run: Run, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    remarks = run.result.remarks
    huge = remarks[remarks["owner"] == "huge_bostader"]
    with pytest.MonkeyPatch.context() as patch, caplog.at_level(logging.WARNING, logger="geomap"):
        patch.setattr(lists, "EXCEL_MAX_ROWS", len(huge) - 1)
        files = write_owner_lists([huge], tmp_path, context=run.result)
    assert files["huge_bostader"]["csv"] == "owners/huge_bostader.csv"
    assert "xlsx" not in files["huge_bostader"]
    assert files["huge_bostader"]["xlsx_skipped"].endswith(f"Excel's limit of {len(huge) - 1}")
    assert not (tmp_path / "huge_bostader.xlsx").exists()
    assert "more than an Excel sheet holds" in caplog.text


def test_unrouted_list_is_the_runs(hard_cases: Run, tmp_path: Path) -> None:
    path = write_unrouted_list(
        hard_cases.result.remarks, tmp_path / "u.csv", context=hard_cases.result
    )
    assert path.read_bytes() == (hard_cases.out / "unrouted.csv").read_bytes()


def test_owner_ids_that_are_no_file_names_get_their_stem(tmp_path: Path) -> None:
    result = route(_remarks(), owners=_owners("fastighet").assign(owner=["../x", "Å ä"]))
    ordered = result.remarks.sort_values("owner")
    files = write_owner_lists([ordered], tmp_path / "lists", context=result, prefix="p")
    assert files == {
        o: {"csv": f"p/{owner_file_stem(o)}.csv", "xlsx": f"p/{owner_file_stem(o)}.xlsx"}
        for o in ("../x", "Å ä")
    }
    assert sorted(p.name for p in (tmp_path / "lists").iterdir()) == sorted(
        f"{owner_file_stem(o)}.{k}" for o in ("../x", "Å ä") for k in ("csv", "xlsx")
    )

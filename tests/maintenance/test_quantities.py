"""Quantity list: exact totals per product/owner/district, Swedish CSV, XLSX, formula safety."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from geomap.errors import InputError
from geomap.maintenance import load_vocabulary
from geomap.maintenance.quantities import (
    NO_DISTRICT,
    OUTSIDE_DISTRICTS,
    compute_quantities,
    load_districts,
    quantity_rows,
    totals_by_unit,
    write_quantities_csv,
    write_quantities_xlsx,
)
from geomap.maintenance.translate import info_table

from tests.maintenance.helpers import X0, Y0, districts_frame, write_districts

VOC = load_vocabulary()


def _shared(codes: list[str], geoms: list[object], owner: str = "a") -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "produktkod": codes,
            "produktnamn": [VOC[c].name for c in codes],
            "produktgrupp": [VOC[c].group for c in codes],
            "enhet": [VOC[c].unit for c in codes],
            "agare": owner,
            "agare_namn": "=Ägare A" if owner == "a" else owner,
        },
        geometry=geoms,
        crs=3011,
    )


def _districts() -> gpd.GeoDataFrame:
    return districts_frame().rename(columns={"regsonamn": "distrikt"})


def test_split_by_district_is_exact() -> None:
    frame = _shared(
        ["G2", "H1", "T1", "T1"],
        [
            shapely.box(X0 + 400, Y0, X0 + 600, Y0 + 10),  # 1000 m² west, 1000 m² east
            shapely.LineString([(X0 + 450, Y0), (X0 + 530, Y0)]),  # 50 m west, 30 m east
            shapely.Point(X0 + 500, Y0 + 5),  # on the border: counted once
            shapely.Point(X0 + 5000, Y0),  # outside every district
        ],
    )
    detail = compute_quantities(frame, districts=_districts())
    got = {(r.produktkod, r.distrikt): r.mangd for r in detail.itertuples()}
    assert got == pytest.approx(
        {
            ("G2", "Väster"): 1000.0,
            ("G2", "Öster"): 1000.0,
            ("H1", "Väster"): 50.0,
            ("H1", "Öster"): 30.0,
            ("T1", "Väster"): 1.0,
            ("T1", OUTSIDE_DISTRICTS): 1.0,
        }
    )
    assert totals_by_unit(detail) == pytest.approx(totals_by_unit(frame))


def test_without_districts_and_missing_columns() -> None:
    frame = _shared(["G2"], [shapely.box(0, 0, 3, 3)])
    detail = compute_quantities(frame)
    assert detail["distrikt"].tolist() == [NO_DISTRICT] and detail["mangd"].tolist() == [9.0]
    with pytest.raises(InputError, match=r"lacks column\(s\) \['agare_namn'\]; translate it first"):
        compute_quantities(frame.drop(columns="agare_namn"))


rectangles = st.lists(
    st.tuples(
        st.floats(-1500, 2500),
        st.floats(-500, 2500),
        st.floats(0.5, 400),
        st.floats(0.5, 400),
        st.sampled_from(["G1", "G2", "Y1"]),
        st.sampled_from(["a", "b"]),
    ),
    min_size=1,
    max_size=12,
)


@settings(max_examples=40, deadline=None)
@given(rectangles)
def test_totals_equal_layer_totals_for_random_rectangles(rects: list[tuple]) -> None:  # type: ignore[type-arg]
    geoms = [shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h) for x, y, w, h, _, _ in rects]
    frame = pd.concat(
        [_shared([r[4]], [g], owner=r[5]) for r, g in zip(rects, geoms, strict=True)],
        ignore_index=True,
    )
    frame = gpd.GeoDataFrame(frame, crs=3011)
    detail = compute_quantities(frame, districts=_districts())
    total = float(np.sum(shapely.area(np.asarray(geoms))))
    assert detail["mangd"].sum() == pytest.approx(total, rel=1e-6)
    per_product = detail.groupby("produktkod")["mangd"].sum()
    expected = frame.assign(a=frame.geometry.area).groupby("produktkod")["a"].sum()
    assert per_product.to_dict() == pytest.approx(expected.to_dict(), rel=1e-6)


def _rows() -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = _shared(
        ["G2", "G2", "T1"],
        [
            shapely.box(X0, Y0, X0 + 10, Y0 + 10.5),
            shapely.box(X0 + 900, Y0, X0 + 910, Y0 + 10),
            shapely.Point(X0, Y0),
        ],
    )
    detail = compute_quantities(frame, districts=_districts())
    return quantity_rows(detail, VOC, synthetic=True), detail


def test_rows_have_product_totals_and_unit_totals() -> None:
    rows, _ = _rows()
    assert rows["radtyp"].tolist() == [
        "post",
        "post",
        "summa produkt",
        "post",
        "summa produkt",
        "totalt",
        "totalt",
    ]
    g2 = rows.loc[(rows["radtyp"] == "summa produkt") & (rows["produktkod"] == "G2"), "mangd"]
    assert g2.item() == pytest.approx(205.0)
    assert set(rows["vokabular_version"]) == {"2026.1"}
    assert set(rows["anmarkning"]) == {"SYNTETISKA DEMODATA"}


def test_csv_is_swedish_excel_and_formula_safe(tmp_path: Path) -> None:
    rows, _ = _rows()
    path = write_quantities_csv(rows, tmp_path / "m.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0][:8] == [
        "Radtyp",
        "Produktkod",
        "Produktnamn",
        "Produktgrupp",
        "Enhet",
        "Ägare",
        "Distrikt",
        "Mängd",
    ]
    assert table[1][5] == "'=Ägare A"  # formula neutralised
    assert table[1][7] == "105,00" and table[4][7] == "1"
    assert table[-1][:3] == ["totalt", "", "Totalt (st)"]


def test_xlsx_has_list_pivots_and_info(tmp_path: Path) -> None:
    rows, detail = _rows()
    info = info_table(VOC, synthetic=True)
    path = write_quantities_xlsx(rows, detail, tmp_path / "m.xlsx", info=info)
    book = load_workbook(path)
    assert book.sheetnames == ["Mängdförteckning", "Per ägare", "Per distrikt", "Info"]
    sheet = book["Mängdförteckning"]
    assert sheet["F2"].value == "'=Ägare A" and sheet["H2"].value == pytest.approx(105.0)
    owners = book["Per ägare"]
    assert owners["D1"].value == "'=Ägare A" and owners["E1"].value == "Summa"
    info_rows = {r[0].value: r[1].value for r in book["Info"].iter_rows(min_row=2)}
    assert info_rows["vokabular_version"] == "2026.1"


def test_load_districts(tmp_path: Path) -> None:
    path = write_districts(tmp_path / "d.gpkg")
    assert load_districts(path)["distrikt"].tolist() == ["Väster", "Öster"]
    with pytest.raises(InputError, match=r"has no column 'namn'"):
        load_districts(path, column="namn")
    with pytest.raises(InputError, match=r"has no layer 'x' for the districts"):
        load_districts(path, layer="x")

"""Quantity list: exact totals per product/owner/area, schedule, subtotals, CSV, XLSX formulas."""

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
    Schedule,
    area_order,
    compute_quantities,
    feature_pieces,
    group_pieces,
    load_districts,
    quantity_rows,
    totals_by_unit,
)
from geomap.maintenance.tender import (
    AMOUNT_HEADER,
    HEADERS,
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


def _random_frame(rects: list[tuple]) -> gpd.GeoDataFrame:  # type: ignore[type-arg]
    geoms = [shapely.box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h) for x, y, w, h, *_ in rects]
    frame = pd.concat(
        [_shared([r[4]], [g], owner=r[5]) for r, g in zip(rects, geoms, strict=True)],
        ignore_index=True,
    )
    return gpd.GeoDataFrame(frame, crs=3011)


@settings(max_examples=40, deadline=None)
@given(rectangles)
def test_totals_equal_layer_totals_for_random_rectangles(rects: list[tuple]) -> None:  # type: ignore[type-arg]
    frame = _random_frame(rects)
    detail = compute_quantities(frame, districts=_districts())
    total = float(np.sum(frame.geometry.area))
    assert detail["mangd"].sum() == pytest.approx(total, rel=1e-6)
    per_product = detail.groupby("produktkod")["mangd"].sum()
    expected = frame.assign(a=frame.geometry.area).groupby("produktkod")["a"].sum()
    assert per_product.to_dict() == pytest.approx(expected.to_dict(), rel=1e-6)
    # The printed list: its control sums per unit, its group subtotals and its posts all equal
    # the layer totals; the appendix sums to them too.
    rows = quantity_rows(detail, VOC)
    kind = rows["radtyp"]
    assert rows.loc[kind == "summa område", "mangd"].isna().all()  # products never added
    for level in ("kontrollsumma", "summa grupp", "post"):
        part = rows.loc[kind == level]
        assert part.groupby("enhet")["mangd"].sum().to_dict() == pytest.approx(
            totals_by_unit(frame), rel=1e-6
        ), level
    assert set(rows.loc[kind == "summa grupp", "enhet"]) <= {"m²"}  # never mixed units
    pieces = feature_pieces(frame, districts=_districts())
    assert pieces["mangd"].sum() == pytest.approx(total, rel=1e-6)
    assert group_pieces(pieces)["mangd"].sum() == pytest.approx(total, rel=1e-6)


def _rows() -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = _shared(
        ["G2", "G2", "T1", "H1"],
        [
            shapely.box(X0, Y0, X0 + 10, Y0 + 10.5),
            shapely.box(X0 + 900, Y0, X0 + 910, Y0 + 10),
            shapely.Point(X0, Y0),
            shapely.LineString([(X0, Y0), (X0, Y0 + 20)]),
        ],
    )
    frame["lokal_id"] = ["a1", "a2", "a3", "a4"]
    pieces = feature_pieces(frame, districts=_districts())
    schedule = Schedule(VOC, owners={"a": ({"G2": 18.0}, {"G2": "Hög"})})
    return quantity_rows(group_pieces(pieces), VOC, schedule=schedule, synthetic=True), pieces


def test_rows_are_grouped_by_area_with_subtotals_per_group_and_unit() -> None:
    rows, _ = _rows()
    assert rows[["radtyp", "distrikt", "produktkod", "enhet"]].values.tolist() == [
        ["post", "Väster", "G2", "m²"],
        ["summa grupp", "Väster", "", "m²"],
        ["post", "Väster", "H1", "m"],
        ["summa grupp", "Väster", "", "m"],
        ["post", "Väster", "T1", "st"],
        ["summa grupp", "Väster", "", "st"],
        ["summa område", "Väster", "", "kr"],
        ["post", "Öster", "G2", "m²"],
        ["summa grupp", "Öster", "", "m²"],
        ["summa område", "Öster", "", "kr"],
        ["kontrollsumma", "Alla områden", "", "m²"],
        ["kontrollsumma", "Alla områden", "", "m"],
        ["kontrollsumma", "Alla områden", "", "st"],
        ["totalt belopp", "Alla områden", "", "kr"],
    ]
    g2 = rows.loc[rows["radtyp"].eq("post") & rows["produktkod"].eq("G2")]
    assert g2["frekvens"].tolist() == [18.0, 18.0] and set(g2["skotselniva"]) == {"Hög"}
    assert g2["arsmangd"].tolist() == pytest.approx([105.0 * 18, 100.0 * 18])
    t1 = rows.loc[rows["produktkod"].eq("T1")]
    assert t1["frekvens"].item() == VOC["T1"].frequency and t1["skotselniva"].item() == "Normal"
    total = rows.loc[rows["radtyp"].eq("kontrollsumma") & rows["enhet"].eq("m²"), "mangd"]
    assert total.item() == pytest.approx(205.0)
    assert rows["a_pris"].isna().all() and rows["belopp"].isna().all()
    assert set(rows["vokabular_version"]) == {VOC.version}
    assert set(rows["anmarkning"]) == {"SYNTETISKA DEMODATA"}


def test_formulas_refer_to_their_own_rows_and_subtotals() -> None:
    rows, _ = _rows()
    f = rows["formel"].tolist()
    assert f[0] == '=IF(L2="","",K2*L2)'
    assert f[1] == "=SUM(M2)"  # the Väster grass group
    assert f[6] == "=SUM(M3,M5,M7)"  # Väster in kr: its three group subtotals
    assert f[9] == "=SUM(M10)"  # Öster in kr
    assert rows["formel"].iloc[10:13].isna().all()  # control sums: quantities only
    assert f[13] == "=SUM(M8,M11)"  # the grand total in kr: the two areas


def test_schedule_contract_overrides_owner_and_unknown_codes_are_refused() -> None:
    s = Schedule(VOC, owners={"a": ({"G2": 18.0}, {})}, contract={"G2": 10.0})
    assert s.frequency("a", "G2") == 10.0 and s.frequency("b", "H1") == VOC["H1"].frequency
    with pytest.raises(InputError, match=r"`frequencies` names \['ZZ'\], not shared codes"):
        Schedule(VOC, contract={"ZZ": 1.0})


def test_areas_in_swedish_order_catch_alls_last() -> None:
    names = ["Öster", NO_DISTRICT, "Väster", "Ängen", OUTSIDE_DISTRICTS, "anby"]
    assert area_order(names) == ["anby", "Väster", "Ängen", "Öster", OUTSIDE_DISTRICTS, NO_DISTRICT]


def test_csv_is_swedish_excel_and_formula_safe(tmp_path: Path) -> None:
    rows, _ = _rows()
    path = write_quantities_csv(rows, tmp_path / "m.csv")
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    assert table[0] == list(HEADERS.values())
    assert table[1][6] == "'=Ägare A"  # formula neutralised
    assert table[1][8:13] == ["105,00", "18,00", "1890,00", "", ""]
    assert table[5][8] == "1"  # st: whole numbers
    assert not any(cell.startswith("=") for line in table for cell in line)


def test_xlsx_formulas_only_in_the_amount_column(tmp_path: Path) -> None:
    rows, pieces = _rows()
    info = info_table(VOC, synthetic=True)
    path = write_quantities_xlsx(rows, pieces, tmp_path / "m.xlsx", info=info)
    book = load_workbook(path)
    assert book.sheetnames == [
        "Mängdförteckning",
        "Per ägare",
        "Per avtalsområde",
        "Objektbilaga",
        "Info",
    ]
    sheet = book["Mängdförteckning"]
    header = [c.value for c in sheet[1]]
    amount = header.index(AMOUNT_HEADER)
    formulas = [
        (cell.row, cell.column - 1)
        for sheet_ in book.worksheets
        for line in sheet_.iter_rows()
        for cell in line
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))
    ]
    assert formulas and {col for _, col in formulas} == {amount}
    assert len(formulas) == rows["formel"].notna().sum() == len(rows) - 3
    assert sheet["G2"].value == "'=Ägare A" and sheet["I2"].value == pytest.approx(105.0)
    assert sheet.cell(2, amount + 1).value == '=IF(L2="","",K2*L2)'
    assert sheet.cell(2, amount + 1).number_format == "#,##0.00"
    assert sheet.cell(1, amount + 1).value == AMOUNT_HEADER  # the header stays as it was
    info_rows = {r[0].value: r[1].value for r in book["Info"].iter_rows(min_row=2)}
    assert info_rows["Vokabulärversion"] == VOC.version and info_rows["Syntetiska data"] == "ja"
    appendix = [[c.value for c in line] for line in book["Objektbilaga"].iter_rows()]
    assert appendix[0] == [
        "Objekt-id",
        "Ägare",
        "Lokal kod",
        "Produktkod",
        "Produktnamn",
        "Enhet",
        "Mängd",
        "Avtalsområde",
    ]
    assert sorted(r[0] for r in appendix[1:]) == ["a1", "a2", "a3", "a4"]
    areas = [c.value for c in book["Per avtalsområde"][1]]
    assert areas == ["Produktkod", "Produktnamn", "Enhet", "Väster", "Öster", "Summa"]


def test_xml_like_text_in_data_does_not_disturb_the_formulas(tmp_path: Path) -> None:
    rows, pieces = _rows()
    nasty = '</c></row><row r="2"><c r="M2"><f>1+1</f></c>'
    rows = rows.assign(agare_namn=rows["agare_namn"].where(rows["radtyp"] != "post", nasty))
    path = write_quantities_xlsx(
        rows, pieces, tmp_path / "m.xlsx", info=info_table(VOC, synthetic=False)
    )
    sheet = load_workbook(path)["Mängdförteckning"]
    assert sheet["G2"].value == nasty and sheet["M2"].value == '=IF(L2="","",K2*L2)'
    assert [sheet.cell(r, 13).value for r in range(2, sheet.max_row + 1)] == [
        f if isinstance(f, str) else None for f in rows["formel"]
    ]


def test_load_districts(tmp_path: Path) -> None:
    path = write_districts(tmp_path / "d.gpkg")
    assert load_districts(path)["distrikt"].tolist() == ["Väster", "Öster"]
    with pytest.raises(InputError, match=r"has no column 'namn'"):
        load_districts(path, column="namn")
    with pytest.raises(InputError, match=r"has no layer 'x' for the districts"):
        load_districts(path, layer="x")


def test_data_named_like_the_amount_column_gets_no_formulas(tmp_path: Path) -> None:
    rows, pieces = _rows()
    pieces = pieces.assign(agare_namn=AMOUNT_HEADER)
    path = write_quantities_xlsx(
        rows, pieces, tmp_path / "m.xlsx", info=info_table(VOC, synthetic=False)
    )
    book = load_workbook(path)
    owners = book["Per ägare"]
    assert [c.value for c in owners[1]][3] == "'" + AMOUNT_HEADER
    cells = {
        (ws.title, cell.column)
        for ws in book.worksheets
        for line in ws.iter_rows()
        for cell in line
        if cell.data_type == "f"
    }
    assert cells == {("Mängdförteckning", 13)}


def test_subtotal_rows_keep_their_sums_and_control_sums_stay_empty(tmp_path: Path) -> None:
    rows, pieces = _rows()
    path = write_quantities_xlsx(
        rows, pieces, tmp_path / "m.xlsx", info=info_table(VOC, synthetic=False)
    )
    sheet = load_workbook(path)["Mängdförteckning"]
    kinds = rows["radtyp"].tolist()
    for row, (kind, formula) in enumerate(zip(kinds, rows["formel"], strict=True), start=2):
        cell = sheet.cell(row, 13)
        if kind == "kontrollsumma":
            assert cell.value is None and cell.number_format == "#,##0.00"
        elif kind != "post":
            assert cell.value == formula and cell.value.startswith("=SUM(")


def test_a_changed_formula_writer_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geomap.errors import GeomapError
    from geomap.maintenance import tender

    rows, pieces = _rows()
    monkeypatch.setattr(tender, "_TEMPLATE_XML", tender._template_xml("=X{row}"))
    sums = (rows["radtyp"] != "post").sum()
    with pytest.raises(GeomapError, match=rf"m\.xlsx: .* holds 0 of the {sums} amount formulas"):
        write_quantities_xlsx(
            rows, pieces, tmp_path / "m.xlsx", info=info_table(VOC, synthetic=False)
        )
    assert not (tmp_path / "m.xlsx").exists()


def test_text_columns_built_by_concat_are_written(tmp_path: Path) -> None:
    rows, pieces = _rows()
    rows = pd.concat([rows.iloc[:7], rows.iloc[7:]], ignore_index=True)
    pieces = pd.concat([pieces.iloc[:2], pieces.iloc[2:]], ignore_index=True)
    years = pd.concat([pd.DataFrame({"Art": ["Parkslide"]})] * 2, ignore_index=True)
    assert rows["produktnamn"].array._pa_array.num_chunks == 2  # what geomap.io.sheets refuses
    write_quantities_csv(rows, tmp_path / "m.csv")
    path = write_quantities_xlsx(
        rows,
        pieces,
        tmp_path / "m.xlsx",
        info=info_table(VOC, synthetic=False),
        invasive_years=years,
    )
    book = load_workbook(path)
    assert book["Mängdförteckning"]["E2"].value == rows["produktnamn"].iloc[0]
    assert [c.value for c in book["Invasiva per år"]["A"]] == ["Art", "Parkslide", "Parkslide"]

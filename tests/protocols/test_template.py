"""Tests for geomap.protocols.template: the walkers' fill-in template is read back by geomap."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

import geomap
from geomap.core.routed import RoutedData
from geomap.errors import OutputExistsError
from geomap.protocols import TEMPLATE_COLUMNS, build_protocols, read_walks, write_template
from geomap.protocols.template import category_choices


def test_template_sheets_columns_and_validation(tmp_path: Path) -> None:
    path = write_template(tmp_path / "mall.xlsx")
    book = load_workbook(path)
    assert book.sheetnames[:4] == ["Anmärkningar", "Vandring", "Kategorier", "Instruktioner"]
    sheet = book["Anmärkningar"]
    assert tuple(c.value for c in sheet[1]) == TEMPLATE_COLUMNS
    (rule,) = sheet.data_validations.dataValidation
    assert str(rule.sqref).startswith("F2:F")  # Kategori, also on rows a walker adds
    assert rule.type == "list" and "Klotter" in rule.formula1 and "Positivt" in rule.formula1
    labels = [r[0].value for r in book["Kategorier"].iter_rows(min_row=2)]
    assert labels == category_choices()


def test_template_refuses_to_overwrite(tmp_path: Path) -> None:
    path = write_template(tmp_path / "mall.xlsx")
    with pytest.raises(OutputExistsError, match=r"`path`: .*mall.xlsx exists; pass `overwrite`"):
        write_template(path)
    assert write_template(path, overwrite=True) == path


def _fill(path: Path) -> None:
    book = load_workbook(path)
    sheet = book["Anmärkningar"]
    rows = [
        ["TV-9", "2025-11-20", "18:30", 1, "Torget", "Klotter", "Tags på muren", "Sanera", "Huge", 59.2367, 17.9811],
        ["TV-9", "2025-11-20", "18:45", 2, "Parken", "Positivt", "Ny belysning", "Behåll", "Kommunen", 59.2370, 17.9815],
    ]  # fmt: skip
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=value)
    walk = book["Vandring"]
    for c, value in enumerate(
        ["TV-9", "2025-11-20", "18:30", "Centrum", "Polisen", "Polisen; Huge Bostäder AB"], 1
    ):
        walk.cell(row=2, column=c, value=value)
    book.save(path)


def test_filled_template_is_routed_with_the_right_fields(tmp_path: Path, owners_gpkg: Path) -> None:
    path = write_template(tmp_path / "mall.xlsx")
    _fill(path)
    result = geomap.route(path, owners=owners_gpkg)
    remarks = result.remarks.sort_values("remark_id")
    assert remarks["remark_id"].tolist() == ["TV-9-1", "TV-9-2"]
    assert (remarks["source"] == "trygghetsvandring").all()
    assert remarks["walk_id"].tolist() == ["TV-9", "TV-9"]
    assert remarks["walk_date"].tolist() == ["2025-11-20", "2025-11-20"]
    assert remarks["timestamp"].tolist() == [
        pd.Timestamp("2025-11-20 18:30"),
        pd.Timestamp("2025-11-20 18:45"),
    ]
    assert remarks["place"].tolist() == ["Torget", "Parken"]
    assert remarks["category"].tolist()[0] == "klotter"
    assert remarks["description"].tolist() == ["Tags på muren", "Ny belysning"]
    assert remarks["action"].tolist() == ["Sanera", "Behåll"]
    assert remarks["protocol_owner"].tolist() == ["Huge", "Kommunen"]
    assert result.remarks.geometry.notna().all()
    fields = (
        result.summary.inputs[0]["fields"] if isinstance(result.summary.inputs[0], dict) else None
    )
    if fields is not None:
        assert {"walk_id", "walk_date", "time", "number", "place", "category", "description",
                "action", "protocol_owner"} <= set(fields)  # fmt: skip


def test_filled_template_walk_sheet_feeds_the_protocol(tmp_path: Path, owners_gpkg: Path) -> None:
    path = write_template(tmp_path / "mall.xlsx")
    _fill(path)
    walks = read_walks(path)
    assert walks.loc["TV-9", "organiser"] == "Polisen"
    result = geomap.route(path, owners=owners_gpkg)
    (protocol,) = build_protocols(RoutedData.from_result(result), walks=path)
    text = " ".join(protocol.report.sections[0].text)
    assert (
        "Plats: Centrum" in text
        and "Arrangör: Polisen" in text
        and "Ljus vid starten: mörker" in text
    )
    assert "Polisen, Huge Bostäder AB" in text

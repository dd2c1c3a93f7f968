from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geomap.errors import InputError
from geomap.io.tables import find_coordinate_columns, normalise_name, parse_numbers, read_table

TEXT = "id;kategori;beskrivning;lat;lon\n1;Klotter;Tags på väggen;59,2367;17,9811\n2;Skräp;Överfull korg;59,24;17,98\n"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8-sig", b""), ("cp1252", b"")],
)
def test_read_table_encodings(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(prefix + TEXT.encode(encoding))
    frame, how = read_table(path)
    assert how["delimiter"] == ";"
    assert how["encoding"] == ("utf-8" if encoding == "utf-8" else encoding)
    assert frame["beskrivning"].tolist() == ["Tags på väggen", "Överfull korg"]


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_read_table_delimiters(tmp_path: Path, delimiter: str) -> None:
    path = tmp_path / "a.csv"
    rows = [["id", "x", "y"], ["1", "150000.5", "6570000.5"], ["2", "150001", "6570001"]]
    path.write_text("\n".join(delimiter.join(r) for r in rows), encoding="utf-8")
    frame, how = read_table(path)
    assert how["delimiter"] == delimiter
    assert list(frame.columns) == ["id", "x", "y"]


def test_read_table_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    pd.DataFrame({"Latitud": [59.2], "Longitud": [17.9], "Kategori": ["Klotter"]}).to_excel(
        path, index=False
    )
    frame, how = read_table(path)
    assert how["encoding"] == "xlsx"
    assert frame["Latitud"].tolist() == [59.2]


def test_empty_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    with pytest.raises(InputError, match=r"empty\.csv: the file is empty"):
        read_table(path)


def test_header_only_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "header.csv"
    path.write_text("id;lat;lon\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"header\.csv: the table has a header but no rows"):
        read_table(path)


def test_single_column_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "one.csv"
    path.write_text("id lat lon\n1 59 17\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"one\.csv: found only one column.*delimiter"):
        read_table(path)


def test_corrupt_xlsx_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    with pytest.raises(InputError, match=r"bad\.xlsx: .*xlsx"):
        read_table(path)


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        (["lat", "lon"], ("lon", "lat", "lonlat")),
        (["Latitud", "Longitud"], ("Longitud", "Latitud", "lonlat")),
        (["E", "N"], ("E", "N", "en")),
        (["Easting", "Northing"], ("Easting", "Northing", "en")),
        (["X", "Y"], ("X", "Y", "xy")),
        (["x_koordinat", "y_koordinat"], ("x_koordinat", "y_koordinat", "xy")),
    ],
)
def test_find_coordinate_columns(columns: list[str], expected: tuple[str, str, str]) -> None:
    found = find_coordinate_columns(["id", *columns, "text"], path="a.csv")
    assert (found.first, found.second, found.kind) == expected


def test_no_coordinate_columns_is_an_error() -> None:
    with pytest.raises(
        InputError, match=r"a\.csv: no coordinate columns found among \[id, plats\]"
    ):
        find_coordinate_columns(["id", "plats"], path="a.csv")


def test_parse_numbers_decimal_comma_and_spaces() -> None:
    values = parse_numbers(
        pd.Series(["6 570 123,5", "150000.25", "", None, "1e3"]), column="N", path="a"
    )
    np.testing.assert_array_equal(values, [6570123.5, 150000.25, np.nan, np.nan, 1000.0])


def test_parse_numbers_rejects_text_naming_rows() -> None:
    with pytest.raises(
        InputError, match=r"column 'lat' holds text.*2 rows; row 2: 'okänd', row 3: 'N/A'"
    ):
        parse_numbers(pd.Series(["59,1", "okänd", "N/A"]), column="lat", path="a.csv")


def test_normalise_name() -> None:
    assert normalise_name("Önskad åtgärd") == "onskad_atgard"
    assert normalise_name("X-koordinat (SWEREF)") == "x_koordinat_sweref"


def test_xlsx_without_rows_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "tom.xlsx"
    pd.DataFrame({"Latitud": [], "Longitud": []}).to_excel(path, index=False)
    with pytest.raises(InputError, match=r"tom\.xlsx: the table has a header but no rows"):
        read_table(path)

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "a.csv"
    path.write_bytes(text.encode(encoding))
    return path


@pytest.mark.parametrize(
    ("rows", "listed"),
    [
        (["1;text; med semikolon;59,2;17,9", "2;ok;59,2;17,9"], r"1 row \(row 1;"),
        (["1;a; b;59,2;17,9", "2;c; d;59,2;17,9"], r"2 rows \(rows 1, 2;"),
    ],
)
def test_rows_with_more_fields_than_the_header_are_refused(
    tmp_path: Path, rows: list[str], listed: str
) -> None:
    """An unquoted ';' in a text must not shift the columns (pandas would make 'id' the index)."""
    path = _csv(tmp_path, "\n".join(["id;beskrivning;lat;lon", *rows]) + "\n")
    with pytest.raises(
        InputError,
        match=rf"a\.csv: {listed}.*more fields than the header's 4 columns.*double quotes",
    ):
        read_table(path)


def test_a_trailing_delimiter_is_not_an_extra_field(tmp_path: Path) -> None:
    frame, _ = read_table(_csv(tmp_path, "id;lat;lon\n1;59,2;17,9;\n2;59,3;17,8;\n"))
    assert frame.values.tolist() == [["1", "59,2", "17,9"], ["2", "59,3", "17,8"]]


def test_quoted_delimiters_and_line_breaks_stay_in_their_cell(tmp_path: Path) -> None:
    frame, _ = read_table(_csv(tmp_path, 'id;text;lat;lon\n1;"a; b\nc";59,2;17,9\n'))
    assert frame["text"].tolist() == ["a; b\nc"]


def test_a_cell_longer_than_the_csv_field_limit(tmp_path: Path) -> None:
    long = "x" * 200_000
    frame, _ = read_table(_csv(tmp_path, f"id;text;lat;lon\n1;{long};59,2;17,9\n"))
    assert frame["text"].str.len().tolist() == [200_000]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_from_excels_unicode_text(tmp_path: Path, encoding: str) -> None:
    bom = {"utf-16": "", "utf-16-le": "\ufeff", "utf-16-be": "\ufeff"}[encoding]
    path = _csv(
        tmp_path, bom + "id\tbeskrivning\tlat\tlon\n1\tTrasig lykta, Skogås\t59,2\t17,9\n", encoding
    )
    frame, how = read_table(path)
    assert how["encoding"] == "utf-16" and how["delimiter"] == "\t"
    assert frame["beskrivning"].tolist() == ["Trasig lykta, Skogås"]


def test_a_broken_utf8_file_with_bom_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(b"\xef\xbb\xbfid;lat;lon\n1;59,2;17,9\xff\n")
    with pytest.raises(InputError, match=r"a\.csv: the file starts with a UTF-8 mark.*CSV UTF-8"):
        read_table(path)


def test_duplicate_and_empty_column_names(tmp_path: Path) -> None:
    frame, how = read_table(_csv(tmp_path, "id;Kategori;kategori;;lat\n1;a;b;c;59\n"))
    assert list(frame.columns) == ["id", "Kategori", "kategori_2", "Unnamed: 3", "lat"]
    assert "the later one is read as 'kategori_2'" in how["warnings"][0]


def test_a_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(InputError, match=r"dir\.csv: cannot read the file"):
        read_table(tmp_path / "dir.csv")


def _workbook(path: Path, rows: list[list[object]], merges: tuple[str, ...] = ()) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Anmärkningar"
    for row in rows:
        sheet.append(row)
    for ref in merges:
        sheet.merge_cells(ref)
    book.save(path)
    return path


def test_merged_xlsx_cells_take_the_top_left_value(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "m.xlsx",
        [
            ["Plats", "Beskrivning", "Koordinater", None],
            ["Torget", "Klotter", 59.2, 17.9],
            [None, "Skräp", 59.3, 17.8],
            [None, "Lykta", 59.4, 17.7],
        ],
        merges=("A2:A4", "C1:D1"),
    )
    frame, _ = read_table(path)
    assert frame["Plats"].tolist() == ["Torget"] * 3
    assert list(frame.columns) == ["Plats", "Beskrivning", "Koordinater", "Koordinater_2"]


def test_xlsx_rows_above_the_header_and_blank_rows_are_skipped(tmp_path: Path) -> None:
    path = _workbook(
        tmp_path / "t.xlsx",
        [
            ["Lägesbild vecka 47"],
            [],
            [None, "id", "lat", "lon"],
            [None, "A", 59.2, 17.9],
            [],
            [None, "B", 59.3, 17.8],
        ],
    )
    frame, how = read_table(path)
    assert frame.values.tolist() == [["A", 59.2, 17.9], ["B", 59.3, 17.8]]
    assert "the header is row 3" in how["warnings"][0]


def test_xlsx_column_mixing_text_and_numbers_is_text(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "x.xlsx", [["nr", "lat"], ["1a", 59.2], [2, 59.3], [3.5, 59.4]])
    frame, _ = read_table(path)
    assert frame["nr"].tolist() == ["1a", "2", "3.5"]
    assert frame["lat"].dtype == "float64"


def test_xlsx_sheet_by_name_and_missing_sheet(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "s.xlsx", [["id", "lat"], ["A", 59.2]])
    assert read_table(path, sheet="Anmärkningar")[0]["id"].tolist() == ["A"]
    with pytest.raises(
        InputError, match=r"s\.xlsx: the workbook has no sheet 'Blad2' \(sheets: Anmärkningar\)"
    ):
        read_table(path, sheet="Blad2")


_CELL = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r"),
    max_size=12,
)


@settings(max_examples=80, deadline=None)
@given(
    header=st.lists(
        st.from_regex(r"[a-zåäö][a-z0-9_]{0,8}", fullmatch=True),
        min_size=2,
        max_size=5,
        unique_by=str.casefold,
    ),
    cells=st.lists(st.lists(_CELL, min_size=5, max_size=5), min_size=1, max_size=6),
    delimiter=st.sampled_from([";", ",", "\t"]),
)
def test_fuzz_any_quoted_csv_reads_back_cell_for_cell(
    tmp_path_factory: pytest.TempPathFactory,
    header: list[str],
    cells: list[list[str]],
    delimiter: str,
) -> None:
    """Whatever the texts hold (delimiters, quotes, line breaks, Unicode), a properly quoted CSV
    reads back with every cell in its column, unchanged (an empty cell is missing)."""
    import csv
    import io as _io

    rows = [row[: len(header)] for row in cells]
    buffer = _io.StringIO()
    csv.writer(buffer, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(
        [header, *rows]
    )
    path = tmp_path_factory.mktemp("fuzz") / "f.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    try:
        frame, _ = read_table(path)
    except InputError as exc:  # only the documented refusals
        assert "no rows" in str(exc) or "only one column" in str(exc) or "empty" in str(exc)
        return
    if frame.shape[1] != len(header):
        return  # the sniffer chose another delimiter: a stated, not silent, outcome
    assert list(frame.columns) == header
    expected = pd.DataFrame(rows, columns=header, dtype=object)
    expected = expected.where(expected != "")
    expected = expected[expected.notna().any(axis=1)]  # rows empty in every cell are not remarks
    got = frame.fillna("<NA>").values.tolist()
    assert got == expected.fillna("<NA>").values.tolist()


@settings(max_examples=150, deadline=None)
@given(data=st.binary(max_size=400))
def test_fuzz_arbitrary_bytes_read_or_fail_with_input_error(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("bytes") / "b.csv"
    path.write_bytes(data)
    try:
        frame, how = read_table(path)
    except InputError as exc:
        assert str(exc).startswith(str(path))
        return
    assert len(frame) >= 1 and (how["delimiter"] in {";", ",", "\t", "|"} or how["sep_line"])


# --- issue 9: hostile weekly inputs ------------------------------------------------------------

TABLE = (
    "id;beskrivning;lat;lon\r\n1;Gunga vid förskolan;59,2367;17,9811\r\n2;Öde plats;59,24;17,98\r\n"
)


@pytest.mark.parametrize("hint", ["sep=;", "SEP=;", '"sep=;"'])
def test_excel_sep_line_is_honoured_and_skipped(tmp_path: Path, hint: str) -> None:
    path = tmp_path / "a.csv"
    path.write_text(hint + "\r\n" + TABLE, encoding="utf-8")
    frame, how = read_table(path)
    assert how["sep_line"] and how["delimiter"] == ";"
    assert list(frame.columns) == ["id", "beskrivning", "lat", "lon"]
    assert frame["id"].tolist() == ["1", "2"]


def test_sep_line_decides_over_sniffing(tmp_path: Path) -> None:
    # Sniffing alone would pick ';' (more columns); Excel's line says ','.
    path = tmp_path / "a.csv"
    path.write_text("sep=,\nid,text\n1,a;b;c\n2,d;e;f\n", encoding="utf-8")
    frame, how = read_table(path)
    assert how["delimiter"] == ","
    assert frame["text"].tolist() == ["a;b;c", "d;e;f"]


def test_no_sep_line_by_default(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text(TABLE, encoding="utf-8")
    assert read_table(path)[1]["sep_line"] is False


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_detected(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(TABLE.encode(encoding))
    frame, how = read_table(path)
    assert how["encoding"] == encoding
    assert frame["beskrivning"].tolist() == ["Gunga vid förskolan", "Öde plats"]


def test_broken_utf16_without_bom_names_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(TABLE.encode("utf-16-be") + b"\xd8\x00")  # a lone high surrogate at the end
    with pytest.raises(InputError, match=r"a\.csv: the file looks like UTF-16-BE but is not valid"):
        read_table(path)


def test_mixed_utf8_and_cp1252_lines_are_each_decoded(tmp_path: Path) -> None:
    lines = TABLE.split("\r\n")
    path = tmp_path / "a.csv"
    path.write_bytes(
        "\r\n".join(lines[:2]).encode("cp1252") + b"\r\n" + "\r\n".join(lines[2:]).encode("utf-8")
    )
    frame, how = read_table(path)
    assert how["encoding"] == "utf-8+cp1252"
    assert frame["beskrivning"].tolist() == ["Gunga vid förskolan", "Öde plats"]
    assert len(how["warnings"]) == 1
    assert re.search(
        r"a\.csv: the file mixes encodings.*\(line 2 of the file\).*cp1252", how["warnings"][0]
    )


def test_pure_cp1252_is_not_called_mixed(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes(TABLE.encode("cp1252"))
    frame, how = read_table(path)
    assert (how["encoding"], how["warnings"]) == ("cp1252", [])
    assert frame["beskrivning"].iloc[1] == "Öde plats"


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(alphabet="abcdeåäöÅÄÖé ", min_size=1, max_size=12).map(str.strip).filter(bool),
            st.sampled_from(["utf-8", "cp1252"]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_each_line_in_either_encoding_reads_back(lines: list[tuple[str, str]]) -> None:
    # Swedish letters in cp1252 never form a UTF-8 sequence, so every line decodes as written.

    data = b"id;text\r\n" + b"".join(
        f"{i};{text}\r\n".encode(encoding) for i, (text, encoding) in enumerate(lines)
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "a.csv"
        path.write_bytes(data)
        frame, _ = read_table(path)
    assert frame["text"].tolist() == [text for text, _ in lines]


@pytest.mark.parametrize(
    ("head", "what"),
    [
        (b"PK\x03\x04\x14\x00", r"an Excel workbook \(\.xlsx\).*rename it to \.xlsx"),
        (b"SQLite format 3\x00\x10\x00", r"GeoPackage \(\.gpkg\).*rename it to \.gpkg"),
        (b"%PDF-1.7\n", r"a PDF document"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", r"old Excel workbook \(\.xls\)"),
    ],
)
@pytest.mark.parametrize("name", ["a.csv", "a.txt"])
def test_binary_file_with_text_suffix_says_what_it_is(
    tmp_path: Path, head: bytes, what: str, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(head + bytes(range(256)) * 4)
    with pytest.raises(
        InputError, match=rf"a\.(csv|txt): the file is not a text table but .*{what}"
    ):
        read_table(path)


def test_real_xlsx_with_csv_suffix(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    pd.DataFrame({"lat": [59.2], "lon": [17.9]}).to_excel(path, index=False)
    path = path.rename(tmp_path / "excel.csv")
    with pytest.raises(InputError, match=r"excel\.csv: .*Excel workbook .*rename it to \.xlsx"):
        read_table(path)


def test_text_with_xlsx_suffix_says_it_is_text(tmp_path: Path) -> None:
    path = tmp_path / "text.xlsx"
    path.write_text(TABLE, encoding="utf-8")
    with pytest.raises(
        InputError,
        match=r"text\.xlsx: not a readable \.xlsx workbook: the file is text.*rename it to text\.csv",
    ):
        read_table(path)


def test_empty_rows_and_unnamed_empty_columns_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    text = "id;lat;lon;\r\n1;59,2;17,9;\r\n;;;\r\n2;59,3;17,8;\r\n;;;\r\n  ; ;;\r\n"
    path.write_text(text, encoding="utf-8")
    frame, how = read_table(path)
    assert list(frame.columns) == ["id", "lat", "lon"]
    assert frame["id"].tolist() == ["1", "2"]
    assert how["empty_rows"] == 3
    assert len(how["warnings"]) == 1
    assert re.search(r"a\.csv: 3 rows are empty in every cell \(rows 2, 4, 5;", how["warnings"][0])


def test_unnamed_column_with_values_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id;;lat;lon\n1;x;59,2;17,9\n", encoding="utf-8")
    frame, how = read_table(path)
    assert list(frame.columns) == ["id", "Unnamed: 1", "lat", "lon"]
    assert how["empty_rows"] == 0


def test_empty_xlsx_rows_are_counted(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    pd.DataFrame({"id": ["1", None, "2"], "lat": [59.2, None, 59.3]}).to_excel(path, index=False)
    frame, how = read_table(path)
    assert frame["id"].tolist() == ["1", "2"]
    assert how["empty_rows"] == 1
    assert any("1 row is empty in every cell" in w for w in how["warnings"])


@pytest.mark.parametrize("cell", ["NaN", "nan", "NA", "-", "null", "NULL", "None", "", "  "])
def test_parse_numbers_reads_no_value_texts_as_missing(cell: str) -> None:
    values = parse_numbers(pd.Series(["59,1", cell]), column="lat", path="a.csv")
    assert values[0] == 59.1 and np.isnan(values[1])


def test_nul_characters_are_removed_so_no_text_is_lost(tmp_path: Path) -> None:
    """GDAL cuts GeoPackage text at a NUL; geomap removes the NUL and keeps the rest, warning."""
    path = tmp_path / "nul.csv"
    path.write_bytes(b"id;text\nA;a\x0bb\x00e\n")
    frame, how = read_table(path)
    assert frame["text"].tolist() == ["a\x0bbe"]
    assert any("NUL characters removed (line 2" in w for w in how["warnings"])


def test_an_empty_first_sheet_names_the_sheets(tmp_path: Path) -> None:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.title = "Tom"
    data = book.create_sheet("Data")
    data.append(["id", "E", "N"])
    data.append(["A", 150050, 6570050])
    book.save(tmp_path / "blad.xlsx")
    with pytest.raises(
        InputError,
        match=r"sheet 'Tom' holds no table; the workbook's other sheets: Data; pass .*`layer`",
    ):
        read_table(tmp_path / "blad.xlsx")
    assert read_table(tmp_path / "blad.xlsx", sheet="Data")[0]["id"].tolist() == ["A"]


def test_a_layer_for_a_csv_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_text("id;E;N\nA;150050;6570050\n", encoding="utf-8")
    _, how = read_table(path, sheet="Blad1")
    assert any("`layer` 'Blad1' is ignored" in w for w in how["warnings"])

"""The Swedish CSV/XLSX writer: what XLSX cannot hold is cut or cleaned, and said so."""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geomap.io.sheets as sheets
from geomap.errors import GeomapError
from geomap.io.sheets import EXCEL_MAX_CELL, write_csv, write_xlsx

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _cells(path: Path, sheet: str, column: str = "A") -> list[object]:
    return [c.value for c in openpyxl.load_workbook(path)[sheet][column]][1:]


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_long_cells_are_cut_with_a_warning_naming_file_sheet_column_and_rows(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    long = "början " + "b" * 40_000 + " slut"
    texts = ["kort", long, "kort", *[long] * 6]
    frame = pd.DataFrame({"Id": [f"A{i}" for i in range(9)], "Beskrivning": texts})
    path = tmp_path / "tmp-123.xlsx"
    with caplog.at_level(logging.WARNING, logger="geomap"):
        write_xlsx(
            {"Anmärkningar": frame},
            path,
            file_label="owners/kommun.xlsx",
            full_text_in="routed.gpkg and owners/kommun.csv",
        )
    cells = _cells(path, "Anmärkningar", "B")
    assert [len(str(c)) for c in cells] == [4, EXCEL_MAX_CELL, 4, *[EXCEL_MAX_CELL] * 6]
    assert str(cells[1]).startswith("början ")
    assert _warnings(caplog) == [
        "owners/kommun.xlsx: 7 cells longer than 32,767 characters (what an Excel cell holds) "
        "were cut in sheet 'Anmärkningar' (column Beskrivning, rows 3, 5, 6, 7, 8 and 2 more); "
        "the full text is in routed.gpkg and owners/kommun.csv"
    ]


def test_control_characters_removed_are_counted_per_sheet(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    frame = pd.DataFrame({"Id": ["A\x1b1", "A2"], "Kategori": ["Klot\x07ter", "ok"]})
    path = tmp_path / "a.xlsx"
    with caplog.at_level(logging.WARNING, logger="geomap"):
        write_xlsx({"Lista": frame, "Teknik": frame[["Id"]]}, path)
    assert _cells(path, "Lista") == ["A1", "A2"]
    assert _cells(path, "Lista", "B") == ["Klotter", "ok"]
    assert _warnings(caplog) == [
        f"{path}: 2 cells in sheet 'Lista' had control characters removed, which XLSX cannot "
        "hold (column Id, row 2; column Kategori, row 2)",
        f"{path}: 1 cell in sheet 'Teknik' had control characters removed, which XLSX cannot "
        "hold (column Id, row 2)",
    ]


def test_clean_tables_and_link_targets_write_without_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    frame = pd.DataFrame(
        {
            "Text": ["ok", None, "x" * EXCEL_MAX_CELL],  # exactly what a cell holds: not cut
            "Mängd": [1.5, 2.0, None],
            "Karta": ["a.html#anmarkning=" + "y" * 40_000, None, "a.html#anmarkning=A\x0b1"],
        }
    )
    with caplog.at_level(logging.WARNING, logger="geomap"):
        write_xlsx({"Lista": frame}, tmp_path / "a.xlsx", links={"Karta": "Visa på kartan"})
    assert _warnings(caplog) == []


def test_warning_names_an_odd_column_on_one_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    header = "Ägare\nmed radbrytning " + "z" * 100
    with caplog.at_level(logging.WARNING, logger="geomap"):
        write_xlsx({"Per ägare": pd.DataFrame({header: ["a\x0cb"]})}, tmp_path / "a.xlsx")
    (message,) = _warnings(caplog)
    assert "\n" not in message
    shown = ("Ägare med radbrytning " + "z" * 100)[:39]  # at most 40 characters with the "…"
    assert f"(column {shown}…, row 2)" in message


def test_csv_keeps_what_xlsx_cuts(tmp_path: Path) -> None:
    long = "a\x0b" + "b" * 40_000
    path = write_csv(pd.DataFrame({"Beskrivning": [long]}), tmp_path / "a.csv")
    assert path.read_bytes().decode("utf-8-sig").split("\r\n")[1] == long


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(), st.text(alphabet=st.sampled_from("ab \x00\x0b\x1b\n\tå"), max_size=14)
        ),
        min_size=1,
        max_size=12,
    )
)
def test_every_changed_cell_is_reported_and_no_other(texts: list[str | None]) -> None:
    """Cells hold at most the limit and no control characters; the rows noted are those changed."""
    limit = 6
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sheets, "EXCEL_MAX_CELL", limit)
        changes = sheets._Changes()
        series = pd.Series(texts, dtype=object)
        values = sheets._clean_text(series, changes=changes, column="T").to_pylist()
    for value in values:
        assert value is None or (len(value) <= limit and not _CONTROL.search(value))
    dirty = [i for i, t in enumerate(texts) if t is not None and _CONTROL.search(t)]
    long = [i for i, t in enumerate(texts) if t is not None and len(_CONTROL.sub("", t)) > limit]
    assert list(changes.cleaned.get("T", [])) == dirty
    assert list(changes.cut.get("T", [])) == long


# --- options other lists need: choices, hidden, editable, highlight, formulas --------------------


def _items() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Antal": [2, 3, 4],
            "Pris": [10.0, 1.5, 2.0],
            "Summa": [20.0, None, None],
            "Status": ["Öppen", "=1+1", None],
            "Kontroll": ["abc", "def", "ghi"],
        }
    )


def test_choices_inline_are_a_list_validation_with_a_swedish_message(tmp_path: Path) -> None:
    path = write_xlsx(
        {"Lista": _items()}, tmp_path / "a.xlsx", choices={"Status": ["Öppen", "Klar"]}
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Lista"]
    (rule,) = book["Lista"].data_validations.dataValidation
    assert rule.type == "list"
    assert rule.formula1 == '"Öppen,Klar"'
    assert str(rule.sqref) == "D2:D1048576"
    assert rule.showErrorMessage and rule.error == "Välj ett av värdena i listan."
    assert rule.errorTitle == "Ogiltigt värde"


def test_long_choices_go_to_a_hidden_sheet(tmp_path: Path) -> None:
    values = [f"Åtgärd nummer {i}" for i in range(40)]  # far more than 255 characters
    frame = _items()
    path = write_xlsx(
        {"Lista": frame, "Mer": frame[["Status"]]}, tmp_path / "a.xlsx", choices={"Status": values}
    )
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Lista", "Mer", "_Val"]
    assert book["_Val"].sheet_state == "hidden"
    assert [c.value for c in book["_Val"]["A"]] == values
    for name, letter in (("Lista", "D"), ("Mer", "A")):
        (rule,) = book[name].data_validations.dataValidation
        assert rule.formula1 == "'_Val'!$A$1:$A$40"
        assert str(rule.sqref) == f"{letter}2:{letter}1048576"


def test_hidden_columns_are_hidden_and_kept(tmp_path: Path) -> None:
    path = write_xlsx({"Lista": _items()}, tmp_path / "a.xlsx", hidden=["Kontroll"])
    sheet = openpyxl.load_workbook(path)["Lista"]
    assert sheet.column_dimensions["E"].hidden
    assert not sheet.column_dimensions["D"].hidden
    assert _cells(path, "Lista", "E") == ["abc", "def", "ghi"]


def test_editable_protects_the_sheet_and_unlocks_only_those_columns(tmp_path: Path) -> None:
    path = write_xlsx({"Lista": _items()}, tmp_path / "a.xlsx", editable=["Status"])
    sheet = openpyxl.load_workbook(path)["Lista"]
    protection = sheet.protection
    assert protection.sheet and not protection.password
    assert not protection.sort and not protection.autoFilter  # sorting and filtering allowed
    assert [sheet.cell(r, 4).protection.locked for r in range(2, 5)] == [False] * 3  # also empty
    assert all(sheet.cell(r, c).protection.locked for r in range(1, 5) for c in (1, 2, 3, 5))
    assert sheet.cell(1, 4).protection.locked  # the header stays
    unprotected = openpyxl.load_workbook(write_xlsx({"L": _items()}, tmp_path / "b.xlsx"))["L"]
    assert not unprotected.protection.sheet


def test_highlight_fills_the_rows_asked_for(tmp_path: Path) -> None:
    frame = _items()
    mask = np.array([False, True, False])
    path = write_xlsx({"Lista": frame, "Mer": frame}, tmp_path / "a.xlsx", highlight=mask)
    book = openpyxl.load_workbook(path)

    def filled(sheet: str) -> list[bool]:
        rows = book[sheet].iter_rows(min_row=2, max_col=5)
        return [all(c.fill.fgColor.rgb == "FFFCE4D6" for c in row) for row in rows]

    assert filled("Lista") == [False, True, False]  # every cell of row 3, the empty ones too
    assert filled("Mer") == [False, False, False]
    path = write_xlsx({"Lista": frame, "Mer": frame}, tmp_path / "b.xlsx", highlight={"Mer": ~mask})
    book = openpyxl.load_workbook(path)
    assert filled("Mer") == [True, False, True] and filled("Lista") == [False] * 3


def test_formulas_are_real_while_text_stays_neutralised(tmp_path: Path) -> None:
    path = write_xlsx(
        {"Lista": _items()},
        tmp_path / "a.xlsx",
        formulas={"Summa": "=A{row}*B{row}"},
        number_formats={"Summa": "#,##0.00"},
    )
    sheet = openpyxl.load_workbook(path)["Lista"]
    assert [sheet.cell(r, 3).value for r in range(2, 5)] == ["=A2*B2", "=A3*B3", "=A4*B4"]
    assert sheet.cell(2, 3).number_format == "#,##0.00"
    assert sheet.cell(3, 4).value == "'=1+1"  # data is never a formula
    cached = openpyxl.load_workbook(path, data_only=True)["Lista"]
    assert cached.cell(2, 3).value == 20


def test_links_beyond_excels_limit_become_hyperlink_formulas(tmp_path: Path) -> None:
    frame = pd.DataFrame({"Karta": ["a.html#x=1", "a.html#x=2", 'b"c.html']})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sheets, "EXCEL_MAX_LINKS", 1)
        path = write_xlsx({"L": frame}, tmp_path / "a.xlsx", links={"Karta": "Visa"})
    sheet = openpyxl.load_workbook(path)["L"]
    assert sheet["A2"].hyperlink.location == "x=1" and sheet["A2"].value == "Visa"
    assert sheet["A3"].value == '=HYPERLINK("a.html#x=2","Visa")'
    assert sheet["A4"].value == '=HYPERLINK("b""c.html","Visa")'


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"choices": {"Staus": ["a"]}}, r"`choices` names 'Staus', which no sheet has"),
        ({"hidden": ["X"]}, r"`hidden` names 'X', which no sheet has \(columns: Antal, "),
        ({"editable": ["Y"]}, r"`editable` names 'Y'"),
        ({"formulas": {"Z": "=A{row}"}}, r"`formulas` names 'Z'"),
        ({"formulas": {"Summa": "A{row}*B{row}"}}, r"`formulas` for column 'Summa' is 'A\{row\}"),
        ({"formulas": {"Summa": "=A2*B2"}}, r"holds \{row\} where the row number goes"),
        ({"highlight": np.array([True])}, r"`highlight` for sheet 'Lista' has shape \(1,\)"),
        ({"highlight": {"Nej": np.zeros(3)}}, r"`highlight` for sheet 'Nej'.*sheets: 'Lista'"),
    ],
)
def test_options_naming_what_is_not_there_are_refused(
    tmp_path: Path, options: dict[str, object], match: str
) -> None:
    with pytest.raises(GeomapError, match=match):
        write_xlsx({"Lista": _items()}, tmp_path / "a.xlsx", **options)  # type: ignore[arg-type]
    assert not (tmp_path / "a.xlsx").exists()


def test_more_rows_than_a_sheet_holds_are_refused(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sheets, "EXCEL_MAX_ROWS", 2)
        with pytest.raises(GeomapError, match=r"sheet 'Lista' has 3 rows, more than an Excel"):
            write_xlsx({"Lista": _items()}, tmp_path / "a.xlsx")


def test_xlsx_keeps_dates_numbers_header_and_filter(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "=Id": ["a", "b"],
            "Datum och tid": pd.to_datetime(["2025-06-01 14:30", None]).tz_localize("UTC"),
            "Rad": [1, 2],
            "Ok": [True, False],
        }
    )
    path = write_xlsx({"L": frame}, tmp_path / "a.xlsx")
    sheet = openpyxl.load_workbook(path)["L"]
    assert [c.value for c in sheet[1]] == ["'=Id", "Datum och tid", "Rad", "Ok"]
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:D3"
    assert sheet["B2"].value == dt.datetime(2025, 6, 1, 16, 30)  # Swedish summer time
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm" and sheet["B3"].value is None
    assert [sheet["C2"].value, sheet["D2"].value, sheet["D3"].value] == [1, True, False]


def _pandas_csv(frame: pd.DataFrame, path: Path) -> bytes:
    """What the writer wrote before it moved to Arrow (pandas' own CSV writer)."""
    from geomap.io.sanitize import neutralise_formulas

    neutralise_formulas(frame).to_csv(
        path,
        sep=";",
        decimal=",",
        index=False,
        encoding="utf-8-sig",
        lineterminator="\r\n",
        date_format="%Y-%m-%d %H:%M",
    )
    return path.read_bytes()


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.text(alphabet=st.sampled_from('a;"\n\r=+-@ ,å\t'), max_size=8)),
            st.one_of(st.none(), st.floats(allow_infinity=False, allow_nan=False, width=32)),
            st.integers(-(10**6), 10**6),
            st.one_of(st.none(), st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2040, 1, 1))),
        ),
        max_size=8,
    )
)
def test_csv_is_what_pandas_wrote(rows: list[tuple[object, ...]]) -> None:
    """The Arrow CSV writer gives the same bytes as the pandas one it replaced."""
    import tempfile

    frame = pd.DataFrame(rows, columns=["Text", "Tal", "Heltal", "Datum"])
    frame["Tal"] = frame["Tal"].astype(float)
    frame["Datum"] = pd.to_datetime(frame["Datum"])
    frame["Heltal"] = frame["Heltal"].astype("int64")
    folder = Path(tempfile.mkdtemp())
    assert write_csv(frame, folder / "a.csv").read_bytes() == _pandas_csv(frame, folder / "b.csv")


def test_csv_appends_batches(tmp_path: Path) -> None:
    frame = pd.DataFrame({"Id": ["a", "b", "c"], "Tal": [1.5, None, 2.0]})
    path = tmp_path / "a.csv"
    write_csv(frame.iloc[:2], path)
    write_csv(frame.iloc[2:], path, header=False, append=True)
    assert path.read_bytes() == _pandas_csv(frame, tmp_path / "b.csv")


def test_repeated_values_are_prepared_once_with_the_same_result(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Columns whose values repeat are prepared per distinct value; the files do not change."""
    texts = ["=A1", "ok", None, "a;b", "x\x0by", "ok", "=A1", "ok"] * 3
    frame = pd.DataFrame({"Text": texts, "Tal": [1.5] * len(texts)})
    with pytest.MonkeyPatch.context() as patch, caplog.at_level(logging.WARNING, logger="geomap"):
        patch.setattr(sheets, "_DISTINCT_FROM", 2)
        csv_path = write_csv(frame, tmp_path / "a.csv")
        path = write_xlsx({"L": frame}, tmp_path / "a.xlsx")
    assert csv_path.read_bytes() == _pandas_csv(frame, tmp_path / "b.csv")
    expected = [
        None if t is None else ("'" + t if t.startswith("=") else t.replace("\x0b", ""))
        for t in texts
    ]
    assert _cells(path, "L") == expected
    assert "column Text, rows 6, 14, 22" in caplog.text  # the cleaned rows, each named


def test_columns_in_several_arrow_chunks_are_written(tmp_path: Path) -> None:
    # pd.concat of two text frames gives a column of two Arrow chunks: it used to fail in the writer
    frame = pd.concat(
        [pd.DataFrame({"t": ["a"], "n": [1.5]}), pd.DataFrame({"t": ["=b"], "n": [2.0]})],
        ignore_index=True,
    )
    write_csv(frame, tmp_path / "a.csv")
    assert (tmp_path / "a.csv").read_text(encoding="utf-8-sig") == "t;n\na;1,5\n'=b;2,0\n"
    write_xlsx({"S": frame}, tmp_path / "a.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "a.xlsx").active.iter_rows(values_only=True))
    assert rows == [("t", "n"), ("a", 1.5), ("'=b", 2)]

"""The Swedish CSV/XLSX writer: what XLSX cannot hold is cut or cleaned, and said so."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geomap.io.sheets as sheets
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
        values = sheets._excel_values(pd.Series(texts, dtype=object), changes=changes, column="T")
    for value in values:
        assert value is None or (len(value) <= limit and not _CONTROL.search(value))
    dirty = [i for i, t in enumerate(texts) if t is not None and _CONTROL.search(t)]
    long = [i for i, t in enumerate(texts) if t is not None and len(_CONTROL.sub("", t)) > limit]
    assert list(changes.cleaned.get("T", [])) == dirty
    assert list(changes.cut.get("T", [])) == long

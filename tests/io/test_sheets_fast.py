"""The fast path of the spreadsheet writers writes what the plain path writes.

Per-distinct-value work, rows joined with 32-bit offsets and files written by background
threads are only faster: the files and the warnings are the same.
"""

from __future__ import annotations

import logging
import re
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import geomap.io.sheets as sheets
from geomap.errors import GeomapError
from geomap.io.sheets import write_csv, write_csv_groups, write_xlsx_groups


def _table(n: int) -> pd.DataFrame:
    """Varied first rows (ids, no repeats), then values that repeat a lot."""
    text = [f"unik {i}" for i in range(sheets._DISTINCT_FROM)] + [
        ["=1+1", "a;b", "ok", "tab\x0bbed", None][i % 5] for i in range(n - sheets._DISTINCT_FROM)
    ]
    return pd.DataFrame(
        {
            "Id": [f"R{i}" for i in range(n)],
            "Text": text,
            "Tal": [float(i % 7) if i % 11 else None for i in range(n)],
            "Karta": [f"a.html#x={i}" if i % 3 else None for i in range(n)],
        }
    )


def _xlsx_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n != "docProps/core.xml"}


def test_first_rows_that_vary_do_not_change_the_csv(tmp_path: Path) -> None:
    table = _table(12_000)
    (path,) = write_csv_groups(table, [0, len(table)], [tmp_path / "a.csv"])
    lines = path.read_bytes().decode("utf-8-sig").split("\r\n")
    assert lines[1] == "R0;unik 0;;"
    assert lines[1 + sheets._DISTINCT_FROM] == "R5000;'=1+1;2,0;a.html#x=5000"
    assert lines[2 + sheets._DISTINCT_FROM].startswith('R5001;"a;b";3,0;')
    assert path.read_bytes() == write_csv(table, tmp_path / "b.csv").read_bytes()


def test_cleaned_cells_are_named_by_row_when_values_repeat(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    table = _table(12_000)
    with caplog.at_level(logging.WARNING, logger="geomap.io.sheets"):
        write_xlsx_groups({"Lista": table}, [0, len(table)], [tmp_path / "a.xlsx"])
    first = sheets._DISTINCT_FROM + 3 + 2  # the first "tab\x0bbed", as Excel numbers rows
    assert re.search(rf"1,400 cells .*column Text, rows {first}, {first + 5},", caplog.text)
    sheet = openpyxl.load_workbook(tmp_path / "a.xlsx")["Lista"]
    assert sheet[f"B{first}"].value == "tabbed"
    assert sheet[f"B{first - 3}"].value == "'=1+1"


def test_rows_joined_with_64_bit_offsets_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = _table(6_000)
    bounds, names = [0, 10, 4_000, 6_000], ["a", "b", "c"]
    small_csv = write_csv_groups(table, bounds, [tmp_path / f"{n}-small.csv" for n in names])
    small = write_xlsx_groups(
        {"Lista": table},
        bounds,
        [tmp_path / f"{n}-small.xlsx" for n in names],
        links={"Karta": "Visa"},
    )
    monkeypatch.setattr(sheets, "_SMALL_TEXT", 0)  # every join as Arrow large_string
    large_csv = write_csv_groups(table, bounds, [tmp_path / f"{n}-large.csv" for n in names])
    large = write_xlsx_groups(
        {"Lista": table},
        bounds,
        [tmp_path / f"{n}-large.xlsx" for n in names],
        links={"Karta": "Visa"},
    )
    for a, b in zip(small_csv, large_csv, strict=True):
        assert a.read_bytes() == b.read_bytes()
    for a, b in zip(small, large, strict=True):
        assert _xlsx_parts(a) == _xlsx_parts(b)
    assert openpyxl.load_workbook(small[0])["Lista"]["D3"].hyperlink.location == "x=1"


def test_a_write_that_fails_in_the_background_is_raised(tmp_path: Path) -> None:
    table = _table(6_000)
    with pytest.raises(FileNotFoundError, match="missing"):
        write_csv_groups(table, [0, 3, 6_000], [tmp_path / "a.csv", tmp_path / "missing" / "b.csv"])
    with pytest.raises(FileNotFoundError, match="missing"):
        write_xlsx_groups({"Lista": table}, [0, 6_000], [tmp_path / "missing" / "b.xlsx"])


def test_empty_text_joins_to_empty_rows(tmp_path: Path) -> None:
    table = pd.DataFrame({"A": [""] * 3, "B": [None] * 3}, dtype="string")
    _, b = write_csv_groups(table, [0, 1, 3], [tmp_path / "a.csv", tmp_path / "b.csv"])
    assert b.read_bytes() == b"\xef\xbb\xbfA;B\r\n;\r\n;\r\n"
    assert sheets._join([sheets.pa.array(["", ""])])[1].tolist() == [0, 0, 0]


def test_a_path_given_twice_is_refused(tmp_path: Path) -> None:
    table = _table(6_000)
    twice = [tmp_path / "a.csv", tmp_path / "." / "a.csv"]
    with pytest.raises(GeomapError, match=r"a\.csv: this file is given twice"):
        write_csv_groups(table, [0, 5, 6_000], twice)
    with pytest.raises(GeomapError, match=r"a\.xlsx: this file is given twice"):
        write_xlsx_groups({"Lista": table}, [0, 5, 6_000], [tmp_path / "a.xlsx"] * 2)


def test_an_interrupt_is_not_replaced_by_a_write_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(path: Path, pieces: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sheets, "_write_file", full)
    with pytest.raises(KeyboardInterrupt), sheets._Output() as output:
        output.write(tmp_path / "a.csv", [b"x"])
        raise KeyboardInterrupt

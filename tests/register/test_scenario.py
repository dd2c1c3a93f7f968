"""Two weeks of follow-up, on a GeoPackage and on PostGIS alike.

Week 1 is ingested and listed; Huge Bostäder returns its XLSX with a status and an edited
locked column, the municipality returns one with an unknown status; week 2 (another source)
brings a remark again and a new report of the same graffiti.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from geomap.errors import InputError
from geomap.register import open_register
from geomap.register.ingest import ingest
from geomap.register.lists import write_lists
from geomap.register.overview import status_table
from geomap.register.update import apply_list, reassign, unlink

WEEK1, WEEK2 = "2025-06-05T08:00:00+00:00", "2025-06-12T08:00:00+00:00"


def _answer(path: Path, answers: dict[str, dict[str, object]], out: Path) -> Path:
    """Fill in a list as an owner would in Excel: by the Id of each row."""
    book = openpyxl.load_workbook(path)
    sheet = book["Anmärkningar"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        remark = row[header.index("Id")].value
        for column, value in answers.get(str(remark), {}).items():
            row[header.index(column)].value = value
    book.save(out)
    return out


def test_two_weeks(register_target: str, weeks: dict[int, Path], tmp_path: Path) -> None:
    register = open_register(register_target)
    first = ingest(register, weeks[1], now=WEEK1)
    assert (first.added, first.changed, first.duplicates) == (6, 0, 0)
    assert ingest(register, weeks[1], now=WEEK1).already_imported  # the same file: nothing
    lists = write_lists(register, tmp_path / "v1", now=WEEK1, today=dt.date(2025, 6, 5))
    assert set(lists) == {"huge_bostader", "huddinge_kommun", "privat", "_samordnare"}
    states = register.remarks_frame().set_index("remark_id")
    assert set(states["status"]) == {"skickad", "ny"}  # W1-6 is withheld from privat (external)
    assert states.loc["W1-6", "status"] == "ny"

    huge = _answer(
        tmp_path / "v1" / "huge_bostader.xlsx",
        {"W1-2": {"Status": "åtgärdad", "Kommentar": "Bänken lagad"},
         "W1-1": {"Beskrivning": "ändrad av ägaren"}},
        tmp_path / "huge_svar.xlsx",
    )  # fmt: skip
    done = apply_list(register, huge, now="2025-06-06T09:00:00+00:00")
    assert done.changes["remark_id"].tolist() == ["W1-2"]
    assert any("edits are ignored" in w and "row" in w for w in done.warnings)
    kommun = _answer(
        tmp_path / "v1" / "huddinge_kommun.xlsx",
        {"W1-3": {"Status": "klar"}, "W1-4": {"Status": "pågår"}},
        tmp_path / "kommun_svar.xlsx",
    )
    events_before = len(register.events())
    with pytest.raises(
        InputError, match=r"unknown status 'klar'; allowed: ny, skickad, .*ej vårt ansvar"
    ):
        apply_list(register, kommun, now="2025-06-06T10:00:00+00:00")
    assert len(register.events()) == events_before  # nothing of that list was applied

    second = ingest(register, weeks[2], now=WEEK2)
    assert (second.rows, second.added, second.changed, second.unchanged) == (2, 1, 0, 1)
    state = register.remarks_frame(today=dt.date(2025, 6, 12)).set_index("remark_id")
    assert len(state) == 7  # W1-3 came again: still one remark
    assert state.loc["W1-2", "status"] == "atgardad"
    assert str(state.loc["W1-2", "fixed_date"].date()) == "2025-06-06"
    assert state.loc["W2-1", "duplicate_of"] == "W1-1" and state.loc["W2-1", "status"] == "dubblett"
    assert state.loc["W1-1", "description" if False else "status"] == "skickad"
    remarks = register.remarks().set_index("remark_id")
    assert remarks.loc["W1-1", "description"] == "Tags på fasaden"  # the locked edit was ignored
    assert remarks.loc["W2-1", "source"] == "felanmalan"
    events = register.events()
    assert events[events["remark_id"] == "W1-2"]["status"].tolist() == ["ny", "skickad", "atgardad"]
    w21 = events[events["remark_id"] == "W2-1"]
    assert w21[["kind", "status", "comment"]].values.tolist() == [
        ["duplicate", "dubblett", "dubblett av W1-1"]
    ]

    table = status_table(register, today=dt.date(2025, 6, 30)).set_index("owner")
    assert table.loc["huge_bostader", ["open", "fixed", "duplicates"]].tolist() == [1, 1, 1]
    assert table.loc["huddinge_kommun", "overdue"] == 2  # 14 days, assigned 2025-06-05
    assert table.loc["huge_bostader", "median_days_to_fix"] == 1.0

    assert unlink(register, "W2-1", now=WEEK2).startswith("W2-1: inte längre dubblett av W1-1")
    after = register.remarks_frame().set_index("remark_id")
    assert after.loc["W2-1", "duplicate_of"] is None and after.loc["W2-1", "status"] == "ny"
    assert ingest(register, weeks[2], now=WEEK2).already_imported  # an unlinked one stays unlinked


def test_not_ours_goes_to_the_queue_and_is_reassigned(
    register_target: str, weeks: dict[int, Path], tmp_path: Path
) -> None:
    register = open_register(register_target)
    ingest(register, weeks[1], now=WEEK1)
    write_lists(register, tmp_path / "v1", now=WEEK1)
    answer = _answer(
        tmp_path / "v1" / "huddinge_kommun.xlsx",
        {"W1-4": {"Status": "ej vårt ansvar", "Kommentar": "Huges gård"}},
        tmp_path / "huddinge_kommun.xlsx",
    )
    apply_list(register, answer, now="2025-06-06T09:00:00+00:00")
    row = register.remarks().set_index("remark_id").loc["W1-4"]
    assert row["status"] == "ej_vart_ansvar"
    write_lists(register, tmp_path / "v1b", now="2025-06-06T10:00:00+00:00")
    queue = openpyxl.load_workbook(tmp_path / "v1b" / "_samordnare.xlsx")["Anmärkningar"]
    header = [c.value for c in queue[1]]
    assert "Omdirigering: kandidater" in header
    message = reassign(register, "W1-4", owner="huge_bostader", reason="Huge sköter gården")
    assert message == "W1-4: Huddinge kommun → Huge Bostäder AB"
    moved = register.remarks().set_index("remark_id").loc["W1-4"]
    assert (moved["owner"], moved["status"]) == ("huge_bostader", "ny")
    history = register.events("W1-4")
    assert history["kind"].tolist() == ["status", "status", "status", "reassign"]
    assert (
        "från huddinge_kommun till huge_bostader: Huge sköter gården" in history["comment"].iloc[-1]
    )
    with pytest.raises(
        InputError, match=r"`owner` 'nobody' is not in the register's owner registry"
    ):
        reassign(register, "W1-4", owner="nobody", reason="x")
    with pytest.raises(InputError, match=r"remark id 'X-9' is not in the register"):
        reassign(register, "X-9", owner="huge_bostader", reason="x")
    with pytest.raises(InputError, match=r"`reason` is empty"):
        reassign(register, "W1-4", owner="huge_bostader", reason=" ")
    with pytest.raises(InputError, match=r"remark 'W1-4' is not linked as a duplicate"):
        unlink(register, "W1-4")

"""Lists written from the register and the lists owners return: checks and refusals."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geomap.errors import ConfigError, InputError
from geomap.io.sheets import write_csv
from geomap.io.tables import read_table
from geomap.register import STATUS_LABELS, open_register
from geomap.register.ingest import ingest
from geomap.register.lists import row_checksums, write_lists
from geomap.register.privacy import DEFAULT_POLICY, load_privacy
from geomap.register.statuses import OPEN311_STATUS, STATUSES, status_code
from geomap.register.update import apply_list

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def listed(tmp_path: Path, weeks: dict[int, Path]) -> tuple[str, Path]:
    target = str(tmp_path / "arenden.gpkg")
    ingest(open_register(target), weeks[1], now="2025-06-05T08:00:00+00:00")
    write_lists(open_register(target), tmp_path / "lists", now="2025-06-05T08:00:00+00:00")
    return target, tmp_path / "lists"


def _edit(path: Path, out: Path, changes: dict[tuple[str, str], object]) -> Path:
    book = openpyxl.load_workbook(path)
    sheet = book["Anmärkningar"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        for (remark, column), value in changes.items():
            if row[header.index("Id")].value == remark:
                row[header.index(column)].value = value
    book.save(out)
    return out


def test_statuses_are_the_fixmystreet_set_in_swedish() -> None:
    assert list(STATUS_LABELS.values()) == [
        "ny", "skickad", "mottagen", "planerad", "pågår", "åtgärdad", "ingen åtgärd",
        "ej vårt ansvar", "dubblett", "stängd",
    ]  # fmt: skip
    assert {code for code, (_, open_) in STATUSES.items() if not open_} == {
        "atgardad", "ingen_atgard", "dubblett", "stangd"
    }  # fmt: skip
    assert set(OPEN311_STATUS.values()) == {"open", "closed"}
    assert status_code("EJ VÅRT  ANSVAR") == "ej_vart_ansvar"


def test_owner_list_has_follow_up_columns_drop_down_and_protection(
    listed: tuple[str, Path],
) -> None:
    _, folder = listed
    book = openpyxl.load_workbook(folder / "huge_bostader.xlsx")
    sheet = book["Anmärkningar"]
    header = [c.value for c in sheet[1]]
    for column in (
        "Status",
        "Åtgärdat datum",
        "Kommentar",
        "Ägar-id",
        "Lista skapad",
        "Kontrollsumma",
    ):
        assert column in header
    letter = openpyxl.utils.get_column_letter(header.index("Kontrollsumma") + 1)
    assert sheet.column_dimensions[letter].hidden
    assert sheet.protection.sheet
    status = openpyxl.utils.get_column_letter(header.index("Status") + 1)
    assert any(status in str(v.sqref) for v in sheet.data_validations.dataValidation)
    assert not sheet[f"{status}2"].protection.locked and sheet["B2"].protection.locked


def test_external_owner_gets_no_withheld_category_and_redacted_text(
    listed: tuple[str, Path],
) -> None:
    _, folder = listed
    frame, _ = read_table(folder / "privat.csv")
    assert frame["Id"].tolist() == ["W1-5"]  # W1-6 (hot mot personal) is withheld
    assert frame["Beskrivning"].tolist() == ["Ring [telefonnummer] om klottret"]
    coordinators, _ = read_table(folder / "_samordnare.csv")
    assert {"W1-5", "W1-6"} <= set(coordinators["Id"])
    assert (
        load_privacy(ROOT / "data" / "privacy.toml").__class__(
            **{**load_privacy(ROOT / "data" / "privacy.toml").__dict__, "source": "default"}
        )
        == DEFAULT_POLICY
    )  # data/privacy.toml says what the default does


def test_checksums_survive_the_round_trip(listed: tuple[str, Path]) -> None:
    _, folder = listed
    for name in ("huge_bostader.xlsx", "huge_bostader.csv"):
        sheet = "Anmärkningar" if name.endswith("xlsx") else None
        frame, _ = read_table(folder / name, sheet=sheet)
        assert (row_checksums(frame) == frame["Kontrollsumma"]).all(), name


def test_csv_list_is_applied_too(listed: tuple[str, Path], tmp_path: Path) -> None:
    target, folder = listed
    frame, _ = read_table(folder / "huddinge_kommun.csv")
    frame.loc[frame["Id"] == "W1-3", ["Status", "Åtgärdat datum"]] = ["åtgärdad", "2025-06-07"]
    back = write_csv(frame, tmp_path / "huddinge_kommun.csv")
    result = apply_list(open_register(target), back, now="2025-06-08T08:00:00+00:00")
    assert result.changes[["remark_id", "before", "after"]].values.tolist() == [
        ["W1-3", "skickad", "åtgärdad"]
    ]
    row = open_register(target).remarks().set_index("remark_id").loc["W1-3"]
    assert (row["status"], row["fixed_date"]) == ("atgardad", "2025-06-07")
    assert apply_list(open_register(target), back).already_applied  # the same file twice


def test_rows_of_another_owner_are_refused(listed: tuple[str, Path], tmp_path: Path) -> None:
    target, folder = listed
    huge, _ = read_table(folder / "huge_bostader.csv")
    kommun, _ = read_table(folder / "huddinge_kommun.csv")
    both = pd.concat([huge, kommun.iloc[:1]], ignore_index=True).astype(object)
    mixed = write_csv(both, tmp_path / "huge_bostader.csv")
    with pytest.raises(
        InputError, match=r"row 4 belong to another owner than 'huge_bostader' \(ids 'W1-3'\)"
    ):
        apply_list(open_register(target), mixed)


def test_unknown_remark_ids_are_refused(listed: tuple[str, Path], tmp_path: Path) -> None:
    target, folder = listed
    frame, _ = read_table(folder / "huge_bostader.csv")
    frame.iloc[0, frame.columns.get_loc("Id")] = "X-404"
    with pytest.raises(
        InputError, match=r"column Id, row 2: remark id\(s\) 'X-404' are not in the register"
    ):
        apply_list(open_register(target), write_csv(frame, tmp_path / "huge_bostader.csv"))


def test_missing_hidden_columns_are_refused(listed: tuple[str, Path], tmp_path: Path) -> None:
    target, folder = listed
    frame, _ = read_table(folder / "huge_bostader.csv")
    path = write_csv(frame.drop(columns=["Kontrollsumma"]), tmp_path / "huge_bostader.csv")
    with pytest.raises(InputError, match=r"column\(s\) Kontrollsumma missing; return the list as"):
        apply_list(open_register(target), path)
    with pytest.raises(InputError, match=r"file not found"):
        apply_list(open_register(target), tmp_path / "none.xlsx")


def test_an_older_list_after_a_newer_one_needs_force(
    listed: tuple[str, Path], tmp_path: Path
) -> None:
    target, old = listed
    write_lists(open_register(target), tmp_path / "newer", now="2025-06-12T08:00:00+00:00")
    newer = _edit(
        tmp_path / "newer" / "huge_bostader.xlsx",
        tmp_path / "n.xlsx",
        {("W1-1", "Status"): "pågår"},
    )
    older = _edit(old / "huge_bostader.xlsx", tmp_path / "o.xlsx", {("W1-1", "Status"): "planerad"})
    apply_list(open_register(target), newer)
    with pytest.raises(
        InputError, match=r"made 2025-06-05T08:00:00\+00:00, before a list .* pass `force`"
    ):
        apply_list(open_register(target), older)
    assert apply_list(open_register(target), older, force=True).changes["after"].tolist() == [
        "planerad"
    ]


def test_register_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"no register there yet; create it with"):
        write_lists(open_register(tmp_path / "none.gpkg"), tmp_path / "out")
    with pytest.raises(InputError, match=r"give a GeoPackage file ending in \.gpkg"):
        open_register(tmp_path / "register.sqlite")


def test_ingest_refuses_what_is_no_routed_gpkg(tmp_path: Path, weeks: dict[int, Path]) -> None:
    register = open_register(tmp_path / "arenden.gpkg")
    with pytest.raises(InputError, match=r"file not found; pass the routed\.gpkg"):
        ingest(register, tmp_path / "none.gpkg")
    other = tmp_path / "x.gpkg"
    shutil.copy(weeks[1], other)
    import sqlite3

    with sqlite3.connect(other) as conn:
        conn.execute("ALTER TABLE remarks RENAME COLUMN owner TO agare")
    with pytest.raises(InputError, match=r"lacks column\(s\) owner"):
        ingest(register, other)
    assert not register.exists  # nothing was created


def test_bad_privacy_policy(tmp_path: Path) -> None:
    path = tmp_path / "privacy.toml"
    path.write_text('[privacy]\nwithheld_categories = ["cykel"]\n', encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"withheld_categories names 'cykel', which is no category"
    ):
        load_privacy(path)
    path.write_text('[privacy]\nredact = ["adress"]\n', encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"redact names 'adress'; the kinds are epost, personnummer"
    ):
        load_privacy(path)


def test_a_file_that_is_no_register(tmp_path: Path, weeks: dict[int, Path]) -> None:
    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(InputError, match=r"junk\.gpkg: cannot be opened as a GeoPackage register"):
        open_register(junk).remarks()
    with pytest.raises(
        InputError, match=r"the file exists but is no register .*give a new file name"
    ):
        ingest(open_register(weeks[1]), weeks[2])  # a routed.gpkg given as the register


def test_a_locked_register_is_one_line(
    listed: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    target, _ = listed
    holder = sqlite3.connect(target, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the register
    register = open_register(target)
    register.store._connection().execute("PRAGMA busy_timeout=50")
    try:
        with pytest.raises(
            InputError, match=r"the database refused the change \(database is locked\)"
        ):
            register.store.transaction().__enter__()
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_routed_gpkg_in_another_crs_is_refused(tmp_path: Path, weeks: dict[int, Path]) -> None:
    import geomap
    from geomap.routing.outputs import write_routed_gpkg

    register = open_register(tmp_path / "arenden.gpkg")
    ingest(register, weeks[1])
    result = geomap.route(
        weeks[1].parent / "vecka1.csv",
        owners=ROOT / "data" / "owners_synthetic.gpkg",
        crs="EPSG:3011",
        working_crs="EPSG:3006",
    )
    other = tmp_path / "routed_3006.gpkg"
    write_routed_gpkg(result, other)
    with pytest.raises(
        InputError, match=r"in EPSG:3006, the register .* in EPSG:3011; route again"
    ):
        ingest(register, other)

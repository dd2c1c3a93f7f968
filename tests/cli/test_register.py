"""``geomap register``: the commands end to end, their messages and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from geomap.cli import cli

from tests.register.conftest import routed_week


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["register", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def routed(tmp_path_factory: pytest.TempPathFactory) -> dict[int, Path]:
    base = tmp_path_factory.mktemp("routed")
    return {week: routed_week(base / f"v{week}", week) for week in (1, 2)}


def test_register_commands(routed: dict[int, Path], tmp_path: Path) -> None:
    register = tmp_path / "arenden.gpkg"
    code, out, _ = run("ingest", routed[1], "--register", register)
    assert code == 0 and "6 anmärkningar – 6 nya, 0 ändrade" in out
    assert "redan inläst – inget ändrades" in run("ingest", routed[1], "--register", register)[1]
    code, _, err = run("lists", "--register", register, "-o", tmp_path / "lists")
    assert code == 0 and "wrote 4 lists" in err
    code, _, err = run("lists", "--register", register, "-o", tmp_path / "lists")
    assert code == 2 and "--overwrite" in err

    book = openpyxl.load_workbook(tmp_path / "lists" / "huge_bostader.xlsx")
    sheet = book["Anmärkningar"]
    status = [c.value for c in sheet[1]].index("Status")
    sheet.cell(row=2, column=status + 1).value = "mottagen"
    book.save(tmp_path / "huge_bostader.xlsx")
    code, out, _ = run("update", tmp_path / "huge_bostader.xlsx", "--register", register)
    assert code == 0 and "W1-1: skickad → mottagen" in out and "1 ändring inlästa" in out

    sheet.cell(row=2, column=status + 1).value = "fixat"
    book.save(tmp_path / "bad.xlsx")
    code, _, err = run("update", tmp_path / "bad.xlsx", "--register", register)
    assert code == 1 and err.startswith("geomap: error: ") and "allowed: ny, skickad" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1

    code, out, _ = run(
        "reassign",
        "W1-5",
        "--register",
        register,
        "--owner",
        "huge_bostader",
        "--reason",
        "fel ägare",
    )
    assert code == 0 and out.strip() == "W1-5: Privat fastighetsägare → Huge Bostäder AB"
    code, _, err = run("reassign", "W1-5", "--register", register, "--owner", "x", "--reason", "y")
    assert code == 1 and "--owner 'x' is not in the register's owner registry" in err

    assert run("ingest", routed[2], "--register", register)[0] == 0
    code, out, _ = run("status", "--register", register)
    assert code == 0 and "Huge Bostäder AB" in out and "Försenade" in out and "Summa" in out
    code, out, _ = run("unlink", "W2-1", "--register", register)
    assert code == 0 and "inte längre dubblett av W1-1" in out

    code, _, err = run("export", "open311", "--register", register, "-o", tmp_path / "open311")
    assert code == 0
    requests = json.loads((tmp_path / "open311" / "requests.json").read_text("utf-8"))
    assert {r["service_request_id"] for r in requests} >= {"W1-1", "W2-1"}


def test_register_errors_are_one_line(tmp_path: Path) -> None:
    code, _, err = run("status", "--register", tmp_path / "none.gpkg")
    assert code == 1 and "no register there yet" in err and "--register" in err
    code, _, err = run("status", "--register", tmp_path / "r.sqlite")
    assert code == 1 and "give a GeoPackage file ending in .gpkg" in err
    code, _, err = run("status", "--register", "postgresql://nobody@/none?host=/nonexistent&port=1")
    assert code == 1 and "cannot connect to PostgreSQL" in err

"""No command writes its output over one of its own inputs, even with --overwrite."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from geomap.cli import cli

from tests.maps.helpers import write_routed

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "skotsel_huge_bostader_synthetic.gpkg"


def _run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.output


def test_map_does_not_replace_its_routed_gpkg(tmp_path: Path) -> None:
    routed = write_routed(tmp_path / "routed.gpkg")
    before = routed.read_bytes()
    code, out = _run("map", routed, "-o", routed, "--overwrite", "--no-districts")
    assert code == 2 and "is also an input of this command" in out
    assert routed.read_bytes() == before


@pytest.mark.parametrize("command", ["validate", "translate"])
def test_layers_commands_do_not_replace_their_layer(tmp_path: Path, command: str) -> None:
    layer = tmp_path / "raw.gpkg"
    shutil.copyfile(RAW, layer)
    before = layer.read_bytes()
    output = ["--report", layer] if command == "validate" else ["-o", layer]
    code, out = _run("layers", command, layer, "--owner", "huge_bostader", *output, "--overwrite")
    assert code == 2 and "is also an input of this command" in out
    assert layer.read_bytes() == before


def test_virtual_and_control_character_paths_are_refused(tmp_path: Path) -> None:
    routed = write_routed(tmp_path / "routed.gpkg")
    code, out = _run("map", routed, "-o", "/vsimem/karta.html", "--no-districts")
    assert code == 2 and "virtual file system" in out
    code, out = _run("map", routed, "-o", tmp_path / "a\tb.html", "--no-districts")
    assert code == 2 and "control character" in out


def test_a_full_disk_while_gdal_writes_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyogrio

    def full(*args: object, **kwargs: object) -> None:
        raise pyogrio.errors.DataLayerError("sqlite3_step() failed: database or disk is full")

    monkeypatch.setattr(pyogrio, "write_dataframe", full)
    data = ROOT / "data"
    code, out = _run(
        "route",
        data / "hard_cases_synthetic.csv",
        "--owners",
        data / "owners_synthetic.gpkg",
        "--crs",
        "EPSG:3011",
        "-o",
        tmp_path / "ut",
        "--no-map",
    )
    assert code == 1
    assert "geomap: error: the disk is full" in out and "Traceback" not in out
    assert not (tmp_path / "ut").exists()

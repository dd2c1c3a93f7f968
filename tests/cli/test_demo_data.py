"""Tests for ``geomap demo-data`` (geomap/cli/demo_data.py): exit codes and messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from geomap.cli import cli


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["demo-data", *args])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_writes_the_files_and_exits_0(tmp_path: Path) -> None:
    code, out = _run("--seed", "3", "--points", "50", "--parcels", "150", "-o", str(tmp_path / "o"))
    assert code == 0, out
    assert (tmp_path / "o" / "owners_synthetic.gpkg").is_file()
    assert "wrote 13 files" in out


def test_existing_directory_without_overwrite_exits_2(tmp_path: Path) -> None:
    code, out = _run("--points", "10", "--parcels", "150", "-o", str(tmp_path))
    assert code == 2
    assert "already exists; pass --overwrite" in out


def test_overwrite_flag_allows_an_existing_directory(tmp_path: Path) -> None:
    code, out = _run("--points", "10", "--parcels", "150", "-o", str(tmp_path), "--overwrite", "-q")
    assert code == 0, out
    assert (tmp_path / "lagesbild_2025_synthetic.csv").is_file()


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--points", "-5"], "--points"),
        (["--points", "many"], "--points"),
        (["--parcels", "10"], "--parcels"),
        (["--format", "xlsx"], "--format"),
        (["--history-years", "11"], "--history-years"),
    ],
)
def test_bad_values_exit_2(tmp_path: Path, args: list[str], match: str) -> None:
    code, out = _run(*args, "-o", str(tmp_path / "x"))
    assert code == 2
    assert match in out
    assert not (tmp_path / "x").exists()


def test_missing_output_option_exits_2() -> None:
    code, out = _run("--points", "10")
    assert code == 2
    assert "-o" in out


def test_bad_geography_exits_1(tmp_path: Path) -> None:
    bad = tmp_path / "g.gpkg"
    bad.write_text("nope")
    code, out = _run("--geography", str(bad), "--parcels", "150", "-o", str(tmp_path / "x"))
    assert code == 1
    assert "cannot be read as a GeoPackage" in out

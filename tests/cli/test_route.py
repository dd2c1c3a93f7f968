"""``geomap route`` on the command line, including a corpus of bad inputs.

Every bad input must give a one-line ``geomap: error: ...`` message and exit 1 or 2, never a
traceback.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import pytest
import shapely
from click.testing import CliRunner

from geomap.cli import cli

from tests.conftest import X0, Y0


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def test_route_ok(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path, registry_toml: Path, rules_toml: Path
) -> None:
    out = tmp_path / "out"
    code, stdout, stderr = run(
        "route",
        remarks_csv,
        "--owners",
        owners_gpkg,
        "--registry",
        registry_toml,
        "--rules",
        rules_toml,
        "-o",
        out,
        "--no-map",
    )
    assert code == 0, stderr
    assert "Dirigerade 3 anmärkningar" in stdout
    assert "Huddinge kommun" in stdout and "Summa" in stdout
    assert "syntetiska" in stdout.lower()
    assert (out / "routed.gpkg").exists()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["by_method"] == {"ownership": 2, "nearest": 1}


def test_refuses_to_overwrite_then_overwrites(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    code, _, stderr = run("route", remarks_csv, "--owners", owners_gpkg, "-o", out, "--no-map")
    assert code == 2
    assert "already exists; pass --overwrite" in stderr
    code, _, stderr = run(
        "route", remarks_csv, "--owners", owners_gpkg, "-o", out, "--no-map", "--overwrite"
    )
    assert code == 0, stderr


def test_verbosity(tmp_path: Path, remarks_csv: Path, owners_gpkg: Path) -> None:
    code, _, stderr = run(
        "-q", "route", remarks_csv, "--owners", owners_gpkg, "-o", tmp_path / "a", "--no-map"
    )
    assert code == 0
    assert "WARNING" not in stderr
    code, _, stderr = run(
        "route", remarks_csv, "--owners", owners_gpkg, "-o", tmp_path / "b", "--no-map"
    )
    assert "assumed SWEREF 99 18 00" in stderr


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _bad_inputs(tmp: Path) -> dict[str, tuple[Path, str]]:
    """name → (remark file, expected message fragment)."""
    nocrs = tmp / "nocrs.shp"
    gpd.GeoDataFrame({"a": [1]}, geometry=[shapely.Point(X0, Y0)]).to_file(nocrs)
    corrupt = tmp / "corrupt.gpkg"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\x13" * 500)
    mixed = _write(tmp / "mixed.csv", f"id;E;N\n1;{X0:.0f};{Y0:.0f}\n2;17,98;59,23\n")
    return {
        "no_crs": (nocrs, "the file has no CRS; pass --crs"),
        "no_coordinate_columns": (
            _write(tmp / "nocoords.csv", "id;plats\n1;Huddinge C\n"),
            "no coordinate columns found",
        ),
        "empty_file": (_write(tmp / "empty.csv", ""), "the file is empty"),
        "wrong_delimiter": (
            _write(tmp / "spaces.csv", "id lat lon\n1 59.2 17.9\n"),
            "found only one column",
        ),
        "text_in_coordinates": (
            _write(tmp / "text.csv", "id;lat;lon\n1;59,2;17,9\n2;okänd;okänd\n"),
            "holds text that is not a coordinate",
        ),
        "corrupt_geopackage": (corrupt, "not a readable vector file"),
        "mixed_crs": (mixed, "cannot tell the CRS"),
        "header_only": (_write(tmp / "header.csv", "id;lat;lon\n"), "has a header but no rows"),
    }


@pytest.mark.parametrize(
    "case",
    [
        "no_crs",
        "no_coordinate_columns",
        "empty_file",
        "wrong_delimiter",
        "text_in_coordinates",
        "corrupt_geopackage",
        "mixed_crs",
        "header_only",
    ],
)
def test_bad_remark_inputs(tmp_path: Path, owners_gpkg: Path, case: str) -> None:
    path, fragment = _bad_inputs(tmp_path)[case]
    code, stdout, stderr = run(
        "route", path, "--owners", owners_gpkg, "-o", tmp_path / "out", "--no-map"
    )
    assert code == 1
    lines = [line for line in stderr.strip().splitlines() if line.startswith("geomap: error:")]
    assert len(lines) == 1, stderr
    assert fragment in lines[0]
    assert path.name in lines[0]
    assert "Traceback" not in stderr + stdout
    assert not (tmp_path / "out").exists()


def test_mixed_crs_with_explicit_crs(tmp_path: Path, owners_gpkg: Path) -> None:
    mixed = _write(tmp_path / "mixed.csv", f"id;E;N\n1;{X0:.0f};{Y0:.0f}\n2;17,98;59,23\n")
    code, _, stderr = run(
        "route",
        mixed,
        "--crs",
        "EPSG:3011",
        "--owners",
        owners_gpkg,
        "-o",
        tmp_path / "o",
        "--no-map",
    )
    assert code == 1
    assert (
        "1 of 2 rows (rows 2) lie far outside EPSG:3011's area; the file mixes coordinate systems"
        in stderr
    )


def test_owner_layer_of_points(tmp_path: Path, remarks_csv: Path) -> None:
    points = tmp_path / "owner_points.gpkg"
    gpd.GeoDataFrame({"owner": ["a"]}, geometry=[shapely.Point(X0, Y0)], crs=3011).to_file(points)
    code, _, stderr = run(
        "route", remarks_csv, "--owners", points, "-o", tmp_path / "out", "--no-map"
    )
    assert code == 1
    assert "owner_points.gpkg: the owner layer must hold polygons, found Point" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--tolerance", "-1"], "Invalid value for '--tolerance'"),
        (["--source", "radio"], "Invalid value for '--source'"),
        (["--owners", "missing.gpkg"], "does not exist"),
    ],
)
def test_usage_errors_exit_2(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path, args: list[str], fragment: str
) -> None:
    base = ["route", str(remarks_csv), "-o", str(tmp_path / "out"), "--no-map"]
    if "--owners" not in args:
        base += ["--owners", str(owners_gpkg)]
    code, _, stderr = run(*base, *args)
    assert code == 2
    assert fragment in stderr


def test_bad_crs_argument(tmp_path: Path, remarks_csv: Path, owners_gpkg: Path) -> None:
    code, _, stderr = run(
        "route",
        remarks_csv,
        "--crs",
        "nonsense",
        "--owners",
        owners_gpkg,
        "-o",
        tmp_path / "o",
        "--no-map",
    )
    assert code == 1
    assert "--crs: cannot understand CRS 'nonsense'" in stderr


def test_bad_registry_is_an_error(tmp_path: Path, remarks_csv: Path, owners_gpkg: Path) -> None:
    reg = _write(tmp_path / "owners.toml", "[[owner]]\nid = 'kommun'\n")
    code, _, stderr = run(
        "route",
        remarks_csv,
        "--owners",
        owners_gpkg,
        "--registry",
        reg,
        "-o",
        tmp_path / "o",
        "--no-map",
    )
    assert code == 1
    assert "owners.toml: [[owner]] number 1 lacks name" in stderr


def test_categories_command() -> None:
    code, stdout, _ = run("categories")
    assert code == 0
    assert "belysning" in stdout and "Trasig belysning" in stdout
    assert "alias:" in stdout


def test_gdal_warnings_reach_the_user_as_one_line_each(tmp_path: Path, owners_gpkg: Path) -> None:
    """In a real process (pytest replaces Python's warning display in-process): a GeoPackage that
    is an empty SQLite file makes GDAL warn, then fail; the user sees two geomap lines, no source."""
    broken = tmp_path / "tom.gpkg"
    sqlite3.connect(broken).execute("create table t (a)").connection.commit()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "geomap",
            "route",
            str(broken),
            "--owners",
            str(owners_gpkg),
            "-o",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines == [
        f"geomap: WARNING: GDAL: GPKG: bad application_id=0x00000000 on '{broken}'",
        f"geomap: error: {broken}: the remark file is not a readable vector file (At least one of "
        "the required GeoPackage tables, gpkg_spatial_ref_sys or gpkg_contents, is missing); "
        "check the file and its format",
    ]

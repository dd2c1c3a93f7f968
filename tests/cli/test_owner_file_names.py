"""One owner file-name function for every file of an owner: CSV, XLSX and HTML share a stem."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely
from click.testing import CliRunner

from geomap.cli import cli
from geomap.io.sanitize import owner_file_stem


def test_owner_with_spaces_and_swedish_letters_gets_one_stem(tmp_path: Path) -> None:
    x, y = 150_000, 6_570_000
    owners = gpd.GeoDataFrame(
        {"owner": ["Huge Bostäder AB", "a b", "a_b"]},
        geometry=[shapely.box(x + i * 100, y, x + i * 100 + 100, y + 100) for i in range(3)],
        crs="EPSG:3011",
    )
    owners.to_file(tmp_path / "owners.gpkg", layer="owners")
    (tmp_path / "r.csv").write_text(
        "id;kategori;beskrivning;E;N\n"
        "1;klotter;på vägg;150050;6570050\n"
        "2;klotter;på vägg;150150;6570050\n"
        "3;klotter;på vägg;150250;6570050\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "route",
            str(tmp_path / "r.csv"),
            "--owners",
            str(tmp_path / "owners.gpkg"),
            "--crs",
            "EPSG:3011",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (out / "owners").iterdir())
    for owner in ("Huge Bostäder AB", "a b", "a_b"):
        stem = owner_file_stem(owner)
        assert {f"{stem}.csv", f"{stem}.xlsx", f"{stem}.html"} <= set(files), files
    # three owners, three stems, three files each, and the maps' shared scripts: nothing left over
    assert len(files) == 10 and "assets" in files
    assert owner_file_stem("a b") != owner_file_stem("a_b")
    assert owner_file_stem("Huge Bostäder AB").startswith("Huge_Bostader_AB-")


def test_long_ids_are_capped() -> None:
    stem = owner_file_stem("x" * 300)
    assert len(stem) <= 89 and stem.startswith("x" * 80 + "-")

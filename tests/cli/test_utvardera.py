"""``geomap utvardera``: outputs, exit codes, messages naming the command's options."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from geomap.cli import cli

from tests.evaluation.conftest import (
    CENTRE,
    CONTROL,
    CRS,
    monthly_remarks,
    site_frame,
    write_routed,
)


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["utvardera", *map(str, args)])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[Path, Path, Path]:
    import geopandas as gpd

    routed = write_routed(tmp_path / "routed.gpkg", monthly_remarks(seed=4, r_effect=0.5))
    sites = tmp_path / "sites.gpkg"
    site_frame(
        ("A", "2021-06-15", CENTRE, ""), ("B", "2021-08-20", CENTRE + np.array([250.0, 0.0]), "")
    ).to_file(sites)
    control = tmp_path / "kontroll.gpkg"
    gpd.GeoDataFrame({"namn": ["Kontrollrutan"]}, geometry=[CONTROL], crs=CRS).to_file(control)
    return sites, routed, control


def test_writes_the_evaluation(inputs, tmp_path):
    sites, routed, control = inputs
    out = tmp_path / "utv"
    code, text = run(
        sites, "--remarks", routed, "--control", control, "--overlap", "merge", "-o", out
    )
    assert code == 0, text
    assert "A + B: RES" in text
    assert {p.name for p in out.iterdir()} >= {
        "utvardering.html",
        "utvardering.pdf",
        "utvardering.xlsx",
    }


def test_overlap_is_exit_1_naming_the_option(inputs, tmp_path):
    sites, routed, control = inputs
    code, text = run(sites, "--remarks", routed, "--control", control, "-o", tmp_path / "u")
    assert code == 1
    assert "geomap: error: sites A (Plats A) and B (Plats B)" in text
    assert "set --overlap to 'merge'" in text and "--radius or --buffer" in text
    assert "Traceback" not in text


def test_no_after_data_is_exit_1(inputs, tmp_path):
    _, routed, control = inputs
    late = tmp_path / "late.gpkg"
    site_frame(("L", "2022-06-10", CENTRE, "")).to_file(late)
    code, text = run(late, "--remarks", routed, "--control", control, "-o", tmp_path / "u")
    assert code == 1
    assert "no complete after window yet" in text and "shorten --after to 6 months" in text


def test_refuses_existing_output_without_overwrite(inputs, tmp_path):
    sites, routed, control = inputs
    (tmp_path / "u").mkdir()
    (tmp_path / "u" / "x.txt").write_text("x")
    code, text = run(sites, "--remarks", routed, "--control", control, "-o", tmp_path / "u")
    assert code == 2
    assert "--overwrite" in text


def test_zero_radius_is_exit_1(inputs, tmp_path):
    sites, routed, control = inputs
    code, text = run(
        sites, "--remarks", routed, "--control", control, "--radius", 0, "-o", tmp_path / "u"
    )
    assert code == 1
    assert "--radius: 0.0 m is not a distance" in text


@pytest.mark.parametrize(
    ("offset", "expected"),
    [
        ((40_000.0, 0.0), "lies outside the remarks"),
        # between the site and the control box: inside the remarks' extent, no remarks within 100 m
        ((1500.0, -300.0), "no remarks in R in the before or the after window"),
    ],
)
def test_site_edge_cases_are_exit_1(inputs, tmp_path, offset, expected):
    _, routed, control = inputs
    odd = tmp_path / "odd.gpkg"
    site_frame(("X", "2021-06-15", CENTRE + np.array(offset), "")).to_file(odd)
    code, text = run(odd, "--remarks", routed, "--control", control, "-o", tmp_path / "u")
    assert code == 1, text
    assert expected in text and "site X" in text
    assert not (tmp_path / "u").exists()


def test_sites_as_csv_with_crs(inputs, tmp_path):
    _, routed, control = inputs
    table = tmp_path / "platser.csv"
    table.write_text(
        f"id;namn;installerad;typ;x;y\nA;Torget;2021-06-15;belysning;{CENTRE[0]:.0f};{CENTRE[1]:.0f}\n",
        encoding="utf-8-sig",
    )
    out = tmp_path / "u"
    code, text = run(
        table, "--crs", "EPSG:3011", "--remarks", routed, "--control", control, "-o", out
    )
    assert code == 0, text
    assert text.startswith("A: RES") or "\nA: RES" in text

"""Tests for ``geomap lagesbild``: outputs, the period options, exit codes, refusal to overwrite."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from click.testing import CliRunner

from geomap.cli import cli

from tests.situation.helpers import geography, routed


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("lagesbild")
    path = routed().write(tmp / "routed.gpkg")
    districts = tmp / "kommundelar.gpkg"
    frame = geography().districts.rename(columns={"name": "kommundel"})
    gpd.GeoDataFrame(frame).to_file(districts, layer="kommundelar")
    return path, districts


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["lagesbild", *map(str, args)])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_week_with_own_districts(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    path, districts = inputs
    out = tmp_path / "v47"
    code, text = run(
        path,
        "--week",
        "2025-W47",
        "--districts",
        districts,
        "--name-column",
        "kommundel",
        "--permutations",
        99,
        "--format",
        "html",
        "--format",
        "xlsx",
        "-o",
        out,
    )
    assert code == 0, text
    assert sorted(p.name for p in out.iterdir()) == [
        ".geomap-output",
        "lagesbild.html",
        "lagesbild.xlsx",
    ]
    page = (out / "lagesbild.html").read_text(encoding="utf-8")
    assert "Lägesbild vecka 47 2025" in page and "Väst" in page and "Syntetiska testdata" in page
    code, text = run(path, "--week", "2025-W47", "--format", "html", "-o", out)
    assert code == 2 and "--overwrite" in text
    code, text = run(
        path,
        "--tertial",
        "2025-T3",
        "--districts",
        districts,
        "--permutations",
        99,
        "--format",
        "html",
        "-o",
        out,
        "--overwrite",
    )
    assert code == 0, text
    assert "Lägesbild tertial 3 2025" in (out / "lagesbild.html").read_text(encoding="utf-8")


def test_usage_errors(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    path, _ = inputs
    code, text = run(path, "-o", tmp_path / "a")
    assert code == 2 and "give the period: --week" in text
    code, text = run(path, "--week", "2025-W54", "-o", tmp_path / "a")
    assert code == 2 and "--week" in text and "does not exist" in text
    code, text = run(path, "--week", "2025-W47", "--tertial", "2025-T3", "-o", tmp_path / "a")
    assert code == 2 and "--week" in text and "--tertial" in text
    code, text = run(tmp_path / "saknas.gpkg", "--week", "2025-W47", "-o", tmp_path / "a")
    assert code == 2 and "does not exist" in text
    code, text = run(path, "--week", "2025-W47", "-o", path.parent)
    assert code == 2, text  # the folder holds the input
    assert not (tmp_path / "a").exists()


def test_bad_districts_file_is_a_one_line_error(inputs: tuple[Path, Path], tmp_path: Path) -> None:
    path, _ = inputs
    bad = tmp_path / "fel.gpkg"
    bad.write_text("inte en geopackage")
    code, text = run(
        path, "--week", "2025-W47", "--districts", bad, "--format", "html", "-o", tmp_path / "b"
    )
    assert code == 1 and text.startswith("geomap: error:") and "Traceback" not in text

"""Shared pytest fixtures: small owner layers, registries and remark tables built in code."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geomap.demo.geography import Geography, load_geography
from geomap.demo.parcels import ParcelSet, build_parcels

# A 3 × 1 row of 100 m parcels at Huddinge-like SWEREF 99 18 00 coordinates, plus a street gap:
#   kommun [0,100) | huge [100,200) | gap 200–210 | privat [210,310)
X0, Y0 = 150_000.0, 6_570_000.0

REGISTRY_TOML = """\
[meta]
synthetic = true
synthetic_label = "Syntetiska testdata"

[[owner]]
id = "kommun"
name = "Huddinge kommun"
contact = "park@example.se"
colour = "#0072b2"
priority = 1

[[owner]]
id = "huge"
name = "Huge Bostäder AB"
colour = "#e69f00"
priority = 2

[[owner]]
id = "privat"
name = "Privat fastighetsägare"
colour = "#999999"
priority = 5

[[owner]]
id = "belysning"
name = "Huddinge kommun – gatubelysning"
colour = "#f0e442"

[[owner]]
id = "elnat"
name = "Ellevio AB (elnät)"
colour = "#cc79a7"
"""

RULES_TOML = """\
[[rule]]
category = "belysning"
owner = "belysning"
note = "gatubelysning sköts av belysningsenheten"

[[rule]]
category = "klotter"
match = "elskåp|nätstation"
owner = "elnat"
"""


def box(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A box relative to (X0, Y0)."""
    return shapely.box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


@pytest.fixture
def owners_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"owner": ["kommun", "huge", "privat"]},
        geometry=[box(0, 0, 100, 100), box(100, 0, 200, 100), box(210, 0, 310, 100)],
        crs="EPSG:3011",
    )


@pytest.fixture
def owners_gpkg(tmp_path: Path, owners_frame: gpd.GeoDataFrame) -> Path:
    path = tmp_path / "owners.gpkg"
    owners_frame.to_file(path, layer="owners")
    return path


@pytest.fixture
def registry_toml(tmp_path: Path) -> Path:
    path = tmp_path / "owners.toml"
    path.write_text(REGISTRY_TOML, encoding="utf-8")
    return path


@pytest.fixture
def rules_toml(tmp_path: Path) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(RULES_TOML, encoding="utf-8")
    return path


@pytest.fixture
def remarks_csv(tmp_path: Path) -> Path:
    """Remarks in SWEREF 99 18 00 E/N columns, Swedish Excel style (; , BOM)."""
    rows = [
        "arendenr;datum;kategori;beskrivning;E;N",
        f"A1;2025-03-01 21:40;Klotter;tags på vägg;{X0 + 50:.1f};{Y0 + 50:.1f}",
        f"A2;2025-03-02 10:00;Skadegörelse;krossad ruta;{X0 + 150:.1f};{Y0 + 50:.1f}",
        f"A3;2025-03-03 11:00;Nedskräpning;i gatan;{X0 + 205:.1f};{Y0 + 50:.1f}",
    ]
    path = tmp_path / "lagesbild.csv"
    path.write_bytes("\r\n".join(rows).replace(".", ",").encode("utf-8-sig"))
    return path


@pytest.fixture(scope="session")
def geo() -> Geography:
    """The real geography the demo generator builds on (RegSO 2025 areas of Huddinge)."""
    return load_geography()


@pytest.fixture(scope="session")
def ps(geo: Geography) -> ParcelSet:
    """1,000 synthetic demo parcels (seed 2025), shared by the demo generator's tests."""
    return build_parcels(np.random.default_rng(2025), geo, n_parcels=1000)


def execute_notebook(path: Path) -> str:
    """Run a notebook top to bottom in its own folder; return the text of all its outputs."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    )
    client.execute()
    return "".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/plain", ""))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.get("outputs", [])
    )


@pytest.fixture(autouse=True)
def _plain_geomap_logging() -> Iterator[None]:
    """CLI runs configure logging for a terminal; every test starts and ends without that."""

    def reset() -> None:
        logger = logging.getLogger("geomap")
        logger.handlers[:] = [h for h in logger.handlers if not getattr(h, "_geomap", False)]
        logger.setLevel(logging.NOTSET)
        logger.propagate = True
        warnings.showwarning = SHOWWARNING

    reset()
    yield
    reset()


SHOWWARNING = warnings.showwarning

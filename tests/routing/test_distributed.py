"""The dask engine routes as the local engine does (issue 13, point 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pyogrio
import pytest

from geomap.errors import ConfigError
from geomap.routing.distributed import route_distributed
from geomap.routing.stream import route_to_files

DATA = Path(__file__).resolve().parents[2] / "data"
DEMO = {
    "owners": DATA / "owners_synthetic.gpkg",
    "registry": DATA / "owners.toml",
    "responsibility": DATA / "driftansvar_synthetic.gpkg",
    "rules": DATA / "rules.toml",
}
INPUTS = [
    DATA / "lagesbild_2025_synthetic.csv",
    DATA / "trygghetsvandringar_synthetic.gpkg",
    DATA / "hard_cases_synthetic.csv",
]


@pytest.mark.slow
def test_dask_equals_local_on_the_demo_data(tmp_path: Path) -> None:
    """Same remarks (any order), same summary and lists; a partitioned GeoParquet dataset."""
    route_to_files(INPUTS, tmp_path / "local", batch_size=400, xlsx=False, **DEMO)
    route_distributed(INPUTS, tmp_path / "dask", batch_size=400, format="both", xlsx=False, **DEMO)
    key = ["source_file", "source_row"]
    a = pyogrio.read_dataframe(tmp_path / "local/routed.gpkg", layer="remarks")
    b = pyogrio.read_dataframe(tmp_path / "dask/routed.gpkg", layer="remarks")
    assert list(a.columns) == list(b.columns)
    a = a.sort_values(key).reset_index(drop=True)
    b = b.sort_values(key).reset_index(drop=True)
    for column in a.columns:
        x, y = a[column], b[column]
        same = x.geom_equals(y) if column == "geometry" else x.astype(object) == y.astype(object)
        assert bool((same | (x.isna() & y.isna())).all()), column
    sa = json.loads((tmp_path / "local/summary.json").read_text(encoding="utf-8"))
    sb = json.loads((tmp_path / "dask/summary.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in sa.items() if k != "outputs"} == {
        k: v for k, v in sb.items() if k != "outputs"
    }
    for name in sorted(p.name for p in (tmp_path / "local/owners").iterdir()):
        assert (tmp_path / "local/owners" / name).read_bytes() == (
            tmp_path / "dask/owners" / name
        ).read_bytes()
    parts = sorted(p.name for p in (tmp_path / "dask/routed.parquet").iterdir())
    assert "_common_metadata" in parts and len([p for p in parts if p.startswith("part-")]) > 1


def test_unreachable_scheduler(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"`scheduler`: cannot reach the dask scheduler 'tcp://127.0.0.1:9'"
    ):
        route_distributed(INPUTS[1], tmp_path / "out", scheduler="tcp://127.0.0.1:9", **DEMO)
    assert not (tmp_path / "out").exists()


def test_bad_format(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"`format`: got 'xlsx'; use gpkg, parquet or both"):
        route_distributed(INPUTS[1], tmp_path / "out", format="xlsx", **DEMO)

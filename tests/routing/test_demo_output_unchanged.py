"""The demo's ``remarks`` layer equals a stored snapshot: no change alters routing unnoticed.

History of ``tests/data/demo_remarks_snapshot.parquet`` (layer ``remarks`` of the demo run's
``routed.gpkg``, read with pyogrio, saved with ``GeoDataFrame.to_parquet``):

- taken from ``make demo`` at commit 44c3a18, before the move to core/io/routing/render; the test
  passed unchanged after the move (commit a15cda6): the reshaping changed no output;
- regenerated on purpose for issue 9 (routing on real weekly inputs): walk remarks keep their text
  and get their walk's date, the new column ``protocol_owner`` and flags ``protocol_owner_differs``
  and ``axis_swapped``, street remarks go to the municipality by ``responsibility`` (the demo's
  street layer), and the new hard case ``narmast_strand``.

When a later change alters the remarks on purpose, regenerate the file and say why here.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest

from geomap.routing import route, write_outputs

ROOT = Path(__file__).resolve().parents[2]
BEFORE = ROOT / "tests" / "data" / "demo_remarks_snapshot.parquet"
# The inputs and options of `make demo`, relative to the repository root as there.
DEMO_INPUTS = [
    "data/lagesbild_2025_synthetic.csv",
    "data/trygghetsvandringar_synthetic.gpkg",
    "data/hard_cases_synthetic.csv",
    "data/hard_cases_swapped_xy_synthetic.csv",
    "data/hard_cases_cp1252_synthetic.csv",
]


@pytest.mark.slow
def test_demo_remarks_layer_is_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = route(
        DEMO_INPUTS,
        owners="data/owners_synthetic.gpkg",
        registry="data/owners.toml",
        responsibility="data/driftansvar_synthetic.gpkg",
        rules="data/rules.toml",
    )
    write_outputs(result, tmp_path / "out", lists=False)
    now = pyogrio.read_dataframe(tmp_path / "out" / "routed.gpkg", layer="remarks", use_arrow=True)
    before = gpd.read_parquet(BEFORE)
    assert list(now.columns) == list(before.columns)
    assert now.crs == before.crs
    pd.testing.assert_frame_equal(
        pd.DataFrame(now.drop(columns="geometry")), pd.DataFrame(before.drop(columns="geometry"))
    )
    assert now.geometry.to_wkb().tolist() == before.geometry.to_wkb().tolist()

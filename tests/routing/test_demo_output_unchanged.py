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
``test_changes_since_the_move_are_the_intended_ones`` compares the run with the one from before the
move (``demo_remarks_before_move.parquet``) and allows only the changes listed above.
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


MOVED = "tests/data/demo_remarks_before_move.parquet"
ROUTING = [
    "owner",
    "owner_name",
    "land_owner",
    "route_method",
    "distance_m",
    "candidates",
    "flags",
    "reason",
]


def _differs(a: pd.Series, b: pd.Series) -> pd.Series:
    """Cells that differ, nulls of any kind being equal."""
    both_null = a.isna() & b.isna()
    same = a.astype(str).where(a.notna()) == b.astype(str).where(b.notna())
    return ~(both_null | same.fillna(False))


def test_changes_since_the_move_are_the_intended_ones() -> None:
    """Against the run before the move, only what issue 9 meant to change has changed.

    The lägesbild and safety-walk inputs are the same files as then (the hard-case files were
    regenerated). Per remark (same file and row): the point is the same, every column is the same
    except the routing of street remarks (now the municipality by `responsibility`) and, for the
    walks, their text and date (now read per file) and what a category rule makes of that text.
    """
    before, now = gpd.read_parquet(ROOT / MOVED), gpd.read_parquet(BEFORE)
    assert set(now.columns) - set(before.columns) == {"protocol_owner"}
    assert set(before.columns) <= set(now.columns)
    for name, free in (
        ("lagesbild_2025_synthetic.csv", set(ROUTING)),
        ("trygghetsvandringar_synthetic.gpkg", {*ROUTING, "timestamp", "description"}),
    ):
        old = before[before["source_file"] == name].set_index("source_row")
        new = now[now["source_file"] == name].set_index("source_row")
        assert old.index.equals(new.index) and len(old)
        assert old.geometry.geom_equals(new.geometry).all()
        changed = {c for c in old.columns if c != "geometry" and _differs(old[c], new[c]).any()}
        assert changed <= free, name
        routed = _differs(old["route_method"], new["route_method"]) | _differs(
            old["owner"], new["owner"]
        )
        street = (old["route_method"] == "nearest") & (new["route_method"] == "responsibility")
        assert (new.loc[street, "owner"] == "huddinge_kommun").all()
        assert (street | (new["route_method"] == "category_rule"))[routed].all()
        assert new.loc[street, "land_owner"].isna().all()  # street space has no parcel owner
    walks = now[now["source_file"] == "trygghetsvandringar_synthetic.gpkg"]
    assert walks["description"].notna().all() and walks["timestamp"].notna().all()
    assert (walks["description"] == walks["anmarkning"]).all()
    assert (walks["timestamp"].dt.strftime("%Y-%m-%d") == walks["vandringsdatum"].str[:10]).all()

"""The demo's ``remarks`` layer equals a stored snapshot: no change alters routing unnoticed.

History of ``tests/data/demo_remarks_snapshot.parquet`` (layer ``remarks`` of the demo run's
``routed.gpkg``, read with pyogrio, saved with ``GeoDataFrame.to_parquet``):

- taken from ``make demo`` at commit 44c3a18, before the move to core/io/routing/render; the test
  passed unchanged after the move (commit a15cda6): the reshaping changed no output;
- regenerated on purpose for issue 9 (routing on real weekly inputs): walk remarks keep their text
  and get their walk's date, the new column ``protocol_owner`` and flags ``protocol_owner_differs``
  and ``axis_swapped``, street remarks go to the municipality by ``responsibility`` (the demo's
  street layer), and the new hard case ``narmast_strand``;
- regenerated on purpose for issues 10 and 12 (demo data for the lägesbild and the before/after
  evaluation): the 2025 incidents were drawn anew (time structure per category, clusters round
  the 2021 camera places, the growing place Masmo, the planted camera effects: data/README.md),
  and ``make demo`` also routes the history ``lagesbild_2020_2024_synthetic.csv`` (10,000 rows).
  The walks and the hard cases were not touched.
- regenerated on purpose for the walk protocols (issue 10): walk rows carry the walk's start
  time, organiser and participating organisations (columns ``tid``, ``arrangor``,
  ``organisationer``), and stops 7 and 14 of each walk are positive remarks (category
  ``positivt``, new in the vocabulary) at the same points as before; they are not flagged
  ``unknown_category``, and only their routing may differ.

When a later change alters the remarks on purpose, regenerate the file and say why here.
``test_changes_since_issue_9_are_the_intended_ones`` compares the run with the issue-9 one
(``demo_remarks_issue9.parquet``) and allows only the changes listed above. The comparison with
the run from before the package move (``demo_remarks_before_move.parquet``), which served issues
8 and 9, was retired with that file: its lägesbild rows no longer exist (tests/data/README.md).
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
    "data/lagesbild_2020_2024_synthetic.csv",
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


ISSUE9 = "tests/data/demo_remarks_issue9.parquet"
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
# Walk metadata added for the protocols (issue 10): on the walk rows only.
WALK_METADATA = ("tid", "arrangor", "organisationer")
UNTOUCHED = [
    "trygghetsvandringar_synthetic.gpkg",
    "hard_cases_synthetic.csv",
    "hard_cases_swapped_xy_synthetic.csv",
    "hard_cases_cp1252_synthetic.csv",
]


def _differs(a: pd.Series, b: pd.Series) -> pd.Series:
    """Cells that differ, nulls of any kind being equal."""
    both_null = a.isna() & b.isna()
    same = a.astype(str).where(a.notna()) == b.astype(str).where(b.notna())
    return ~(both_null | same.fillna(False))


def test_changes_since_issue_9_are_the_intended_ones() -> None:
    """Against the issue-9 run, only the incidents changed (issues 10 and 12).

    The walks and hard cases (same file and row) keep their point and their routing; the
    lägesbild rows are new draws of the same export form (same columns, 2,000 in 2025) and the
    history file adds 2,000 a year for 2020–2024, all routed with the same methods.
    """
    before, now = gpd.read_parquet(ROOT / ISSUE9), gpd.read_parquet(BEFORE)
    added = [c for c in now.columns if c not in before.columns]
    assert [c for c in now.columns if c in before.columns] == list(before.columns)
    assert added == list(WALK_METADATA)
    for name in UNTOUCHED:
        old = before[before["source_file"] == name].set_index("source_row")
        new = now[now["source_file"] == name].set_index("source_row")
        assert old.index.equals(new.index) and len(old), name
        assert old.geometry.to_wkb().tolist() == new.geometry.to_wkb().tolist(), name
        positive = new["category"] == "positivt"
        assert positive.sum() == (6 if name.startswith("trygghet") else 0), name
        changed = [c for c in ROUTING if _differs(old[c], new[c])[~positive].any()]
        assert changed == [], name
        assert new.loc[positive, "flags"].fillna("").str.contains("unknown_category").sum() == 0
    files = now["source_file"].value_counts().to_dict()
    assert files["lagesbild_2025_synthetic.csv"] == 2000
    assert files["lagesbild_2020_2024_synthetic.csv"] == 10_000
    incidents = now[now["source_file"].str.startswith("lagesbild_20")]
    assert set(incidents["route_method"]) <= set(before["route_method"])
    assert incidents["timestamp"].dt.year.value_counts().to_dict() == dict.fromkeys(
        range(2020, 2026), 2000
    )
    share = incidents.groupby("source_file")["route_method"].value_counts(normalize=True)
    old_2025 = before[before["source_file"] == "lagesbild_2025_synthetic.csv"]
    old_share = old_2025["route_method"].value_counts(normalize=True)
    for method in ("ownership", "category_rule", "responsibility"):
        for name in ("lagesbild_2025_synthetic.csv", "lagesbild_2020_2024_synthetic.csv"):
            assert share[name][method] == pytest.approx(old_share[method], abs=0.05)

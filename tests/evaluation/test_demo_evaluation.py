"""The demo evaluation finds the effects planted in the demo incidents (data/README.md).

The demo data (``geomap demo-data --seed 2025``) plants, from each install date on, in R = 100 m:
−50 % at Grantorp (TK-2021-01), −60 % of the target categories at Skogås (TK-2021-03), −50 % moved
into D at Trångsund (TK-2021-04, displacement), −40 % at Segeltorp (TK-2021-09) and nothing at
Visättra (TK-2021-06). Huddinge centrum's three sites overlap and are merged.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import geomap
from geomap.core.routed import RoutedData
from geomap.evaluation import evaluate

DATA = Path("data")
SITES = DATA / "trygghetskameror_2021_synthetic.gpkg"
HISTORY = [DATA / "lagesbild_2020_2024_synthetic.csv", DATA / "lagesbild_2025_synthetic.csv"]

pytestmark = pytest.mark.skipif(
    not SITES.exists() or not all(p.exists() for p in HISTORY), reason="demo data not generated"
)


@pytest.fixture(scope="module")
def measures():
    result = geomap.route(
        [str(p) for p in HISTORY],
        owners=str(DATA / "owners_synthetic.gpkg"),
        registry=str(DATA / "owners.toml"),
    )
    ev = evaluate(SITES, RoutedData.from_result(result), overlap="merge")
    assert ev.synthetic
    return ev.measures.set_index("site")


@pytest.mark.parametrize("site", ["TK-2021-01", "TK-2021-03", "TK-2021-04", "TK-2021-09"])
def test_planted_drops_are_significant(measures, site):
    m = measures.loc[site]
    assert m["res"] > 1
    assert m["res_low"] > 1, m[["rb", "ra", "cb", "ca", "res", "res_low", "res_high"]]
    assert m["verdict"] == "decrease"


def test_displacement_site_reads_as_displacement(measures):
    m = measures.loc["TK-2021-04"]
    assert m["wdq"] < 0
    assert m["wdq_reading"] in {"displacement", "displacement_greater"}
    assert m["da"] > m["db"]


def test_null_site_shows_no_significant_effect(measures):
    m = measures.loc["TK-2021-06"]
    assert m["res_low"] < 1 < m["res_high"]
    assert m["verdict"] != "decrease"


def test_overlapping_centre_sites_are_merged(measures):
    assert "TK-2021-02 + TK-2021-07 + TK-2021-08" in measures.index

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import shapely

from geomap.routing import route
from geomap.routing.summary import METHOD_LABELS, format_table

from tests.conftest import X0, Y0


def test_summary_counts_and_table(owners_gpkg: Path, registry_toml: Path, rules_toml: Path) -> None:
    data = gpd.GeoDataFrame(
        {
            "kategori": ["Klotter", "Klotter", "Trasig belysning", "Okänt", "Skräp"],
            "datum": ["2025-02-01", "2025-03-01", "2025-01-15", "2025-04-01", None],
        },
        geometry=[
            shapely.Point(X0 + 50, Y0 + 50),
            shapely.Point(X0 + 100, Y0 + 50),
            shapely.Point(X0 + 50, Y0 + 50),
            shapely.Point(X0 + 150, Y0 + 50),
            None,
        ],
        crs=3011,
    )
    summary = route(data, owners=owners_gpkg, registry=registry_toml, rules=rules_toml).summary
    assert summary.total == 5
    assert summary.counts == {
        "kommun": {"ownership": 2},
        "huge": {"ownership": 1},
        "belysning": {"category_rule": 1},
        "": {"unrouted": 1},
    }
    assert summary.boundary == 1
    assert summary.unknown_categories == {"Okänt": 1}
    assert summary.missing_geometry == 1
    assert summary.period_start == "2025-01-15T00:00:00"
    assert summary.period_end == "2025-04-01T00:00:00"
    assert summary.synthetic
    table = format_table(summary)
    lines = table.splitlines()
    assert lines[0].split()[0] == "Ägare"
    assert METHOD_LABELS["category_rule"] in lines[0]
    assert lines[-1].split()[-1] == "5"
    assert any(line.startswith("(ej dirigerad)") for line in lines)
    data_dict = summary.to_dict()
    assert data_dict["by_method"] == {"ownership": 3, "category_rule": 1, "unrouted": 1}

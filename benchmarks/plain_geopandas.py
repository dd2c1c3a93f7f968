"""Baseline for ``make bench`` (b): the plain geopandas way to join remarks to owners.

``python benchmarks/plain_geopandas.py REMARKS.gpkg OWNERS.gpkg OUT.gpkg``: read both with
``geopandas.read_file``, ``sjoin(predicate="within")``, write with ``to_file``.
"""

from __future__ import annotations

import sys

import geopandas as gpd


def main(remarks: str, owners: str, out: str) -> None:
    points = gpd.read_file(remarks)
    parcels = gpd.read_file(owners)
    joined = gpd.sjoin(points, parcels[["owner", "geometry"]], predicate="within", how="left")
    joined.to_file(out, layer="remarks", driver="GPKG")


if __name__ == "__main__":
    main(*sys.argv[1:4])

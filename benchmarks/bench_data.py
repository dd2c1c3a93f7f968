"""Chunked benchmark data for scale runs: N remarks × 500k parcels in bounded memory.

``geomap.demo.generate`` builds every table in memory, which at 10M remarks costs several GB.
This generator uses the demo's building blocks (``build_parcels``, ``build_incidents``) but
draws the remarks in chunks of ``CHUNK`` with one independent random stream per chunk, and
appends each chunk to the GeoPackage with pyogrio (Arrow), so its peak memory is that of the
parcels plus one chunk, whatever ``points`` is. The data is SYNTHETIC (``syntetisk = ja``).

Layout under ``bench-data/scale-<parcels>-seed<seed>/``: ``owners_synthetic.gpkg`` (layer
``owners``), ``owners.toml`` and ``lagesbild_<points>.gpkg`` (layer ``lagesbild``, EPSG:3011).
The first ``k`` chunks are the same in every file, so the 1M file is a prefix of the 10M one.

Run: ``python benchmarks/bench_data.py --points 1000000 3000000 10000000 --parcels 500000``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 500_000
_PARCEL_YIELD = 0.6

__all__ = ["CHUNK", "scale_data"]


def _directory(parcels: int, seed: int) -> Path:
    return ROOT / "bench-data" / f"scale-{parcels}-seed{seed}"


def _write_parcels(directory: Path, parcels: int, seed: int) -> None:
    """Build and write the owner parcels and the registry (once; cached)."""
    from geomap.demo.geography import load_geography
    from geomap.demo.parcels import build_parcels
    from geomap.demo.registry import owners_toml
    from geomap.demo.write import write_gpkg

    owners = directory / "owners_synthetic.gpkg"
    if owners.exists():
        return
    directory.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0])
    # About 60 % of the Voronoi seeds become parcels (lakes, streets, slivers): ask for more.
    ps = build_parcels(rng, load_geography(), n_parcels=round(parcels / _PARCEL_YIELD))
    built = len(ps.parcels)
    layer = split_to(ps.parcels.drop(columns=["regso"]), parcels)
    part = owners.with_suffix(".part.gpkg")
    part.unlink(missing_ok=True)
    write_gpkg(
        layer,
        part,
        layer="owners",
        description="SYNTETISKA DEMODATA (bench): ägarpolygoner",
        geometry_type="MultiPolygon",
    )
    (directory / "owners.toml").write_text(owners_toml(), encoding="utf-8")
    part.rename(owners)
    print(
        f"  {len(layer):,} parcels ({built:,} built, {len(layer) - built:,} by splitting) "
        f"in {time.perf_counter() - start:.0f} s",
        flush=True,
    )


def split_to(parcels: gpd.GeoDataFrame, target: int) -> gpd.GeoDataFrame:
    """Split the largest parcels in two across their longer side until there are ``target``.

    The demo's parcel builder tops out near 290k parcels over Huddinge's land (street space
    and the 25 m² minimum eat the small Voronoi cells), so the scale bench reaches 500k by
    halving the largest parcels: each half keeps its owner and land use and gets the
    designation of the whole with ``/2`` for the second half. Vectorised per round; a round at
    most doubles the count.

    Examples
    --------
    >>> import shapely
    >>> layer = gpd.GeoDataFrame({"fastighet": ["A 1:1"]}, geometry=[shapely.box(0, 0, 40, 10)])
    >>> halves = split_to(layer, 2)
    >>> halves["fastighet"].tolist(), [round(g.area) for g in halves.geometry]
    (['A 1:1', 'A 1:1/2'], [200, 200])
    """
    import shapely

    while len(parcels) < target:
        geoms = parcels.geometry.to_numpy()
        order = np.argsort(-shapely.area(geoms), kind="stable")
        pick = order[: min(target - len(parcels), len(parcels))]
        x0, y0, x1, y1 = shapely.bounds(geoms[pick]).T
        wide = (x1 - x0) >= (y1 - y0)
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        first = shapely.box(x0 - 1, y0 - 1, np.where(wide, xm, x1 + 1), np.where(wide, y1 + 1, ym))
        second = shapely.box(np.where(wide, xm, x0 - 1), np.where(wide, y0 - 1, ym), x1 + 1, y1 + 1)
        a = _polygonal(shapely.intersection(geoms[pick], first, grid_size=0.001))
        b = _polygonal(shapely.intersection(geoms[pick], second, grid_size=0.001))
        ok = (shapely.area(a) >= 25.0) & (shapely.area(b) >= 25.0)
        if not ok.any():
            break
        pick = pick[ok]
        geoms = geoms.copy()
        geoms[pick] = a[ok]
        halves = parcels.iloc[pick].drop(columns=parcels.geometry.name)
        halves["fastighet"] = halves["fastighet"].astype(str) + "/2"
        parcels = gpd.GeoDataFrame(
            pd.concat([parcels.drop(columns=parcels.geometry.name), halves], ignore_index=True),
            geometry=np.concatenate([geoms, b[ok]]),
            crs=parcels.crs,
        )
    return parcels


def _polygonal(geoms: np.ndarray) -> np.ndarray:
    """Keep the polygons of each geometry (a cut can leave slivers of lines), as MultiPolygons."""
    import shapely

    parts, index = shapely.get_parts(geoms, return_index=True)
    keep = shapely.get_type_id(parts) == shapely.GeometryType.POLYGON
    out = np.full(len(geoms), shapely.MultiPolygon(), dtype=object)
    if keep.any():
        rows = np.unique(index[keep])
        out[rows] = shapely.multipolygons(parts[keep], indices=index[keep])[rows]
    return out


def _write_remarks(directory: Path, points: int, seed: int) -> Path:
    """Append ``points`` remarks chunk by chunk to ``lagesbild_<points>.gpkg`` (once; cached)."""
    from geomap.core.crs import WORKING_CRS
    from geomap.demo.geography import load_geography
    from geomap.demo.remarks import build_incidents

    target = directory / f"lagesbild_{points}.gpkg"
    if target.exists():
        return target
    part = target.with_suffix(".part.gpkg")
    part.unlink(missing_ok=True)
    geo = load_geography()
    land = geo.outline
    streams = np.random.SeedSequence(seed + 1).spawn((points + CHUNK - 1) // CHUNK)
    start = time.perf_counter()
    width = len(str(points))
    for k, stream in enumerate(streams):
        n = min(CHUNK, points - k * CHUNK)
        table, xy = build_incidents(np.random.default_rng(stream), geo, land, n=n)
        number = np.arange(k * CHUNK + 1, k * CHUNK + n + 1).astype(str)
        table["arendenr"] = np.char.add("LB-2025-", np.char.zfill(number, width))
        frame = gpd.GeoDataFrame(
            table, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=WORKING_CRS
        )
        pyogrio.write_dataframe(
            frame, part, layer="lagesbild", driver="GPKG", use_arrow=True, append=k > 0
        )
        print(f"  {k * CHUNK + n:,} remarks, {time.perf_counter() - start:.0f} s", flush=True)
    part.rename(target)
    return target


def scale_data(points: int, *, parcels: int = 500_000, seed: int = 1) -> Path:
    """Return the directory of the scale data set, generating what is missing (cached).

    Examples
    --------
    >>> scale_data(1_000_000).name  # doctest: +SKIP
    'scale-500000-seed1'
    """
    directory = _directory(parcels, seed)
    print(f"bench data {points:,} × {parcels:,} in {directory} …", flush=True)
    _write_parcels(directory, parcels, seed)
    _write_remarks(directory, points, seed)
    return directory


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--parcels", type=int, default=500_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    for points in args.points:
        scale_data(points, parcels=args.parcels, seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
    part = owners.with_suffix(".part.gpkg")
    part.unlink(missing_ok=True)
    write_gpkg(
        ps.parcels.drop(columns=["regso"]),
        part,
        layer="owners",
        description="SYNTETISKA DEMODATA (bench): ägarpolygoner",
        geometry_type="MultiPolygon",
    )
    (directory / "owners.toml").write_text(owners_toml(), encoding="utf-8")
    part.rename(owners)
    print(f"  {len(ps.parcels):,} parcels in {time.perf_counter() - start:.0f} s", flush=True)


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

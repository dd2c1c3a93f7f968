"""Time the statistics of a weekly and a two-year lägesbild on 1M synthetic remarks.

The remarks are SYNTHETIC: uniform background plus Gaussian clusters over a Huddinge-sized disc
(131 km² in EPSG:3011), timestamps over 2024–2025 with a daily rhythm. Run once:
``python benchmarks/bench_stats.py [--points 1000000]``. Prints seconds per step and in total;
compare with ``geomap route --no-map --no-lists`` on 1M remarks. With ``--routed routed.gpkg``
(and ``--area`` a polygon file such as ``huddinge_regso_2025.gpkg``) the remarks of a real
``geomap route`` output are used instead (``place`` stands in for the district), and
``--route-seconds`` prints the ratio to a measured routing time.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geomap.core.periods import iso_week, years
from geomap.stats.counts import period_comparison
from geomap.stats.grid import cell_area, count_in_cells, make_grid
from geomap.stats.hotspots import compare_hotspots, getis_ord, kde, pai
from geomap.stats.temporal import daylight, month_profile, weekday_hour

CENTRE = (153_000.0, 6_567_000.0)


def _remarks(points: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    background = rng.uniform(-1, 1, (points // 2, 2)) * 6000 + CENTRE
    centres = rng.uniform(-4000, 4000, (40, 2)) + CENTRE
    clustered = centres[rng.integers(0, 40, points - len(background))]
    clustered = clustered + rng.normal(0, 150, clustered.shape)
    xy = np.vstack([background, clustered])
    minutes = rng.integers(0, 731 * 24 * 60, points)
    stamps = np.datetime64("2024-01-01T00:00", "m") + minutes.astype("timedelta64[m]")
    return pd.DataFrame(
        {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "timestamp": pd.Series(stamps).astype("datetime64[ms]"),
            "category": rng.choice(
                ["klotter", "belysning", "nedskräpning", "skadegörelse"], points
            ),
            "district": rng.choice([f"RegSO {i}" for i in range(30)], points),
            "owner": rng.choice(["kommun", "huge", "hsf", "privat", "trafikverket"], points),
        }
    )


def _routed(path: str) -> pd.DataFrame:
    import geopandas as gpd

    columns = ["timestamp", "category", "owner", "place"]
    frame = gpd.read_file(path, layer="remarks", columns=columns, use_arrow=True)
    return pd.DataFrame(
        {
            "x": frame.geometry.x.to_numpy(),
            "y": frame.geometry.y.to_numpy(),
            "timestamp": pd.to_datetime(frame["timestamp"]),
            "category": frame["category"],
            "district": frame["place"],
            "owner": frame["owner"],
        }
    )


def _timed(steps: dict[str, float], name: str, call: Callable[[], Any]) -> Any:
    start = time.perf_counter()
    value = call()
    steps[name] = time.perf_counter() - start
    return value


def _hot(result: pd.DataFrame) -> np.ndarray:
    return (result["kind"] == "het").to_numpy()


def weekly(remarks: pd.DataFrame, grid: Any) -> dict[str, float]:
    steps: dict[str, float] = {}
    week = iso_week("2025-W47")
    by = ["category", "district", "owner"]
    _timed(steps, "period_comparison (1M)", lambda: period_comparison(remarks, week, by=by))
    in_week = remarks[week.contains(remarks["timestamp"])]
    before = remarks[week.previous().contains(remarks["timestamp"])]
    refs = np.zeros(len(remarks), dtype=bool)
    for period in week.references(8):
        refs |= period.contains(remarks["timestamp"])
    xy = in_week[["x", "y"]].to_numpy()
    now = _timed(steps, "count_in_cells", lambda: count_in_cells(xy, grid))
    gi = _timed(steps, "getis_ord now", lambda: getis_ord(grid, now))
    previous = count_in_cells(before[["x", "y"]].to_numpy(), grid)
    gi_prev = _timed(steps, "getis_ord previous", lambda: getis_ord(grid, previous))
    pooled = count_in_cells(remarks.loc[refs, ["x", "y"]].to_numpy(), grid)
    gi_ref = _timed(steps, "getis_ord 8 weeks pooled", lambda: getis_ord(grid, pooled))
    _timed(steps, "compare_hotspots", lambda: compare_hotspots(_hot(gi), [_hot(gi_ref)]))
    area = cell_area(grid)
    _timed(steps, "pai", lambda: pai(_hot(gi_prev), now, area, area * len(grid)))
    _timed(steps, "kde", lambda: kde(xy, grid))
    _timed(steps, "weekday_hour", lambda: weekday_hour(in_week["timestamp"]))
    _timed(steps, "daylight", lambda: daylight(in_week["timestamp"], 17.98, 59.24))
    return steps


def two_years(remarks: pd.DataFrame, grid: Any) -> dict[str, float]:
    steps: dict[str, float] = {}
    span = years("2024-2025")
    by = ["category", "district", "owner"]
    _timed(steps, "period_comparison (1M)", lambda: period_comparison(remarks, span, by=by))
    xy = remarks[["x", "y"]].to_numpy()
    now = _timed(steps, "count_in_cells", lambda: count_in_cells(xy, grid))
    _timed(steps, "getis_ord now", lambda: getis_ord(grid, now))
    _timed(steps, "kde", lambda: kde(xy, grid))
    _timed(steps, "weekday_hour", lambda: weekday_hour(remarks["timestamp"]))
    _timed(steps, "month_profile", lambda: month_profile(remarks["timestamp"], by_year=True))
    lon = np.full(len(remarks), 17.98)
    lat = np.full(len(remarks), 59.24)
    _timed(steps, "daylight (per remark)", lambda: daylight(remarks["timestamp"], lon, lat))
    return steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--routed", default=None)
    parser.add_argument("--area", default=None)
    parser.add_argument("--area-layer", default=None)
    parser.add_argument("--route-seconds", type=float, default=None)
    args = parser.parse_args()
    remarks = _routed(args.routed) if args.routed else _remarks(args.points)
    points = len(remarks)
    start = time.perf_counter()
    if args.area:
        import geopandas as gpd

        grid = make_grid(
            gpd.read_file(args.area, layer=args.area_layer).to_crs("EPSG:3011"), cell=100.0
        )
    else:
        grid = make_grid(shapely.Point(CENTRE).buffer(6460, quad_segs=64), cell=100.0)
    print(f"make_grid: {len(grid)} cells in {time.perf_counter() - start:.2f} s")
    for name, run in (("weekly", weekly), ("two-year", two_years)):
        steps = run(remarks, grid)
        print(f"\n{name} report on {points:,} remarks ({'routed' if args.routed else 'synthetic'})")
        for step, seconds in steps.items():
            print(f"  {step:28s} {seconds:6.2f} s")
        total = sum(steps.values())
        print(f"  {'total':28s} {total:6.2f} s")
        if args.route_seconds:
            print(f"  {'ratio to routing':28s} {total / args.route_seconds:6.2f}")


if __name__ == "__main__":
    main()

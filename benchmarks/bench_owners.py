"""``make bench`` (b') and (d): the per-owner outputs — work lists and many owners.

(b') ``geomap route --no-map`` with its default lists (CSV + XLSX per owner, ``unrouted.csv``)
     on 1M remarks × 20k parcels, GeoPackage in, vs the plain geopandas script (``read_file``,
     ``sjoin``, ``to_file``), each in its own process. Target ≤ 1.0. Where the time goes is
     measured in this process: ``route()``, ``routed.gpkg``, the CSV lists, the XLSX lists.
(d)  many owners: 50,000 remarks on small square parcels, once with 10,000 owners (one parcel
     each) and once with the same parcels and remarks shared among 10 owners, ``geomap route``
     with its default outputs (lists and maps). Targets: time ≤ 2 × the 10-owner run, and the
     output folder ≤ 2 × the remarks' own data. **Own data**: the ``remarks`` layer of
     ``routed.gpkg`` on its own, as a GeoPackage written by GDAL (the routed remarks, every
     column, no owner layers) — what any tool that keeps the routed remarks has to store.

Run: ``python benchmarks/bench_owners.py [--skip-lists] [--skip-owners]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_LISTS = 1.0
TARGET_OWNERS_TIME = 2.0
TARGET_OWNERS_SIZE = 2.0
_X0, _Y0 = 148_000.0, 6_566_000.0  # south-west corner of the parcels, in Huddinge (EPSG:3011)
_CATEGORIES = ("klotter", "belysning", "nedskrapning", "vegetation", "skadegorelse")


def _run(args: list[str]) -> tuple[float, int]:
    from run import _run_process

    return _run_process(args)


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = run()
    return time.perf_counter() - start, value


def _route_cmd(remarks: Path, owners: Path, out: Path, *extra: str) -> list[str]:
    return [
        str(BIN / "geomap"),
        "-q",
        "route",
        str(remarks),
        "--owners",
        str(owners),
        "-o",
        str(out),
        "--overwrite",
        *extra,
    ]


def bench_lists(data: Path, work: Path) -> dict[str, Any]:
    """(b'): ``geomap route --no-map`` (default lists) vs plain geopandas, and where time goes."""
    remarks = data / "lagesbild_2025_synthetic.gpkg"
    owners = data / "owners_synthetic.gpkg"
    registry = ["--registry", str(data / "owners.toml")]
    plain_out = work / "plain.gpkg"
    plain_cmd = [
        sys.executable,
        str(ROOT / "benchmarks" / "plain_geopandas.py"),
        str(remarks),
        str(owners),
        str(plain_out),
    ]
    plain = _run(plain_cmd)
    geomap = _run(_route_cmd(remarks, owners, work / "lists-out", "--no-map", *registry))
    return {
        "plain": plain[0],
        "plain_mib": plain[1] / 1024,
        "geomap": geomap[0],
        "geomap_mib": geomap[1] / 1024,
        "rows": _count(remarks),
        "lists_bytes": _size(work / "lists-out" / "owners"),
        **_list_phases(remarks, owners, data / "owners.toml", work),
    }


def _count(path: Path) -> int:
    import pyogrio

    return int(pyogrio.read_info(path)["features"])


def _list_phases(remarks: Path, owners: Path, registry: Path, work: Path) -> dict[str, float]:
    """One run of each part of ``geomap route`` with lists, in this process (for information)."""
    from geomap import route
    from geomap.routing.lists import ListContext, write_owner_lists, write_unrouted_list
    from geomap.routing.outputs import write_routed_gpkg

    t: dict[str, float] = {}
    t["route"], result = _timed(lambda: route(remarks, owners=owners, registry=registry))
    t["gpkg"], _ = _timed(lambda: write_routed_gpkg(result, work / "phases.gpkg"))
    context = ListContext.from_result(result)
    t["sort"], ordered = _timed(lambda: result.remarks.sort_values("owner", kind="stable"))
    t["csv"], _ = _timed(
        lambda: write_owner_lists([ordered], work / "csv", context=context, xlsx=False)
    )
    t["csv_xlsx"], _ = _timed(
        lambda: write_owner_lists([ordered], work / "both", context=context, xlsx=True)
    )
    t["unrouted"], _ = _timed(
        lambda: write_unrouted_list(result.remarks, work / "u.csv", context=context)
    )
    t["owners"] = float(result.remarks["owner"].nunique())
    return t


def many_owner_data(directory: Path, *, owners: int, remarks: int, seed: int = 7) -> Path:
    """Write (once) the (d) data: parcels of 20 m squares on a grid, remarks inside them.

    Two owner layers over the same parcels: ``owners_<owners>.gpkg`` (one parcel per owner)
    and ``owners_10.gpkg`` (the parcels dealt out among 10 owners); one remark file.
    """
    import geopandas as gpd
    import pandas as pd
    import shapely

    folder = directory / f"owners-{owners}x{remarks}-seed{seed}"
    if (folder / "remarks.gpkg").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    side, size, gap = int(np.ceil(np.sqrt(owners))), 20.0, 10.0
    col, row = np.arange(owners) % side, np.arange(owners) // side
    x0, y0 = _X0 + col * (size + gap), _Y0 + row * (size + gap)
    squares = shapely.box(x0, y0, x0 + size, y0 + size)
    for n, ids in ((owners, np.arange(owners)), (10, np.arange(owners) % 10)):
        layer = gpd.GeoDataFrame(
            {"owner": [f"agare_{i:05d}" for i in ids]}, geometry=squares, crs=3011
        )
        layer.to_file(folder / f"owners_{n}.gpkg", driver="GPKG", engine="pyogrio")
    parcel = rng.integers(0, owners, remarks)
    x = x0[parcel] + rng.uniform(-3, size + 3, remarks)  # some on edges or just outside
    y = y0[parcel] + rng.uniform(-3, size + 3, remarks)
    stamps = pd.Timestamp("2025-01-01") + pd.to_timedelta(
        rng.integers(0, 365 * 24 * 60, remarks), "min"
    )
    points = gpd.GeoDataFrame(
        {
            "id": [f"R-{i:06d}" for i in range(remarks)],
            "kategori": rng.choice(_CATEGORIES, remarks),
            "datum": stamps.strftime("%Y-%m-%d %H:%M"),
            "beskrivning": [f"Syntetisk anmärkning {i}" for i in range(remarks)],
            "plats": [f"Plats {i % 997}" for i in range(remarks)],
        },
        geometry=shapely.points(x, y),
        crs=3011,
    )
    points.to_file(folder / "remarks.gpkg", driver="GPKG", engine="pyogrio")
    return folder


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def _files(path: Path) -> int:
    return sum(1 for p in path.rglob("*") if p.is_file())


def _own_data(routed: Path, work: Path) -> int:
    """The size of the routed remarks on their own: layer ``remarks`` alone, written by GDAL."""
    import pyogrio

    own = work / "own-data.gpkg"
    own.unlink(missing_ok=True)
    frame = pyogrio.read_dataframe(routed, layer="remarks", use_arrow=True)
    pyogrio.write_dataframe(frame, own, layer="remarks", driver="GPKG", use_arrow=True)
    return own.stat().st_size


def bench_many_owners(work: Path, *, owners: int = 10_000, remarks: int = 50_000) -> dict[str, Any]:
    """(d): default outputs of ``geomap route`` with ``owners`` owners vs 10, same remarks."""
    data = many_owner_data(ROOT / "bench-data", owners=owners, remarks=remarks)
    out: dict[str, Any] = {"owners": owners, "remarks": remarks}
    for n in (10, owners):
        target = work / f"owners-{n}"
        seconds, peak = _run(_route_cmd(data / "remarks.gpkg", data / f"owners_{n}.gpkg", target))
        out[n] = {
            "seconds": seconds,
            "peak_mib": peak / 1024,
            "bytes": _size(target),
            "files": _files(target),
            "own": _own_data(target / "routed.gpkg", work),
            "parts": {
                name: _size(target / name)
                for name in ("routed.gpkg", "map.html", "owners")
                if (target / name).exists()
            },
            "lists": sum(_size(p) for p in (target / "owners").glob("*.[cx][sl]*")),
            "maps": sum(_size(p) for p in (target / "owners").glob("*.html")),
            "assets": _size(target / "owners" / "assets")
            if (target / "owners" / "assets").exists()
            else 0,
        }
    return out


def _verdict(value: float, target: float) -> str:
    return "OK" if value <= target else "MISSED"


def report_lists(r: dict[str, Any], say: Callable[[str], None] = print) -> None:
    """Print (b')."""
    ratio = r["geomap"] / r["plain"]
    say(
        f"(b') end to end with the default lists (CSV + XLSX), {r['rows']:,} remarks, "
        f"{r['owners']:.0f} owners"
    )
    say(
        f"     plain geopandas (read_file, sjoin, to_file)  {r['plain']:7.2f} s  "
        f"peak {r['plain_mib']:,.0f} MiB"
    )
    say(
        f"     geomap route --no-map (lists)                {r['geomap']:7.2f} s  "
        f"peak {r['geomap_mib']:,.0f} MiB   ratio {ratio:.2f}  (target ≤ {TARGET_LISTS})  "
        f"{_verdict(ratio, TARGET_LISTS)}"
    )
    xlsx = r["csv_xlsx"] - r["csv"]
    say(
        f"     where the time goes (one run each, in this process): route() {r['route']:.1f} s, "
        f"routed.gpkg {r['gpkg']:.1f} s, sort {r['sort']:.1f} s, CSV lists {r['csv']:.1f} s, "
        f"XLSX lists {xlsx:.1f} s, unrouted.csv {r['unrouted']:.1f} s; "
        f"lists {r['lists_bytes'] / 1e6:,.0f} MB"
    )


def report_owners(r: dict[str, Any], say: Callable[[str], None] = print) -> None:
    """Print (d)."""
    many, few = r[r["owners"]], r[10]
    time_ratio = many["seconds"] / few["seconds"]
    size_ratio = many["bytes"] / many["own"]
    say(f"(d)  many owners: {r['remarks']:,} remarks, default outputs (lists + maps)")
    for n, run in ((10, few), (r["owners"], many)):
        say(
            f"     {n:>6,} owners  {run['seconds']:7.2f} s  peak {run['peak_mib']:,.0f} MiB  "
            f"{run['bytes'] / 1e6:7.1f} MB in {run['files']:,} files (lists "
            f"{run['lists'] / 1e6:.1f} MB, owner maps {run['maps'] / 1e6:.1f} MB + shared "
            f"{run['assets'] / 1e6:.1f} MB, routed.gpkg {run['parts'].get('routed.gpkg', 0) / 1e6:.1f} MB, "
            f"map.html {run['parts'].get('map.html', 0) / 1e6:.1f} MB)"
        )
    say(
        f"     time {time_ratio:.2f} × the 10-owner run (target ≤ {TARGET_OWNERS_TIME})  "
        f"{_verdict(time_ratio, TARGET_OWNERS_TIME)}"
    )
    say(
        f"     output folder {size_ratio:.2f} × the remarks' own data ({many['own'] / 1e6:.1f} MB: "
        f"layer remarks of routed.gpkg alone) (target ≤ {TARGET_OWNERS_SIZE})  "
        f"{_verdict(size_ratio, TARGET_OWNERS_SIZE)}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--parcels", type=int, default=20_000)
    parser.add_argument("--owners", type=int, default=10_000)
    parser.add_argument("--owner-remarks", type=int, default=50_000)
    parser.add_argument("--skip-lists", action="store_true")
    parser.add_argument("--skip-owners", action="store_true")
    args = parser.parse_args(argv)
    logging.getLogger("geomap").setLevel(logging.ERROR)
    work = ROOT / "bench-data" / "work-owners"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(f"\nbench_owners on {os.cpu_count()} CPUs; one run each\n")
    if not args.skip_lists:
        from run import bench_data

        report_lists(bench_lists(bench_data(args.points, args.parcels), work))
    if not args.skip_owners:
        report_owners(bench_many_owners(work, owners=args.owners, remarks=args.owner_remarks))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

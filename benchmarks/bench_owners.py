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
    from geomap.routing import lists

    t["list_threads"] = float(lists._WORKERS)
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
    out["map_phases"] = _owner_map_phases(work / f"owners-{owners}" / "routed.gpkg", work)
    out["file_s"] = _file_floor(work)
    memory = Path("/dev/shm")
    if memory.is_dir() and os.access(memory, os.W_OK):  # the same pair with OUTDIR in RAM
        folder = memory / f"geomap-bench-owners-{os.getpid()}"
        try:
            out["tmpfs"] = {
                n: _run(
                    _route_cmd(data / "remarks.gpkg", data / f"owners_{n}.gpkg", folder / str(n))
                )[0]
                for n in (10, owners)
            }
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    return out


def _file_floor(folder: Path, n: int = 2_000) -> float:
    """Seconds to create one empty file in ``folder``: what the file system charges per file."""
    probe = folder / "file-floor"
    shutil.rmtree(probe, ignore_errors=True)
    probe.mkdir()
    start = time.perf_counter()
    for i in range(n):
        os.close(os.open(probe / f"{i}", os.O_CREAT | os.O_WRONLY, 0o644))
    seconds = (time.perf_counter() - start) / n
    shutil.rmtree(probe, ignore_errors=True)
    return seconds


def _owner_map_phases(routed: Path, work: Path) -> dict[str, float]:
    """Where the per-owner maps' time goes, in this process: the path ``geomap route`` takes.

    Read and select, one pass over all owners (``OwnerPayloads``), JSON and page per owner,
    and the files (written in place, as in the temporary OUTDIR); also the bytes of shell and data.
    """
    from geomap.maps import render
    from geomap.maps.html import PageShell

    folder = work / "owner-map-phases"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    t: dict[str, float] = {}
    t["select"], selection = _timed(
        lambda: render._select(routed, None, None, None, None, None, None)
    )
    targets = render._owner_targets(selection, folder, overwrite=False)
    assets = render._assets(selection, folder)
    t["prepare"], payloads = _timed(
        lambda: render._owner_payloads(selection, list(targets), assets=assets)
    )
    shell = PageShell.of(assets=assets)
    t["json"], texts = _timed(
        lambda: [payloads.json(o, title=f"Anmärkningar – {o}") for o in targets]
    )
    t["page"], pages = _timed(
        lambda: [shell.fill(f"Anmärkningar – {o}", j) for o, j in zip(targets, texts, strict=True)]
    )
    t["files"], _ = _timed(
        lambda: [
            render._write_one_of_many(path, page, overwrite=False, in_place=True)
            for path, page in zip(targets.values(), pages, strict=True)
        ]
    )
    t["owners"] = float(len(targets))
    t["shell_bytes"] = float(sum(len(part.encode("utf-8")) for part in shell.parts))
    t["data_bytes"] = float(np.mean([len(j.encode("utf-8")) for j in texts])) if texts else 0.0
    shutil.rmtree(folder, ignore_errors=True)
    return t


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
    say(
        f"     lists: {r.get('list_threads', 1):.0f} owner chunks at once (threads), files written "
        "by background threads, designations and coordinates computed once per chunk"
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
    floor = r.get("file_s")
    if floor:
        say(
            f"     file creation on this disk: {floor * 1e6:,.0f} µs per empty file, so the "
            f"{many['files']:,} files of the {r['owners']:,}-owner run cost ≥ "
            f"{floor * many['files']:.1f} s on their own"
        )
    ram = r.get("tmpfs")
    if ram:
        ratio = ram[r["owners"]] / ram[10]
        say(
            f"     the same pair with OUTDIR in RAM (/dev/shm): {ram[10]:.2f} s and "
            f"{ram[r['owners']]:.2f} s = {ratio:.2f} × (for information; the target is the disk run)"
        )
    m = r.get("map_phases")
    if m and m["owners"]:
        per = {k: 1e6 * m[k] / m["owners"] for k in ("prepare", "json", "page", "files")}
        say(
            f"     where the per-owner maps' time goes ({m['owners']:,.0f} owners, in this process): "
            f"read and select {m['select']:.1f} s, one pass over all owners {m['prepare']:.1f} s "
            f"({per['prepare']:.0f} µs/owner), JSON {m['json']:.1f} s ({per['json']:.0f} µs), "
            f"page {m['page']:.2f} s ({per['page']:.0f} µs), files {m['files']:.1f} s "
            f"({per['files']:.0f} µs: create and write); per file: shell "
            f"{m['shell_bytes']:,.0f} bytes + data {m['data_bytes']:,.0f} bytes + title"
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

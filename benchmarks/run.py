"""``make bench``: geomap's speed and memory, measured side by side with the plain alternatives.

(a) the join: geomap's STRtree join vs ``geopandas.sjoin(predicate="within")`` on the same frames
    (1M remarks × 20k parcels from ``geomap demo-data``), with one thread (``workers=1``) and
    with the default threads; also geomap's full locate (boundary tolerance 2 m and nearest
    owner within 25 m), which sjoin does not do at all. Targets (one thread): point in polygon
    ≤ 0.5 × sjoin, full locate ≤ 1.0 × sjoin.
(b) end to end: ``geomap route`` (the streaming engine) GeoPackage → GeoPackage
    ``--no-map --no-lists`` vs a plain geopandas script (``read_file``, ``sjoin``, ``to_file``),
    each in its own process, alternating, median of runs; target ≤ 0.5. Also the floor: an
    Arrow read of the input plus GDAL's write of geomap's ``remarks`` layer (same columns, in
    its own process); target geomap ≤ 1.3 × floor. Then geomap with ``--overlap`` (reading
    and routing in a second thread while GDAL writes), and where geomap's time goes.
(c) scaling: 1M, 3M and 10M remarks × 500k parcels (``benchmarks/bench_data.py``) through the
    streaming engine: time and peak RSS of the process (target ≤ 4 GB at 10M, time linear),
    and the dask engine on a local cluster of 2 workers at 1M, its output checked equal.
(b'), (d) come from ``bench_owners.py``; the lägesbild reports (r) from ``bench_reports.py``; the
register (g) from ``bench_register.py``.
The HTML map: see ``benchmarks/bench_map.py``.

The machines are shared and noisy, so runs alternate and the median is reported; compare
ratios, not absolute seconds.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pyogrio

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGET_JOIN = 0.5
TARGET_LOCATE = 1.0
TARGET_E2E = 0.5
TARGET_FLOOR = 1.3
TARGET_RSS_GIB = 4.0
SCALE_POINTS = (1_000_000, 3_000_000, 10_000_000)
#: Targets of the reports (r) and the register (g), as ratios to `geomap route --no-map --no-lists`.
TARGET_REPORT = 1.0
TARGET_INGEST = 1.0
TARGET_REINGEST = 0.3


def bench_data(points: int, parcels: int, *, seed: int = 1) -> Path:
    """Generate (once, cached under bench-data/) the synthetic benchmark data set."""
    from geomap.demo import generate

    directory = ROOT / "bench-data" / f"{points}x{parcels}-seed{seed}"
    if not (directory / "lagesbild_2025_synthetic.gpkg").exists():
        print(f"generating {points:,} remarks × {parcels:,} parcels into {directory} …", flush=True)
        generate(
            directory,
            seed=seed,
            points=points,
            parcels=parcels,
            incident_format="gpkg",
            history_years=0,
            overwrite=True,
        )
    return directory


def _median_times(runs: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():  # alternate, so load spikes hit every contender
            start = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def bench_join(data: Path, repeat: int) -> dict[str, Any]:
    """(a) geomap's join vs geopandas.sjoin(predicate="within") on the same frames."""
    from geomap.core.spatial import NO_OWNER, PolygonIndex, locate

    points = pyogrio.read_dataframe(data / "lagesbild_2025_synthetic.gpkg", use_arrow=True)
    owners = pyogrio.read_dataframe(data / "owners_synthetic.gpkg", use_arrow=True)
    owners = owners[["owner", "geometry"]].set_geometry(owners.geometry.make_valid())
    xy = np.column_stack([points.geometry.x.to_numpy(), points.geometry.y.to_numpy()])
    results: dict[str, Any] = {}

    def sjoin() -> None:
        results["sjoin"] = gpd.sjoin(points, owners, predicate="within", how="left")

    def geomap_join(workers: int | None = None) -> None:
        index = PolygonIndex.build(owners.geometry.to_numpy(), owners["owner"].to_numpy())
        results["geomap"] = (
            index,
            locate(index, xy[:, 0], xy[:, 1], tolerance=0.0, max_distance=0.0, workers=workers),
        )

    def geomap_full(workers: int | None = None) -> None:
        index = PolygonIndex.build(owners.geometry.to_numpy(), owners["owner"].to_numpy())
        locate(index, xy[:, 0], xy[:, 1], tolerance=2.0, max_distance=25.0, workers=workers)

    times = _median_times(
        {
            "sjoin": sjoin,
            "geomap": geomap_join,
            "geomap_full": geomap_full,
            "geomap_1": lambda: geomap_join(1),
            "geomap_full_1": lambda: geomap_full(1),
        },
        repeat,
    )
    index, loc = results["geomap"]
    mine = np.where(
        loc.owner == NO_OWNER, "-", index.owner_ids[np.maximum(loc.owner, 0)].astype(object)
    )
    theirs = (
        results["sjoin"].groupby(level=0)["owner"].first().reindex(range(len(points))).fillna("-")
    )
    agree = float(np.mean(mine == theirs.to_numpy(dtype=object)))
    return {"points": len(points), "parcels": len(owners), "agree": agree, **times}


def _run_process(args: list[str]) -> tuple[float, int]:
    """Wall time (s) and peak resident memory (KiB) of a child process and its descendants.

    The peak is the larger of the highest sum of the resident memory of the child and every
    process it started (a writer process, dask workers), sampled every 0.1 s from ``/proc``,
    and the largest single process's own high-water mark (``VmHWM``): what the run needs of the
    machine at once. Not ``ru_maxrss``: Linux carries the parent's high-water mark into a child
    started by (v)fork + exec, so after this process has held 1M remarks every child would seem
    to peak at that size.
    """
    import threading

    start = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    tree = [0]
    done = threading.Event()
    sampler = threading.Thread(target=_sample_tree, args=(proc.pid, tree, done), daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    done.set()
    sampler.join()
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        msg = f"{' '.join(args)} failed ({proc.returncode}): {err[-400:]}"
        raise RuntimeError(msg)
    del usage
    return elapsed, tree[0]


def _sample_tree(pid: int, peak: list[int], done: Any) -> None:
    """Keep in ``peak[0]`` the peak memory (KiB) of ``pid`` and its descendants (see above)."""
    while not done.wait(0.1):
        total, todo = 0, [pid]
        while todo:
            current = todo.pop()
            try:
                fields = dict(
                    line.split(":", 1)
                    for line in Path(f"/proc/{current}/status").read_text().splitlines()
                    if line.startswith(("VmRSS", "VmHWM"))
                )
                total += int(fields.get("VmRSS", "0 kB").split()[0])
                peak[0] = max(peak[0], int(fields.get("VmHWM", "0 kB").split()[0]))
                for task in Path(f"/proc/{current}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
        peak[0] = max(peak[0], total)


def _route_cmd(remarks: Path, owners: Path, registry: Path, out: Path, *extra: str) -> list[str]:
    return [
        str(BIN / "geomap"),
        "-q",
        "route",
        str(remarks),
        "--owners",
        str(owners),
        "--registry",
        str(registry),
        "-o",
        str(out),
        "--overwrite",
        "--no-map",
        "--no-lists",
        *extra,
    ]


#: The floor of (b), run in its own process: read the input layer with Arrow, write geomap's
#: ``remarks`` layer (the same columns and rows) with GDAL. Prints the two times.
_FLOOR = """
import sys, time, pyogrio, pyogrio.raw as raw
src, routed, out = sys.argv[1:4]
table = raw.read_arrow(routed, layer="remarks")[1]
start = time.perf_counter()
raw.read_arrow(src)
read = time.perf_counter() - start
start = time.perf_counter()
raw.write_arrow(table, out, layer="remarks", driver="GPKG", geometry_name="geom",
                geometry_type="Point", crs=pyogrio.read_info(routed, layer="remarks")["crs"])
print(read, time.perf_counter() - start)
"""


def bench_end_to_end(data: Path, repeat: int, work: Path) -> dict[str, Any]:
    """(b) geomap route GPKG → GPKG vs plain geopandas and vs the floor, each in its own process."""
    remarks = data / "lagesbild_2025_synthetic.gpkg"
    owners = data / "owners_synthetic.gpkg"
    registry = data / "owners.toml"
    out = work / "geomap-out"
    plain_out = work / "plain.gpkg"
    floor_out = work / "floor.gpkg"
    commands = {
        "geomap": _route_cmd(remarks, owners, registry, out),
        "geomap_overlap": _route_cmd(remarks, owners, registry, work / "ovl-out", "--overlap"),
        "plain": [
            sys.executable,
            str(ROOT / "benchmarks" / "plain_geopandas.py"),
            str(remarks),
            str(owners),
            str(plain_out),
        ],
    }
    samples: dict[str, list[tuple[float, int]]] = {name: [] for name in [*commands, "floor"]}
    floor_parts: list[tuple[float, float]] = []
    for _ in range(repeat):
        for name, cmd in commands.items():
            plain_out.unlink(missing_ok=True)
            samples[name].append(_run_process(cmd))
        floor_out.unlink(missing_ok=True)
        floor_cmd = [
            sys.executable,
            "-c",
            _FLOOR,
            str(remarks),
            str(out / "routed.gpkg"),
            str(floor_out),
        ]
        proc = subprocess.run(floor_cmd, capture_output=True, text=True, check=True)
        read, write = (float(v) for v in proc.stdout.split())
        floor_parts.append((read, write))
        samples["floor"].append((read + write, 0))
    result: dict[str, Any] = {
        name: {
            "seconds": statistics.median(s for s, _ in runs),
            "peak_mib": max(m for _, m in runs) / 1024,
        }
        for name, runs in samples.items()
    }
    result["floor_read"] = statistics.median(r for r, _ in floor_parts)
    result["floor_write"] = statistics.median(w for _, w in floor_parts)
    return result


def bench_stream_phases(data: Path, work: Path) -> dict[str, float]:
    """Where (b)'s time goes: the streaming engine in this process, one run per writer.

    First with GDAL's write in this process (``writer="inline"``: the phases add up), then with
    the writer process (the default: ``process_gdal_write`` is the time this process spends
    sending batches to the child and waiting for it to write the last one and close the file).
    """
    from geomap.routing.stream import route_to_files

    seconds: dict[str, float] = {}
    for writer in ("inline", "process"):
        start = time.perf_counter()
        result = route_to_files(
            data / "lagesbild_2025_synthetic.gpkg",
            work / f"phases-{writer}",
            owners=data / "owners_synthetic.gpkg",
            registry=data / "owners.toml",
            lists=False,
            overlap=False,
            writer=writer,
            overwrite=True,
        )
        t = dict(result.seconds)
        t["total"] = time.perf_counter() - start
        inner = t["read_model"] + t["route"] + t["summary_arrow"]
        t["gdal_write"] = t["remarks_layer"] - inner
        t["setup_and_rest"] = t["total"] - t["remarks_layer"]
        seconds.update({(k if writer == "inline" else f"process_{k}"): v for k, v in t.items()})
    return seconds


def report_phases(t: dict[str, float], say: Callable[[str], None] = print) -> None:
    """Print where (b)'s time goes."""
    say(
        f"    where geomap's time goes (in this process, GDAL writing in it, one run; {t['total']:.1f} s): "
        f"read + remark model {t['read_model']:.1f} s, routing {t['route']:.1f} s, summary + "
        f"Arrow {t['summary_arrow']:.1f} s, GDAL write {t['gdal_write']:.1f} s, owner layer + "
        f"router + first batch + other layers {t['setup_and_rest']:.1f} s"
    )
    if "process_total" in t:
        say(
            f"    with the writer process (the default; one run; {t['process_total']:.1f} s): "
            f"read + remark model {t['process_read_model']:.1f} s, routing {t['process_route']:.1f} s, "
            f"summary + Arrow {t['process_summary_arrow']:.1f} s, sending to and waiting for the "
            f"child {t['process_gdal_write']:.1f} s (its GDAL write overlaps the rest), setup and other "
            f"layers {t['process_setup_and_rest']:.1f} s"
        )


def bench_scale(
    work: Path,
    points: tuple[int, ...] = SCALE_POINTS,
    *,
    dask_points: tuple[int, ...] = (1_000_000,),
) -> dict[str, Any]:
    """(c) the streaming engine at 1M, 3M, 10M remarks × the scale parcels; the dask engine at 1M.

    One run each (they are long); time and peak RSS of the child process (``ru_maxrss``). The
    dask run's ``routed.gpkg`` is compared with the streaming run's, remark by remark.
    """
    from bench_data import scale_data

    out: dict[int, Any] = {}
    for n in points:
        data = scale_data(n)
        remarks = data / f"lagesbild_{n}.gpkg"
        target = work / f"scale-{n}"
        cmd = _route_cmd(remarks, data / "owners_synthetic.gpkg", data / "owners.toml", target)
        seconds, peak = _run_process(cmd)
        out[n] = {
            "seconds": seconds,
            "peak_mib": peak / 1024,
            "parcels": _count(data / "owners_synthetic.gpkg"),
        }
        if n in dask_points:
            dask_target = work / f"scale-{n}-dask"
            dask_cmd = [
                *_route_cmd(
                    remarks, data / "owners_synthetic.gpkg", data / "owners.toml", dask_target
                ),
                "--engine",
                "dask",
                "--format",
                "both",
            ]
            try:
                d_seconds, d_peak = _run_process(dask_cmd)
            except RuntimeError as exc:
                out[n]["dask"] = {
                    "seconds": float("nan"),
                    "peak_mib": float("nan"),
                    "equal": f"failed: {exc}",
                }
                continue
            out[n]["dask"] = {
                "seconds": d_seconds,
                "peak_mib": d_peak / 1024,
                "equal": _same_routing(target / "routed.gpkg", dask_target / "routed.gpkg"),
            }
            shutil.rmtree(dask_target, ignore_errors=True)
        shutil.rmtree(target, ignore_errors=True)
    return out


def _count(path: Path) -> int:
    return int(pyogrio.read_info(path)["features"])


def _same_routing(a: Path, b: Path) -> str:
    """Compare two routed.gpkg remark by remark (key: source file and row); say what differs."""
    import pandas as pd

    columns = [
        "remark_id",
        "owner",
        "land_owner",
        "route_method",
        "distance_m",
        "flags",
        "reason",
        "candidates",
        "source_file",
        "source_row",
    ]
    left = pyogrio.read_dataframe(
        a, layer="remarks", columns=columns, read_geometry=False, use_arrow=True
    )
    right = pyogrio.read_dataframe(
        b, layer="remarks", columns=columns, read_geometry=False, use_arrow=True
    )
    if len(left) != len(right):
        return f"different counts: {len(left):,} vs {len(right):,}"
    key = ["source_file", "source_row"]
    left = left.sort_values(key).reset_index(drop=True)
    right = right.sort_values(key).reset_index(drop=True)
    differ = [
        c
        for c in columns
        if not (left[c].astype(object).fillna("∅") == right[c].astype(object).fillna("∅")).all()
    ]
    del pd
    return "equal" if not differ else "differs in " + ", ".join(differ)


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    value = run()
    return time.perf_counter() - start, value


def bench_phases(data: Path, work: Path) -> dict[str, float]:
    """Where (b)'s time goes: each side's phases in this process, one run each (for information).

    Also GDAL's GeoPackage write of geomap's ``remarks`` layer on its own, the floor under (b).
    """
    remarks = data / "lagesbild_2025_synthetic.gpkg"
    owners = data / "owners_synthetic.gpkg"
    return {
        **_plain_phases(remarks, owners, work),
        **_geomap_phases(remarks, owners, data / "owners.toml", work),
    }


def _plain_phases(remarks: Path, owners: Path, work: Path) -> dict[str, float]:
    t: dict[str, float] = {}
    t["plain_read"], points = _timed(lambda: gpd.read_file(remarks))
    parcels = gpd.read_file(owners)[["owner", "geometry"]]
    t["plain_sjoin"], joined = _timed(
        lambda: gpd.sjoin(points, parcels, predicate="within", how="left")
    )
    t["plain_columns"] = len(joined.columns) - 1
    target = work / "phases-plain.gpkg"
    t["plain_write"], _ = _timed(lambda: joined.to_file(target, layer="remarks", driver="GPKG"))
    return t


def _geomap_phases(remarks: Path, owners: Path, registry: Path, work: Path) -> dict[str, float]:
    from geomap import route
    from geomap.core.routed import _fast_sqlite
    from geomap.routing.outputs import write_routed_gpkg

    t: dict[str, float] = {}
    t["geomap_route"], result = _timed(lambda: route(remarks, owners=owners, registry=registry))
    t["geomap_columns"] = len(result.remarks.columns) - 1
    t["geomap_write"], _ = _timed(lambda: write_routed_gpkg(result, work / "phases-routed.gpkg"))
    floor = work / "phases-floor.gpkg"
    with _fast_sqlite():  # the GDAL settings write_routed_gpkg uses
        t["floor_write"], _ = _timed(
            lambda: pyogrio.write_dataframe(
                result.remarks, floor, layer="remarks", driver="GPKG", use_arrow=True
            )
        )
    return t


def _verdict(value: float, target: float) -> str:
    return "OK" if value <= target else "MISSED"


def report_join(join: dict[str, Any], say: Callable[[str], None] = print) -> None:
    """Print (a) with its targets."""
    base = join["sjoin"]
    say(f"(a) join of {join['points']:,} remarks × {join['parcels']:,} parcels (same frames)")
    say(f"    geopandas.sjoin(predicate='within')             {base:7.2f} s")
    rows = (
        ("point in polygon, workers=1", "geomap_1", TARGET_JOIN),
        ("full locate (+2 m boundary, nearest ≤ 25 m), workers=1", "geomap_full_1", TARGET_LOCATE),
        ("point in polygon, default threads", "geomap", None),
        ("full locate, default threads", "geomap_full", None),
    )
    for label, key, target in rows:
        ratio = join[key] / base
        aim = f"(target ≤ {target})  {_verdict(ratio, target)}" if target else "(information)"
        say(f"    geomap {label:<50} {join[key]:7.2f} s  ratio {ratio:.2f}  {aim}")
    extra = join["geomap_full_1"] - join["geomap_1"]
    say(
        f"    where the full locate's time goes (workers=1): index + point in polygon "
        f"{join['geomap_1']:.2f} s, 2 m boundary test + nearest search {extra:.2f} s"
    )
    say(
        f"    same owner as sjoin for {join['agree']:.4%} of remarks (the rest lie exactly on an edge)"
    )


def report_end_to_end(e2e: dict[str, Any], points: int, say: Callable[[str], None] = print) -> None:
    """Print (b) with its targets."""
    plain, floor = e2e["plain"]["seconds"], e2e["floor"]["seconds"]
    say(f"\n(b) end to end, GeoPackage → GeoPackage, {points:,} remarks, --no-map --no-lists")
    say(
        f"    plain geopandas (read_file, sjoin, to_file)     {plain:7.2f} s  peak {e2e['plain']['peak_mib']:,.0f} MiB"
    )
    say(
        f"    floor: Arrow read {e2e['floor_read']:.2f} s + GDAL write of layer remarks {e2e['floor_write']:.2f} s = {floor:.2f} s"
    )
    for label, key in (
        ("geomap route (streaming, writer process)", "geomap"),
        ("geomap route --overlap (reader thread)", "geomap_overlap"),
    ):
        mine = e2e[key]["seconds"]
        say(
            f"    {label:<46} {mine:7.2f} s  peak {e2e[key]['peak_mib']:,.0f} MiB  "
            f"ratio {mine / plain:.2f} (target ≤ {TARGET_E2E}) {_verdict(mine / plain, TARGET_E2E)}  "
            f"{mine / floor:.2f} × floor (target ≤ {TARGET_FLOOR}) {_verdict(mine / floor, TARGET_FLOOR)}"
        )


def report_scale(scale: dict[int, Any], say: Callable[[str], None] = print) -> None:
    """Print (c) with its targets."""
    say(
        "\n(c) scaling, streaming engine, GeoPackage → GeoPackage, --no-map --no-lists (one run each)"
    )
    first = None
    for n, r in scale.items():
        per = r["seconds"] / n * 1e6
        first = first or per
        gib = r["peak_mib"] / 1024
        say(
            f"    {n:>11,} remarks × {r['parcels']:,} parcels  {r['seconds']:8.1f} s  "
            f"{per:5.1f} s per million ({per / first:.2f} × the first)  peak {gib:.2f} GiB "
            f"(target ≤ {TARGET_RSS_GIB:.0f} GB) {_verdict(gib, TARGET_RSS_GIB)}"
        )
        if "dask" in r:
            d = r["dask"]
            say(
                f"    {'':>11}   dask engine, LocalCluster 2 workers: {d['seconds']:8.1f} s  "
                f"peak (driver + workers) {d['peak_mib'] / 1024:.2f} GiB  output vs streaming: {d['equal']}"
            )


def _extra_benches(data: Path, work: Path, say: Callable[[str], None]) -> None:
    """(b'), (d), the lägesbild reports and the register, each as a ratio measured in this run.

    The reports and the register are timed against ``geomap route --no-map --no-lists`` on the
    same 1M remarks, run just before them (targets: reports ≤ 1.0, ingest ≤ 1.0, re-ingest ≤ 0.3).
    """
    import bench_owners
    import bench_register
    import bench_reports

    say("")
    bench_owners.report_lists(_bench_lists(bench_owners, data, work), say)
    routed_dir = work / "routed-for-reports"
    route_s, _ = _run_process(
        [
            str(BIN / "geomap"),
            "-q",
            "route",
            str(data / "lagesbild_2025_synthetic.gpkg"),
            "--owners",
            str(data / "owners_synthetic.gpkg"),
            "--registry",
            str(data / "owners.toml"),
            "--no-map",
            "--no-lists",
            "-o",
            str(routed_dir),
            "--overwrite",
        ]
    )
    routed = routed_dir / "routed.gpkg"
    reports = bench_reports.bench_reports(routed, work / "reports")
    say("")
    say(
        f"(r)  lägesbild on {reports['remarks']:,} routed remarks vs geomap route --no-map --no-lists"
    )
    say(f"     geomap route --no-map --no-lists  {route_s:7.2f} s")
    for name, label in (("weekly", "weekly report (vecka)"), ("two_year", "two-year report")):
        ratio = reports[f"{name}_s"] / route_s
        say(
            f"     {label:<33} {reports[f'{name}_s']:7.2f} s  ratio {ratio:.2f}  "
            f"(target ≤ {TARGET_REPORT})  {_verdict(ratio, TARGET_REPORT)}"
        )
    reg = bench_register.bench_register(routed, work / "register")
    say("")
    say(
        f"(g)  register: {reg['remarks']:,} remarks into a fresh GeoPackage register ({reg['register_mb']:.0f} MB)"
    )
    for key, label, target in (
        ("ingest_s", "first ingest", TARGET_INGEST),
        ("reingest_s", "re-ingest of the same file", TARGET_REINGEST),
    ):
        ratio = reg[key] / route_s
        say(
            f"     {label:<33} {reg[key]:7.2f} s  ratio {ratio:.2f}  (target ≤ {target})  "
            f"{_verdict(ratio, target)}"
        )
    say("")
    bench_owners.report_owners(bench_owners.bench_many_owners(work), say)


def _bench_lists(module: Any, data: Path, work: Path) -> dict[str, Any]:
    """(b') from ``bench_owners`` (its own folder under ``work``)."""
    folder = work / "lists"
    folder.mkdir(parents=True, exist_ok=True)
    return dict(module.bench_lists(data, folder))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--parcels", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--map-points", type=int, default=100_000)
    parser.add_argument("--skip-map", action="store_true", help="skip the HTML map benchmark")
    parser.add_argument("--only", choices=["a", "b", "c"], nargs="+", default=["a", "b", "c"])
    parser.add_argument("--scale", type=int, nargs="+", default=list(SCALE_POINTS))
    parser.add_argument(
        "--skip-extra", action="store_true", help="skip (b'), (d), the reports and the register"
    )
    args = parser.parse_args(argv)

    logging.getLogger("geomap").setLevel(logging.ERROR)  # the demo owners' repaired bow-tie
    data = bench_data(args.points, args.parcels)
    work = ROOT / "bench-data" / ("work-" + "".join(args.only))
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    print(
        f"\nmake bench on {os.cpu_count()} CPUs; medians of {args.repeat} alternating runs\n",
        flush=True,
    )
    if "a" in args.only:
        report_join(bench_join(data, args.repeat))
    if "b" in args.only:
        report_end_to_end(bench_end_to_end(data, args.repeat, work), args.points)
        report_phases(bench_stream_phases(data, work))
    if "c" in args.only:
        report_scale(bench_scale(work, tuple(args.scale)))
    if not args.skip_extra:
        _extra_benches(data, work, print)
    if not args.skip_map:
        import bench_map

        print()
        bench_map.run(print, n=args.map_points)
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

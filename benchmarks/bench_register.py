"""``make bench`` (register): ingest a routed.gpkg into a fresh GeoPackage register, then again.

Measures, each in this process after a warm-up read of the file:

- ``ingest_s``: the first ingest into a new register (creates it; adds every remark, its
  first event and its duplicate links);
- ``reingest_s``: the same file again (recognised by its content hash: nothing changes);
- ``reexport_s``: a copy of the file whose remarks are the same but whose bytes differ (a new
  ``geomap route`` run of the same inputs): every remark is compared in SQL, nothing changes.

Targets, as ratios to ``geomap route --no-map --no-lists`` on the same remarks (measured by the
caller, e.g. ``benchmarks/run.py``): ingest ≤ 1.0, re-ingest ≤ 0.3.

Usage: ``python benchmarks/bench_register.py ROUTED.gpkg WORKDIR [--route-seconds S]``.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

TARGET_INGEST = 1.0
TARGET_REINGEST = 0.3


def _timed(run: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    value = run()
    return time.perf_counter() - start, value


def _same_remarks_other_bytes(routed: Path, copy: Path) -> Path:
    """A copy of ``routed`` with another ``generated_at``: same remarks, another content hash."""
    shutil.copy2(routed, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("UPDATE run_info SET value = value || ' (kopia)' WHERE key = 'generated_at'")
    return copy


def bench_register(routed_gpkg: Path, work: Path) -> dict[str, Any]:
    """Time the first ingest, the re-ingest and a re-export of ``routed_gpkg`` into ``work``."""
    from geomap.register import ingest, open_register

    work.mkdir(parents=True, exist_ok=True)
    target = work / "bench-register.gpkg"
    for leftover in work.glob("bench-register.gpkg*"):
        leftover.unlink()
    other = _same_remarks_other_bytes(routed_gpkg, work / "bench-routed-copy.gpkg")
    routed_gpkg.read_bytes()  # warm the page cache, as the route run had it
    register = open_register(target)
    ingest_s, first = _timed(lambda: ingest(register, routed_gpkg))
    reingest_s, again = _timed(lambda: ingest(open_register(target), routed_gpkg))
    reexport_s, copy = _timed(lambda: ingest(open_register(target), other))
    return {
        "remarks": first.rows,
        "duplicates_linked": first.duplicates,
        "ingest_s": round(ingest_s, 2),
        "reingest_s": round(reingest_s, 2),
        "reexport_s": round(reexport_s, 2),
        "reingest_changed_nothing": again.already_imported,
        "reexport_changed": copy.changed,
        "register_mb": round(target.stat().st_size / 1e6, 1),
    }


def main() -> None:
    """Print the register benchmark (and the ratios when the route time is given)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "routed", type=Path, help="routed.gpkg from 'geomap route --no-map --no-lists'"
    )
    parser.add_argument("work", type=Path, help="folder for the register and a copy of ROUTED")
    parser.add_argument("--route-seconds", type=float, help="wall time of that 'geomap route' run")
    args = parser.parse_args()
    logging.getLogger("geomap").setLevel(logging.ERROR)
    result = bench_register(args.routed, args.work)
    if args.route_seconds:
        result["route_s"] = args.route_seconds
        result["ingest_ratio"] = round(result["ingest_s"] / args.route_seconds, 2)
        result["reingest_ratio"] = round(result["reingest_s"] / args.route_seconds, 2)
        result["reexport_ratio"] = round(result["reexport_s"] / args.route_seconds, 2)
        result["targets"] = {"ingest_ratio": TARGET_INGEST, "reingest_ratio": TARGET_REINGEST}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

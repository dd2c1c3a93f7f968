r"""Time the lägesbild on a large routed.gpkg: one week and two years, each as ``geomap lagesbild``.

``bench_reports(routed_gpkg, work)`` runs ``geomap lagesbild ROUTED --week 2025-W47`` and
``--years 2024-2025`` (HTML, PDF and XLSX) in their own processes, as a user would, and returns
their wall-clock seconds. ``make bench`` compares them with ``geomap route --no-map --no-lists``
on the same remarks (target: ratio ≤ 1.0, a report costs no more than routing the data).

Run on its own::

    .venv/bin/python benchmarks/bench_reports.py /tmp/bench/routed.gpkg --work /tmp/bench-reports \
        [--route-seconds 42.0]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent
#: The two reports timed: name → period options.
REPORTS = {"weekly": ["--week", "2025-W47"], "two_year": ["--years", "2024-2025"]}


def _run(cmd: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return seconds


def bench_reports(routed_gpkg: Path, work: Path) -> dict[str, Any]:
    """Time the weekly and the two-year lägesbild of ``routed_gpkg``; outputs go under ``work``.

    Returns
    -------
    dict
        ``weekly_s`` and ``two_year_s`` (seconds), ``remarks`` (rows of the routed file) and the
        sizes of the written files in bytes (``<name>_bytes``).
    """
    import pyogrio

    work.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {
        "remarks": int(pyogrio.read_info(routed_gpkg, layer="remarks")["features"])
    }
    for name, period in REPORTS.items():
        folder = work / f"lagesbild_{name}"
        cmd = [
            str(BIN / "geomap"),
            "-q",
            "lagesbild",
            str(routed_gpkg),
            *period,
            "-o",
            str(folder),
            "--overwrite",
        ]
        out[f"{name}_s"] = round(_run(cmd), 2)
        out[f"{name}_bytes"] = sum(p.stat().st_size for p in folder.glob("lagesbild.*"))
    return out


def main(argv: list[str] | None = None) -> None:
    """Print the timings (and the ratios to routing when ``--route-seconds`` is given) as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("routed", type=Path, help="routed.gpkg of the benchmark remarks")
    parser.add_argument("--work", type=Path, default=Path("/tmp/geomap-bench-reports"))
    parser.add_argument(
        "--route-seconds",
        type=float,
        help="time of geomap route --no-map --no-lists on the same remarks",
    )
    args = parser.parse_args(argv)
    result = bench_reports(args.routed, args.work)
    if args.route_seconds:
        for name in REPORTS:
            result[f"{name}_ratio"] = round(result[f"{name}_s"] / args.route_seconds, 2)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()

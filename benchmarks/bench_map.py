"""Benchmark: geomap's HTML map vs ``GeoDataFrame.explore()`` on the same 100 000 remarks.

Measures, side by side in one run: HTML size, generation time (build + save) and time-to-draw in
headless Chromium (navigation start until the markers/clusters are on the page), with the network
disabled for geomap's map (it is self-contained) and allowed for explore() (it loads Leaflet from
CDNs). Targets for geomap: <= 8 MB, <= 5 s, <= 3 s.

Run: ``.venv/bin/python benchmarks/bench_map.py [N]`` or via ``make bench`` (``run(report)``).
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.maps import build_map_html

N_DEFAULT = 100_000
TARGETS = {"size_mb": 8.0, "generate_s": 5.0, "draw_s": 3.0}
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
EXPLORE_CAP_S = 60.0
# Huddinge extent in EPSG:3011 (SWEREF 99 18 00).
EXTENT = (141_800.0, 6_558_400.0, 160_400.0, 6_574_700.0)
OWNERS = pd.DataFrame(
    {
        "owner": ["kommun", "huge", "hsab", "trafikverket", "privat"],
        "name": [
            "Huddinge kommun",
            "Huge Bostäder AB",
            "Huddinge Samhällsfastigheter AB",
            "Trafikverket",
            "Privat fastighetsägare",
        ],
        "contact": [None] * 5,
        "colour": ["#1f78b4", "#e69f00", "#009e73", "#cc79a7", "#6a3d9a"],
        "priority": [1, 2, 3, 4, 5],
    }
)
CATEGORIES = [
    ("klotter", "Klotter"),
    ("belysning", "Belysning"),
    ("nedskrapning", "Nedskräpning"),
    ("skadegorelse", "Skadegörelse"),
    ("vegetation", "Vegetation"),
    ("otrygg_plats", "Otrygg plats"),
    ("trafik", "Trafik"),
    ("ovrigt", "Övrigt"),
]


def synthetic_remarks(n: int, *, seed: int = 42) -> gpd.GeoDataFrame:
    """Return ``n`` synthetic routed remarks over the Huddinge extent (EPSG:3011)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(EXTENT[0], EXTENT[2], n)
    y = rng.uniform(EXTENT[1], EXTENT[3], n)
    owner_idx = rng.integers(0, len(OWNERS), n)
    cat_idx = rng.integers(0, len(CATEGORIES), n)
    codes = np.array([c for c, _ in CATEGORIES], dtype=object)
    labels = np.array([label for _, label in CATEGORIES], dtype=object)
    owners = OWNERS["owner"].to_numpy(dtype=object)
    names = OWNERS["name"].to_numpy(dtype=object)
    descriptions = np.array(
        [
            f"Syntetisk anmärkning typ {k}: {lab.lower()} vid gångväg"
            for k in range(400)
            for lab in labels
        ],
        dtype=object,
    )
    actions = np.array(
        ["Sanera", "Byt armatur", "Städa", "Reparera", "Beskär", "Se över"], dtype=object
    )
    methods = np.array(["ownership", "responsibility", "nearest", "category_rule"], dtype=object)
    timestamps = pd.Timestamp("2025-01-01") + pd.to_timedelta(
        rng.integers(0, 365 * 24, n), unit="h"
    )
    return gpd.GeoDataFrame(
        {
            "remark_id": [f"R{i:07d}" for i in range(n)],
            "source": rng.choice(np.array(["lagesbild", "trygghetsvandring"], dtype=object), n),
            "category": codes[cat_idx],
            "category_label": labels[cat_idx],
            "timestamp": timestamps,
            "description": rng.choice(descriptions, n),
            "action": rng.choice(actions, n),
            "place": None,
            "owner": owners[owner_idx],
            "owner_name": names[owner_idx],
            "route_method": rng.choice(methods, n),
            "distance_m": np.round(rng.exponential(5, n), 1),
            "candidates": owners[owner_idx],
            "flags": np.where(rng.random(n) < 0.03, "boundary", None),
            "reason": None,
        },
        geometry=shapely.points(x, y),
        crs="EPSG:3011",
    )


def _geomap_html(remarks: gpd.GeoDataFrame, out: Path) -> float:
    start = time.perf_counter()
    page = build_map_html(
        remarks,
        owners=None,
        registry=OWNERS,
        districts=None,
        title="Benchmark – 100 000 syntetiska anmärkningar",
        synthetic_label="Syntetiska data",
    )
    out.write_text(page, encoding="utf-8")
    return time.perf_counter() - start


def _explore_html(remarks: gpd.GeoDataFrame, out: Path) -> float:
    start = time.perf_counter()
    frame = remarks[["remark_id", "category", "owner", "geometry"]]
    frame.explore(column="owner").save(str(out))
    return time.perf_counter() - start


def _local_assets(route: Any) -> None:
    """Serve explore()'s CDN files offline: Leaflet 1.9.3 from xstatic-leaflet, others empty."""
    import xstatic.pkg.leaflet as leaflet

    url = route.request.url
    if url.endswith(("leaflet.js", "leaflet.css")) and "leaflet@1.9.3" in url:
        name = url.rsplit("/", 1)[1]
        kind = "text/css" if name.endswith(".css") else "application/javascript"
        route.fulfill(status=200, path=str(Path(leaflet.BASE_DIR) / name), content_type=kind)
    elif url.endswith(".css"):
        route.fulfill(status=200, body="", content_type="text/css")
    elif url.endswith(".js"):
        route.fulfill(status=200, body="", content_type="application/javascript")
    else:
        route.abort()


def _draw_time(path: Path, ready_js: str, *, offline: bool, cap_s: float) -> float | None:
    """Seconds from navigation start until ``ready_js`` is true (None after ``cap_s``).

    ``offline``: every request is refused (geomap's map must need none). Otherwise CDN files are
    served locally by :func:`_local_assets` (this machine has no network; tiles are refused).
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(offline=offline, viewport={"width": 1280, "height": 800})
            page = context.new_page()
            if offline:
                page.route(re.compile(r"^https?://"), lambda route: route.abort())
            else:
                page.route(re.compile(r"^https?://"), _local_assets)
            page.goto(path.as_uri(), wait_until="commit", timeout=cap_s * 1000)
            try:
                if ready_js.startswith("selector:"):  # no eval: geomap's page forbids it (CSP)
                    page.wait_for_selector(
                        ready_js.removeprefix("selector:"), state="attached", timeout=cap_s * 1000
                    )
                else:
                    page.wait_for_function(ready_js, timeout=cap_s * 1000, polling=50)
            except Exception as exc:  # timeout: report "> cap"
                print(
                    f"bench_map: {path.name}: not drawn: {str(exc).splitlines()[0]}",
                    file=sys.stderr,
                )
                return None
            return float(page.evaluate("performance.now()")) / 1000.0
        finally:
            browser.close()


# geomap: its own ready flag. explore(): Leaflet has drawn the point layer (SVG paths/circles).
GEOMAP_READY = "selector:body[data-ready='1']"
EXPLORE_READY = (
    "document.querySelectorAll('.leaflet-overlay-pane path, .leaflet-marker-icon').length > 0"
)


def _measure(
    label: str,
    make: Callable[[gpd.GeoDataFrame, Path], float],
    remarks: gpd.GeoDataFrame,
    out: Path,
    ready: str,
    *,
    offline: bool,
    cap_s: float,
) -> dict[str, Any]:
    generate = make(remarks, out)
    draw = _draw_time(out, ready, offline=offline, cap_s=cap_s)
    return {
        "label": label,
        "size_mb": out.stat().st_size / 1e6,
        "generate_s": generate,
        "draw_s": draw,
    }


def _fmt(value: float | None, unit: str, *, missing: str = "") -> str:
    if value is None:
        return missing or f"> {EXPLORE_CAP_S:.0f} {unit}"
    return f"{value:.1f} {unit}" if unit == "MB" else f"{value:.2f} {unit}"


def _ratio(a: float | None, b: float | None, *, cap: float | None = None) -> str:
    if a is None or a == 0:
        return "n/a"
    if b is None:
        return f"> {cap / a:.0f}x" if cap is not None else "n/a"
    return f"{b / a:.1f}x"


def run(report: Callable[[str], Any] = print, *, n: int = N_DEFAULT) -> dict[str, dict[str, Any]]:
    """Run the benchmark and report a table; return the measurements.

    Parameters
    ----------
    report : callable, default print
        Called with each line of the table.
    n : int, default 100_000
        Number of synthetic remarks.

    Returns
    -------
    dict
        ``{"geomap": {...}, "explore": {...}}`` with ``size_mb``, ``generate_s``, ``draw_s``.

    Examples
    --------
    >>> results = run(n=1000)  # doctest: +SKIP
    """
    remarks = synthetic_remarks(n)
    with tempfile.TemporaryDirectory(prefix="geomap-bench-map-") as tmp:
        base = Path(tmp)
        ours = _measure(
            "geomap map",
            _geomap_html,
            remarks,
            base / "geomap.html",
            GEOMAP_READY,
            offline=True,
            cap_s=EXPLORE_CAP_S,
        )
        try:
            theirs = _measure(
                "GeoDataFrame.explore()",
                _explore_html,
                remarks,
                base / "explore.html",
                EXPLORE_READY,
                offline=False,
                cap_s=EXPLORE_CAP_S,
            )
        except ImportError as exc:  # explore() needs folium, matplotlib and mapclassify
            report(f"bench_map: explore() unavailable ({exc}); pip install matplotlib mapclassify")
            theirs = {
                "label": "GeoDataFrame.explore()",
                "size_mb": None,
                "generate_s": None,
                "draw_s": None,
            }
    cap = EXPLORE_CAP_S if theirs["size_mb"] else None
    report(f"HTML map of {n:,} remarks: geomap vs GeoDataFrame.explore() (same points)")
    report(f"{'':24}{'size':>12}{'generation':>14}{'time-to-draw':>16}")
    for row in (ours, theirs):
        report(
            f"{row['label']:24}{_fmt(row['size_mb'], 'MB', missing='n/a'):>12}"
            f"{_fmt(row['generate_s'], 's', missing='n/a'):>14}"
            f"{_fmt(row['draw_s'], 's', missing='n/a' if row['size_mb'] is None else ''):>16}"
        )
    report(
        f"{'explore() / geomap':24}{_ratio(ours['size_mb'], theirs['size_mb']):>12}"
        f"{_ratio(ours['generate_s'], theirs['generate_s']):>14}"
        f"{_ratio(ours['draw_s'], theirs['draw_s'], cap=cap):>16}"
    )
    ok = (
        ours["size_mb"] <= TARGETS["size_mb"]
        and ours["generate_s"] <= TARGETS["generate_s"]
        and ours["draw_s"] is not None
        and ours["draw_s"] <= TARGETS["draw_s"]
    )
    report(
        f"targets for geomap: <= {TARGETS['size_mb']:.0f} MB, <= {TARGETS['generate_s']:.0f} s, "
        f"<= {TARGETS['draw_s']:.0f} s to draw: {'met' if ok else 'NOT MET'}"
    )
    return {"geomap": ours, "explore": theirs}


if __name__ == "__main__":
    run(n=int(sys.argv[1]) if len(sys.argv) > 1 else N_DEFAULT)

"""The run summary: counts per owner × route method, hard cases, and what was read."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS

from geomap.core.labels import LABELS, METHOD_LABELS
from geomap.core.owners import OwnerRegistry
from geomap.core.words import format_time, plural
from geomap.routing.readers import ReadInfo

__all__ = ["METHOD_LABELS", "RouteSummary", "format_report", "format_table", "summarise"]


@dataclass
class RouteSummary:
    """Counts of a routing run. ``counts`` maps owner id (or ``""`` for unrouted) → method → n."""

    total: int
    counts: dict[str, dict[str, int]]
    owner_names: dict[str, str]
    unrouted: int
    boundary: int
    overlap: int
    unknown_categories: dict[str, int]
    outside_extent: int
    missing_geometry: int
    repaired_polygons: int
    dropped_polygons: int
    overlapping_polygons: int
    axis_swapped_files: list[str]
    period_start: str | None
    period_end: str | None
    working_crs: str
    tolerance_m: float
    max_distance_m: float
    synthetic: bool
    #: Remarks whose protocol names another landowner than the routed one (flag
    #: ``protocol_owner_differs``).
    protocol_owner_differs: int = 0
    #: Remarks of files whose X/Y the reader swapped (flag ``axis_swapped``).
    axis_swapped: int = 0
    inputs: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)

    def by_method(self) -> dict[str, int]:
        """Total remarks per route method."""
        totals: dict[str, int] = {}
        for methods in self.counts.values():
            for method, n in methods.items():
                totals[method] = totals.get(method, 0) + n
        return totals

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        data = dataclasses.asdict(self)
        data["by_method"] = self.by_method()
        # The Swedish words of the codes above, from the one table (core.labels).
        data["labels"] = {kind: dict(table) for kind, table in LABELS.items()}
        return data


def summarise(
    remarks: gpd.GeoDataFrame,
    *,
    registry: OwnerRegistry,
    inputs: list[ReadInfo],
    repaired: int,
    dropped: int,
    overlapping_polygons: int,
    working_crs: CRS,
    tolerance: float,
    max_distance: float,
) -> RouteSummary:
    """Count a routed frame into a :class:`RouteSummary`."""
    owner_code, owners = pd.factorize(remarks["owner"], use_na_sentinel=True)
    method_code, methods = pd.factorize(remarks["route_method"])
    width = len(methods)
    cells = np.bincount((owner_code + 1) * width + method_code, minlength=(len(owners) + 1) * width)
    names = ["", *(str(o) for o in owners)]
    counts: dict[str, dict[str, int]] = {}
    for position in np.flatnonzero(cells):
        row = counts.setdefault(names[position // width], {})
        row[str(methods[position % width])] = int(cells[position])
    flagged = _flag_masks(remarks["flags"])
    unknown = remarks.loc[flagged("unknown_category"), "category_raw"]
    stamps = remarks["timestamp"].dropna()
    epsg = working_crs.to_epsg()
    return RouteSummary(
        total=len(remarks),
        counts=counts,
        owner_names={o.id: o.name for o in registry.owners},
        unrouted=int((remarks["route_method"] == "unrouted").sum()),
        boundary=int(flagged("boundary").sum()),
        overlap=int(flagged("overlap").sum()),
        unknown_categories={str(k): int(v) for k, v in unknown.fillna("").value_counts().items()},
        outside_extent=int(flagged("outside_extent").sum()),
        missing_geometry=int(flagged("invalid_geometry").sum()),
        repaired_polygons=repaired,
        dropped_polygons=dropped,
        overlapping_polygons=overlapping_polygons,
        axis_swapped_files=[i.path for i in inputs if i.axis_swapped],
        period_start=None if stamps.empty else stamps.min().isoformat(),
        period_end=None if stamps.empty else stamps.max().isoformat(),
        working_crs=f"EPSG:{epsg}" if epsg else working_crs.name,
        tolerance_m=tolerance,
        max_distance_m=max_distance,
        synthetic=registry.synthetic,
        protocol_owner_differs=int(flagged("protocol_owner_differs").sum()),
        axis_swapped=int(flagged("axis_swapped").sum()),
        inputs=[dataclasses.asdict(i) for i in inputs],
        warnings=[w for i in inputs for w in i.warnings],
    )


def _flag_masks(flags: pd.Series) -> Callable[[str], np.ndarray]:
    """Return a function telling per remark whether its ``;``-separated flags hold a code.

    Each distinct flag string is split once (a run has a handful), not each remark's.
    """
    codes, uniques = pd.factorize(flags.fillna("").astype(str))
    sets = [set(str(u).split(";")) for u in uniques]

    def flagged(code: str) -> np.ndarray:
        hit = np.array([code in s for s in sets] + [False], dtype=bool)
        return hit[np.where(codes < 0, len(sets), codes)]

    return flagged


def format_table(summary: RouteSummary) -> str:
    """Format the counts per owner × route method as a plain-text table (Swedish headings).

    Examples
    --------
    >>> s = RouteSummary(3, {"a": {"ownership": 2}, "": {"unrouted": 1}}, {"a": "Ägare A"}, 1, 0, 0,
    ...     {}, 0, 0, 0, 0, 0, [], None, None, "EPSG:3011", 2.0, 25.0, False)
    >>> print(format_table(s))  # doctest: +NORMALIZE_WHITESPACE
    Ägare        ägande  ej dirigerad  Summa
    Ägare A           2             0      2
    (ej dirigerad)    0             1      1
    Summa             2             1      3
    """
    methods = [m for m in METHOD_LABELS if any(m in row for row in summary.counts.values())]
    owners = sorted((o for o in summary.counts if o), key=lambda o: summary.owner_names.get(o, o))
    if "" in summary.counts:
        owners.append("")
    rows: list[list[str | int]] = []
    for o in owners:
        name = summary.owner_names.get(o, o) if o else "(ej dirigerad)"
        values = [summary.counts[o].get(m, 0) for m in methods]
        rows.append([name, *values, sum(values)])
    totals = [sum(int(r[i + 1]) for r in rows) for i in range(len(methods))]
    rows.append(["Summa", *totals, sum(totals)])
    header: list[str | int] = ["Ägare", *[METHOD_LABELS[m] for m in methods], "Summa"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = []
    for r in [header, *rows]:
        cells = [str(r[0]).ljust(widths[0])] + [
            str(v).rjust(w) for v, w in zip(r[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def format_report(
    summary: RouteSummary, written: dict[str, Any], outdir: str | os.PathLike[str]
) -> str:
    """Return what ``geomap route`` prints after a run (Swedish): counts, hard cases and the outputs.

    Examples
    --------
    >>> s = RouteSummary(1, {"a": {"ownership": 1}}, {"a": "Ägare A"}, 0, 0, 0,
    ...     {}, 0, 0, 0, 0, 0, [], None, None, "EPSG:3011", 2.0, 25.0, False)
    >>> print(format_report(s, {"routed": "routed.gpkg", "summary": "summary.json"}, "ut"))
    ... # doctest: +NORMALIZE_WHITESPACE
    Dirigerade 1 anmärkning (inga tidpunkter).
    <BLANKLINE>
    Ägare    ägande  Summa
    Ägare A       1      1
    Summa         1      1
    <BLANKLINE>
    Gränsfall att kontrollera: 0; överlapp: 0; ej dirigerade: 0 (varav utanför ägarskiktet 0, utan koordinater 0)
    <BLANKLINE>
    Utdata i ut/:
      routed.gpkg  (alla anmärkningar, lager 'remarks')
      summary.json
    """
    lines = []
    if summary.synthetic:
        lines.append("OBS: syntetiska demodata – inte verkliga fastighetsgränser eller händelser.")
    lines += [
        f"Dirigerade {plural(summary.total, 'anmärkning', 'anmärkningar')} ({_period(summary)}).",
        "",
        format_table(summary),
        "",
        f"Gränsfall att kontrollera: {summary.boundary}; överlapp: {summary.overlap}; "
        f"ej dirigerade: {summary.unrouted} (varav utanför ägarskiktet {summary.outside_extent}, "
        f"utan koordinater {summary.missing_geometry})",
    ]
    if summary.unknown_categories:
        shown = ", ".join(f"{k!r} ({v})" for k, v in list(summary.unknown_categories.items())[:6])
        kinds = plural(len(summary.unknown_categories), "okänd kategori", "okända kategorier")
        lines.append(f"{kinds} (lägg till alias): {shown}")
    if summary.repaired_polygons or summary.dropped_polygons or summary.overlapping_polygons:
        repaired = plural(
            summary.repaired_polygons, "ogiltig polygon reparerad", "ogiltiga polygoner reparerade"
        )
        dropped = plural(summary.dropped_polygons, "tom borttagen", "tomma borttagna")
        overlapping = plural(
            summary.overlapping_polygons, "överlappar annan ägare", "överlappar andra ägare"
        )
        lines.append(f"Ägarskiktet: {repaired}, {dropped}, {overlapping}")
    lines += [f"Bytte X/Y (X = nordlig) i {path}" for path in summary.axis_swapped_files]
    return "\n".join([*lines, "", *_output_lines(written, outdir)])


def _period(summary: RouteSummary) -> str:
    """Return the period of the remarks as local ``YYYY-MM-DD HH:MM – YYYY-MM-DD HH:MM``."""
    if not (summary.period_start or summary.period_end):
        return "inga tidpunkter"
    return f"{format_time(summary.period_start)} – {format_time(summary.period_end)}"


def _output_lines(written: dict[str, Any], outdir: str | os.PathLike[str]) -> list[str]:
    lines = [f"Utdata i {outdir}/:", *_routed_lines(written)]
    if "owners" in written:
        lists = plural(len(written["owners"]), "arbetslista", "arbetslistor")
        lines.append(f"  owners/  ({lists}, CSV och XLSX)")
        lines.append(f"  {written['unrouted']}")
    if "map" in written:
        maps = plural(len(written.get("owner_maps", {})), "karta", "kartor")
        lines.append(f"  {written['map']}  (+ {maps} per ägare i owners/)")
    lines.append(f"  {written['summary']}")
    return lines


def _routed_lines(written: dict[str, Any]) -> list[str]:
    """List the files of the routed remarks: GeoPackage, GeoParquet (and its other layers), or both."""
    routed, parquet = written["routed"], written.get("routed_parquet")
    lines = [] if routed == parquet else [f"  {routed}  (alla anmärkningar, lager 'remarks')"]
    if parquet:
        lines.append(f"  {parquet}  (alla anmärkningar, GeoParquet)")
    if "routed_layers" in written:
        lines.append(
            f"  {written['routed_layers']}  (övriga lager: ägare, ägarregister, körningsinfo)"
        )
    return lines

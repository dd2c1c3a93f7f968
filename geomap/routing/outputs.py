"""Writing a routing run: ``routed.gpkg``, per-owner work lists, ``unrouted.csv``, ``summary.json``.

Everything goes into a temporary directory beside OUTDIR that replaces OUTDIR only when complete.
Lists are Excel-friendly Swedish (``;``, decimal comma, UTF-8 with BOM) with formulas neutralised.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import CRS, Transformer

from geomap.core.labels import METHOD_LABELS, SOURCE_LABELS, flag_texts
from geomap.core.routed import RoutedData
from geomap.io.atomic import atomic_dir
from geomap.io.sanitize import owner_file_stem
from geomap.io.sheets import EXCEL_MAX_ROWS, write_csv, write_xlsx
from geomap.routing.pipeline import RouteResult

__all__ = ["EXCEL_MAX_ROWS", "list_frame", "write_outputs", "write_routed_gpkg"]

log = logging.getLogger(__name__)


def write_outputs(
    result: RouteResult,
    outdir: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    lists: bool = True,
    xlsx: bool = True,
    extra: Callable[[Path], dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Write every output of a routing run into ``outdir`` atomically.

    Parameters
    ----------
    result
        What :func:`geomap.route` returned.
    outdir
        Output directory; refused if it exists unless ``overwrite``.
    lists
        Write per-owner work lists and ``unrouted.csv``.
    xlsx
        Also write each list as ``.xlsx`` (up to Excel's row limit; the CSV is always written).
    extra
        Called with the temporary directory before it is moved into place, to add more outputs
        (maps); returns their paths relative to ``outdir`` for the summary.

    Returns
    -------
    dict
        Output paths relative to ``outdir``, as recorded in ``summary.json``.
    """
    target = Path(outdir)
    written: dict[str, Any] = {}
    with atomic_dir(target, overwrite=overwrite) as tmp:
        write_routed_gpkg(result, tmp / "routed.gpkg")
        written["routed"] = "routed.gpkg"
        if lists:
            written["owners"] = _write_owner_lists(result, tmp / "owners", xlsx=xlsx)
            unrouted = result.remarks[result.remarks["route_method"] == "unrouted"]
            write_csv(list_frame(unrouted, result), tmp / "unrouted.csv")
            written["unrouted"] = "unrouted.csv"
        if extra is not None:
            written.update(extra(tmp))
        result.summary.outputs = written
        summary = result.summary.to_dict()
        (tmp / "summary.json").write_text(
            json.dumps(summary, ensure_ascii=False, indent=2, default=str), encoding="utf-8"
        )
        written["summary"] = "summary.json"
    return written


def write_routed_gpkg(result: RouteResult, path: Path) -> None:
    """Write the ``routed.gpkg`` layers described in the README's output contract."""
    RoutedData.from_result(result).write(path)


def list_frame(remarks: gpd.GeoDataFrame, result: RouteResult) -> pd.DataFrame:
    """Return the Swedish work-list columns for ``remarks`` (one row per remark)."""
    names = {o.id: o.name for o in result.registry.owners}
    geoms = remarks.geometry
    valid = ~(geoms.isna() | geoms.is_empty).to_numpy()
    e = np.full(len(remarks), np.nan)
    n = np.full(len(remarks), np.nan)
    e[valid] = geoms[valid].x.to_numpy()
    n[valid] = geoms[valid].y.to_numpy()
    to_wgs = Transformer.from_crs(CRS(remarks.crs), "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(e, n)
    crs_name = CRS(remarks.crs).name
    frame = pd.DataFrame(
        {
            "Id": remarks["remark_id"].to_numpy(),
            "Källa": remarks["source"].map(SOURCE_LABELS).to_numpy(),
            "Kategori": remarks["category_label"].to_numpy(),
            "Kategori (original)": remarks["category_raw"].to_numpy(),
            "Tidpunkt": remarks["timestamp"].dt.strftime("%Y-%m-%d %H:%M").to_numpy(),
            "Beskrivning": remarks["description"].to_numpy(),
            "Önskad åtgärd": remarks["action"].to_numpy(),
            "Plats": remarks["place"].to_numpy(),
            "Vandring": remarks["walk_id"].to_numpy(),
            "Ansvarig": remarks["owner_name"].to_numpy(),
            "Markägare": remarks["land_owner"].map(names).to_numpy(),
            "Dirigerad via": remarks["route_method"].map(METHOD_LABELS).to_numpy(),
            "Avstånd (m)": remarks["distance_m"].to_numpy(),
            "Flaggor": flag_texts(remarks["flags"]),
            "Kandidater": _candidate_names(remarks["candidates"], names),
            "Anledning": remarks["reason"].to_numpy(),
            "Latitud": np.round(lat, 6),
            "Longitud": np.round(lon, 6),
            f"E ({crs_name})": np.round(e, 2),
            f"N ({crs_name})": np.round(n, 2),
            "Fil": remarks["source_file"].to_numpy(),
            "Rad": remarks["source_row"].to_numpy(),
        }
    )
    if result.registry.synthetic:
        frame.insert(0, "Syntetiska data", result.registry.synthetic_label or "ja")
    return frame


def _candidate_names(candidates: pd.Series, names: dict[str, str]) -> np.ndarray:
    uniques = pd.unique(candidates.dropna())
    lookup = {c: ", ".join(names.get(i, i) for i in str(c).split(";")) for c in uniques}
    return candidates.map(lookup).to_numpy(dtype=object)


def _write_owner_lists(
    result: RouteResult, directory: Path, *, xlsx: bool
) -> dict[str, dict[str, str]]:
    directory.mkdir(parents=True, exist_ok=True)
    remarks = result.remarks
    written: dict[str, dict[str, str]] = {}
    routed = remarks[remarks["owner"].notna()]
    for owner_id, group in routed.groupby("owner", sort=True):
        stem = owner_file_stem(str(owner_id))
        frame = list_frame(
            group.sort_values(["timestamp", "remark_id"], na_position="last"), result
        )
        files = {"csv": f"owners/{stem}.csv"}
        write_csv(frame, directory / f"{stem}.csv")
        if xlsx:
            if len(frame) > EXCEL_MAX_ROWS:
                log.warning(
                    "owner %s has %d remarks, more than an Excel sheet holds (%d); wrote only %s",
                    owner_id,
                    len(frame),
                    EXCEL_MAX_ROWS,
                    files["csv"],
                )
                files["xlsx_skipped"] = (
                    f"{len(frame)} rows exceed Excel's limit of {EXCEL_MAX_ROWS}"
                )
            else:
                title = (
                    f"Anmärkningar för {result.registry[str(owner_id)].name}"
                    if str(owner_id) in result.registry
                    else str(owner_id)
                )
                write_xlsx({"Anmärkningar": frame}, directory / f"{stem}.xlsx", title=title)
                files["xlsx"] = f"owners/{stem}.xlsx"
        written[str(owner_id)] = files
    return written

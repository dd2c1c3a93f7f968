"""The measures to evaluate (SITES): one row per camera, lighting or other measure at a place.

A sites file (GeoPackage, GeoJSON, any vector file, or a CSV/XLSX with coordinate columns) holds
per measure an id, a name, a point or polygon, the date installed, the kind (``kamera``,
``belysning``, ``fysisk åtgärd``, ``trygghetsvärdar`` …) and optionally the target categories
(comma-separated codes; empty = all categories). Columns are found by their Swedish or English
names.
"""

from __future__ import annotations

import os
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.core.categories import load_categories
from geomap.core.crs import WORKING_CRS, parse_crs
from geomap.core.dates import parse_timestamps
from geomap.errors import InputError
from geomap.io.tables import TABLE_SUFFIXES, normalise_name
from geomap.io.tomlfile import TRUE_WORDS
from geomap.io.vector import read_vector
from geomap.routing.readers import read_frame, read_remarks

__all__ = ["SITE_COLUMNS", "prepare_sites", "read_sites"]

#: Accepted column names (after :func:`geomap.io.tables.normalise_name`) per field.
SITE_COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "site", "site_id", "plats_id", "atgard_id", "atgardsid"),
    "name": ("namn", "name", "plats", "place", "benamning"),
    "installed": ("installerad", "installed", "installationsdatum", "datum", "date", "start"),
    "kind": ("typ", "kind", "atgard", "atgardstyp", "type"),
    "categories": ("kategorier", "categories", "malkategorier", "target_categories"),
    "synthetic": ("syntetisk", "synthetic"),
}


def _column(frame: pd.DataFrame, field: str) -> str | None:
    names = {normalise_name(c): c for c in frame.columns if c != "geometry"}
    return next((names[n] for n in SITE_COLUMNS[field] if n in names), None)


def read_sites(
    path: str | os.PathLike[str],
    *,
    layer: str | None = None,
    crs: str | None = None,
    working_crs: str = WORKING_CRS,
) -> gpd.GeoDataFrame:
    """Read the measures to evaluate from a vector file or a CSV/XLSX table.

    Parameters
    ----------
    path : str or os.PathLike
        GeoPackage, GeoJSON, … (points or polygons) or CSV/XLSX with coordinate columns.
    layer : str, optional
        Layer (or sheet) to read; the first by default.
    crs : str, optional
        CRS of a table's coordinates (default: inferred from the values).
    working_crs : str, optional
        CRS of the returned geometries.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``id``, ``name``, ``installed`` (Timestamp), ``kind``, ``categories`` (tuple of
        codes; empty = all), ``synthetic`` and the geometry, as :func:`prepare_sites` makes them.

    Raises
    ------
    InputError
        If the file cannot be read or a site lacks an id, a date or a geometry (see
        :func:`prepare_sites`).

    Examples
    --------
    >>> sites = read_sites("data/trygghetskameror_2021_synthetic.gpkg")
    >>> sites.loc[0, ["id", "name"]].tolist(), bool(sites["synthetic"].all())
    (['TK-2021-01', 'Grantorp'], True)
    """
    source = Path(path)
    if not source.is_file():
        msg = f"{source}: sites file not found; pass the measures (GeoPackage, GeoJSON or CSV with coordinates)"
        raise InputError(msg)
    if source.suffix.lower() in TABLE_SUFFIXES:
        frame, _ = read_remarks(source, crs=crs, layer=layer, working_crs=working_crs)
        frame = frame.drop(columns=["source_file", "source_row", "_axis_swapped"], errors="ignore")
    else:
        read = read_vector(source, layer=layer, what="sites file")
        if not isinstance(read, gpd.GeoDataFrame):
            msg = f"{source}: the sites layer has no geometries; give points or polygons of the measures"
            raise InputError(msg)
        frame = _in_crs(read, source, crs, working_crs)
    return prepare_sites(frame, where=str(source))


def _in_crs(
    frame: gpd.GeoDataFrame, where: Path, crs: str | None, working_crs: str
) -> gpd.GeoDataFrame:
    if frame.crs is None:
        if crs is None:
            msg = f"{where}: the sites layer has no CRS; pass `crs` (e.g. EPSG:3011) or set one in the file"
            raise InputError(msg)
        frame = frame.set_crs(parse_crs(crs))
    return frame.to_crs(parse_crs(working_crs, argument="working_crs"))


def prepare_sites(frame: pd.DataFrame, *, where: str = "<sites>") -> gpd.GeoDataFrame:
    """Check a table of measures and return it with geomap's column names.

    Parameters
    ----------
    frame : pandas.DataFrame or geopandas.GeoDataFrame
        One row per measure; a GeoDataFrame with a CRS, or a DataFrame with coordinate columns.
    where : str, optional
        Name of the source, for messages.

    Returns
    -------
    geopandas.GeoDataFrame
        ``id``, ``name``, ``installed``, ``kind``, ``categories``, ``synthetic``, geometry.

    Raises
    ------
    InputError
        If the id or date column is missing, an id is repeated, a date is missing or invalid, a
        geometry is missing or not a point or polygon, or a target category is unknown.

    Examples
    --------
    >>> import shapely
    >>> f = gpd.GeoDataFrame({"id": ["A"], "installerad": ["2021-05-10"], "kategorier": ["klotter"]},
    ...                      geometry=[shapely.Point(150000, 6570000)], crs=3011)
    >>> prepare_sites(f).loc[0, ["id", "name", "categories"]].tolist()
    ['A', 'A', ('klotter',)]
    """
    if not isinstance(frame, gpd.GeoDataFrame):
        frame, _ = read_frame(frame, label=where, working_crs=WORKING_CRS)
    if frame.crs is None:
        msg = f"{where}: the sites have no CRS; set one (e.g. EPSG:3011) or give a table with coordinates"
        raise InputError(msg)
    ids = _required(frame, "id", where, "the measure's id")
    stamps = _required(frame, "installed", where, "the date installed (YYYY-MM-DD)")
    _check_ids(frame[ids], where)
    installed = _dates(frame, stamps, ids, where)
    out = gpd.GeoDataFrame(
        {
            "id": frame[ids].astype("string").str.strip().to_numpy(dtype=object),
            "name": _text(frame, "name", frame[ids]),
            "installed": installed,
            "kind": _text(frame, "kind", pd.Series("", index=frame.index)),
            "categories": _categories(frame, ids, where),
            "synthetic": _synthetic(frame),
        },
        geometry=frame.geometry.to_numpy(),
        crs=frame.crs,
    )
    _check_geometries(out, where)
    return out


def _required(frame: pd.DataFrame, field: str, where: str, what: str) -> str:
    column = _column(frame, field)
    if column is None:
        names = ", ".join(SITE_COLUMNS[field][:4])
        msg = f"{where}: no column with {what} (looked for {names} …; columns: {', '.join(map(str, frame.columns))}); add it"
        raise InputError(msg)
    return column


def _check_ids(ids: pd.Series, where: str) -> None:
    text = ids.astype("string").str.strip()
    empty = text.isna() | text.eq("")
    if empty.any():
        rows = ", ".join(str(i + 1) for i in np.flatnonzero(empty.to_numpy())[:5])
        msg = f"{where}: row(s) {rows} have no id; give every measure an id"
        raise InputError(msg)
    twice = text[text.duplicated()]
    if len(twice):
        msg = f"{where}: id {twice.iloc[0]!r} is used twice; give every measure its own id"
        raise InputError(msg)


def _dates(frame: pd.DataFrame, column: str, ids: str, where: str) -> pd.Series:
    result = parse_timestamps(frame[column], where=where, column=column)
    stamps = result.timestamps.dt.normalize()
    missing = stamps.isna().to_numpy()
    if missing.any():
        bad = frame[ids].to_numpy()[missing][:5]
        msg = f"{where}: column {column!r}: site(s) {', '.join(map(str, bad))} have no valid date installed; write it as YYYY-MM-DD"
        raise InputError(msg)
    return stamps.reset_index(drop=True)


def _text(frame: pd.DataFrame, field: str, default: pd.Series) -> np.ndarray:
    column = _column(frame, field)
    values = (
        frame[column].astype("string").str.strip()
        if column
        else pd.Series(pd.NA, index=frame.index)
    )
    empty = values.isna() | values.eq("")
    return values.where(~empty, default.astype("string")).fillna("").to_numpy(dtype=object)


def _categories(frame: pd.DataFrame, ids: str, where: str) -> list[tuple[str, ...]]:
    column = _column(frame, "categories")
    if column is None:
        return [()] * len(frame)
    vocabulary = load_categories()
    known = set(vocabulary.codes().tolist())
    parts = frame[column].astype("string").fillna("").str.split(",")
    out: list[tuple[str, ...]] = []
    for site, names in zip(frame[ids], parts, strict=True):  # one entry per site, never per remark
        given = [n.strip() for n in names if n.strip()]
        coded = vocabulary.normalise(pd.Series(given, dtype=object)) if given else None
        codes = tuple(coded["category"]) if coded is not None else ()
        unknown = [g for g, c in zip(given, codes, strict=True) if c not in known]
        if unknown:
            msg = f"{where}: site {site}: column {column!r}: unknown categor(ies) {', '.join(map(repr, unknown))}; use codes such as {', '.join(sorted(known)[:6])} … (see 'geomap categories'), or leave it empty for all"
            raise InputError(msg)
        out.append(tuple(dict.fromkeys(codes)))
    return out


def _synthetic(frame: pd.DataFrame) -> np.ndarray:
    column = _column(frame, "synthetic")
    if column is None:
        return np.zeros(len(frame), dtype=bool)
    text = frame[column].astype("string").str.strip().str.lower()
    return text.isin(TRUE_WORDS).fillna(False).to_numpy(dtype=bool)


def _check_geometries(sites: gpd.GeoDataFrame, where: str) -> None:
    geoms = sites.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    # 0 point, 3 polygon, 6 multipolygon (4 multipoint only with one point)
    wrong = ~missing & ~np.isin(kinds, [0, 3, 6])
    for mask, what in (
        (missing, "no geometry"),
        (wrong, "a geometry that is not a point or polygon"),
    ):
        if mask.any():
            bad = ", ".join(sites["id"].to_numpy()[mask][:5])
            msg = f"{where}: site(s) {bad} have {what}; give each measure a point (with `radius`) or a polygon"
            raise InputError(msg)

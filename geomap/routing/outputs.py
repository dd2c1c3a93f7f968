"""Writing a routing run: ``routed.gpkg``, per-owner work lists, ``unrouted.csv``, ``summary.json``.

Everything goes into a temporary directory beside OUTDIR that replaces OUTDIR only when complete.
Lists are Excel-friendly Swedish (``;``, decimal comma, UTF-8 with BOM) with formulas neutralised.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyogrio
import pyogrio.raw

from geomap.core.routed import RoutedData
from geomap.io.atomic import atomic_dir
from geomap.io.sheets import EXCEL_MAX_ROWS
from geomap.io.vector import arrow_to_frame
from geomap.routing.lists import (
    LIST_COLUMNS,
    ROUTING_COLUMNS,
    USED_COLUMNS,
    ListContext,
    list_frame,
    write_owner_lists,
    write_unrouted_list,
)
from geomap.routing.pipeline import RouteResult
from geomap.routing.summary import RouteSummary

__all__ = [
    "EXCEL_MAX_ROWS",
    "LIST_COLUMNS",
    "ROUTING_COLUMNS",
    "list_frame",
    "output_dir",
    "write_outputs",
    "write_routed_gpkg",
    "write_sorted_lists",
    "write_summary",
]

log = logging.getLogger(__name__)


def write_outputs(
    result: RouteResult,
    outdir: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    lists: bool = True,
    xlsx: bool = True,
    extra: Callable[[Path], dict[str, Any]] | None = None,
    inputs: Sequence[str | os.PathLike[str]] | None = None,
    replace_foreign: bool = False,
) -> dict[str, Any]:
    """Write every output of a routing run into ``outdir`` atomically.

    Parameters
    ----------
    result
        What :func:`geomap.route` returned.
    outdir
        Output directory (see :func:`geomap.io.atomic.atomic_dir`); refused if it exists unless
        ``overwrite``, and then replaced only if geomap wrote it (marker file ``.geomap-output``)
        or it is empty. Refused if it is, contains or lies above an input. Locked for the run.
    lists
        Write per-owner work lists and ``unrouted.csv``.
    xlsx
        Also write each list as ``.xlsx`` (up to Excel's row limit; the CSV is always written).
    extra
        Called with the temporary directory before it is moved into place, to add more outputs
        (the maps); returns their paths relative to ``outdir`` for the summary. The lists' map
        links (column *Karta*) are filled only when ``extra`` is given.
    inputs
        More files that ``outdir`` must not be or contain (owner layer, registry, rules), besides
        the remark files in ``result.inputs``.
    replace_foreign
        With ``overwrite``, also replace a non-empty folder that geomap did not write.

    Returns
    -------
    dict
        Output paths relative to ``outdir``, as recorded in ``summary.json``.
    """
    written: dict[str, Any] = {}
    protect = [*(i.path for i in result.inputs if i.path != "<GeoDataFrame>"), *(inputs or ())]
    with output_dir(outdir, protect, overwrite=overwrite, replace_foreign=replace_foreign) as tmp:
        write_routed_gpkg(result, tmp / "routed.gpkg")
        written["routed"] = "routed.gpkg"
        if lists:
            written.update(_write_lists(result, tmp, xlsx=xlsx, links=extra is not None))
        if extra is not None:
            written.update(extra(tmp))
        write_summary(tmp, result.summary, written)
    return written


def _write_lists(result: RouteResult, tmp: Path, *, xlsx: bool, links: bool) -> dict[str, Any]:
    """Write the per-owner lists and ``unrouted.csv`` into ``tmp``; return their paths.

    ``links``: the map links are filled (the maps they open are written by ``extra``).
    """
    context = ListContext.from_result(result)
    ordered = result.remarks.sort_values("owner", kind="stable")
    owners = write_owner_lists([ordered], tmp / "owners", context=context, xlsx=xlsx, links=links)
    write_unrouted_list(result.remarks, tmp / "unrouted.csv", context=context, links=links)
    return {"owners": owners, "unrouted": "unrouted.csv"}


def output_dir(
    outdir: str | os.PathLike[str],
    protected: Sequence[str | os.PathLike[str]],
    *,
    overwrite: bool,
    replace_foreign: bool,
) -> contextlib.AbstractContextManager[Path]:
    """Open ``outdir`` for a run's outputs: written atomically, never one of ``protected``.

    Shared by :func:`write_outputs` and the streaming and dask engines.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "run"
    >>> with output_dir(out, [], overwrite=False, replace_foreign=False) as tmp:
    ...     _ = (tmp / "a.txt").write_text("x", encoding="utf-8")
    >>> (out / "a.txt").read_text(encoding="utf-8")
    'x'
    """
    return atomic_dir(
        Path(outdir),
        overwrite=overwrite,
        kind="route",
        protect=protected,
        replace_foreign=replace_foreign,
    )


def write_summary(tmp: Path, summary: RouteSummary, written: dict[str, Any]) -> None:
    """Write ``summary.json`` (with the outputs written so far) and record it in ``written``.

    Examples
    --------
    >>> import geomap, tempfile
    >>> r = geomap.route("data/hard_cases_synthetic.csv", owners="data/owners_synthetic.gpkg",
    ...                  registry="data/owners.toml", crs="EPSG:3011")
    >>> written = {"routed": "routed.gpkg"}
    >>> write_summary(Path(tempfile.mkdtemp()), r.summary, written)
    >>> written["summary"]
    'summary.json'
    """
    summary.outputs = written
    (tmp / "summary.json").write_text(
        json.dumps(summary.to_dict(), ensure_ascii=False, indent=2, default=str),
        encoding="utf-8",
    )
    written["summary"] = "summary.json"


def write_routed_gpkg(result: RouteResult, path: Path) -> None:
    """Write the ``routed.gpkg`` layers described in the README's output contract."""
    RoutedData.from_result(result).write(path)


def write_sorted_lists(
    directory: Path, data: RoutedData, *, xlsx: bool, links: bool, max_distance: float
) -> dict[str, Any]:
    """Write the work lists of ``directory/routed.gpkg`` from its remarks read sorted by owner.

    SQLite sorts on disk, and the lists are written owner by owner in chunks
    (:func:`geomap.routing.lists.write_owner_lists`), so memory holds about three of the largest
    owners' remarks and one batch, not the run. Returns the paths for the summary (``owners``, ``unrouted``).

    Examples
    --------
    >>> import geomap, tempfile
    >>> result = geomap.route("data/hard_cases_synthetic.csv", owners="data/owners_synthetic.gpkg",
    ...                       registry="data/owners.toml", crs="EPSG:3011")
    >>> folder = Path(tempfile.mkdtemp())
    >>> data = RoutedData.from_result(result)
    >>> _ = data.write(folder / "routed.gpkg")
    >>> sorted(write_sorted_lists(folder, data, xlsx=False, links=False, max_distance=25.0))
    ['owners', 'unrouted']
    """
    path = directory / "routed.gpkg"
    context = ListContext(
        registry=data.registry,
        parcels=_list_parcels(data),
        max_distance_m=float(max_distance),
    )
    owners = write_owner_lists(
        _sorted_batches(path, "owner IS NOT NULL ORDER BY owner, fid"),
        directory / "owners",
        context=context,
        xlsx=xlsx,
        links=links,
    )
    frames = list(_sorted_batches(path, "owner IS NULL ORDER BY fid"))
    unrouted = frames[0] if len(frames) == 1 else _concat(frames)
    write_unrouted_list(unrouted, directory / "unrouted.csv", context=context, links=links)
    return {"owners": owners, "unrouted": "unrouted.csv"}


def _list_parcels(data: RoutedData) -> Any:
    from geomap.routing.lists import _parcels

    return _parcels(data.owners)


def _sorted_batches(path: Path, where_order: str, batch_size: int = 100_000) -> Iterator[Any]:
    """Yield the remarks of ``path`` matching ``where_order`` (SQL), as frames of a batch each.

    Only the columns a list reads (:data:`~geomap.routing.lists.USED_COLUMNS`) and the
    geometry are read, so SQLite sorts and GDAL converts less.
    """
    info = pyogrio.read_info(path, layer="remarks")
    fields = [str(f) for f in info["fields"] if str(f) in USED_COLUMNS]
    columns = ", ".join(_quoted(c) for c in [info.get("geometry_name") or "geom", *fields])
    sql = f"SELECT {columns} FROM remarks WHERE {where_order}"
    with pyogrio.raw.open_arrow(
        path, sql=sql, batch_size=batch_size, use_pyarrow=True, datetime_as_string=True
    ) as (meta, reader):
        name = meta.get("geometry_name") or "geom"
        crs = meta.get("crs")
        dates = [
            f
            for f, k in zip(meta["fields"], meta["dtypes"], strict=True)
            if str(k).startswith("datetime64[")
        ]
        tables = (pa.Table.from_batches([b]) for b in reader)
        empty = True
        for table in tables:
            empty = False
            yield arrow_to_frame(table, geometry_name=name, crs=crs, datetimes=dates)
        if empty:
            yield arrow_to_frame(reader.schema.empty_table(), geometry_name=name, crs=crs)


def _quoted(name: str) -> str:
    """Return a column name as an SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def _concat(frames: list[Any]) -> Any:
    import geopandas as gpd
    import pandas as pd

    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=frames[0].crs)

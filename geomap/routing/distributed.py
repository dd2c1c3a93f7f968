"""The dask engine (``geomap route --engine dask``): route spatial partitions on a dask cluster.

The driver reads the inputs in batches with the streaming engine's readers (every per-file
decision made once), makes the remark ids unique and gives each remark its Hilbert code over
the owner layer's extent; the batches go to the workers as they are read. dask-geopandas then
sorts the remarks by that code into spatial partitions (``set_index``: a distributed shuffle).
Each partition is routed by :func:`~geomap.routing.engine.route_chunk` on a worker with a
:class:`~geomap.routing.engine.Router` of only the polygons within the partition's bounds plus
``max(tolerance, max_distance)``: every polygon that can decide a remark's owner, boundary,
nearest match or reason is there, and the layer's own extent is kept for ``outside_extent``,
so each remark is routed exactly as the local engine routes it. (dask-geopandas' ``sjoin`` is
not used: it is an inner join and has no nearest match.)

The partitions come back to the driver one at a time and are written as a partitioned
GeoParquet dataset ``routed.parquet/part-00000.parquet`` … (Hilbert order within and across
the parts, bbox covering column) and, on request, ``routed.gpkg``; the per-partition summaries
are merged. Without ``scheduler`` a :class:`distributed.LocalCluster` of two worker processes
is started for the run and shut down at its end, also on errors and Ctrl-C.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from pyproj import CRS

from geomap.core.categories import Categories
from geomap.core.crs import WORKING_CRS
from geomap.core.owners import OwnerRegistry
from geomap.core.routed import PARQUET_LAYERS, RoutedData, read_routed, write_routed_layers
from geomap.core.rules import CategoryRule
from geomap.errors import ConfigError, InputError
from geomap.io.vector import (
    BBOX_TYPE,
    arrow_to_frame,
    frame_to_arrow,
    geoparquet_metadata,
    with_bbox_column,
)
from geomap.routing.engine import Router, route_chunk
from geomap.routing.ids import IdBook
from geomap.routing.outputs import output_dir, write_summary
from geomap.routing.parquet import hilbert_of
from geomap.routing.pipeline import Input, PathLike, _with_routing
from geomap.routing.stream import (
    _OPEN_ARGUMENTS,
    _ROUTING_TYPES,
    DEFAULT_BATCH_SIZE,
    StreamResult,
    _as_schema_text,
    _pump,
    _Run,
    _write_lists,
    merge_summaries,
    open_run,
    output_schema,
)
from geomap.routing.summary import RouteSummary, summarise

__all__ = ["route_distributed"]

log = logging.getLogger(__name__)

_LOCAL_WORKERS = 2


def route_distributed(
    inputs: Input | Sequence[Input],
    outdir: PathLike,
    *,
    owners: PathLike | gpd.GeoDataFrame,
    scheduler: str | None = None,
    registry: PathLike | OwnerRegistry | None = None,
    responsibility: PathLike | gpd.GeoDataFrame | None = None,
    rules: PathLike | Sequence[CategoryRule] | None = None,
    crs: str | int | CRS | None = None,
    layer: str | int | None = None,
    owners_layer: str | int | None = None,
    owner_column: str | None = None,
    source: str | None = None,
    working_crs: str | CRS = WORKING_CRS,
    tolerance: float = 2.0,
    max_distance: float = 25.0,
    categories: Categories | None = None,
    workers: int | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    format: str = "parquet",
    bbox: tuple[float, float, float, float] | None = None,
    lists: bool = True,
    xlsx: bool = True,
    maps: Callable[[RoutedData, Path], dict[str, Any]] | None = None,
    overwrite: bool = False,
    replace_foreign: bool = False,
    protect: Sequence[PathLike] = (),
) -> StreamResult:
    """Route remarks on a dask cluster and write the outputs into ``outdir``.

    The arguments are those of :func:`geomap.routing.stream.route_to_files`, plus
    ``scheduler``: the address of a running dask scheduler (``tcp://host:8786``); without it a
    local cluster of two worker processes runs for the call. ``format`` ``parquet`` writes the
    partitioned dataset ``routed.parquet/``; ``gpkg`` and ``both`` also ``routed.gpkg``
    (written by the driver). ``workers`` is the join's threads per partition (default 1 on a
    worker, so that the worker processes share the cores). ``batch_size`` is both the size of
    the batches read and the size aimed at for a partition.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> res = route_distributed("data/trygghetsvandringar_synthetic.gpkg", out,
    ...     owners="data/owners_synthetic.gpkg", lists=False)  # doctest: +SKIP
    >>> res.summary.total  # doctest: +SKIP
    60
    """
    arguments = {k: v for k, v in locals().items() if k in _OPEN_ARGUMENTS}
    run, protected = open_run(**arguments)
    out = {"overwrite": overwrite, "replace_foreign": replace_foreign}
    with _client(scheduler) as client, output_dir(outdir, protected, **out) as tmp:
        written = _write(run, client, tmp, lists=lists, xlsx=xlsx, maps=maps, batch_size=batch_size)
    return StreamResult(summary=run.summary, written=written, registry=run.router.registry)


@contextlib.contextmanager
def _client(scheduler: str | None) -> Iterator[Any]:
    """Yield a client of ``scheduler``, or of a local cluster that lives as long as the block."""
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            client = Client(scheduler, timeout="5s")
        except (OSError, TimeoutError) as exc:
            msg = f"`scheduler`: cannot reach the dask scheduler {scheduler!r} ({exc}); check the address and that it runs"
            raise ConfigError(msg) from None
        with client:
            yield client
        return
    with (
        LocalCluster(
            n_workers=_LOCAL_WORKERS,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _write(
    run: _Run,
    client: Any,
    tmp: Path,
    *,
    lists: bool,
    xlsx: bool,
    maps: Callable[[RoutedData, Path], dict[str, Any]] | None,
    batch_size: int,
) -> dict[str, Any]:
    """Route the partitions on the cluster, write the dataset, the GeoPackage, lists and summary."""
    schema = output_schema(run.sources, run.router)
    frame, rows = _partitioned(run, client, schema, batch_size)
    dataset = tmp / "routed.parquet"
    dataset.mkdir()
    parts = _route_partitions(run, client, frame, schema, dataset)
    run.summary = merge_summaries(parts, inputs=[i for s in run.sources for i in s.infos])
    _finish_dataset(dataset, schema, run.crs)
    gpkg = run.format != "parquet" or lists or maps is not None
    written: dict[str, Any] = {
        "routed": "routed.parquet",
        "routed_parquet": "routed.parquet",
        "routed_layers": PARQUET_LAYERS,
    }
    data = run._data(tmp / "routed.gpkg")
    write_routed_layers(tmp / PARQUET_LAYERS, data)
    if gpkg:
        _pump(_dataset_tables(dataset, schema), tmp / "routed.gpkg", schema, run.crs, None, True)
        write_routed_layers(tmp / "routed.gpkg", data)
        if run.format != "parquet":
            written["routed"] = "routed.gpkg"
    if lists:
        written.update(
            _write_lists(
                tmp, data, xlsx=xlsx, links=maps is not None, max_distance=run.router.max_distance
            )
        )
    if maps is not None:
        written.update(maps(read_routed(tmp / "routed.gpkg"), tmp))
    if gpkg and run.format == "parquet":
        (tmp / "routed.gpkg").unlink()
    write_summary(tmp, run.summary, written)
    log.info("routed %d remarks in %d partitions", rows, len(parts))
    return written


def _partitioned(run: _Run, client: Any, schema: pa.Schema, batch_size: int) -> tuple[Any, int]:
    """Send the modelled batches to the workers and sort them into Hilbert partitions.

    Every batch gets the columns and types of the run's schema (the inputs' union), as the
    partitions of one dask frame must.
    """
    import dask.dataframe as dd
    import dask_geopandas

    bounds = run._bounds()
    model = pa.schema(
        [f for f in schema if f.name not in _ROUTING_TYPES]
        + [("_category_known", pa.bool_()), ("_axis_swapped", pa.bool_()), ("_hilbert", pa.int64())]
    )
    ids = IdBook()
    futures, rows = [], 0
    for source in run.sources:
        for batch in source.batches():
            if not len(batch):
                continue
            batch = batch.copy()
            batch["remark_id"] = ids.unique(batch["remark_id"])
            codes, _ = hilbert_of(pa.array(shapely.to_wkb(batch.geometry.to_numpy())), bounds)
            batch["_hilbert"] = codes.astype("int64")
            table = frame_to_arrow(_as_schema_text(batch, model), model)
            batch = arrow_to_frame(table, geometry_name="geometry", crs=run.crs.to_wkt())
            batch.index = pd.RangeIndex(rows, rows + len(batch))
            rows += len(batch)
            futures.append(client.scatter(batch))
    if not futures:
        msg = "the inputs hold no remarks; give files with at least one remark"
        raise InputError(msg)
    meta = client.submit(lambda f: f.iloc[:0], futures[0]).result()
    frame = dask_geopandas.from_dask_dataframe(
        dd.from_delayed(futures, meta=meta), geometry="geometry"
    )
    count = max(1, round(rows / batch_size))
    # P2P shuffling goes through Arrow, which holds no shapely geometries: shuffle by tasks.
    return frame.set_index("_hilbert", npartitions=count, shuffle_method="tasks"), rows


def _route_partitions(
    run: _Run, client: Any, frame: Any, schema: pa.Schema, dataset: Path
) -> list[RouteSummary]:
    """Route every partition on the cluster; write each as it comes back; return the summaries."""
    from distributed import as_completed

    router = run.router
    owners = client.scatter(run.layers[0].frame[["owner", "geometry"]], broadcast=True)
    resp = None
    if len(run.layers) > 1:
        resp = client.scatter(run.layers[1].frame[["owner", "geometry"]], broadcast=True)
    settings = _Settings(
        registry=router.registry,
        rules=router.rules,
        tolerance=router.tolerance,
        max_distance=router.max_distance,
        workers=router.workers or 1,
        bounds=router.owners.bounds,
        crs=run.crs,
        schema=schema,
    )
    parts = frame.to_delayed()
    tasks = [client.compute(p) for p in parts]
    jobs = {
        client.submit(_route_partition, t, owners, resp, settings, pure=False): i
        for i, t in enumerate(tasks)
    }
    full = _dataset_schema(schema, run.crs)
    summaries: list[RouteSummary] = []
    for job in as_completed(jobs):
        table, summary = job.result()
        if table.num_rows:
            path = dataset / f"part-{jobs[job]:05d}.parquet"
            pq.write_table(table.cast(full), path, compression="zstd")
        summaries.append(summary)
        job.release()
    return summaries


@dataclasses.dataclass(frozen=True)
class _Settings:
    """What a worker needs besides the partition and the polygons."""

    registry: OwnerRegistry
    rules: tuple[CategoryRule, ...]
    tolerance: float
    max_distance: float
    workers: int
    bounds: tuple[float, float, float, float]
    crs: CRS
    schema: pa.Schema


def _route_partition(
    part: gpd.GeoDataFrame,
    owners: gpd.GeoDataFrame,
    resp: gpd.GeoDataFrame | None,
    settings: _Settings,
) -> tuple[pa.Table, RouteSummary]:
    """Route one partition with the polygons near it (run on a worker)."""
    part = gpd.GeoDataFrame(part.reset_index(), geometry="geometry", crs=settings.crs)
    part = part.sort_values(["_hilbert", "source_file", "source_row"], kind="stable")
    reach = max(settings.tolerance, settings.max_distance) + 1.0
    near = _near(part, reach)
    router = Router.build(
        settings.registry,
        _clip(owners, near),
        responsibility=None if resp is None else _clip(resp, near),
        rules=settings.rules,
        tolerance=settings.tolerance,
        max_distance=settings.max_distance,
        workers=settings.workers,
    )
    # The layer's own extent decides outside_extent, not the clipped polygons'.
    router = dataclasses.replace(
        router, owners=dataclasses.replace(router.owners, bounds=settings.bounds)
    )
    routed = _with_routing(
        part.drop(columns=["_hilbert"]), route_chunk(part, router), settings.registry
    )
    summary = summarise(
        routed,
        registry=settings.registry,
        inputs=[],
        repaired=0,
        dropped=0,
        overlapping_polygons=0,
        working_crs=settings.crs,
        tolerance=settings.tolerance,
        max_distance=settings.max_distance,
    )
    table = with_bbox_column(
        frame_to_arrow(_as_schema_text(routed, settings.schema), settings.schema)
    )
    return table, summary


def _near(part: gpd.GeoDataFrame, reach: float) -> shapely.Geometry | None:
    """Return the partition's bounds grown by ``reach`` (None when no remark has a position)."""
    geoms = part.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    if not present.any():
        return None
    x0, y0, x1, y1 = shapely.total_bounds(geoms[present])
    return shapely.box(x0 - reach, y0 - reach, x1 + reach, y1 + reach)


def _clip(polygons: gpd.GeoDataFrame, near: shapely.Geometry | None) -> gpd.GeoDataFrame:
    """Return the polygons whose envelope meets ``near`` (none when it is None)."""
    if near is None:
        return polygons.iloc[:0]
    return polygons.iloc[np.sort(polygons.sindex.query(near))]


def _dataset_schema(schema: pa.Schema, crs: CRS) -> pa.Schema:
    """Return the schema of every part: the remarks' columns, the bbox covering, GeoParquet 1.1 ``geo``."""
    full = schema.append(pa.field("bbox", BBOX_TYPE))
    meta = geoparquet_metadata(
        full, crs_json=crs.to_json_dict(), geometry_types=["Point"], bbox=None
    )
    return full.with_metadata(meta)


def _finish_dataset(dataset: Path, schema: pa.Schema, crs: CRS) -> None:
    """Write the dataset's ``_common_metadata`` (its schema and ``geo`` metadata)."""
    pq.write_metadata(_dataset_schema(schema, crs), dataset / "_common_metadata")


def _dataset_tables(dataset: Path, schema: pa.Schema) -> Iterator[pa.Table]:
    """Yield the parts of the dataset in order, without the bbox column (for the GeoPackage)."""
    for part in sorted(dataset.glob("part-*.parquet")):
        yield pq.read_table(part).select(schema.names).cast(schema)

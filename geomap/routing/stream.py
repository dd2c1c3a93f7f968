"""The streaming engine (the default of ``geomap route``): route batch by batch in bounded memory.

:func:`route_to_files` reads each input in batches (:mod:`geomap.routing.batches`), routes every
batch with the one :class:`~geomap.routing.engine.Router`, appends it to ``routed.gpkg`` (one GDAL
write session over the stream of batches) and/or ``routed.parquet`` (optionally reading and
routing in a second thread while GDAL writes: ``overlap``), merges the per-batch summaries, and
writes the work lists from ``routed.gpkg`` read back sorted by owner. By default GDAL writes
``routed.gpkg``'s layer ``remarks`` in a child process (:class:`GpkgWriterProcess`), so that
it overlaps reading and routing on a second core (GDAL's Arrow write holds the GIL: a thread
cannot).
The remarks, their model and routing are those of :func:`geomap.route` on the same inputs.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import logging
import os
import queue
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyarrow as pa
import pyogrio.errors
import pyogrio.raw
from pyproj import CRS

from geomap.core.categories import Categories
from geomap.core.crs import WORKING_CRS, parse_working_crs
from geomap.core.owners import OwnerRegistry
from geomap.core.routed import (
    PARQUET_LAYERS,
    REMARK_COLUMNS,
    RoutedData,
    fast_gpkg_writes,
    read_routed,
    run_info,
    write_routed_layers,
)
from geomap.core.rules import CategoryRule
from geomap.errors import ConfigError
from geomap.io.vector import frame_to_arrow
from geomap.routing import readers
from geomap.routing.batches import RemarkSource, open_sources
from geomap.routing.engine import Router, route_chunk
from geomap.routing.ids import IdBook
from geomap.routing.outputs import output_dir, write_summary
from geomap.routing.parquet import HilbertParquetWriter
from geomap.routing.pipeline import (
    Input,
    PathLike,
    _check_total_width,
    _order_columns,
    _overlapping_owner_polygons,
    _with_routing,
    input_list,
    reader_options,
    router_for,
)
from geomap.routing.readers import ReadInfo
from geomap.routing.summary import RouteSummary, summarise

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "FORMATS",
    "WRITERS",
    "GpkgWriterProcess",
    "StreamResult",
    "merge_summaries",
    "output_schema",
    "route_to_files",
]

log = logging.getLogger(__name__)

#: Remarks per batch: large enough that GDAL and the join run at full speed, small enough that
#: a batch and its outputs stay well under 1 GB.
DEFAULT_BATCH_SIZE = 250_000
#: What ``routed`` may be written as.
FORMATS = ("gpkg", "parquet", "both")
#: Who writes layer ``remarks`` of ``routed.gpkg``: a child process, or this process.
WRITERS = ("process", "inline")
_ROUTING_TYPES = {
    "owner": pa.string(),
    "owner_name": pa.string(),
    "land_owner": pa.string(),
    "route_method": pa.string(),
    "distance_m": pa.float64(),
    "candidates": pa.string(),
    "flags": pa.string(),
    "reason": pa.string(),
}


@dataclass
class StreamResult:
    """What :func:`route_to_files` returns: the merged summary, the outputs, the registry."""

    summary: RouteSummary
    written: dict[str, Any]
    registry: OwnerRegistry
    seconds: dict[str, float] = field(default_factory=dict)


def route_to_files(
    inputs: Input | Sequence[Input],
    outdir: PathLike,
    *,
    owners: PathLike | gpd.GeoDataFrame,
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
    format: str = "gpkg",
    bbox: tuple[float, float, float, float] | None = None,
    lists: bool = True,
    xlsx: bool = True,
    maps: Callable[[RoutedData, Path], dict[str, Any]] | None = None,
    overwrite: bool = False,
    replace_foreign: bool = False,
    protect: Sequence[PathLike] = (),
    overlap: bool = False,
    writer: str = "process",
) -> StreamResult:
    """Route remarks batch by batch and write every output into ``outdir`` (the streaming engine).

    Parameters
    ----------
    inputs, owners, registry, responsibility, rules, crs, layer, owners_layer, owner_column, source, working_crs, tolerance, max_distance, categories, workers
        As for :func:`geomap.route`.
    outdir
        Output directory, written atomically as by :func:`geomap.routing.outputs.write_outputs`.
    batch_size
        Remarks read, routed and written at a time; memory grows with it, not with the input.
    format
        ``gpkg`` (``routed.gpkg``), ``parquet`` (``routed.parquet``, GeoParquet 1.1 with a bbox
        covering column, rows in Hilbert order) or ``both``. The lists need ``routed.gpkg``;
        with ``parquet`` and lists it is written as a temporary file and removed.
    bbox
        ``(xmin, ymin, xmax, ymax)`` in ``working_crs``: read only the remarks of vector files
        that lie in it (GDAL's spatial filter; GeoParquet: the bbox covering column). Tables
        are read whole.
    lists, xlsx
        Write the per-owner work lists (and ``unrouted.csv``), also as XLSX.
    maps
        Called with the run (read back from ``routed.gpkg``: in memory) and the temporary
        directory to write maps; returns their paths for the summary.
    overwrite, replace_foreign, protect
        As for :func:`geomap.routing.outputs.write_outputs` (``protect``: its ``inputs``).
    overlap
        Read and route the next batch in a second thread while GDAL writes the previous one in
        this process (``writer`` is then ignored). Off by default: GDAL's Arrow write holds the
        GIL, so the thread waits; it was slower in every measurement.
    writer
        ``process`` (default): GDAL writes layer ``remarks`` in a child process
        (:class:`GpkgWriterProcess`) while this one reads and routes the next batch;
        ``inline``: GDAL writes in this process, between batches. Same file either way.

    Returns
    -------
    StreamResult

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> res = route_to_files("data/trygghetsvandringar_synthetic.gpkg", out, batch_size=50,
    ...     owners="data/owners_synthetic.gpkg", registry="data/owners.toml", lists=False)
    >>> res.summary.total, sorted(res.written)
    (60, ['routed', 'summary'])
    """
    if writer not in WRITERS:
        msg = f"`writer`: got {writer!r}; use process or inline"
        raise ConfigError(msg)
    arguments = {k: v for k, v in locals().items() if k in _OPEN_ARGUMENTS}
    run, protected = open_run(**arguments)
    with output_dir(outdir, protected, overwrite=overwrite, replace_foreign=replace_foreign) as tmp:
        written = run.write(
            tmp, lists=lists, xlsx=xlsx, maps=maps, overlap=overlap, process=writer == "process"
        )
    return StreamResult(
        summary=run.summary, written=written, registry=run.router.registry, seconds=run.seconds
    )


_OPEN_ARGUMENTS = frozenset(
    {
        *("inputs", "owners", "registry", "responsibility", "rules", "crs", "layer"),
        *("owners_layer", "owner_column", "source", "working_crs", "tolerance", "max_distance"),
        *("categories", "workers", "batch_size", "format", "bbox", "protect"),
    }
)


def open_run(
    inputs: Input | Sequence[Input],
    *,
    owners: PathLike | gpd.GeoDataFrame,
    registry: PathLike | OwnerRegistry | None,
    responsibility: PathLike | gpd.GeoDataFrame | None,
    rules: PathLike | Sequence[CategoryRule] | None,
    crs: str | int | CRS | None,
    layer: str | int | None,
    owners_layer: str | int | None,
    owner_column: str | None,
    source: str | None,
    working_crs: str | CRS,
    tolerance: float,
    max_distance: float,
    categories: Categories | None,
    workers: int | None,
    batch_size: int,
    format: str,
    bbox: tuple[float, float, float, float] | None,
    protect: Sequence[PathLike],
) -> tuple[_Run, list[PathLike]]:
    """Check the arguments, build the router, open the inputs: a run ready to write.

    Returns the run and the paths OUTDIR must not be or contain (the inputs and ``protect``).
    Shared by the streaming and the dask engine; the arguments are :func:`route_to_files`'.

    Examples
    --------
    >>> run, protect = open_run("data/trygghetsvandringar_synthetic.gpkg",
    ...     owners="data/owners_synthetic.gpkg", registry=None, responsibility=None, rules=None,
    ...     crs=None, layer=None, owners_layer=None, owner_column=None, source=None,
    ...     working_crs="EPSG:3011", tolerance=2.0, max_distance=25.0, categories=None,
    ...     workers=1, batch_size=100, format="gpkg", bbox=None, protect=())
    >>> len(run.sources), protect
    (1, ['data/trygghetsvandringar_synthetic.gpkg'])
    """
    arguments = dict(locals())
    _check_format(format, batch_size)
    target = parse_working_crs(working_crs)
    items = input_list(inputs)
    router, layers = router_for(arguments, target)
    options = reader_options(arguments, target)
    sources = open_sources(items, **options, batch_size=batch_size, bbox=bbox)
    protected = [i.path for s in sources for i in s.infos if not i.path.startswith("<")]
    run = _Run(router=router, layers=layers, crs=target, sources=sources, format=format)
    return run, [*protected, *protect]


def _check_format(format: str, batch_size: int) -> None:
    """Refuse a ``format`` not in :data:`FORMATS` and a ``batch_size`` below 1."""
    if format not in FORMATS:
        msg = f"`format`: got {format!r}; use gpkg, parquet or both"
        raise ConfigError(msg)
    if not isinstance(batch_size, int) or batch_size < 1:
        msg = f"`batch_size`: got {batch_size!r}; use a whole number of remarks, 1 or more"
        raise ConfigError(msg)


@dataclass
class _Run:
    """One streaming run: the router, the open sources, and what the batches add up to."""

    router: Router
    layers: list[Any]
    crs: CRS
    sources: list[RemarkSource]
    format: str
    summary: RouteSummary = field(init=False)
    seconds: dict[str, float] = field(default_factory=dict)

    def write(
        self,
        tmp: Path,
        *,
        lists: bool,
        xlsx: bool,
        maps: Callable[[RoutedData, Path], dict[str, Any]] | None,
        overlap: bool,
        process: bool = False,
    ) -> dict[str, Any]:
        """Route every batch into ``tmp``, then write the other layers, lists, maps, summary."""
        gpkg = self.format in ("gpkg", "both") or lists or maps is not None
        schema = output_schema(self.sources, self.router)
        parts: list[RouteSummary] = []

        def tables() -> Iterator[pa.Table]:  # read, route, count, turn into Arrow
            for routed in self._routed_batches():
                with self._clock("summary_arrow"):
                    parts.append(self._count(routed))
                    table = frame_to_arrow(_as_schema_text(routed, schema), schema)
                yield table

        parquet = None
        if self.format != "gpkg":
            parquet = HilbertParquetWriter(
                tmp / "routed.parquet", schema, crs=self.crs, bounds=self._bounds()
            )
        with self._clock("remarks_layer"):  # everything above plus GDAL's write
            target = tmp / "routed.gpkg" if gpkg else None
            _pump(tables(), target, schema, self.crs, parquet, overlap, process=process)
        infos = [i for s in self.sources for i in s.infos]
        self.summary = merge_summaries(parts, inputs=infos)
        data = self._data(tmp / "routed.gpkg")
        written = self._later_outputs(tmp, data, gpkg=gpkg, lists=lists, xlsx=xlsx, maps=maps)
        write_summary(tmp, self.summary, written)
        return written

    def _later_outputs(
        self,
        tmp: Path,
        data: RoutedData,
        *,
        gpkg: bool,
        lists: bool,
        xlsx: bool,
        maps: Callable[[RoutedData, Path], dict[str, Any]] | None,
    ) -> dict[str, Any]:
        """Write the other layers, the lists and the maps once layer ``remarks`` is complete."""
        written: dict[str, Any] = {}
        with self._clock("other_layers"):
            if gpkg:
                write_routed_layers(tmp / "routed.gpkg", data)
            if self.format != "gpkg":
                write_routed_layers(tmp / PARQUET_LAYERS, data)
                written["routed_parquet"] = "routed.parquet"
                written["routed_layers"] = PARQUET_LAYERS
        written["routed"] = "routed.parquet" if self.format == "parquet" else "routed.gpkg"
        if lists:
            with self._clock("lists"):
                written.update(
                    _write_lists(
                        tmp,
                        data,
                        xlsx=xlsx,
                        links=maps is not None,
                        max_distance=self.router.max_distance,
                    )
                )
        if maps is not None:
            with self._clock("maps"):
                written.update(maps(read_routed(tmp / "routed.gpkg"), tmp))
        if self.format == "parquet" and gpkg:
            (tmp / "routed.gpkg").unlink()
        return written

    def _routed_batches(self) -> Iterator[gpd.GeoDataFrame]:
        ids = IdBook()
        for source in self.sources:
            batches = source.batches()
            while True:
                with self._clock("read_model"):
                    batch = next(batches, None)
                if batch is None:
                    break
                if not len(batch):
                    continue
                with self._clock("route"):
                    batch = batch.copy()
                    batch["remark_id"] = ids.unique(batch["remark_id"])
                    routed = _with_routing(
                        batch, route_chunk(batch, self.router), self.router.registry
                    )
                yield routed

    @contextlib.contextmanager
    def _clock(self, name: str) -> Iterator[None]:
        """Add the block's wall time to ``seconds[name]`` (where the time goes, for the bench)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - start

    def _count(self, routed: gpd.GeoDataFrame) -> RouteSummary:
        return summarise(
            routed,
            registry=self.router.registry,
            inputs=[],
            repaired=sum(x.repaired for x in self.layers),
            dropped=sum(x.dropped_empty for x in self.layers),
            overlapping_polygons=0,
            working_crs=self.crs,
            tolerance=self.router.tolerance,
            max_distance=self.router.max_distance,
        )

    def _bounds(self) -> tuple[float, float, float, float]:
        x0, y0, x1, y1 = self.layers[0].frame.total_bounds
        reach = self.router.max_distance
        return (x0 - reach, y0 - reach, x1 + reach, y1 + reach)

    def _data(self, path: Path) -> RoutedData:
        self.summary.overlapping_polygons = _overlapping_owner_polygons(self.router.owners)
        self.summary.repaired_polygons = sum(x.repaired for x in self.layers)
        self.summary.dropped_polygons = sum(x.dropped_empty for x in self.layers)
        empty = gpd.GeoDataFrame({c: [] for c in REMARK_COLUMNS}, geometry=[], crs=self.crs)
        resp = self.layers[1].frame if len(self.layers) > 1 else None
        return RoutedData(
            remarks=empty,
            owners=self.layers[0].frame,
            registry=self.router.registry,
            run_info=run_info(self.router.registry, self.summary),
            path=path,
            responsibility=resp,
        )


def output_schema(sources: Sequence[RemarkSource], router: Router) -> pa.Schema:
    """Return the Arrow schema of layer ``remarks``: the union of the inputs' columns, in route's order.

    A column whose type differs between inputs is text (as :func:`geomap.route` makes it); an
    input column keeps the type its file declares (an integer column with gaps stays integer).

    Examples
    --------
    >>> run, _ = open_run("data/trygghetsvandringar_synthetic.gpkg",
    ...     owners="data/owners_synthetic.gpkg", registry=None, responsibility=None, rules=None,
    ...     crs=None, layer=None, owners_layer=None, owner_column=None, source=None,
    ...     working_crs="EPSG:3011", tolerance=2.0, max_distance=25.0, categories=None,
    ...     workers=1, batch_size=100, format="gpkg", bbox=None, protect=())
    >>> output_schema(run.sources, run.router).names[:3]
    ['remark_id', 'source', 'category']
    """
    heads = [s.head.iloc[:0] for s in sources]
    for head in heads:
        for name in _ROUTING_TYPES:
            head[name] = pd.Series(dtype="float64" if name == "distance_m" else object)
    combined = readers.concat_frames(heads) if len(heads) > 1 else heads[0]
    _check_total_width(combined, [i for s in sources for i in s.infos])
    ordered = _order_columns(
        combined.drop(columns=["_category_known", "_axis_swapped"], errors="ignore")
    )
    fields = []
    for name in ordered.columns:
        if name == ordered.geometry.name:
            fields.append(pa.field("geometry", pa.binary()))
            continue
        fields.append(pa.field(name, _column_type(name, sources, combined)))
    return pa.schema(fields)


def _column_type(name: str, sources: Sequence[RemarkSource], combined: pd.DataFrame) -> pa.DataType:
    if name in _ROUTING_TYPES:
        return _ROUTING_TYPES[name]
    declared = {str(s.arrow_types[name]) for s in sources if name in s.arrow_types}
    dtypes = {str(s.head[name].dtype) for s in sources if name in s.head.columns}
    if len(dtypes) > 1 or len(declared) > 1:
        return pa.string()
    if declared:
        kind = next(s.arrow_types[name] for s in sources if name in s.arrow_types)
        if pa.types.is_large_string(kind):
            return pa.string()
        return kind
    kind = pa.Schema.from_pandas(combined[[name]], preserve_index=False).field(name).type
    return pa.string() if pa.types.is_null(kind) or pa.types.is_large_string(kind) else kind


def _pump(
    tables: Iterator[pa.Table],
    gpkg: Path | None,
    schema: pa.Schema,
    crs: CRS,
    parquet: HilbertParquetWriter | None,
    overlap: bool,
    *,
    process: bool = False,
) -> None:
    """Write the tables to ``gpkg`` (one GDAL session over the whole stream) and ``parquet``.

    With ``overlap`` the tables are made in a second thread while GDAL writes the one before
    (a queue of two); an error on either side ends both and is raised here. With ``process``
    (and not ``overlap``) GDAL writes in a child process (:class:`GpkgWriterProcess`) while
    this one reads and routes the next batch.
    """
    feed = _Feed(tables) if overlap else None
    process = process and not overlap
    held: list[BaseException] = []
    stream = _guarded(feed.items() if feed is not None else tables, held)
    if parquet is not None:
        stream = _tee(stream, parquet.write)
    try:
        if gpkg is not None and process:
            with GpkgWriterProcess(gpkg, schema, crs) as child:
                for table in stream:
                    child.write(table)
        elif gpkg is not None:
            _write_remarks_layer(
                pa.RecordBatchReader.from_batches(schema, _batches(stream)), gpkg, crs.to_wkt()
            )
        else:
            for _ in stream:
                pass
    except Exception:
        _raise_first(feed, held)
        raise
    finally:
        if feed is not None:
            feed.stop()
    _raise_first(feed, held)
    if parquet is not None:
        parquet.close()


class GpkgWriterProcess:
    """Write layer ``remarks`` of a fresh GeoPackage in a child process, fed Arrow tables.

    GDAL's Arrow write (``OGR_L_WriteArrowBatch``) holds the GIL, so a thread cannot overlap it
    with reading and routing; a child process can. The tables go to the child as an Arrow IPC
    stream over a pipe; the child writes them with :func:`pyogrio.raw.write_arrow` under
    :func:`~geomap.core.routed.fast_gpkg_writes`. The child ignores SIGINT and dies with this
    process (``PR_SET_PDEATHSIG``); leaving the block by an exception kills it. A failure in
    the child is raised here as the error the in-process write would raise (GDAL's or the
    system's), so the caller words it the same way.

    Examples
    --------
    >>> import tempfile, pathlib, pyogrio, shapely
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "routed.gpkg"
    >>> schema = pa.schema([("id", pa.int64()), ("geometry", pa.binary())])
    >>> table = pa.table({"id": [1], "geometry": [shapely.Point(1, 2).wkb]}, schema=schema)
    >>> with GpkgWriterProcess(path, schema, CRS.from_epsg(3011)) as child:
    ...     child.write(table)
    >>> pyogrio.read_info(path, layer="remarks")["features"]
    1
    """

    def __init__(self, path: Path, schema: pa.Schema, crs: CRS) -> None:
        self.path = path
        self.schema = schema
        self.crs = crs

    def __enter__(self) -> GpkgWriterProcess:
        """Start the child and open the stream to it."""
        self.errors = tempfile.TemporaryFile()  # not a pipe: a chatty child must never block
        args = [str(self.path), self.crs.to_wkt(), str(os.getpid())]
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD, *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self.errors,
            bufsize=0,
        )
        assert self.proc.stdin is not None
        with contextlib.suppress(ImportError, OSError, AttributeError):  # Linux: a larger pipe
            import fcntl

            fcntl.fcntl(self.proc.stdin.fileno(), fcntl.F_SETPIPE_SZ, 1 << 20)
        try:
            self.sink = pa.ipc.new_stream(self.proc.stdin, self.schema)
        except BaseException:
            self._stop(kill=True)
            raise
        return self

    def write(self, table: pa.Table) -> None:
        """Send one table to the child (blocks while the child is a table behind)."""
        try:
            self.sink.write_table(table)
        except OSError:  # the child ended (BrokenPipeError): raise why
            self._stop(kill=False)
            raise

    def __exit__(self, kind: type[BaseException] | None, *rest: object) -> None:
        """End the stream and wait for the child; on an error in the block, kill it."""
        if kind is not None:
            self._stop(kill=True)
            return
        with contextlib.suppress(OSError):  # the child ended early: _stop raises its error
            self.sink.close()
        self._stop(kill=False)

    def _stop(self, *, kill: bool) -> None:
        """Wait for the child (killed first if ``kill``); raise its error if it failed."""
        if self.errors.closed:  # stopped already
            return
        if kill:
            self.proc.kill()
        with contextlib.suppress(OSError):
            assert self.proc.stdin is not None
            self.proc.stdin.close()
        code = self.proc.wait()
        self.errors.seek(0)
        text = self.errors.read().decode("utf-8", errors="replace")
        self.errors.close()
        if code != 0 and not kill:
            raise _child_error(self.path, code, text)


def _child_error(path: Path, code: int, text: str) -> Exception:
    """Return the error the child reported on its last line of stderr (``Kind<TAB>message``)."""
    lines = [line for line in text.splitlines() if line.strip()]
    kind, _, message = (lines[-1] if lines else "").partition("\t")
    if kind == "OSError":
        return OSError(message)
    if kind == "DataLayerError":
        return pyogrio.errors.DataLayerError(message)
    if code < 0:
        message = f"{path}: the GeoPackage writer process was stopped by signal {-code}"
    elif kind != "DataSourceError":
        message = f"{path}: the GeoPackage writer process failed ({(lines or ['no message'])[-1]})"
    return pyogrio.errors.DataSourceError(message)


#: The child of :class:`GpkgWriterProcess`; ``argv``: the GeoPackage, the CRS, the parent's pid.
_CHILD = "from geomap.routing.stream import _write_stdin; _write_stdin()"


def _write_remarks_layer(reader: Any, path: Path | str, crs_wkt: str) -> None:
    """Write the Arrow stream ``reader`` as layer ``remarks`` of the fresh GeoPackage ``path``.

    The one GDAL write session of the streaming engine, in this process or in the writer's child.
    """
    with fast_gpkg_writes():
        pyogrio.raw.write_arrow(
            reader,
            path,
            layer="remarks",
            driver="GPKG",
            geometry_name="geometry",
            geometry_type="Point",
            crs=crs_wkt,
        )


def _write_stdin() -> None:
    """Write the Arrow IPC stream on stdin as layer ``remarks`` (in the child process)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the parent, which stops us
    with contextlib.suppress(AttributeError, OSError, TypeError):  # Linux only
        ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: die with the parent
    path, crs, parent = sys.argv[1:4]
    if os.getppid() != int(parent):  # the parent died before prctl
        sys.exit(3)
    try:
        _write_remarks_layer(pa.ipc.open_stream(sys.stdin.buffer), path, crs)
    except Exception as exc:  # reported to the parent, which raises it
        text = " ".join(str(exc).split())
        sys.stderr.write(f"\n{type(exc).__name__}\t{text}\n")
        sys.exit(1)


def _guarded(tables: Iterator[pa.Table], held: list[BaseException]) -> Iterator[pa.Table]:
    """Yield the tables; an error ends the stream and is kept in ``held`` (GDAL would hide it)."""
    try:
        yield from tables
    except BaseException as exc:  # raised again by _raise_first, outside GDAL's stream
        held.append(exc)


def _raise_first(feed: _Feed | None, held: list[BaseException]) -> None:
    """Raise the error that ended the stream (the reading thread's, or the generator's)."""
    if feed is not None and feed.error is not None:
        raise feed.error
    if held:
        raise held[0]


def _batches(tables: Iterator[pa.Table]) -> Iterator[pa.RecordBatch]:
    for table in tables:
        yield from table.to_batches()


def _tee(tables: Iterator[pa.Table], write: Callable[[pa.Table], None]) -> Iterator[pa.Table]:
    for table in tables:
        write(table)
        yield table


class _Feed:
    """Run a generator in a thread, handing its items over through a queue of two."""

    def __init__(self, source: Iterator[pa.Table]) -> None:
        self.source = source
        self.queue: queue.Queue[object] = queue.Queue(maxsize=2)
        self.error: BaseException | None = None
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name="geomap-reader", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            for item in self.source:
                while not self.stopped.is_set():
                    try:
                        self.queue.put(item, timeout=0.2)
                        break
                    except queue.Full:
                        continue
                if self.stopped.is_set():
                    return
        except BaseException as exc:  # raised in the consuming thread
            self.error = exc
        finally:
            self._put_end()

    def _put_end(self) -> None:
        while not self.stopped.is_set():
            try:
                self.queue.put(_END, timeout=0.2)
                return
            except queue.Full:
                continue

    def items(self) -> Iterator[pa.Table]:
        """Yield the items until the generator ends (or fails: then :attr:`error` is set)."""
        while (item := self.queue.get()) is not _END:
            yield item

    def stop(self) -> None:
        """Tell the thread to stop and wait for it."""
        self.stopped.set()
        self.thread.join()


_END = object()


def _as_schema_text(routed: gpd.GeoDataFrame, schema: pa.Schema) -> gpd.GeoDataFrame:
    """Turn the columns the schema holds as text, but the batch does not, into text."""
    changes = {}
    for f in schema:
        if f.name in routed.columns and pa.types.is_string(f.type):
            column = routed[f.name]
            if not (
                pd.api.types.is_object_dtype(column.dtype)
                or pd.api.types.is_string_dtype(column.dtype)
            ):
                changes[f.name] = readers._as_text(column)
    return routed.assign(**changes) if changes else routed


def merge_summaries(parts: Sequence[RouteSummary], *, inputs: list[ReadInfo]) -> RouteSummary:
    """Add up the summaries of the batches of one run (counts summed, period widened).

    Examples
    --------
    >>> import geomap
    >>> r = geomap.route("data/hard_cases_synthetic.csv", owners="data/owners_synthetic.gpkg",
    ...                  registry="data/owners.toml", crs="EPSG:3011")
    >>> merge_summaries([r.summary, r.summary], inputs=r.inputs).total
    40
    """
    if not parts:
        msg = "`parts`: no batch summaries to merge; route at least one remark"
        raise ConfigError(msg)
    out = dataclasses.replace(parts[0], counts={}, unknown_categories={})
    sums = (
        *("total", "unrouted", "boundary", "overlap", "outside_extent", "missing_geometry"),
        *("protocol_owner_differs", "axis_swapped"),
    )
    for name in sums:
        setattr(out, name, sum(getattr(p, name) for p in parts))
    for part in parts:
        for owner, methods in part.counts.items():
            row = out.counts.setdefault(owner, {})
            for method, n in methods.items():
                row[method] = row.get(method, 0) + n
        for category, n in part.unknown_categories.items():
            out.unknown_categories[category] = out.unknown_categories.get(category, 0) + n
    out.unknown_categories = dict(sorted(out.unknown_categories.items(), key=lambda kv: -kv[1]))
    starts = [p.period_start for p in parts if p.period_start]
    ends = [p.period_end for p in parts if p.period_end]
    out.period_start = min(starts) if starts else None
    out.period_end = max(ends) if ends else None
    out.axis_swapped_files = [i.path for i in inputs if i.axis_swapped]
    out.inputs = [dataclasses.asdict(i) for i in inputs]
    out.warnings = [w for i in inputs for w in i.warnings]
    return out


def _write_lists(
    tmp: Path, data: RoutedData, *, xlsx: bool, links: bool, max_distance: float
) -> dict[str, Any]:
    """Write the work lists from ``routed.gpkg`` read back sorted by owner (bounded memory)."""
    from geomap.routing.outputs import write_sorted_lists

    return write_sorted_lists(tmp, data, xlsx=xlsx, links=links, max_distance=max_distance)

"""Remark files as a stream of modelled batches, with every per-file decision made once.

A vector file (GeoPackage, FlatGeobuf, Shapefile, GeoJSON, GeoParquet …) is read in Arrow
record batches. What :func:`geomap.routing.readers.read_remarks` and
:func:`geomap.core.remarks.build_remarks` decide for a whole file is decided once here, so that
the batches together give exactly the remarks of reading the file at once:

- the CRS (and a `crs` given for a file in degrees that are not degrees) and swapped axes: from
  the first batch, then applied to every batch;
- the model fields: a column counts as filled when it holds a value anywhere in the file (the
  columns empty in the first batch that could be a field are scanned on their own);
- the dates: when the date column holds only values the date parser reads one by one (ISO
  text, typed dates, numbers), each batch is parsed on its own; otherwise (slash dates, numeric
  text: their reading is decided for the whole column) the column is read and parsed once;
- the warnings: a vector file's warnings are given once, when its last batch has been read,
  with what the whole file holds (invalid dates and times, remarks that are not points, counted
  over every batch with their source rows): the texts, in the order, of reading it at once.

Tables (CSV, XLSX), frames and earlier routed files are read at once (as :func:`geomap.route`
reads them) and then cut into batches: Excel exports are small, and their per-file decisions
(encoding, delimiter, coordinate columns, CRS from values) need the whole table.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import shapely
from pyproj import CRS, Transformer

from geomap.core.categories import Categories
from geomap.core.dates import DateResult, InvalidValues, merge_invalid, parse_timestamps
from geomap.core.remarks import (
    ROUTED_MARKERS,
    build_remarks,
    remark_fields,
    safe_column_names,
)
from geomap.errors import InputError
from geomap.io.tables import TABLE_SUFFIXES
from geomap.io.vector import ArrowBatches, arrow_to_frame, open_batches
from geomap.routing import readers
from geomap.routing.readers import ReadInfo

__all__ = ["RemarkSource", "open_sources"]

log = logging.getLogger(__name__)

_PROVENANCE = ("source_file", "source_row")
#: Text the date parser reads by a rule decided for the whole column (slash dates, numbers).
_COLUMN_WIDE = r"/|^\s*[+-]?\d+([.,]\d+)?\s*$"


@dataclass
class RemarkSource:
    """One input as modelled batches: ``head`` (the first batch), then ``rest``."""

    infos: list[ReadInfo]
    head: gpd.GeoDataFrame
    rest: Iterator[gpd.GeoDataFrame]
    arrow_types: dict[str, pa.DataType]

    def batches(self) -> Iterator[gpd.GeoDataFrame]:
        """Yield every batch, the head first."""
        yield self.head
        yield from self.rest


class _QuietInfo(ReadInfo):
    """A :class:`ReadInfo` for the later batches: what the first batch said is not said again."""

    def warn(self, message: str) -> None:
        """Drop ``message`` (the first batch gave it)."""


class _HeldInfo(ReadInfo):
    """A :class:`ReadInfo` whose warnings are kept, to be given when the whole file is read."""

    def warn(self, message: str) -> None:
        """Record ``message`` (logged by :meth:`_FilePlan.finish`)."""
        self.warnings.append(message)


def open_sources(
    items: Sequence[object],
    *,
    crs: str | int | CRS | None,
    layer: str | int | None,
    working_crs: CRS,
    categories: Categories,
    source: str | None,
    batch_size: int,
    bbox: tuple[float, float, float, float] | None = None,
) -> list[RemarkSource]:
    """Open every input as a :class:`RemarkSource` (a file given twice is read once, as in route).

    ``bbox`` (in ``working_crs``) keeps, for vector files, the remarks that lie in it.

    Examples
    --------
    >>> from geomap.core.categories import load_categories
    >>> srcs = open_sources(["data/trygghetsvandringar_synthetic.gpkg"], crs=None, layer=None,
    ...     working_crs=CRS(3011), categories=load_categories(), source=None, batch_size=25)
    >>> len(srcs[0].head), srcs[0].infos[0].crs
    (25, 'EPSG:3006')
    """
    from geomap.routing.pipeline import _read_one, _repeated_files

    repeats = _repeated_files(items)
    out = []
    for position, item in enumerate(items):
        if position in repeats:
            continue
        notes = [again[1] for again in repeats.values() if again[0] == position]
        kwargs: dict[str, Any] = {
            "categories": categories,
            "source": source,
            "batch_size": batch_size,
        }
        if isinstance(item, str | os.PathLike) and _streamable(Path(item), layer):
            made = _vector_source(
                Path(item), crs=crs, layer=layer, working_crs=working_crs, bbox=bbox, **kwargs
            )
            for note in notes:
                made.infos[0].warn(note)  # held: given after the reader's, before the model's
        else:
            held = _HeldRecords()
            with held.holding():  # given when the source's batches are routed, in input order
                frame, info = _read_one(
                    item,
                    position=position,
                    count=len(items),
                    crs=crs,
                    layer=layer,
                    working_crs=working_crs,
                )
                for note in notes:
                    info.warn(note)
                made = _whole_source(frame, info, **kwargs)
            made.rest = held.after(made.rest)
        out.append(made)
    return out


class _HeldRecords(logging.Filter):
    """Hold back geomap's warnings while a table is read, to give them when it has been routed."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self._giving = False

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep warnings (and worse) for :meth:`after`; let the rest (and the held ones) through."""
        if record.levelno < logging.WARNING or self._giving:
            return True
        self.records.append(record)
        return False

    @contextlib.contextmanager
    def holding(self) -> Iterator[None]:
        """Hold the warnings of every geomap logger within the block."""
        loggers = [
            lg
            for name, lg in logging.Logger.manager.loggerDict.items()
            if name.startswith("geomap.") and isinstance(lg, logging.Logger)
        ]
        for lg in loggers:
            lg.addFilter(self)
        try:
            yield
        except BaseException:
            self._give()  # the file's warnings before its error, as when read at once
            raise
        finally:
            for lg in loggers:
                lg.removeFilter(self)

    def after(self, batches: Iterator[gpd.GeoDataFrame]) -> Iterator[gpd.GeoDataFrame]:
        """Yield ``batches``, then give the warnings held."""
        yield from batches
        self._give()

    def _give(self) -> None:
        records, self.records = self.records, []
        self._giving = True  # the filter may still be attached (an error inside the block)
        try:
            for record in records:
                logging.getLogger(record.name).handle(record)
        finally:
            self._giving = False


def _streamable(path: Path, layer: str | int | None) -> bool:
    """Vector files that are not an earlier run's output (those are modelled per original file)."""
    if not path.exists() or path.suffix.lower() in TABLE_SUFFIXES:
        return False
    try:
        with open_batches(path, layer=layer, batch_size=1, what="remark file") as stream:
            names = set(stream.schema.names)
    except InputError:
        return False  # read at once, where the error is worded as always
    return not names >= ROUTED_MARKERS | set(_PROVENANCE)


def _whole_source(
    frame: gpd.GeoDataFrame,
    info: ReadInfo,
    *,
    categories: Categories,
    source: str | None,
    batch_size: int,
) -> RemarkSource:
    """Return a table, frame or routed file read at once, modelled per file, then cut into batches."""
    from geomap.routing.pipeline import _per_file, model_file

    parts = [
        (model_file(p, i, categories=categories, source=source), i)
        for p, i in _per_file(frame, info)
    ]
    models = [m for m, _ in parts]
    model = models[0] if len(models) == 1 else readers.concat_frames(models)
    pieces = [model.iloc[i : i + batch_size] for i in range(0, max(len(model), 1), batch_size)]
    return RemarkSource([i for _, i in parts], pieces[0], iter(pieces[1:]), {})


def _vector_source(
    path: Path,
    *,
    crs: str | int | CRS | None,
    layer: str | int | None,
    working_crs: CRS,
    bbox: tuple[float, float, float, float] | None,
    categories: Categories,
    source: str | None,
    batch_size: int,
) -> RemarkSource:
    """Open a vector file: read and model its first batch, decide for the file, stream the rest."""
    given = readers.parse_crs(crs) if crs is not None else None
    info = _HeldInfo(path=str(path), rows=0, crs="")
    stack = contextlib.ExitStack()
    stream = stack.enter_context(
        open_batches(
            path,
            layer=layer,
            batch_size=batch_size,
            what="remark file",
            bbox=_layer_bbox(path, layer, bbox, working_crs),
        )
    )
    first = next(stream.batches, None)
    table = first if first is not None else stream.schema.empty_table()
    if not stream.geometry_name or stream.geometry_name not in table.column_names:
        stack.close()
        raise readers.no_geometry_error(path)
    raw = arrow_to_frame(
        table, geometry_name=stream.geometry_name, crs=stream.crs, datetimes=stream.datetimes
    )
    points = readers._vector_points(raw, where=str(path), crs=given, info=info)
    plan = _FilePlan(
        path=path,
        layer=layer,
        crs=CRS(points.crs),
        swapped=info.axis_swapped,
        target=working_crs,
        bbox=_layer_bbox(path, layer, bbox, working_crs),
    )
    head_non_points = plan.count_non_points(raw)
    # the reader's non-point warning comes before its swapped-axes warning (if any)
    plan.point_note = len(info.warnings) - int(info.axis_swapped) - int(head_non_points > 0)
    plan.head_non_points = head_non_points > 0
    head = readers._finish(points, info, label=path.name, target=working_crs)
    plan.fields(head, raw, batch_size)
    info.fields = plan.model_fields
    plan.dates(info)
    model = plan.model(head, info, categories=categories, source=source, first=True)
    info.rows, info.missing_geometry = len(head), info.missing_geometry
    types = {f.name: f.type for f in stream.schema if f.name != stream.geometry_name}
    rest = _later_batches(stream, plan, info, stack, categories=categories, source=source)
    return RemarkSource([info], model, rest, types)


def _layer_bbox(
    path: Path,
    layer: str | int | None,
    bbox: tuple[float, float, float, float] | None,
    working_crs: CRS,
) -> tuple[float, float, float, float] | None:
    """``bbox`` (working CRS) in the CRS of the file's layer, for GDAL's spatial filter."""
    if bbox is None:
        return None
    with open_batches(path, layer=layer, batch_size=1, what="remark file") as stream:
        crs = stream.crs
    if crs is None or CRS(crs) == working_crs:
        return bbox
    return Transformer.from_crs(working_crs, CRS(crs), always_xy=True).transform_bounds(*bbox)


def _later_batches(
    stream: ArrowBatches,
    plan: _FilePlan,
    info: ReadInfo,
    stack: contextlib.ExitStack,
    *,
    categories: Categories,
    source: str | None,
) -> Iterator[gpd.GeoDataFrame]:
    """Read, place and model the batches after the first with the file's decisions."""
    with stack:
        for table in stream.batches:
            raw = arrow_to_frame(
                table,
                geometry_name=stream.geometry_name,
                crs=stream.crs,
                datetimes=stream.datetimes,
            )
            quiet = _QuietInfo(
                path=info.path, rows=len(raw), crs=info.crs, axis_swapped=plan.swapped
            )
            plan.count_non_points(raw)
            points = plan.place(raw, quiet)
            rows = np.arange(info.rows + 1, info.rows + len(raw) + 1, dtype="int64")
            batch = readers._finish(
                points, quiet, label=plan.path.name, target=plan.target, rows=rows
            )
            yield plan.model(batch, quiet, categories=categories, source=source, first=False)
            info.rows += len(raw)
            info.missing_geometry += quiet.missing_geometry
        plan.finish(info)


@dataclass
class _FilePlan:
    """The decisions made once for a vector file, applied to each of its batches."""

    path: Path
    layer: str | int | None
    crs: CRS
    swapped: bool
    target: CRS
    bbox: tuple[float, float, float, float] | None
    model_fields: dict[str, str] = dataclasses.field(default_factory=dict)
    stamps: np.ndarray | None = None
    date_notes: list[str] = dataclasses.field(default_factory=list)
    invalid: list[InvalidValues] = dataclasses.field(default_factory=list)
    model_notes: list[str] = dataclasses.field(default_factory=list)
    non_points: int = 0
    kinds: set[str] = dataclasses.field(default_factory=set)
    point_note: int = 0
    head_non_points: bool = False

    def count_non_points(self, raw: gpd.GeoDataFrame) -> int:
        """Count the batch's remarks that are not points (the reader places them), with their kinds."""
        geoms = raw.geometry.to_numpy()
        types = shapely.get_type_id(geoms)
        non_point = (types != 0) & (types != -1) & ~shapely.is_empty(geoms)
        count = int(non_point.sum())
        if count:
            self.non_points += count
            self.kinds |= {str(t) for t in raw.geometry[non_point].geom_type.unique()}
        return count

    def finish(self, info: ReadInfo) -> None:
        """Give the file's warnings, as reading it at once gives them, and keep them in ``info``.

        The reader's (the first batch's, with the remarks that are not points counted over the
        file), then the model's renamed columns, then the dates' (invalid values of every batch).
        """
        notes = list(info.warnings)
        if self.non_points:
            note = readers.non_point_note(str(self.path), self.non_points, self.kinds)
            if self.head_non_points:
                notes[self.point_note] = note
            else:
                notes.insert(self.point_note, note)
        if self.stamps is not None:
            dates = self.date_notes
        else:
            dates = [v.note() for v in merge_invalid(self.invalid)]
        info.warnings[:] = [*notes, *self.model_notes, *dates]
        for note in info.warnings:
            log.warning("%s", note)

    def place(self, raw: gpd.GeoDataFrame, info: ReadInfo) -> gpd.GeoDataFrame:
        """Points of a later batch in the file's CRS, axes swapped as the first batch decided."""
        where = str(self.path)
        frame = raw.set_crs(self.crs, allow_override=True)
        frame = readers._to_points(frame, where, info)
        readers._refuse_wrong_degrees(frame, where)
        if self.swapped:
            frame = frame.set_geometry(readers._swap(frame.geometry.to_numpy()), crs=frame.crs)
        info.crs = readers._crs_name(frame.crs)
        return frame

    def fields(self, head: gpd.GeoDataFrame, raw: gpd.GeoDataFrame, batch_size: int) -> None:
        """Find the model fields among the columns filled anywhere in the file."""
        values = [c for c in head.columns if c != head.geometry.name]
        filled = {c for c in values if head[c].notna().any()}
        empty = [c for c in values if c not in filled and remark_fields([c])]
        if empty and len(raw) >= batch_size:
            renames = safe_column_names(
                [c for c in raw.columns if c != raw.geometry.name],
                reserved=(*_PROVENANCE, "_axis_swapped"),
            )
            back = {new: old for old, new in renames.items()}
            found = _filled_columns(
                self.path, self.layer, [back.get(c, c) for c in empty], self.bbox
            )
            filled |= {c for c in empty if back.get(c, c) in found}
        self.model_fields = remark_fields(c for c in values if c in filled)

    def dates(self, info: ReadInfo) -> None:
        """Parse the date column once for the file when its reading is decided column-wide."""
        field = "timestamp" if "timestamp" in self.model_fields else "walk_date"
        column = self.model_fields.get(field)
        if column is None:
            return
        time = self.model_fields.get("time")
        names = [column] + ([time] if time else [])
        table = _read_columns(self.path, self.layer, names, self.bbox)
        if _one_by_one(table.column(column)):
            return
        frame = table.to_pandas()
        with _quiet_logs():  # given by finish, in the file's order
            result = parse_timestamps(
                frame[column],
                frame[time] if time else None,
                where=info.path,
                column=column,
                time_column=time or "",
                rows=np.arange(1, len(frame) + 1),
            )
        self.stamps = result.timestamps.to_numpy()
        self.date_notes = list(result.warnings)

    def model(
        self,
        batch: gpd.GeoDataFrame,
        info: ReadInfo,
        *,
        categories: Categories,
        source: str | None,
        first: bool,
    ) -> gpd.GeoDataFrame:
        """Build the remark model of one batch with the file's fields (and dates).

        Its warnings are kept for :meth:`finish`: the renamed columns of the first batch, the
        invalid dates and times of each (parsed per batch) or of the file (parsed at once).
        """
        notes: list[str] = []
        dates: list[DateResult] = []
        with _quiet_logs():
            model = build_remarks(
                batch,
                categories=categories,
                source=source,
                fields=self.model_fields,
                where=info.path,
                warnings=notes,
                dates=dates,
            )
        if self.stamps is not None:
            rows = batch["source_row"].to_numpy(dtype="int64") - 1
            model["timestamp"] = pd.Series(self.stamps[rows], index=model.index)
        else:
            self.invalid += [v for d in dates for v in d.invalid_values]
        if first:
            said = sum(len(d.warnings) for d in dates)  # the date parser's, last in ``notes``
            self.model_notes = notes[: len(notes) - said]
        return model


@contextlib.contextmanager
def _quiet_logs() -> Iterator[None]:
    """Hold back the model's and the date parser's warnings (given by :meth:`_FilePlan.finish`)."""
    loggers = [logging.getLogger(n) for n in ("geomap.core.dates", "geomap.core.remarks")]
    levels = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in levels:
            lg.setLevel(level)


def _read_columns(
    path: Path,
    layer: str | int | None,
    columns: list[str],
    bbox: tuple[float, float, float, float] | None,
) -> pa.Table:
    """Read only ``columns`` of the file (no geometry), as one Arrow table."""
    with open_batches(
        path,
        layer=layer,
        batch_size=1_000_000,
        what="remark file",
        columns=columns,
        read_geometry=bbox is not None,
        bbox=bbox,
    ) as stream:
        tables = list(stream.batches)
        schema = pa.schema([stream.schema.field(c) for c in columns])
    if not tables:
        return schema.empty_table()
    return pa.concat_tables([t.select(columns) for t in tables])


def _filled_columns(
    path: Path,
    layer: str | int | None,
    columns: list[str],
    bbox: tuple[float, float, float, float] | None,
) -> set[str]:
    """Return the ``columns`` of the file that hold a value in some row."""
    table = _read_columns(path, layer, columns, bbox)
    frame = table.to_pandas()
    return {c for c in columns if frame[c].notna().any()}


def _one_by_one(values: pa.ChunkedArray) -> bool:
    """Tell whether the date parser reads each value on its own (no column-wide rule applies).

    Typed dates and numbers are; text is unless a value is a slash date or numeric text (their
    reading is decided for the whole column: day or month first, Excel serials).
    """
    kind = values.type
    if not (pa.types.is_string(kind) or pa.types.is_large_string(kind)):
        return True
    hits = pc.match_substring_regex(values, _COLUMN_WIDE)
    return not pc.any(hits).as_py()

"""``routed.parquet``: GeoParquet 1.1 with a bbox covering column, rows in Hilbert order.

Batches arrive in input order. :class:`HilbertParquetWriter` puts each row into one of 256
buckets by the top bits of its Hilbert code (over the owner layer's extent), spills the buckets
to temporary Parquet files, and on :meth:`~HilbertParquetWriter.close` sorts one bucket at a time
into the final file, so memory holds one bucket, not the run. Remarks without a position come
last.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import shapely
from pyproj import CRS

from geomap.core.spatial import hilbert_codes
from geomap.io.vector import BBOX_TYPE, geoparquet_metadata, with_bbox_column

__all__ = ["HilbertParquetWriter", "hilbert_of"]

_BUCKET_BITS = 8
_ROW_GROUP = 100_000


def hilbert_of(
    wkb: pa.ChunkedArray | pa.Array, bounds: tuple[float, float, float, float]
) -> tuple[np.ndarray, np.ndarray]:
    """Return Hilbert codes of WKB points over ``bounds``, and the points' extent.

    A point without a position gets 2**32 (after every code); the extent ``[xmin, ymin, xmax,
    ymax]`` is infinite when no point has a position.

    Examples
    --------
    >>> w = pa.array(shapely.to_wkb(shapely.points([[0, 0], [1, 1]])).tolist() + [None])
    >>> codes, extent = hilbert_of(w, (0, 0, 1, 1))
    >>> codes.tolist()[2], extent.tolist()
    (4294967296, [0.0, 0.0, 1.0, 1.0])
    """
    geoms = shapely.from_wkb(wkb.to_numpy(zero_copy_only=False))
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    x = np.full(len(geoms), np.nan)
    y = np.full(len(geoms), np.nan)
    xy = shapely.get_coordinates(geoms[present])
    x[present], y[present] = xy[:, 0], xy[:, 1]
    codes = hilbert_codes(x, y, bounds)
    codes[~present] = np.uint64(1 << 32)
    if not present.any():
        return codes, np.array([np.inf, np.inf, -np.inf, -np.inf])
    return codes, np.array([xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max()])


class HilbertParquetWriter:
    """Write tables of one schema (WKB column ``geometry``) as one Hilbert-ordered GeoParquet file.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "r.parquet"
    >>> s = pa.schema([("n", pa.int64()), ("geometry", pa.binary())])
    >>> w = HilbertParquetWriter(p, s, crs=CRS(3011), bounds=(0, 0, 10, 10))
    >>> pts = shapely.to_wkb(shapely.points([[9, 9], [0, 0]]))
    >>> w.write(pa.table({"n": [1, 2], "geometry": pts}, schema=s))
    >>> w.close()
    >>> pq.read_table(p).column("n").to_pylist()
    [2, 1]
    """

    def __init__(
        self, path: Path, schema: pa.Schema, *, crs: CRS, bounds: tuple[float, float, float, float]
    ) -> None:
        self.path, self.schema, self.crs, self.bounds = path, schema, crs, bounds
        self.spill = path.with_name(f".{path.name}.buckets")
        self.spill.mkdir()
        self.writers: dict[int, pq.ParquetWriter] = {}
        self.extent = np.array([np.inf, np.inf, -np.inf, -np.inf])

    def write(self, table: pa.Table) -> None:
        """Spill ``table``'s rows into their Hilbert buckets."""
        codes, extent = hilbert_of(table.column("geometry"), self.bounds)
        self.extent = np.r_[
            np.minimum(self.extent[:2], extent[:2]), np.maximum(self.extent[2:], extent[2:])
        ]
        bucket = np.minimum(codes >> np.uint64(32 - _BUCKET_BITS), np.uint64(1 << _BUCKET_BITS))
        order = np.argsort(bucket, kind="stable")
        bucket = bucket[order]
        table = table.append_column("_hilbert", pa.array(codes)).take(order)
        starts = np.flatnonzero(np.r_[True, bucket[1:] != bucket[:-1]])
        for start, stop in zip(starts, [*starts[1:], len(bucket)], strict=True):
            key = int(bucket[start])
            if key not in self.writers:
                path = self.spill / f"{key:04d}.parquet"
                self.writers[key] = pq.ParquetWriter(path, table.schema)
            self.writers[key].write_table(table.slice(start, stop - start))

    def close(self) -> None:
        """Sort each bucket into the final file (with its ``geo`` metadata); drop the spill."""
        for writer in self.writers.values():
            writer.close()
        schema = self.schema.append(pa.field("bbox", BBOX_TYPE))
        finite = bool(np.isfinite(self.extent).all())
        meta = geoparquet_metadata(
            schema,
            crs_json=self.crs.to_json_dict(),
            geometry_types=["Point"],
            bbox=self.extent.tolist() if finite else None,
        )
        full = schema.with_metadata(meta)
        with pq.ParquetWriter(self.path, full, compression="zstd") as out:
            pending: list[pa.Table] = []
            for key in sorted(self.writers):
                piece = pq.read_table(self.spill / f"{key:04d}.parquet")
                piece = piece.take(np.argsort(piece.column("_hilbert").to_numpy(), kind="stable"))
                pending.append(with_bbox_column(piece.drop_columns(["_hilbert"])).cast(full))
                if sum(p.num_rows for p in pending) >= _ROW_GROUP:  # row groups of ~100k rows
                    out.write_table(pa.concat_tables(pending), row_group_size=_ROW_GROUP)
                    pending = []
            if pending or not self.writers:
                out.write_table(pa.concat_tables(pending) if pending else full.empty_table())
        shutil.rmtree(self.spill, ignore_errors=True)

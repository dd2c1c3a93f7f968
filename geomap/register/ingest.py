"""``geomap register ingest``: read a ``routed.gpkg`` into the register, in one transaction.

New remark ids are added (status *ny*, one event each); remarks whose routed fields changed are
updated (one event naming the fields); the rest stay as they are. The same file read twice
changes nothing (its content hash is in ``imports``), and a remark id that comes again in a
later export is the same remark. New remarks are then linked to earlier reports of the same
problem (:func:`geomap.register.duplicates.find_duplicates`).
"""

from __future__ import annotations

import hashlib
import logging
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio
import shapely
from pyproj import CRS

from geomap.core.owners import OwnerRegistry, registry_from_frame
from geomap.errors import InputError
from geomap.register.duplicates import find_duplicates
from geomap.register.register import Register, pause, utc_now
from geomap.register.statuses import NEW, STATUSES
from geomap.register.store import ROUTED_FIELDS, SCHEMA_VERSION, Cursor, Store

__all__ = ["IngestResult", "ingest"]

log = logging.getLogger(__name__)

_REQUIRED = ("remark_id", "category", "owner")
_PROVENANCE = ("source_file", "source_row")
_OPEN = tuple(code for code, (_, is_open) in STATUSES.items() if is_open)


@dataclass
class IngestResult:
    """What an ingest did: counts, and whether the file had been read before."""

    file: str
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    duplicates: int = 0
    already_imported: bool = False

    def message(self) -> str:
        """One Swedish line for the user."""
        if self.already_imported:
            return f"{self.file}: redan inläst – inget ändrades."
        return (
            f"{self.file}: {self.rows} anmärkningar – {self.added} nya, {self.changed} ändrade, "
            f"{self.unchanged} oförändrade; {self.duplicates} nya dubbletter länkade."
        )


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes (read in blocks)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class _Routed:
    """What an ingest reads of a ``routed.gpkg`` besides its remarks."""

    path: Path
    columns: list[str]
    srid: int
    rows: int
    registry: OwnerRegistry
    run_info: dict[str, str]


def _open_routed(path: Path) -> _Routed:
    """Check a ``routed.gpkg`` and read its owner registry and run information."""
    if not path.is_file():
        msg = f"{path}: file not found; pass the routed.gpkg written by 'geomap route'"
        raise InputError(msg)
    try:
        layers = [str(name) for name in pyogrio.list_layers(path)[:, 0]]
        info = pyogrio.read_info(path, layer="remarks") if "remarks" in layers else None
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        msg = f"{path}: cannot be read as a GeoPackage ({type(exc).__name__}); pass the routed.gpkg written by 'geomap route'"
        raise InputError(msg) from exc
    if info is None or path.suffix.lower() != ".gpkg":
        msg = f"{path}: no layer 'remarks' in a GeoPackage; pass the routed.gpkg written by 'geomap route'"
        raise InputError(msg)
    fields = [str(f) for f in info["fields"]]
    missing = [c for c in _REQUIRED if c not in fields]
    if missing:
        msg = f"{path}: layer 'remarks' lacks column(s) {', '.join(missing)}; re-run 'geomap route'"
        raise InputError(msg)
    srid = CRS(info["crs"]).to_epsg() if info.get("crs") else None
    if not srid:
        msg = f"{path}: layer 'remarks' has no EPSG CRS; re-run 'geomap route' (working CRS EPSG:3011)"
        raise InputError(msg)
    tables = {
        name: pd.DataFrame(pyogrio.read_dataframe(path, layer=name, read_geometry=False))
        for name in ("owner_registry", "run_info")
        if name in layers
    }
    run = tables.get("run_info", pd.DataFrame(columns=["key", "value"]))
    run_info = {
        str(k): "" if pd.isna(v) else str(v) for k, v in zip(run["key"], run["value"], strict=True)
    }
    owners = tables.get("owner_registry", pd.DataFrame({"owner": []}))
    registry = registry_from_frame(
        owners, synthetic=run_info.get("synthetic") == "true",
        synthetic_label=run_info.get("synthetic_label", ""), source=str(path),
    )  # fmt: skip
    columns = [c for c in ROUTED_FIELDS if c in fields]
    count = int(info.get("features", -1))
    if count < 0:  # GDAL did not store the count: count the rows
        count = len(pyogrio.read_dataframe(path, layer="remarks", columns=[], read_geometry=False))
    return _Routed(path, columns, int(srid), count, registry, run_info)


def ingest(
    register: Register,
    routed: str | os.PathLike[str],
    *,
    registry: OwnerRegistry | None = None,
    now: str | None = None,
) -> IngestResult:
    """Read the remarks of a ``routed.gpkg`` into ``register`` (created on the first ingest).

    Parameters
    ----------
    register : Register
        From :func:`geomap.register.open_register`.
    routed : str or os.PathLike
        The ``routed.gpkg`` written by ``geomap route``.
    registry : OwnerRegistry, optional
        Owner registry to keep (``external``, service levels); default: the one in ``routed``.
    now : str, optional
        The time to record (ISO 8601 with offset; default now), for tests.

    Returns
    -------
    IngestResult

    Raises
    ------
    InputError
        The file is no routed.gpkg, or its CRS differs from the register's.

    Examples
    --------
    >>> reg = open_register("arenden.gpkg")  # doctest: +SKIP
    >>> ingest(reg, "out/demo/routed.gpkg").message()  # doctest: +SKIP
    'out/demo/routed.gpkg: 480 anmärkningar – 480 nya, 0 ändrade, 0 oförändrade; …'
    """
    path = Path(routed)
    stamp = now or utc_now()
    result = IngestResult(file=str(path))
    source = _open_routed(path)
    store = register.store
    with ThreadPoolExecutor(max_workers=1) as background:  # hashing releases the GIL
        digest = background.submit(file_hash, path)
        existed = store.exists()
        if existed and _imported(store, digest.result()):
            result.already_imported = True
            return result
        if not existed:
            store.create(source.srid)  # a new register: hash while the remarks are read
        _check_crs(register, source)
        with store.transaction() as cur:
            if existed and _imported(store, digest.result(), cur):  # read meanwhile elsewhere
                result.already_imported = True
                return result
            relation = store.stage_routed(cur, path, source.columns)
            _apply(store, cur, source, relation, result, stamp)
            store.unstage(cur)
            _keep_registry(store, cur, registry or source.registry, source)
            _record_import(store, cur, path, digest.result(), stamp, result)
            pause("register_ingest")
    return result


def _record_import(
    store: Store, cur: Cursor, path: Path, content_hash: str, stamp: str, result: IngestResult
) -> None:
    """Add the ``imports`` row of this ingest (file, content hash, counts)."""
    store.insert(cur, "imports", pd.DataFrame({
        "kind": ["ingest"], "file": [str(path)], "content_hash": [content_hash],
        "at": [stamp], "rows": [result.rows], "added": [result.added],
        "changed": [result.changed], "unchanged": [result.unchanged]}))  # fmt: skip


def _check_crs(register: Register, source: _Routed) -> None:
    store = register.store
    if store.srid != source.srid:
        msg = (
            f"{source.path}: its remarks are in EPSG:{source.srid}, the register "
            f"{register.target} in EPSG:{store.srid}; route again with the register's working "
            f"CRS (EPSG:{store.srid})"
        )
        raise InputError(msg)


def _imported(store: Store, digest: str, cur: Cursor | None = None) -> bool:
    found = store.query(
        cur, "SELECT fid FROM imports WHERE kind = 'ingest' AND content_hash = ?", [digest]
    )
    return not found.empty


def _apply(
    store: Store, cur: Cursor, source: _Routed, relation: str, result: IngestResult, stamp: str
) -> None:
    """Add the new remarks, update the changed ones, log the events, link duplicates."""
    result.rows = source.rows
    empty = store.query(cur, "SELECT fid FROM remarks LIMIT 1").empty
    new_ids = None if empty else pd.Index(store.query(
        cur,
        f"SELECT s.remark_id FROM {relation} s WHERE NOT EXISTS "
        "(SELECT 1 FROM remarks m WHERE m.remark_id = s.remark_id)",
    )["remark_id"])  # fmt: skip
    result.added = result.rows if new_ids is None else len(new_ids)
    result.changed = 0 if empty else _update_changed(store, cur, source, relation, stamp)
    result.unchanged = result.rows - result.added - result.changed
    if not result.added:
        return
    new = _points(source.path, new_ids)
    links = _links(store, cur, new)
    _stage_new(store, cur, new, links, every=new_ids is None)
    filter_new = "" if new_ids is None else "WHERE s.fid IN (SELECT src_fid FROM _new)"
    last = store.query(cur, "SELECT max(fid) AS fid FROM remarks")["fid"].iloc[0]
    last_fid = 0 if last is None or pd.isna(last) else int(last)  # the new rows come after it
    columns = ", ".join(source.columns)
    picked = ", ".join(f"s.{c}" for c in source.columns)
    duplicate = "x.duplicate_of IS NOT NULL"
    cur.execute(
        f"INSERT INTO remarks ({columns}, status, duplicate_of, status_at, assigned_at, "
        "first_seen, updated_at, duplicate_unlinked, reassigned, geom) "
        f"SELECT {picked}, CASE WHEN {duplicate} THEN 'dubblett' ELSE ? END, x.duplicate_of, "
        "CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), CAST(? AS TEXT), 0, 0, s.geom "
        f"FROM {relation} s LEFT JOIN _links x ON x.src_fid = s.fid {filter_new}",
        [NEW, *[stamp] * 4],
    )
    cur.execute(  # one event per new remark: its first status (a duplicate's is *dubblett*)
        "INSERT INTO events (remark_id, kind, status, at, actor, comment, source_file) "
        "SELECT remark_id, CASE WHEN duplicate_of IS NULL THEN 'status' ELSE 'duplicate' END, "
        "status, CAST(? AS TEXT), 'ingest', 'dubblett av ' || duplicate_of, CAST(? AS TEXT) "
        "FROM remarks WHERE fid > ? ORDER BY fid",
        [stamp, source.path.name, last_fid],
    )
    result.duplicates = len(links)
    cur.execute("DROP TABLE _links")
    cur.execute("DROP TABLE IF EXISTS _new")


def _stage_new(
    store: Store, cur: Cursor, new: pd.DataFrame, links: pd.Series, *, every: bool
) -> None:
    """Make the temporary tables ``_links`` (feature id → duplicate_of) and ``_new``.

    ``_new`` holds the feature ids of the new remarks; it is left out when ``every`` row of the
    staged file is new.
    """
    for table in ("_links", "_new"):
        cur.execute(f"DROP TABLE IF EXISTS {table}")
    cur.execute("CREATE TEMP TABLE _links (src_fid bigint PRIMARY KEY, duplicate_of text)")
    fids = new["src_fid"].to_numpy(np.int64)
    store.insert(
        cur, "_links",
        pd.DataFrame({"src_fid": fids[links.index.to_numpy()], "duplicate_of": links.to_numpy()}),
    )  # fmt: skip
    if not every:
        cur.execute("CREATE TEMP TABLE _new (src_fid bigint PRIMARY KEY)")
        store.insert(cur, "_new", pd.DataFrame({"src_fid": fids}))


def _points(path: Path, ids: pd.Index | None = None) -> pd.DataFrame:
    """Feature id, remark id, category, timestamp and coordinates of routed remarks (Arrow read).

    With ``ids``, only the remarks with those ids.
    """
    meta, table = pyogrio.read_arrow(
        path, layer="remarks", columns=["remark_id", "category", "timestamp"], return_fids=True
    )
    names = table.column_names
    geom_column = meta.get("geometry_name") or "wkb_geometry"
    remark_ids = table.column("remark_id").to_numpy(zero_copy_only=False).astype(object)
    keep = (
        np.arange(len(remark_ids))
        if ids is None
        else np.flatnonzero(ids.get_indexer(remark_ids) >= 0)
    )
    stamps = pd.Series(table.column("timestamp").to_pandas()) if "timestamp" in names else None
    if stamps is not None and isinstance(stamps.dtype, pd.DatetimeTZDtype):
        stamps = stamps.dt.tz_localize(None)  # naive local time, read by GDAL as if UTC
    e, n = _xy(table.column(geom_column).combine_chunks())
    fid_name = meta.get("fid_column") or ("fid" if "fid" in names else None)
    fids = table.column(fid_name).to_numpy() if fid_name else np.arange(len(remark_ids)) + 1
    return pd.DataFrame({
        "src_fid": np.asarray(fids, dtype=np.int64)[keep],
        "remark_id": pd.Series(remark_ids[keep], dtype=object),  # object: no Arrow conversion
        "category": pd.Series(
            table.column("category").to_numpy(zero_copy_only=False).astype(object)[keep],
            dtype=object,
        ),
        "timestamp": (pd.NaT if stamps is None else pd.to_datetime(stamps, errors="coerce").to_numpy()[keep]),
        "e": e[keep], "n": n[keep],
    })  # fmt: skip


_WKB_POINT = np.dtype([("order", "u1"), ("kind", "<u4"), ("x", "<f8"), ("y", "<f8")])


def _xy(wkb: object) -> tuple[np.ndarray, np.ndarray]:
    """X and y of WKB points (NaN where missing): read straight from the buffer when all are 2D points."""
    import pyarrow as pa

    array = wkb if isinstance(wkb, pa.Array) else pa.array(wkb)
    if isinstance(array, pa.ExtensionArray):
        array = array.storage
    if pa.types.is_large_binary(array.type):
        array = array.cast(pa.binary())
    offsets = np.frombuffer(
        array.buffers()[1], dtype=np.int32, count=len(array) + 1, offset=array.offset * 4
    )
    sizes = np.diff(offsets)
    valid = array.is_valid().to_numpy(zero_copy_only=False)
    if (
        len(array)
        and (sizes[valid] == _WKB_POINT.itemsize).all()
        and (~valid).sum() == (sizes[~valid] == 0).sum()
    ):
        data = np.frombuffer(array.buffers()[2], dtype=np.uint8)
        chunk = data[offsets[0] : offsets[-1]]
        points = np.frombuffer(chunk.tobytes(), dtype=_WKB_POINT)
        if (points["order"] == 1).all() and (points["kind"] == 1).all():
            x, y = np.full(len(array), np.nan), np.full(len(array), np.nan)
            x[valid], y[valid] = points["x"], points["y"]
            return x, y
    geoms = shapely.from_wkb(array.to_numpy(zero_copy_only=False))
    x, y = np.full(len(geoms), np.nan), np.full(len(geoms), np.nan)
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
    xy = shapely.get_coordinates(geoms[present])
    x[present], y[present] = xy[:, 0], xy[:, 1]
    return x, y


def _links(store: Store, cur: Cursor, new: pd.DataFrame) -> pd.Series:
    """Duplicate links of the new remarks (position in ``new`` → remark id they duplicate)."""
    marks = ", ".join("?" * len(_OPEN))
    pool = store.read_remarks(
        cur,
        "remark_id, category, timestamp",
        f"WHERE duplicate_of IS NULL AND status IN ({marks})",
        list(_OPEN),
    )
    pool["timestamp"] = pd.to_datetime(pool["timestamp"], errors="coerce", format="ISO8601")
    both = pd.concat([pool, new.drop(columns=["src_fid"])], ignore_index=True)
    both = both.assign(open=True, duplicate_of=None, duplicate_unlinked=0)
    links = find_duplicates(both, np.arange(len(both)) >= len(pool))
    return pd.Series(links.to_numpy(), index=links.index.to_numpy() - len(pool), dtype=object)


def _update_changed(store: Store, cur: Cursor, source: _Routed, relation: str, stamp: str) -> int:
    """Update the remarks whose routed fields differ; one event naming the fields each.

    A remark a coordinator reassigned keeps its owner.
    """
    fields = [c for c in source.columns if c != "remark_id"]
    compared = [c for c in fields if c not in _PROVENANCE]  # another export's file is no change
    differs = " OR ".join(f"m.{c} IS DISTINCT FROM s.{c}" for c in [*compared, "geom"])
    what = " || ".join(
        f"CASE WHEN m.{c} IS DISTINCT FROM s.{c} THEN '{c}, ' ELSE '' END"
        for c in [*compared, "geom"]
    )
    cur.execute("DROP TABLE IF EXISTS _changed")
    cur.execute(
        f"CREATE TEMP TABLE _changed AS SELECT s.remark_id AS remark_id, {what} AS what "
        f"FROM {relation} s JOIN remarks m ON m.remark_id = s.remark_id WHERE {differs}"
    )
    count = int(store.query(cur, "SELECT count(*) AS n FROM _changed")["n"].iloc[0])
    if count:
        kept = {"owner", "owner_name"}
        sets = [
            f"{c} = CASE WHEN remarks.reassigned = 1 THEN remarks.{c} ELSE s.{c} END"
            if c in kept
            else f"{c} = s.{c}"
            for c in [*fields, "geom"]
        ]
        moved = "remarks.reassigned = 0 AND remarks.owner IS DISTINCT FROM s.owner"
        cur.execute(
            f"UPDATE remarks SET assigned_at = CASE WHEN {moved} THEN CAST(? AS TEXT) ELSE remarks.assigned_at END, "
            f"{', '.join(sets)}, updated_at = CAST(? AS TEXT) FROM {relation} s "
            "WHERE remarks.remark_id = s.remark_id AND remarks.remark_id IN (SELECT remark_id FROM _changed)",
            [stamp, stamp],
        )
        cur.execute(
            "INSERT INTO events (remark_id, kind, status, at, actor, comment, source_file) "
            "SELECT remark_id, 'changed', NULL, CAST(? AS TEXT), 'ingest', "
            "'ändrat i ny export: ' || what, CAST(? AS TEXT) FROM _changed",
            [stamp, source.path.name],
        )
    cur.execute("DROP TABLE _changed")
    return count


def _keep_registry(store: Store, cur: Cursor, registry: OwnerRegistry, source: _Routed) -> None:
    """Replace the register's owner table and meta with those of this ingest."""
    frame = registry.to_frame()[
        ["owner", "name", "contact", "external", "service_days", "service_days_by_category"]
    ]
    cur.execute("DELETE FROM owners")
    store.insert(cur, "owners", frame.assign(external=frame["external"].astype("int64")))
    meta = {
        "schema_version": SCHEMA_VERSION,
        "working_crs": f"EPSG:{source.srid}",
        "synthetic": "true" if registry.synthetic else "false",
        "synthetic_label": registry.synthetic_label or source.run_info.get("synthetic_label", ""),
    }
    cur.execute("DELETE FROM meta")
    store.insert(cur, "meta", pd.DataFrame({"key": list(meta), "value": list(meta.values())}))

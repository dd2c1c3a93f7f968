"""Where the register lives: one backend interface, a GeoPackage and a PostGIS implementation.

The register logic (:mod:`geomap.register.ingest`, :mod:`~geomap.register.update` …) speaks to a
:class:`Store` only: transactions, queries returning frames, bulk inserts and bulk updates from
frames. SQL is written once with ``?`` placeholders; the PostGIS store turns them into
psycopg's ``%s``. The tables and columns are the same in both (:data:`TABLES`):

- ``remarks``: one row per remark id, its routed fields, current state and point geometry;
- ``events``: every status change and every other change (reassignment, duplicate link);
- ``imports``: every file read (routed.gpkg or a returned list) with its content hash;
- ``owners``: the owner registry of the last ingest (names, ``external``, service levels);
- ``meta``: key/value (working CRS, synthetic, schema version).

GeoPackage: created with GDAL (so QGIS opens ``remarks`` as a point layer and the others as
tables), then written with SQLite in WAL mode; every change is one ``BEGIN IMMEDIATE``
transaction, so writers queue and a killed process leaves the last committed state. PostGIS:
every write transaction first takes one advisory lock, so concurrent coordinators queue too.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from geomap.errors import InputError

__all__ = ["ROUTED_FIELDS", "TABLES", "Store", "open_store"]

log = logging.getLogger(__name__)

SCHEMA_VERSION = "1"
_TEXT, _REAL, _INT = "TEXT", "REAL", "INTEGER"
#: Routed fields the register keeps (data minimisation: no other input column is copied).
ROUTED_FIELDS: tuple[str, ...] = (
    "remark_id",
    "source",
    "category",
    "category_label",
    "category_raw",
    "timestamp",
    "description",
    "action",
    "place",
    "walk_id",
    "walk_date",
    "protocol_owner",
    "owner",
    "owner_name",
    "land_owner",
    "route_method",
    "distance_m",
    "candidates",
    "flags",
    "reason",
    "source_file",
    "source_row",
)
_ROUTED_TYPES = {"distance_m": _REAL, "source_row": _INT}
#: Tables and their columns (name → SQL type); ``remarks`` also has the point ``geom``.
TABLES: Mapping[str, Mapping[str, str]] = {
    "remarks": {
        **{field: _ROUTED_TYPES.get(field, _TEXT) for field in ROUTED_FIELDS},
        **dict.fromkeys(
            (
                "status",
                "status_at",
                "fixed_date",
                "comment",
                "duplicate_of",
                "reroute_candidates",
                "assigned_at",
                "first_seen",
                "last_seen",
                "updated_at",
            ),
            _TEXT,
        ),
        **dict.fromkeys(("duplicate_unlinked", "reassigned"), _INT),
    },
    "events": {
        **dict.fromkeys(
            ("remark_id", "kind", "status", "at", "actor", "comment", "source_file"), _TEXT
        ),
    },
    "imports": {
        **dict.fromkeys(("kind", "file", "content_hash", "at", "owner", "list_created"), _TEXT),
        **dict.fromkeys(("rows", "added", "changed", "unchanged"), _INT),
    },
    "owners": {
        **dict.fromkeys(("owner", "name", "contact"), _TEXT),
        **dict.fromkeys(("external", "service_days"), _INT),
        "service_days_by_category": _TEXT,
    },
    "meta": {"key": _TEXT, "value": _TEXT},
}
_INDEXES = (
    "CREATE UNIQUE INDEX IF NOT EXISTS remarks_remark_id ON remarks (remark_id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS owners_owner ON owners (owner)",
    "CREATE UNIQUE INDEX IF NOT EXISTS meta_key ON meta (key)",
)
_LOCK_KEY = 4_711_011  # the advisory lock every PostGIS write transaction takes
_NUMPY = {_TEXT: object, _REAL: "float64", _INT: "int64"}


class Cursor(Protocol):
    """The part of a DB-API cursor the register uses."""

    def execute(self, sql: str, params: Sequence[Any] = ...) -> Any: ...

    def fetchall(self) -> list[Any]: ...


class Store:
    """A register's database: the interface both backends implement.

    Attributes
    ----------
    target : str
        The GeoPackage path or the PostgreSQL URL (password removed) as the user gave it.
    srid : int
        EPSG code of the remark geometries (the working CRS of the first ingest).
    """

    kind = ""

    def __init__(self, target: str) -> None:
        self.target = target
        self.srid = 0

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """Yield a cursor in one write transaction: committed at the end, rolled back on error."""
        raise NotImplementedError
        yield  # pragma: no cover

    def query(self, cur: Cursor | None, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """Return the rows of ``sql`` as a frame (inside ``cur``'s transaction when given)."""
        runner = cur if cur is not None else self._read_cursor()
        result = runner.execute(sql, tuple(params))
        names = [d[0] for d in result.description]
        rows = result.fetchall()
        columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
        frame = pd.DataFrame(
            {n: pd.Series(v, dtype=object) for n, v in zip(names, columns, strict=True)}
        )
        return _typed(frame, _table_of(sql))

    def _read_cursor(self) -> Cursor:
        """Return a cursor outside any write transaction, for :meth:`query` without one."""
        raise NotImplementedError

    def insert(
        self,
        cur: Cursor,
        table: str,
        frame: pd.DataFrame,
        *,
        xy: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Insert the rows of ``frame`` (its columns) into ``table``; ``xy`` makes point geometries."""
        raise NotImplementedError

    def create(self, srid: int) -> None:
        """Create the tables of a new register whose geometries are in EPSG ``srid``."""
        raise NotImplementedError

    def exists(self) -> bool:
        """Tell whether the register's tables exist."""
        raise NotImplementedError

    def sql(self, text: str) -> str:
        """Return ``text`` in the backend's parameter style."""
        return text

    def update_from(self, cur: Cursor, table: str, key: str, frame: pd.DataFrame) -> None:
        """Set the columns of ``frame`` on the rows of ``table`` whose ``key`` matches, in bulk."""
        if frame.empty:
            return
        columns = [c for c in frame.columns if c != key]
        temp = f"_new_{table}"
        cur.execute(f"DROP TABLE IF EXISTS {temp}")
        cur.execute(
            f"CREATE TEMP TABLE {temp} AS SELECT {key}, {', '.join(columns)} FROM {table} WHERE 1 = 0"
        )
        self.insert(cur, temp, frame[[key, *columns]])
        assignments = ", ".join(f"{c} = {temp}.{c}" for c in columns)
        cur.execute(
            f"UPDATE {table} SET {assignments} FROM {temp} WHERE {table}.{key} = {temp}.{key}"
        )
        cur.execute(f"DROP TABLE {temp}")

    def read_remarks(
        self, cur: Cursor | None, columns: str = "*", where: str = "", params: Sequence[Any] = ()
    ) -> pd.DataFrame:
        """Rows of ``remarks`` with the point's coordinates as ``e`` and ``n`` (no ``geom``)."""
        raise NotImplementedError

    def stage_routed(self, cur: Cursor, path: Path, columns: Sequence[str]) -> str:
        """Make the remarks of a ``routed.gpkg`` readable by SQL in this transaction.

        Returns the relation to select from: its ``columns`` and ``geom`` (in the register's
        geometry type).
        """
        raise NotImplementedError

    def unstage(self, cur: Cursor) -> None:
        """Drop what :meth:`stage_routed` made."""

    def close(self) -> None:
        """Close the connection."""


def _typed(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Cast the columns of a query result to the table's types (text, float, int)."""
    types = {**TABLES.get(table, {}), "fid": _INT}
    out = frame.copy()
    for column in out.columns:
        kind = types.get(str(column))
        if kind == _REAL:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
        elif kind == _TEXT:
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


class GeoPackageStore(Store):
    """The embedded register: one GeoPackage file (SQLite, WAL journal)."""

    kind = "gpkg"

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path
        self._conn: sqlite3.Connection | None = None
        self._fresh: Path | None = None  # a new register is built here, then renamed into place

    def exists(self) -> bool:
        """Tell whether the file exists and holds the register's tables."""
        if not self.path.exists():
            return False
        with _worded(self.target):
            names = {r[0] for r in self._connection().execute("SELECT name FROM sqlite_master")}
        return set(TABLES) <= names

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                conn = sqlite3.connect(self._fresh or self.path, isolation_level=None, timeout=120)
                # A new register is a temporary file until its first commit renames it into
                # place (so a crash leaves no register, never half of one): no journal needed.
                conn.execute(f"PRAGMA journal_mode={'MEMORY' if self._fresh else 'WAL'}")
                conn.execute("PRAGMA busy_timeout=120000")
                conn.execute(f"PRAGMA synchronous={'OFF' if self._fresh else 'NORMAL'}")
                conn.execute("PRAGMA cache_size=-262144")  # 256 MB: bulk ingests spill less
                conn.execute("PRAGMA temp_store=MEMORY")  # staging tables and index sorts
                conn.execute("PRAGMA threads=2")  # sorts for the index of a new register
            except sqlite3.DatabaseError as exc:
                msg = (
                    f"{self.path}: cannot be opened as a GeoPackage register ({exc}); "
                    "pass the register file written by 'geomap register ingest'"
                )
                raise InputError(msg) from None
            self._conn = conn
            self._read_srid()
        return self._conn

    def _read_srid(self) -> None:
        assert self._conn is not None
        with contextlib.suppress(sqlite3.DatabaseError):
            row = self._conn.execute(
                "SELECT srs_id FROM gpkg_geometry_columns WHERE table_name = 'remarks'"
            ).fetchone()
            self.srid = int(row[0]) if row else 0

    def create(self, srid: int) -> None:
        """Create the GeoPackage with GDAL (layers QGIS opens), then index it and switch to WAL."""
        import geopandas as gpd
        import pyogrio

        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            msg = (
                f"`register` {self.path}: the file exists but is no register (it lacks the "
                "tables remarks, events, imports); give a new file name"
            )
            raise InputError(msg)
        self.close()
        self._fresh = self.path.with_name(f".{self.path.stem}.new-{os.getpid()}.gpkg")
        self._fresh.unlink(missing_ok=True)
        for number, (table, columns) in enumerate(TABLES.items()):
            empty = pd.DataFrame({c: np.empty(0, dtype=_NUMPY[t]) for c, t in columns.items()})
            options: dict[str, Any] = {"layer": table, "driver": "GPKG", "append": number > 0}
            if not number:  # GeoPackage 1.2: what the GDAL of QGIS LTR and ogrinfo read quietly
                options["dataset_options"] = {"VERSION": "1.2"}
            if table == "remarks":
                frame = gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=srid))
                pyogrio.write_dataframe(
                    frame,
                    self._fresh,
                    geometry_type="Point",
                    layer_options={"SPATIAL_INDEX": "NO"},
                    **options,
                )
            else:
                pyogrio.write_dataframe(empty, self._fresh, **options)
        conn = self._connection()
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'trigger_%_feature_count_%'"
        ).fetchall():  # one UPDATE per inserted row otherwise; GDAL counts when it is NULL
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.execute("UPDATE gpkg_ogr_contents SET feature_count = NULL")
        self._read_srid()  # the indexes come at the first commit, built once over the rows

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``: one writer at a time, all or nothing."""
        conn = self._connection()
        cur = conn.cursor()
        with self._detaching(), _worded(self.target):
            cur.execute("BEGIN IMMEDIATE")
            try:
                yield cur
                if self._fresh is not None:
                    for statement in _INDEXES:
                        cur.execute(statement)
            except BaseException:
                conn.rollback()
                self._discard_fresh()
                raise
            conn.commit()
        if self._fresh is not None:
            self._publish_fresh()

    def _discard_fresh(self) -> None:
        if self._fresh is not None:
            self.close()
            self._fresh.unlink(missing_ok=True)
            self._fresh = None

    def _publish_fresh(self) -> None:
        """Switch the new register to WAL and move it into place, never over another file."""
        assert self._fresh is not None and self._conn is not None
        with contextlib.suppress(sqlite3.DatabaseError):
            self._conn.execute("DETACH DATABASE routed")
        self._conn.execute("PRAGMA journal_mode=WAL")
        self.close()
        fresh, self._fresh = self._fresh, None
        with fresh.open("rb+") as handle:
            os.fsync(handle.fileno())
        try:
            os.link(fresh, self.path)  # fails if another process made the register meanwhile
        except FileExistsError:
            fresh.unlink(missing_ok=True)
            msg = (
                f"`register` {self.path} was created by another process during this ingest; "
                "nothing was written — run the ingest again"
            )
            raise InputError(msg) from None
        fresh.unlink()

    def _read_cursor(self) -> Cursor:
        """Return a cursor of the open connection."""
        return self._connection().cursor()

    def insert(
        self,
        cur: Cursor,
        table: str,
        frame: pd.DataFrame,
        *,
        xy: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """Rows as one JSON array read by SQLite's ``json_each`` (C speed); points as blobs.

        With ``xy`` (geometry blobs, which JSON cannot hold) the rows go through ``executemany``.
        """
        if frame.empty:
            return
        if xy is None:
            names = ", ".join(map(str, frame.columns))
            picked = ", ".join(f"value ->> {i}" for i in range(len(frame.columns)))
            rows = _json_rows(frame)
            cur.execute(f"INSERT INTO {table} ({names}) SELECT {picked} FROM json_each(?)", (rows,))
            return
        columns = [str(c) for c in frame.columns]
        values = [_python_values(frame[c]) for c in columns]
        if xy is not None:
            columns.append("geom")
            values.append(_gpkg_points(*xy, srid=self.srid))
        marks = ", ".join("?" * len(columns))
        cur.executemany(  # type: ignore[attr-defined]
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})",
            zip(*values, strict=True),
        )

    def read_remarks(
        self, cur: Cursor | None, columns: str = "*", where: str = "", params: Sequence[Any] = ()
    ) -> pd.DataFrame:
        """Rows of ``remarks``; ``e``, ``n`` read from the GeoPackage point blobs."""
        frame = self.query(cur, f"SELECT {columns}, geom AS _geom FROM remarks {where}", params)
        e, n = _gpkg_xy(frame["_geom"].to_numpy(dtype=object))
        return frame.drop(columns=["_geom", "geom"], errors="ignore").assign(e=e, n=n)

    def stage_routed(self, cur: Cursor, path: Path, columns: Sequence[str]) -> str:
        """Attach the ``routed.gpkg`` (its geometry blobs are GeoPackage blobs already)."""
        cur.execute("ATTACH DATABASE ? AS routed", (str(path),))
        return "routed.remarks"

    def unstage(self, cur: Cursor) -> None:
        """Detach the ``routed.gpkg`` (after the commit: SQLite cannot detach within one)."""
        self._detach = True

    @contextlib.contextmanager
    def _detaching(self) -> Iterator[None]:
        try:
            yield
        finally:
            if getattr(self, "_detach", False) and self._conn is not None:
                with contextlib.suppress(sqlite3.DatabaseError):
                    self._conn.execute("DETACH DATABASE routed")
                self._detach = False

    def close(self) -> None:
        """Close the SQLite connection (a register never committed is deleted)."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _json_rows(frame: pd.DataFrame) -> str:
    """Return the frame as a JSON array of row arrays (missing values null, booleans 0/1)."""
    plain = frame.copy()
    for column in plain.columns:
        if pd.api.types.is_bool_dtype(plain[column]):
            plain[column] = plain[column].astype("int64")
        elif not (pd.api.types.is_numeric_dtype(plain[column])):
            plain[column] = plain[column].astype(object).where(plain[column].notna(), None)
    return str(plain.to_json(orient="values", double_precision=15, date_format="iso"))


@contextlib.contextmanager
def _worded(target: str) -> Iterator[None]:
    """Turn a database failure (locked too long, disk full, corrupt file) into one line."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        msg = (
            f"`register` {target}: the database refused the change ({exc}); nothing was "
            "changed — if another geomap is writing the register, wait and run again"
        )
        raise InputError(msg) from None
    except sqlite3.DatabaseError as exc:
        msg = f"`register` {target}: not a readable register ({exc}); check the file"
        raise InputError(msg) from None


def _table_of(sql: str) -> str:
    found = re.search(r"\bFROM\s+(\w+)", sql, re.IGNORECASE)
    return found[1] if found else ""


def _python_values(series: pd.Series) -> list[Any]:
    """Column values as Python objects, None for missing (what DB-API drivers take)."""
    if pd.api.types.is_float_dtype(series):
        values = series.to_numpy(dtype="float64")
        out = values.astype(object)
        out[np.isnan(values)] = None
        return out.tolist()
    if pd.api.types.is_integer_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series.astype("int64").tolist()
    return series.astype(object).where(series.notna(), None).tolist()


_GPKG_POINT = np.dtype(
    [("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs", "<i4"),
     ("order", "u1"), ("kind", "<u4"), ("x", "<f8"), ("y", "<f8")]
)  # fmt: skip


_ENVELOPE = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}  # GeoPackage header envelope sizes (bytes)


def _gpkg_xy(blobs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """X and y of GeoPackage point blobs (NaN for missing or empty ones), vectorised."""
    x, y = np.full(len(blobs), np.nan), np.full(len(blobs), np.nan)
    present = (
        np.array([b is not None for b in blobs], dtype=bool) if len(blobs) else np.zeros(0, bool)
    )
    if not present.any():
        return x, y
    chosen = blobs[present]
    sizes = np.fromiter((len(b) for b in chosen), dtype=np.int64, count=len(chosen))
    if (sizes == _GPKG_POINT.itemsize).all():
        points = np.frombuffer(b"".join(chosen), dtype=_GPKG_POINT)
        plain = (points["flags"] & 0x0F) == 1  # little endian, no envelope, not empty
        if plain.all() and (points["kind"] == 1).all():
            x[present], y[present] = points["x"], points["y"]
            return x, y
    import shapely

    wkb = [bytes(b)[8 + _ENVELOPE.get((b[3] >> 1) & 7, 0) :] for b in chosen]  # rare: other blobs
    xy = shapely.get_coordinates(shapely.from_wkb(wkb))
    filled = np.flatnonzero(present)
    geoms = shapely.from_wkb(wkb)
    ok = ~shapely.is_empty(geoms)
    x[filled[ok]], y[filled[ok]] = xy[:, 0], xy[:, 1]
    return x, y


def _gpkg_points(x: np.ndarray, y: np.ndarray, *, srid: int) -> list[bytes | None]:
    """GeoPackage geometry blobs of points (header without envelope + WKB), None without xy."""
    blobs = np.zeros(len(x), dtype=_GPKG_POINT)
    blobs["magic"], blobs["flags"], blobs["srs"] = b"GP", 1, srid
    blobs["order"], blobs["kind"], blobs["x"], blobs["y"] = 1, 1, x, y
    out = np.array(blobs.view("V29").tolist(), dtype=object)
    out[~(np.isfinite(x) & np.isfinite(y))] = None
    return out.tolist()


class PostgisStore(Store):
    """The shared register: PostgreSQL with PostGIS, reached by a ``postgresql://`` URL."""

    kind = "postgis"

    def __init__(self, url: str) -> None:
        super().__init__(re.sub(r"://([^:/@]+):[^@]*@", r"://\1:***@", url))
        self.url = url
        self._conn: Any = None

    def _connection(self) -> Any:
        if self._conn is None:
            import psycopg

            try:
                self._conn = psycopg.connect(self.url, autocommit=True)
            except psycopg.Error as exc:
                reason = " ".join(str(exc).split())
                msg = (
                    f"`register` {self.target}: cannot connect to PostgreSQL ({reason}); check the "
                    "URL (postgresql://user@host:port/database), that the server runs and "
                    "that the database exists"
                )
                raise InputError(msg) from None
            self._read_srid()
        return self._conn

    def _read_srid(self) -> None:
        found = self._conn.execute("SELECT to_regclass('geometry_columns')").fetchone()
        if found is None or found[0] is None:  # PostGIS not yet created in this database
            self.srid = 0
            return
        rows = self._conn.execute(
            "SELECT srid FROM geometry_columns WHERE f_table_name = 'remarks' "
            "AND f_table_schema = current_schema()"
        ).fetchall()
        self.srid = int(rows[0][0]) if rows else 0

    def sql(self, text: str) -> str:
        """``?`` → ``%s`` (and a literal ``%`` doubled)."""
        return text.replace("%", "%%").replace("?", "%s")

    def exists(self) -> bool:
        """Tell whether the register's tables exist in the current schema."""
        rows = (
            self._connection()
            .execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            )
            .fetchall()
        )
        return set(TABLES) <= {r[0] for r in rows}

    def create(self, srid: int) -> None:
        """Create the tables (the same columns as the GeoPackage) and the PostGIS extension."""
        conn = self._connection()
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
            for table, columns in TABLES.items():
                body = ", ".join(f"{c} {_PG_TYPES[t]}" for c, t in columns.items())
                geom = f", geom geometry(Point, {int(srid)})" if table == "remarks" else ""
                conn.execute(
                    f"CREATE TABLE IF NOT EXISTS {table} (fid bigserial PRIMARY KEY{geom}, {body})"
                )
            for statement in _INDEXES:
                conn.execute(statement)
            conn.execute("CREATE INDEX IF NOT EXISTS remarks_geom ON remarks USING gist (geom)")
        self._read_srid()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Cursor]:
        """Yield a transaction holding the register's advisory lock (writers queue, nothing is lost)."""
        import psycopg

        conn = self._connection()
        try:
            with conn.transaction(), conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
                yield _PgCursor(cur, self)
        except psycopg.OperationalError as exc:
            reason = " ".join(str(exc).split())
            msg = (
                f"`register` {self.target}: PostgreSQL refused the change ({reason}); nothing "
                "was changed — check the connection and run again"
            )
            raise InputError(msg) from None

    def _read_cursor(self) -> Cursor:
        """Return a cursor of the open connection."""
        return _PgCursor(self._connection().cursor(), self)

    def insert(
        self,
        cur: Cursor,
        table: str,
        frame: pd.DataFrame,
        *,
        xy: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """``COPY … FROM STDIN`` of the frame written as CSV; points as hex EWKB."""
        if frame.empty:
            return
        out = frame.copy()
        for column in out.columns:
            if pd.api.types.is_bool_dtype(out[column]):
                out[column] = out[column].astype("int64")
        if xy is not None:
            out["geom"] = _ewkb_points(*xy, srid=self.srid)
        buffer = io.StringIO()
        out.to_csv(buffer, header=False, index=False, na_rep="")
        raw: Any = cur._cur if isinstance(cur, _PgCursor) else cur
        columns = ", ".join(map(str, out.columns))
        with raw.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())

    def read_remarks(
        self, cur: Cursor | None, columns: str = "*", where: str = "", params: Sequence[Any] = ()
    ) -> pd.DataFrame:
        """Rows of ``remarks``; ``e``, ``n`` from ``ST_X``/``ST_Y``."""
        frame = self.query(
            cur,
            f"SELECT {columns}, ST_X(geom) AS e, ST_Y(geom) AS n FROM remarks {where}",
            params,
        )
        out = frame.drop(columns=["geom"], errors="ignore")
        return out.assign(
            e=pd.to_numeric(out["e"], errors="coerce").astype("float64"),
            n=pd.to_numeric(out["n"], errors="coerce").astype("float64"),
        )

    def stage_routed(self, cur: Cursor, path: Path, columns: Sequence[str]) -> str:
        """Copy the remarks of the ``routed.gpkg`` into a temporary table (``COPY``)."""
        import pyogrio
        import shapely

        frame = pyogrio.read_dataframe(
            path, layer="remarks", columns=list(columns), use_arrow=True, fid_as_index=True
        )
        xy = shapely.get_coordinates(frame.geometry.to_numpy(), include_z=False)
        present = ~(
            shapely.is_missing(frame.geometry.to_numpy())
            | shapely.is_empty(frame.geometry.to_numpy())
        )
        x, y = np.full(len(frame), np.nan), np.full(len(frame), np.nan)
        x[present], y[present] = xy[:, 0], xy[:, 1]
        types = TABLES["remarks"]
        body = ", ".join(f"{c} {_PG_TYPES[types[c]]}" for c in columns)
        cur.execute("DROP TABLE IF EXISTS _routed")
        cur.execute(
            f"CREATE TEMP TABLE _routed (fid bigint PRIMARY KEY, {body}, "
            f"geom geometry(Point, {int(self.srid)}))"
        )
        plain = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        plain.insert(0, "fid", np.asarray(frame.index, dtype=np.int64))
        if "timestamp" in plain.columns:
            stamps = plain["timestamp"].to_numpy("datetime64[s]")
            text = np.datetime_as_string(stamps, unit="s").astype(object)
            text[np.isnat(stamps)] = None
            plain["timestamp"] = text
        self.insert(cur, "_routed", plain[["fid", *columns]], xy=(x, y))
        return "_routed"

    def unstage(self, cur: Cursor) -> None:
        """Drop the temporary copy."""
        cur.execute("DROP TABLE IF EXISTS _routed")

    def close(self) -> None:
        """Close the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


_PG_TYPES = {_TEXT: "text", _REAL: "double precision", _INT: "bigint"}


def _ewkb_points(x: np.ndarray, y: np.ndarray, *, srid: int) -> np.ndarray:
    import shapely

    points = np.asarray(shapely.points(x, y), dtype=object)
    present = np.isfinite(x) & np.isfinite(y)
    out = np.full(len(x), None, dtype=object)
    out[present] = shapely.to_wkb(
        shapely.set_srid(points[present], srid), hex=True, include_srid=True
    )
    return out


class _PgCursor:
    """A psycopg cursor that takes the register's ``?`` placeholders."""

    def __init__(self, cur: Any, store: PostgisStore) -> None:
        self._cur, self._store = cur, store

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Any:
        text = self._store.sql(sql) if params else sql
        return self._cur.execute(text, tuple(params) if params else None)

    def executemany(self, sql: str, rows: Any) -> Any:
        return self._cur.executemany(self._store.sql(sql), rows)

    def fetchall(self) -> list[Any]:
        return list(self._cur.fetchall())

    @property
    def description(self) -> Any:
        return self._cur.description


def open_store(target: str | os.PathLike[str]) -> Store:
    """Return the store of ``target``: a ``postgresql://`` URL or a GeoPackage path.

    Examples
    --------
    >>> open_store("postgresql://coordinator@db.example/register").kind
    'postgis'
    >>> open_store("register.gpkg").kind
    'gpkg'
    """
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgisStore(text)
    path = Path(text)
    if path.suffix.lower() != ".gpkg":
        msg = (
            f"`register` {text}: give a GeoPackage file ending in .gpkg (e.g. arenden.gpkg) or a "
            "PostgreSQL URL (postgresql://user@host/database)"
        )
        raise InputError(msg)
    if path.is_dir():
        msg = f"`register` {text}: is a directory; give a file such as {text}/arenden.gpkg"
        raise InputError(msg)
    return GeoPackageStore(path)

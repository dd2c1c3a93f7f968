"""The register as other packages read it: :func:`open_register` and :class:`Register`.

Examples
--------
>>> import tempfile, pathlib
>>> reg = open_register(pathlib.Path(tempfile.mkdtemp()) / "arenden.gpkg")
>>> reg.exists
False
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

import numpy as np
import pandas as pd

from geomap.core.owners import Owner, OwnerRegistry, registry_from_frame
from geomap.errors import InputError
from geomap.io.atomic import PAUSE_ENV
from geomap.register.statuses import STATUS_LABELS, STATUSES
from geomap.register.store import Store, open_store

__all__ = ["READ_COLUMNS", "Register", "open_register", "utc_now"]

#: The columns of :meth:`Register.remarks_frame`.
READ_COLUMNS: tuple[str, ...] = (
    "remark_id",
    "owner",
    "owner_name",
    "category",
    "category_label",
    "source",
    "timestamp",
    "status",
    "status_label",
    "open",
    "updated_at",
    "assigned_at",
    "due_date",
    "overdue",
    "fixed_date",
    "duplicate_of",
)


def utc_now() -> str:
    """Now in UTC as ISO 8601 with offset, to the second (what the register stores)."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


class Register:
    """A follow-up register (*ärenderegister*) in a GeoPackage or in PostGIS.

    Read it with :meth:`remarks_frame` (one row per remark), :meth:`events` and
    :meth:`registry`; change it with the functions of :mod:`geomap.register`
    (:func:`~geomap.register.ingest`, :func:`~geomap.register.apply_list`,
    :func:`~geomap.register.reassign`, :func:`~geomap.register.unlink`).

    Attributes
    ----------
    store : Store
        The backend (``store.kind`` is ``"gpkg"`` or ``"postgis"``).
    """

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def target(self) -> str:
        """The GeoPackage path or PostgreSQL URL (password hidden)."""
        return self.store.target

    @property
    def exists(self) -> bool:
        """True when the register has been created (by a first ingest)."""
        return self.store.exists()

    def require(self) -> None:
        """Raise :class:`InputError` when the register does not exist yet."""
        if not self.exists:
            msg = (
                f"`register` {self.target}: no register there yet; create it with "
                "'geomap register ingest ROUTED.gpkg --register …'"
            )
            raise InputError(msg)

    def remarks(self) -> pd.DataFrame:
        """Every column of the ``remarks`` table except the geometry (``e``, ``n`` hold it)."""
        self.require()
        return self.store.read_remarks(None, "*", "ORDER BY remark_id").drop(
            columns=["fid"], errors="ignore"
        )

    def events(self, remark_id: str | None = None) -> pd.DataFrame:
        """Return the events (every status change, reassignment, duplicate link), oldest first."""
        self.require()
        where, params = ("WHERE remark_id = ?", [remark_id]) if remark_id is not None else ("", [])
        return self.store.query(None, f"SELECT * FROM events {where} ORDER BY fid", params).drop(
            columns=["fid"], errors="ignore"
        )

    def imports(self) -> pd.DataFrame:
        """Return the files read into the register (routed.gpkg and returned lists), oldest first."""
        self.require()
        return self.store.query(None, "SELECT * FROM imports ORDER BY fid").drop(columns=["fid"])

    def registry(self) -> OwnerRegistry:
        """Return the owner registry of the register (names, ``external``, service levels)."""
        self.require()
        table = self.store.query(None, "SELECT * FROM owners ORDER BY fid")
        meta = self.meta()
        return registry_from_frame(
            table,
            synthetic=meta.get("synthetic") == "true",
            synthetic_label=meta.get("synthetic_label", ""),
            source=self.target,
        )

    def meta(self) -> dict[str, str]:
        """Return the key/value table ``meta`` (``working_crs``, ``synthetic``, ``schema_version``)."""
        table = self.store.query(None, "SELECT key, value FROM meta")
        return {str(k): str(v or "") for k, v in zip(table["key"], table["value"], strict=True)}

    def remarks_frame(self, *, today: dt.date | None = None) -> pd.DataFrame:
        """One row per remark with its state: the read API of the lägesbild and the protocols.

        Parameters
        ----------
        today : datetime.date, optional
            The day that decides ``overdue`` (default: today in Sweden).

        Returns
        -------
        pandas.DataFrame
            Columns :data:`READ_COLUMNS`: ``remark_id``, ``owner`` (id) and ``owner_name``,
            ``category`` (code) and ``category_label``, ``source``, ``timestamp`` (naive local
            ``datetime64``), ``status`` (code, see :data:`~geomap.register.STATUSES`),
            ``status_label`` (Swedish), ``open`` (bool), ``updated_at`` and ``assigned_at``
            (UTC ``datetime64``, aware), ``due_date`` (``datetime64`` day: assigned + the
            owner's service level for the category; NaT without one), ``overdue`` (bool: open,
            not a duplicate, and ``due_date`` before ``today``), ``fixed_date`` (day) and
            ``duplicate_of`` (the remark id this one duplicates, or None).

        Examples
        --------
        >>> reg = open_register("out/demo/register/arenden.gpkg")  # doctest: +SKIP
        >>> reg.remarks_frame().groupby("owner")["overdue"].sum()  # doctest: +SKIP
        """
        remarks = self.remarks()
        return state_frame(remarks, self.registry(), today=today)[list(READ_COLUMNS)]


def state_frame(
    remarks: pd.DataFrame, registry: OwnerRegistry, *, today: dt.date | None = None
) -> pd.DataFrame:
    """Add status label, open, due date and overdue to the rows of the ``remarks`` table."""
    out = remarks.copy()
    out["timestamp"] = pd.to_datetime(out["timestamp"], errors="coerce")
    for column in ("updated_at", "assigned_at"):
        out[column] = pd.to_datetime(out[column], errors="coerce", utc=True, format="ISO8601")
    out["fixed_date"] = pd.to_datetime(out["fixed_date"], errors="coerce")
    out["status_label"] = out["status"].map(STATUS_LABELS)
    out["open"] = (
        out["status"].map({k: v[1] for k, v in STATUSES.items()}).fillna(True).astype(bool)
    )
    days = service_days(out["owner"], out["category"], registry)
    assigned_day = out["assigned_at"].dt.tz_convert("Europe/Stockholm").dt.tz_localize(None)
    out["due_date"] = assigned_day.dt.normalize() + pd.to_timedelta(days, unit="D")
    day = pd.Timestamp(today or dt.datetime.now(dt.UTC).astimezone().date())
    out["overdue"] = (
        out["open"].to_numpy()
        & out["duplicate_of"].isna().to_numpy()
        & (out["due_date"] < day).fillna(False).to_numpy(dtype=bool)
    )
    return out


def service_days(owner: pd.Series, category: pd.Series, registry: OwnerRegistry) -> np.ndarray:
    """Service level in days of each (owner, category); NaN where the owner has none."""
    by_owner = {o.id: float(o.service_days) if o.service_days else np.nan for o in registry.owners}
    days = owner.map(by_owner).astype("float64").to_numpy()
    special = [(o.id, c, d) for o in registry.owners for c, d in o.category_service_days]
    if special:
        table = pd.DataFrame(special, columns=["owner", "category", "days"])
        keys = pd.MultiIndex.from_arrays([owner.astype(object), category.astype(object)])
        found = pd.Series(
            table["days"].to_numpy(float),
            index=pd.MultiIndex.from_frame(table[["owner", "category"]]),
        )
        hit = found.reindex(keys).to_numpy()
        days = np.where(np.isnan(hit), days, hit)
    return days


def owner_of(registry: OwnerRegistry, owner_id: str) -> Owner | None:
    """Return the registry's owner ``owner_id``, or None."""
    return registry[owner_id] if owner_id in registry else None  # noqa: SIM401


def pause(point: str) -> None:
    """Test hook (``GEOMAP_TEST_PAUSE_AT=<point>``): stop inside a transaction to be killed there."""
    if os.environ.get(PAUSE_ENV) != point:
        return
    sys.stderr.write(f"geomap: test pause at {point} (pid {os.getpid()})\n")
    sys.stderr.flush()
    time.sleep(float(os.environ.get("GEOMAP_TEST_PAUSE_SECONDS", "60")))


def open_register(target: str | os.PathLike[str]) -> Register:
    """Open the register at ``target``: a GeoPackage path (``.gpkg``) or a ``postgresql://`` URL.

    Nothing is created until the first :func:`~geomap.register.ingest`.

    Examples
    --------
    >>> open_register("arenden.gpkg").store.kind
    'gpkg'
    """
    return Register(open_store(target))

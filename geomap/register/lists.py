"""``geomap register lists``: per-owner XLSX/CSV lists from the register, with follow-up columns.

Each owner with open remarks gets ``<owner>.xlsx`` and ``<owner>.csv`` (the owner file-name
function names them): the columns of ``geomap route``'s work lists (built by
:func:`geomap.routing.outputs.list_frame`) plus *Status* (a drop-down of the Swedish statuses),
*Åtgärdat datum* and *Kommentar*, the only cells an owner can change (the sheet is protected
without a password), *Förfallodatum* and *Försenad* (overdue rows are highlighted), and three
hidden columns that let :func:`geomap.register.apply_list` check a returned list: *Ägar-id*,
*Lista skapad* and *Kontrollsumma* (a checksum of the row's other columns).

External owners (``external = true``) get no remarks of the withheld categories and their free
text is redacted (:mod:`geomap.register.privacy`). The coordinators' list ``_samordnare.xlsx``
holds every open remark, the duplicates beside the remark they duplicate, and the re-routing
queue (*ej vårt ansvar*) with the candidate owners. Remarks listed for the first time go from
*ny* to *skickad* (one event each).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap.core.dates import parse_timestamps
from geomap.core.owners import OwnerRegistry
from geomap.io.atomic import atomic_dir
from geomap.io.sanitize import neutralise_formulas, owner_file_stem
from geomap.io.sheets import write_csv, write_xlsx
from geomap.register.privacy import DEFAULT_POLICY, PrivacyPolicy
from geomap.register.redact import redact_series
from geomap.register.register import Register, owner_of, state_frame, utc_now
from geomap.register.statuses import STATUS_LABELS
from geomap.routing.outputs import LIST_COLUMNS, ROUTING_COLUMNS, list_frame

__all__ = [
    "CHECKED_COLUMNS",
    "COORDINATOR_STEM",
    "FOLLOW_UP",
    "HIDDEN",
    "row_checksums",
    "write_lists",
]

#: The columns an owner fills in.
FOLLOW_UP: tuple[str, ...] = ("Status", "Åtgärdat datum", "Kommentar")
#: Hidden columns: the list's owner, when the list was made, the row's checksum.
HIDDEN: tuple[str, ...] = ("Ägar-id", "Lista skapad", "Kontrollsumma")
#: The columns the checksum covers (what an owner must not change).
CHECKED_COLUMNS: tuple[str, ...] = (
    "Id",
    "Datum och tid",
    "Kategori",
    "Plats",
    "Beskrivning",
    "Önskad åtgärd",
    "Ansvarig",
    "Ägar-id",
)
#: File stem of the coordinators' list.
COORDINATOR_STEM = "_samordnare"
_FIXED_FORMAT = "%Y-%m-%d %H:%M"
_TEXT_COLUMNS = (
    "Plats",
    "Beskrivning",
    "Önskad åtgärd",
    "Kommentar",
    "Kategori (original)",
    "Anledning",
)


@dataclass
class _Summary:
    max_distance_m: float = 25.0


@dataclass
class _Run:
    """What :func:`list_frame` reads of a routing run, made from the register."""

    registry: OwnerRegistry
    owners: gpd.GeoDataFrame | None = None
    summary: _Summary = field(default_factory=_Summary)


def row_checksums(frame: pd.DataFrame) -> pd.Series:
    """Checksum of each list row's :data:`CHECKED_COLUMNS`, the same after an Excel round trip.

    Text is compared as written (formulas neutralised, stripped, empty = missing) and the date
    to the minute, so a list read back from XLSX or CSV gives the checksums it was written with.

    Examples
    --------
    >>> a = pd.DataFrame({"Id": ["A-1"], "Datum och tid": pd.to_datetime(["2025-06-01 14:30"]),
    ...                   "Beskrivning": ["=1+1"]})
    >>> b = pd.DataFrame({"Id": ["A-1"], "Datum och tid": ["2025-06-01 14:30"],
    ...                   "Beskrivning": ["'=1+1"]})
    >>> row_checksums(a).tolist() == row_checksums(b).tolist()
    True
    """
    parts = {}
    for column in CHECKED_COLUMNS:
        if column not in frame.columns:
            parts[column] = pd.Series("", index=frame.index)
        elif column == "Datum och tid":
            when = parse_timestamps(frame[column].reset_index(drop=True), where="list").timestamps
            text = pd.Series(
                when.dt.strftime(_FIXED_FORMAT).fillna("").to_numpy(), index=frame.index
            )
            parts[column] = text
        else:
            values = neutralise_formulas(frame[[column]].astype("string"))[column]
            parts[column] = values.fillna("").str.strip()
    hashes = pd.util.hash_pandas_object(pd.DataFrame(parts), index=False).to_numpy()
    return pd.Series(np.char.add("k", hashes.astype(str)), index=frame.index, dtype=object)


def write_lists(
    register: Register,
    outdir: str | os.PathLike[str],
    *,
    privacy: PrivacyPolicy = DEFAULT_POLICY,
    xlsx: bool = True,
    overwrite: bool = False,
    today: dt.date | None = None,
    now: str | None = None,
) -> dict[str, list[str]]:
    """Write the owners' lists and the coordinators' list of ``register`` into ``outdir``.

    Parameters
    ----------
    register : Register
        The register (it must exist).
    outdir : str or os.PathLike
        Folder to write, atomically (refused when it exists, unless ``overwrite``).
    privacy : PrivacyPolicy, optional
        What external owners do not get (default :data:`~geomap.register.privacy.DEFAULT_POLICY`).
    xlsx : bool, default True
        Also write XLSX (CSV is always written).
    today : datetime.date, optional
        The day that decides *Försenad*.
    now : str, optional
        The time recorded as *Lista skapad* and in the events (ISO 8601 with offset).

    Returns
    -------
    dict of str to list of str
        Owner id (``_samordnare`` for the coordinators) → the files written, relative to ``outdir``.

    Examples
    --------
    >>> write_lists(open_register("arenden.gpkg"), "listor")  # doctest: +SKIP
    {'huddinge_kommun': ['huddinge_kommun.csv', 'huddinge_kommun.xlsx'], …}
    """
    register.require()
    stamp = now or utc_now()
    registry = register.registry()
    remarks = state_frame(register.remarks(), registry, today=today)
    frame = _list_rows(remarks, registry, register.store.srid)
    with atomic_dir(outdir, overwrite=overwrite, kind="register-lists") as tmp:
        written, sent = _write_owner_lists(
            tmp, remarks, frame, registry, stamp, privacy=privacy, xlsx=xlsx
        )
        written[COORDINATOR_STEM] = _write(
            _coordinator_table(frame, remarks), tmp, COORDINATOR_STEM, xlsx=xlsx, owner_rows=False
        )
        _mark_sent(register, sent, stamp)
    return written


def _listed(remarks: pd.DataFrame) -> pd.Series:
    """Tell which remarks go on an owner's list: open, no duplicate, not *ej vårt ansvar*."""
    return (
        remarks["open"] & remarks["duplicate_of"].isna() & (remarks["status"] != "ej_vart_ansvar")
    )


def _write_owner_lists(
    tmp: Path,
    remarks: pd.DataFrame,
    frame: pd.DataFrame,
    registry: OwnerRegistry,
    stamp: str,
    *,
    privacy: PrivacyPolicy,
    xlsx: bool,
) -> tuple[dict[str, list[str]], list[str]]:
    """Write one list per owner into ``tmp``; return the files per owner and the ids sent now."""
    written: dict[str, list[str]] = {}
    sent: list[str] = []
    listed = _listed(remarks)
    for owner_id, rows in remarks[listed & remarks["owner"].notna()].groupby("owner"):
        owner = owner_of(registry, str(owner_id))
        external = bool(owner and owner.external)
        if external:
            rows = rows[~rows["category"].isin(privacy.withheld_categories)]
        if rows.empty:
            continue
        sent.extend(rows.loc[rows["status"] == "ny", "remark_id"])
        rows = rows.assign(status=rows["status"].replace({"ny": "skickad"}))
        table = _owner_table(frame, rows, str(owner_id), stamp, external=external, privacy=privacy)
        stem = owner_file_stem(str(owner_id))
        written[str(owner_id)] = _write(table, tmp, stem, xlsx=xlsx, owner_rows=True)
    return written, sent


def _list_rows(remarks: pd.DataFrame, registry: OwnerRegistry, srid: int) -> pd.DataFrame:
    """Return the route work-list columns of every remark (``list_frame``), indexed by remark id."""
    routed = remarks.assign(timestamp=pd.to_datetime(remarks["timestamp"], errors="coerce"))
    points = gpd.points_from_xy(routed["e"], routed["n"])
    geo = gpd.GeoDataFrame(routed, geometry=points, crs=srid or None)
    frame = list_frame(geo, _Run(registry=registry), links=False)  # type: ignore[arg-type]
    return frame.drop(columns=["Karta"]).set_index("Id", drop=False)


def _follow_up(remarks: pd.DataFrame) -> pd.DataFrame:
    """Return the follow-up columns of remarks, indexed by remark id."""
    return pd.DataFrame(
        {
            "Status": remarks["status"].map(STATUS_LABELS).to_numpy(),
            "Åtgärdat datum": remarks["fixed_date"].to_numpy(),
            "Kommentar": remarks["comment"].to_numpy(),
            "Förfallodatum": remarks["due_date"].to_numpy(),
            "Försenad": np.where(remarks["overdue"].to_numpy(bool), "ja", ""),
            "Dubblett av": remarks["duplicate_of"].to_numpy(),
        },
        index=pd.Index(remarks["remark_id"].to_numpy(), name="Id"),
    )


def _owner_table(
    frame: pd.DataFrame,
    rows: pd.DataFrame,
    owner_id: str,
    stamp: str,
    *,
    external: bool,
    privacy: PrivacyPolicy,
) -> pd.DataFrame:
    """One owner's list: route columns, follow-up columns, hidden check columns."""
    base = frame.loc[frame.index.intersection(pd.Index(rows["remark_id"]))]
    follow = _follow_up(rows).reindex(base.index)
    table = pd.concat([base, follow], axis=1).reset_index(drop=True)
    table = table.sort_values("Datum och tid", na_position="last", kind="stable").reset_index(
        drop=True
    )
    if external:
        for column in _TEXT_COLUMNS:
            if column in table.columns:
                table[column] = redact_series(table[column], kinds=privacy.redact)
    table["Ägar-id"] = owner_id
    table["Lista skapad"] = stamp
    table["Kontrollsumma"] = row_checksums(table)
    return table


def _coordinator_table(frame: pd.DataFrame, remarks: pd.DataFrame) -> pd.DataFrame:
    """Every open remark and every duplicate, each group together (first report first)."""
    shown = remarks[remarks["open"] | remarks["duplicate_of"].notna()]
    follow = _follow_up(shown)
    follow["Omdirigering: kandidater"] = shown["reroute_candidates"].to_numpy()
    table = pd.concat([frame.loc[follow.index], follow], axis=1)
    group = table["Dubblett av"].where(table["Dubblett av"].notna(), table["Id"])
    table = table.assign(_group=group.to_numpy(), _dup=table["Dubblett av"].notna().to_numpy())
    table = table.sort_values(
        ["_group", "_dup", "Datum och tid"], na_position="last", kind="stable"
    )
    return table.drop(columns=["_group", "_dup"]).reset_index(drop=True)


def _sheets(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    lead = [c for c in ("Syntetiska data",) if c in table.columns]
    first_cols = [c for c in LIST_COLUMNS if c in table.columns]
    follow = [
        c
        for c in table.columns
        if c in (*FOLLOW_UP, "Förfallodatum", "Försenad", "Dubblett av", "Omdirigering: kandidater")
    ]
    routing = [c for c in ROUTING_COLUMNS if c in table.columns]
    hidden = [c for c in HIDDEN if c in table.columns]
    first = [*lead, *first_cols, *follow, *routing, *hidden]
    technical = [*lead, "Id", *(c for c in table.columns if c not in first)]
    return {"Anmärkningar": table[first], "Teknik": table[technical]}


def _write(
    table: pd.DataFrame, folder: Path, stem: str, *, xlsx: bool, owner_rows: bool
) -> list[str]:
    """Write one list as CSV (all columns) and XLSX (two sheets, protected for owners)."""
    sheets = _sheets(table)
    write_csv(
        pd.concat(
            [
                sheets["Anmärkningar"],
                sheets["Teknik"].drop(
                    columns=[
                        c for c in sheets["Teknik"].columns if c in sheets["Anmärkningar"].columns
                    ]
                ),
            ],
            axis=1,
        ),
        folder / f"{stem}.csv",
    )
    files = [f"{stem}.csv"]
    if not xlsx:
        return files
    formats = {"Åtgärdat datum": "yyyy-mm-dd", "Förfallodatum": "yyyy-mm-dd", "Avstånd (m)": "0.0"}
    options: dict[str, object] = {}
    if owner_rows:
        options = {
            "choices": {"Status": list(STATUS_LABELS.values())},
            "hidden": list(HIDDEN),
            "editable": list(FOLLOW_UP),
        }
    write_xlsx(
        sheets,
        folder / f"{stem}.xlsx",
        title=f"Uppföljning {stem}",
        number_formats=formats,
        highlight={"Anmärkningar": (table["Försenad"] == "ja").to_numpy()},
        file_label=f"{stem}.xlsx",
        **options,  # type: ignore[arg-type]
    )
    return [*files, f"{stem}.xlsx"]


def _mark_sent(register: Register, ids: list[str], stamp: str) -> None:
    """*ny* → *skickad* for the remarks put on an owner's list for the first time."""
    if not ids:
        return
    store = register.store
    with store.transaction() as cur:
        frame = pd.DataFrame(
            {"remark_id": ids, "status": "skickad", "status_at": stamp, "updated_at": stamp}
        )
        store.update_from(cur, "remarks", "remark_id", frame)
        events = pd.DataFrame(
            {"remark_id": ids, "kind": "status", "status": "skickad", "at": stamp, "actor": "lists",
             "comment": "lista skriven", "source_file": None}
        )  # fmt: skip
        store.insert(cur, "events", events)

"""Changes by owners and coordinators: a returned list, a reassignment, an unlinked duplicate.

Each function applies its change in one transaction and logs one event per changed remark, so
no status is ever lost.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from geomap.core.dates import parse_timestamps
from geomap.errors import InputError
from geomap.io.sanitize import owner_file_stem
from geomap.io.tables import read_table
from geomap.register.ingest import file_hash
from geomap.register.lists import FOLLOW_UP, HIDDEN, row_checksums
from geomap.register.register import Register, pause, utc_now
from geomap.register.statuses import STATUS_LABELS, status_codes
from geomap.register.store import Cursor, Store

__all__ = ["UpdateResult", "apply_list", "reassign", "unlink"]

log = logging.getLogger(__name__)

_SHOWN = 8  # ids or rows a message names


@dataclass
class UpdateResult:
    """What a returned list changed: one row per changed remark, and the warnings given."""

    file: str
    owner: str = ""
    changes: pd.DataFrame = field(default_factory=pd.DataFrame)
    warnings: list[str] = field(default_factory=list)
    already_applied: bool = False

    def message(self) -> str:
        """Swedish lines for the user: one per changed remark, then a total."""
        if self.already_applied:
            return f"{self.file}: redan inläst – inget ändrades."
        lines = [
            f"{r.remark_id!s}: {r.before!s} → {r.after!s}"
            + (f" ({r.comment!s})" if r.comment else "")
            for r in self.changes.itertuples()
        ]
        count = len(self.changes)
        lines.append(f"{self.file}: {count} {'ändring' if count == 1 else 'ändringar'} inlästa.")
        return "\n".join(lines)


def _rows(numbers: np.ndarray) -> str:
    shown = ", ".join(str(int(n)) for n in numbers[:_SHOWN])
    more = f" and {len(numbers) - _SHOWN} more" if len(numbers) > _SHOWN else ""
    return f"{'row' if len(numbers) == 1 else 'rows'} {shown}{more}"


def _read_list(path: Path) -> pd.DataFrame:
    """Read the first sheet (or the CSV) of a returned list, with Excel row numbers in ``_row``."""
    if not path.is_file():
        msg = f"{path}: file not found; pass the list written by 'geomap register lists'"
        raise InputError(msg)
    sheet = "Anmärkningar" if path.suffix.lower() in {".xlsx", ".xlsm"} else None
    frame, _ = read_table(path, sheet=sheet)
    missing = [c for c in ("Id", *FOLLOW_UP, *HIDDEN) if c not in frame.columns]
    if missing:
        msg = (
            f"{path}: column(s) {', '.join(missing)} missing; return the list as "
            "'geomap register lists' wrote it (hidden columns included)"
        )
        raise InputError(msg)
    frame = frame.assign(_row=np.arange(len(frame)) + 2)
    return frame[frame["Id"].notna() & (frame["Id"].astype("string").str.strip() != "")]


def _list_owner(path: Path, frame: pd.DataFrame) -> str:
    """Return the owner a list was written for: the one whose file stem it has, else the most common id."""
    owners = frame["Ägar-id"].astype("string").str.strip().dropna()
    by_stem = [o for o in pd.unique(owners) if owner_file_stem(str(o)) == path.stem]
    if by_stem:
        return str(by_stem[0])
    if owners.empty:
        msg = (
            f"{path}: column Ägar-id is empty; return the list as 'geomap register lists' wrote it"
        )
        raise InputError(msg)
    return str(owners.mode().iloc[0])


def _check_rows(path: Path, frame: pd.DataFrame, owner: str, current: pd.DataFrame) -> None:
    """Refuse unknown ids, rows of another owner and unknown statuses, naming rows and values."""
    ids = frame["Id"].astype("string").str.strip()
    unknown = ~ids.isin(current.index)
    if unknown.any():
        listed = ", ".join(map(repr, ids[unknown].head(_SHOWN)))
        msg = (
            f"{path}: column Id, {_rows(frame['_row'][unknown].to_numpy())}: remark id(s) {listed} "
            "are not in the register; remove those rows or ingest the routed.gpkg that has them"
        )
        raise InputError(msg)
    row_owner = frame["Ägar-id"].astype("string").str.strip().fillna("")
    registered = ids.map(current["owner"]).astype("string").fillna("")
    other = (row_owner != owner) | (registered != owner)
    if other.any():
        msg = (
            f"{path}: {_rows(frame['_row'][other].to_numpy())} belong to another owner than "
            f"{owner!r} (ids {', '.join(map(repr, ids[other].head(_SHOWN)))}); nothing was "
            "applied — each owner returns only the rows of its own list"
        )
        raise InputError(msg)
    given = frame["Status"].astype("string").str.strip()
    codes = status_codes(given)
    bad = given.notna() & (given != "") & codes.isna()
    if bad.any():
        values = ", ".join(map(repr, pd.unique(given[bad])[:_SHOWN]))
        msg = (
            f"{path}: column Status, {_rows(frame['_row'][bad].to_numpy())}: unknown status "
            f"{values}; allowed: {', '.join(STATUS_LABELS.values())}"
        )
        raise InputError(msg)


def _edited_rows(path: Path, frame: pd.DataFrame) -> list[str]:
    """Warn about rows whose other columns were edited (those edits are ignored)."""
    edited = (
        row_checksums(frame).to_numpy()
        != frame["Kontrollsumma"].astype("string").fillna("").to_numpy()
    )
    if not edited.any():
        return []
    text = (
        f"{path}: {_rows(frame['_row'][edited].to_numpy())}: columns other than "
        f"{', '.join(FOLLOW_UP)} were edited; those edits are ignored (only the follow-up "
        "columns are read)"
    )
    log.warning("%s", text)
    return [text]


def apply_list(
    register: Register,
    path: str | os.PathLike[str],
    *,
    force: bool = False,
    actor: str | None = None,
    now: str | None = None,
) -> UpdateResult:
    """Apply a list an owner returned (XLSX or CSV from :func:`write_lists`), in one transaction.

    Parameters
    ----------
    register : Register
        The register the list was written from.
    path : str or os.PathLike
        The returned ``<owner>.xlsx`` or ``<owner>.csv``.
    force : bool, default False
        Apply a list older than one already applied for the same owner.
    actor : str, optional
        Who made the changes (default: the list's owner id).
    now : str, optional
        Time of the events (ISO 8601 with offset; default now).

    Returns
    -------
    UpdateResult

    Raises
    ------
    InputError
        Unknown remark ids, rows of another owner, unknown statuses (the message lists the
        allowed ones), an unreadable date, or a list older than one applied before (without
        ``force``). Nothing is applied then.

    Examples
    --------
    >>> apply_list(open_register("arenden.gpkg"), "huge_bostader.xlsx").message()  # doctest: +SKIP
    'SF-01: skickad → åtgärdad …'
    """
    source = Path(path)
    register.require()
    stamp = now or utc_now()
    digest = file_hash(source) if source.is_file() else ""
    frame = _read_list(source)
    owner = _list_owner(source, frame)
    result = UpdateResult(file=str(source), owner=owner)
    store = register.store
    with store.transaction() as cur:
        done = _applied_lists(store, cur, owner)
        if not done.empty and _hash_applied(store, cur, digest):
            result.already_applied = True
            return result
        created = _list_created(source, frame, owner, done, force=force)
        current = _current_remarks(store, cur)
        _check_rows(source, frame, owner, current)
        result.warnings = _edited_rows(source, frame)
        result.changes = _apply_rows(register, cur, source, frame, current, actor or owner, stamp)
        _record_update(store, cur, source, digest, stamp, owner, created, frame, result)
        pause("register_update")
    return result


def _applied_lists(store: Store, cur: Cursor, owner: str) -> pd.DataFrame:
    """Return *Lista skapad* of every list applied before for ``owner``."""
    return store.query(
        cur, "SELECT list_created FROM imports WHERE kind = 'update' AND owner = ?", [owner]
    )


def _hash_applied(store: Store, cur: Cursor, digest: str) -> bool:
    """Tell whether a list with this content hash was applied before."""
    return digest in set(
        store.query(cur, "SELECT content_hash FROM imports WHERE kind = 'update'")["content_hash"]
    )


def _list_created(
    source: Path, frame: pd.DataFrame, owner: str, done: pd.DataFrame, *, force: bool
) -> str:
    """Return the list's *Lista skapad*; refuse a list older than one applied (unless ``force``)."""
    created = str(frame["Lista skapad"].astype("string").dropna().max() or "")
    newest = str(done["list_created"].dropna().max()) if not done.empty else ""
    if newest and created < newest and not force:
        msg = (
            f"{source}: this list was made {created}, before a list for {owner!r} applied "
            f"already (made {newest}); applying it could undo newer answers — pass `force` "
            "to apply it anyway"
        )
        raise InputError(msg)
    return created


def _current_remarks(store: Store, cur: Cursor) -> pd.DataFrame:
    """Return the fields a returned list may change, of every remark, indexed by remark id."""
    return store.query(
        cur,
        "SELECT remark_id, owner, status, fixed_date, comment, candidates, land_owner FROM remarks",
    ).set_index("remark_id")


def _record_update(
    store: Store,
    cur: Cursor,
    source: Path,
    digest: str,
    stamp: str,
    owner: str,
    created: str,
    frame: pd.DataFrame,
    result: UpdateResult,
) -> None:
    """Add the ``imports`` row of this returned list (file, content hash, counts)."""
    store.insert(
        cur, "imports",
        pd.DataFrame({"kind": ["update"], "file": [str(source)], "content_hash": [digest],
                      "at": [stamp], "owner": [owner], "list_created": [created],
                      "rows": [len(frame)], "changed": [len(result.changes)]}),
    )  # fmt: skip


def _wanted(source: Path, frame: pd.DataFrame, before: pd.DataFrame, stamp: str) -> pd.DataFrame:
    """Read status, fixed date and comment of each returned row (unchanged where left empty).

    *Åtgärdad* without a date gets today's date (Swedish time of ``stamp``).
    """
    status = status_codes(frame["Status"]).to_numpy(dtype=object)
    status = np.where(pd.isna(status), before["status"].to_numpy(dtype=object), status)
    dates = parse_timestamps(
        frame["Åtgärdat datum"].reset_index(drop=True), where=str(source), column="Åtgärdat datum",
        rows=frame["_row"].to_numpy(),
    )  # fmt: skip
    fixed = dates.timestamps.dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    today = pd.Timestamp(stamp).tz_convert("Europe/Stockholm").strftime("%Y-%m-%d")
    fixed = np.where(pd.isna(fixed) & (status == "atgardad"), today, fixed)
    fixed = np.where(pd.isna(fixed), before["fixed_date"].to_numpy(dtype=object), fixed)
    text = frame["Kommentar"].astype("string").str.strip()
    comment = text.where(text != "").astype(object).where(text.notna(), None).to_numpy()
    return pd.DataFrame(
        {"remark_id": before.index.to_numpy(dtype=object), "status": status,
         "fixed_date": fixed, "comment": comment}
    )  # fmt: skip


def _apply_rows(
    register: Register,
    cur: Cursor,
    source: Path,
    frame: pd.DataFrame,
    current: pd.DataFrame,
    actor: str,
    stamp: str,
) -> pd.DataFrame:
    """Update the remarks whose status, date or comment differ from the register; log events."""
    ids = frame["Id"].astype("string").str.strip().to_numpy(dtype=object)
    before = current.reindex(ids)
    wanted = _wanted(source, frame, before, stamp)
    fields = ["status", "fixed_date", "comment"]
    old = before[fields].astype("string").fillna("").to_numpy(dtype=object)
    new = wanted[fields].astype("string").fillna("").to_numpy(dtype=object)
    changed = (old != new).any(axis=1)
    rows = wanted.loc[changed].copy()
    moved = (
        rows["status"].to_numpy(dtype=object) != before["status"].to_numpy(dtype=object)[changed]
    )
    queue = _reroute_candidates(before.loc[rows["remark_id"]])
    refused = (rows["status"] == "ej_vart_ansvar").to_numpy(dtype=bool)
    rows["reroute_candidates"] = np.where(refused, queue, np.array(None, dtype=object))
    rows["updated_at"] = stamp
    register.store.update_from(cur, "remarks", "remark_id", rows)
    register.store.update_from(
        cur, "remarks", "remark_id", rows.loc[moved, ["remark_id"]].assign(status_at=stamp)
    )
    events = pd.DataFrame(
        {"remark_id": rows["remark_id"], "kind": np.where(moved, "status", "comment"),
         "status": rows["status"], "at": stamp, "actor": actor, "comment": rows["comment"],
         "source_file": source.name}
    )  # fmt: skip
    register.store.insert(cur, "events", events)
    return pd.DataFrame(
        {"remark_id": rows["remark_id"].to_numpy(),
         "before": before["status"].map(STATUS_LABELS).to_numpy(dtype=object)[changed],
         "after": rows["status"].map(STATUS_LABELS).to_numpy(dtype=object),
         "comment": rows["comment"].fillna("").to_numpy(dtype=object)}
    )  # fmt: skip


def _reroute_candidates(rows: pd.DataFrame) -> np.ndarray:
    """Candidate owners of refused remarks: the routing candidates and the land owner, not the refuser."""
    text = (
        rows["candidates"].astype("string").fillna("")
        + ";"
        + rows["land_owner"].astype("string").fillna("")
    )
    owner = rows["owner"].astype("string").fillna("").to_numpy(dtype=object)
    parts = text.str.split(";").to_numpy(dtype=object)
    out = [
        ";".join(dict.fromkeys(p for p in ps if p and p != o)) or None
        for ps, o in zip(parts, owner, strict=True)
    ]
    return np.array(out, dtype=object)


def _one(register: Register, cur: Cursor, remark_id: str) -> pd.Series:
    found = register.store.query(cur, "SELECT * FROM remarks WHERE remark_id = ?", [remark_id])
    if found.empty:
        msg = f"remark id {remark_id!r} is not in the register {register.target}; check the id (lists show it in column Id)"
        raise InputError(msg)
    return found.iloc[0]


def reassign(
    register: Register,
    remark_id: str,
    *,
    owner: str,
    reason: str,
    actor: str = "samordnare",
    now: str | None = None,
) -> str:
    """Move a remark to another owner (the re-routing queue's answer); the history keeps both.

    The remark gets status *ny* for its new owner, and its service level starts again.

    Raises
    ------
    InputError
        An unknown remark id or owner, or an empty ``reason``.

    Examples
    --------
    >>> reassign(open_register("arenden.gpkg"), "SF-04", owner="huge_bostader",
    ...          reason="Huge sköter gården")  # doctest: +SKIP
    'SF-04: Privat fastighetsägare → Huge Bostäder AB'
    """
    register.require()
    stamp = now or utc_now()
    registry = register.registry()
    if owner not in registry:
        msg = f"`owner` {owner!r} is not in the register's owner registry; known: {', '.join(registry.ids)}"
        raise InputError(msg)
    if not reason.strip():
        msg = "`reason` is empty; say why the remark moves (it is kept in the history)"
        raise InputError(msg)
    store = register.store
    with store.transaction() as cur:
        row = _one(register, cur, remark_id)
        old = str(row["owner"] or "")
        name = registry[owner].name
        store.update_from(cur, "remarks", "remark_id", pd.DataFrame(
            {"remark_id": [remark_id], "owner": [owner], "owner_name": [name], "status": ["ny"],
             "status_at": [stamp], "assigned_at": [stamp], "updated_at": [stamp],
             "reassigned": [1], "reroute_candidates": [None]}))  # fmt: skip
        store.insert(cur, "events", pd.DataFrame(
            {"remark_id": [remark_id], "kind": ["reassign"], "status": ["ny"], "at": [stamp],
             "actor": [actor], "comment": [f"från {old or '–'} till {owner}: {reason.strip()}"],
             "source_file": [None]}))  # fmt: skip
    old_name = registry[old].name if old in registry else old or "–"
    return f"{remark_id}: {old_name} → {name}"


def unlink(
    register: Register, remark_id: str, *, actor: str = "samordnare", now: str | None = None
) -> str:
    """Undo a duplicate link: the remark is its own again, with the status it had before.

    Raises
    ------
    InputError
        An unknown remark id, or a remark that is no duplicate.

    Examples
    --------
    >>> unlink(open_register("arenden.gpkg"), "LB-2025-0042")  # doctest: +SKIP
    'LB-2025-0042: inte längre dubblett av LB-2025-0007'
    """
    register.require()
    stamp = now or utc_now()
    store = register.store
    with store.transaction() as cur:
        row = _one(register, cur, remark_id)
        if row["duplicate_of"] is None:
            msg = f"remark {remark_id!r} is not linked as a duplicate; nothing to unlink"
            raise InputError(msg)
        history = store.query(
            cur,
            "SELECT status FROM events WHERE remark_id = ? AND status IS NOT NULL ORDER BY fid",
            [remark_id],
        )
        earlier = [s for s in history["status"] if s != "dubblett"]
        status = earlier[-1] if earlier else "ny"
        store.update_from(cur, "remarks", "remark_id", pd.DataFrame(
            {"remark_id": [remark_id], "duplicate_of": [None], "duplicate_unlinked": [1],
             "status": [status], "status_at": [stamp], "updated_at": [stamp]}))  # fmt: skip
        store.insert(cur, "events", pd.DataFrame(
            {"remark_id": [remark_id], "kind": ["unlink"], "status": [status], "at": [stamp],
             "actor": [actor], "comment": [f"inte dubblett av {row['duplicate_of']}"],
             "source_file": [None]}))  # fmt: skip
    return f"{remark_id}: inte längre dubblett av {row['duplicate_of']}"

"""The rows of a protocol: one per remark, Swedish headers, built column by column (no row loop).

Examples
--------
>>> import pandas as pd
>>> remarks = pd.DataFrame({"remark_id": ["TV-1-1"], "nr": [1], "place": ["Torget"],
...     "description": ["Mörkt"], "category": ["belysning"], "category_label": ["Trasig belysning"],
...     "category_raw": ["Belysning"], "action": ["Byt lampor"], "protocol_owner": ["Kommunen"],
...     "owner": ["huddinge_kommun"], "owner_name": ["Huddinge kommun"],
...     "reason": ["Inom mark som ägs av Huddinge kommun"], "flags": [""]})
>>> rows = protocol_rows(remarks, follow_up=pd.Timestamp("2025-10-23"))
>>> rows.loc[0, [OWNER, STATUS]].tolist(), int(rows.loc[0, NUMBER])
(['Huddinge kommun', 'ej i registret'], 1)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from geomap.core.categories import normalise_text
from geomap.core.labels import UNROUTED_OWNER_LABEL, flag_texts
from geomap.core.remarks import find_column

__all__ = [
    "ACTION",
    "CATEGORY",
    "FLAGS",
    "FOLLOW_UP",
    "NOT_IN_REGISTER",
    "NUMBER",
    "OBSERVATION",
    "OWNER",
    "PLACE",
    "POSITIVE_WORDS",
    "PROTOCOL_OWNER",
    "REASON",
    "STATUS",
    "is_positive",
    "protocol_rows",
    "remark_numbers",
    "split_rows",
]

NUMBER = "Nr"
PLACE = "Plats"
OBSERVATION = "Iakttagelse"
CATEGORY = "Kategori"
ACTION = "Önskad åtgärd"
PROTOCOL_OWNER = "Markägare enligt protokollet"
OWNER = "Ansvarig enligt geomap"
REASON = "Anledning"
FLAGS = "Flaggor"
FOLLOW_UP = "Uppföljning senast"
STATUS = "Status"

#: Status of a remark that the follow-up register does not hold (or when no register is given).
NOT_IN_REGISTER = "ej i registret"

#: Category codes and texts (normalised) that mark a positive remark: kept like every other.
POSITIVE_WORDS = frozenset({"positivt", "positiv", "bra", "berom", "positiv iakttagelse"})


def _text(remarks: pd.DataFrame, column: str) -> pd.Series:
    if column not in remarks.columns:
        return pd.Series("", index=remarks.index, dtype=object)
    values = remarks[column].astype("string").fillna("").str.strip()
    return values.astype(object)


def is_positive(remarks: pd.DataFrame) -> np.ndarray:
    """Tell which remarks are positive (category ``positivt``, or written "Positivt", "Bra" …).

    Examples
    --------
    >>> is_positive(pd.DataFrame({"category": ["Positivt", "klotter"]})).tolist()
    [True, False]
    """
    out = np.zeros(len(remarks), dtype=bool)
    for column in ("category", "category_raw"):
        values = _text(remarks, column)
        codes, uniques = pd.factorize(values)
        hit = np.array([normalise_text(u) in POSITIVE_WORDS for u in uniques] + [False])
        out |= hit[np.where(codes < 0, len(uniques), codes)]
    return out


def remark_numbers(remarks: pd.DataFrame) -> np.ndarray:
    """Return each remark's point number in its protocol (``nr``, ``punkt`` …), else 1, 2, 3.

    Examples
    --------
    >>> remark_numbers(pd.DataFrame({"walk_id": ["A", "A", "B"]})).tolist()
    [1, 2, 1]
    """
    column = find_column([str(c) for c in remarks.columns], "number")
    order = (
        remarks.groupby("walk_id", sort=False).cumcount().to_numpy() + 1
        if "walk_id" in remarks.columns
        else np.arange(1, len(remarks) + 1)
    )
    if column is None:
        return order.astype(np.int64)
    given = pd.to_numeric(remarks[column], errors="coerce").to_numpy(dtype=float)
    whole = np.isfinite(given) & (given % 1 == 0)
    return np.where(whole, np.nan_to_num(given), order).astype(np.int64)


def _flags(remarks: pd.DataFrame) -> np.ndarray:
    """Swedish flag words; a positive remark's "okänd kategori" is left out (it is no defect)."""
    if "flags" not in remarks:
        return np.full(len(remarks), "", dtype=object)
    flags = remarks["flags"].fillna("").astype(str)
    cleaned = flags.str.replace(r"(^|;)unknown_category(?=;|$)", "", regex=True).str.strip(";")
    return flag_texts(flags.where(~is_positive(remarks), cleaned))


#: The two tables of a protocol: what was seen, and who acts by when.
SEEN_COLUMNS = (NUMBER, PLACE, OBSERVATION, CATEGORY, ACTION, PROTOCOL_OWNER, OWNER)
FOLLOW_COLUMNS = (NUMBER, OWNER, REASON, FLAGS, FOLLOW_UP, STATUS)


def split_rows(
    rows: pd.DataFrame, *, place: str | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split :func:`protocol_rows` into the table of remarks and the table of follow-up (for A4).

    The place column is left out when every row has the walk's ``place`` (it is in the header).

    Examples
    --------
    >>> rows = pd.DataFrame({c: ["x"] for c in (*SEEN_COLUMNS, *FOLLOW_COLUMNS)})
    >>> [list(t.columns)[:3] for t in split_rows(rows, place="x")]
    [['Nr', 'Iakttagelse', 'Kategori'], ['Nr', 'Ansvarig enligt geomap', 'Anledning']]
    """
    seen = [c for c in SEEN_COLUMNS if c in rows.columns]
    if place is not None and (rows[PLACE].isin([place, ""])).all():
        seen.remove(PLACE)
    return rows[seen], rows[[c for c in FOLLOW_COLUMNS if c in rows.columns]]


def protocol_rows(
    remarks: pd.DataFrame,
    *,
    follow_up: pd.Timestamp | None,
    status: Mapping[str, str] | pd.Series | None = None,
) -> pd.DataFrame:
    """Return the protocol's table: one row per remark, sorted by number.

    Parameters
    ----------
    remarks : pandas.DataFrame
        The walk's remarks (columns of ``routed.gpkg``).
    follow_up : pandas.Timestamp or None
        The follow-up date of every row (walk date + months); None leaves it empty.
    status : mapping or pandas.Series, optional
        Remark id → Swedish follow-up status (from the register); absent ids read
        :data:`NOT_IN_REGISTER`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`NUMBER` … :data:`STATUS`; :data:`PROTOCOL_OWNER` only when the input names
        a landowner for some remark.
    """
    owner = _text(remarks, "owner_name")
    owner = owner.where(owner != "", UNROUTED_OWNER_LABEL)
    category = _text(remarks, "category_label").where(~is_positive(remarks), "Positivt")
    ids = _text(remarks, "remark_id")
    state = pd.Series(ids.map(pd.Series(status) if status is not None else {}), dtype=object)
    frame = {
        NUMBER: remark_numbers(remarks),
        PLACE: _text(remarks, "place").to_numpy(),
        OBSERVATION: _text(remarks, "description").to_numpy(),
        CATEGORY: category.to_numpy(),
        ACTION: _text(remarks, "action").to_numpy(),
        PROTOCOL_OWNER: _text(remarks, "protocol_owner").to_numpy(),
        OWNER: owner.to_numpy(),
        REASON: _text(remarks, "reason").to_numpy(),
        FLAGS: _flags(remarks),
        FOLLOW_UP: np.full(
            len(remarks),
            np.datetime64("NaT") if follow_up is None else np.datetime64(follow_up, "ns"),
            dtype="datetime64[ns]",
        ),
        STATUS: state.fillna(NOT_IN_REGISTER).to_numpy(),
    }
    rows = pd.DataFrame(frame)
    if not (rows[PROTOCOL_OWNER] != "").any():
        rows = rows.drop(columns=PROTOCOL_OWNER)
    return rows.sort_values(NUMBER, kind="stable").reset_index(drop=True)

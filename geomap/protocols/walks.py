"""Walk metadata: one row per safety walk (date, start time, place, organiser, organisations).

The header of a protocol comes from two places, the second winning where both give a value:

1. columns on the walk's remark rows, kept in ``routed.gpkg`` as input columns: ``vandring_id``
   (the model's ``walk_id``), ``vandringsdatum``, ``tid``/``starttid``, ``plats``, ``arrangor``
   and ``organisationer`` (names as in :data:`WALK_FIELDS`, matched ignoring case and accents);
2. a walk table given with ``walks=`` (:func:`read_walks`): a CSV/XLSX table (the sheet
   ``Vandring`` of the fill-in template) or the layer/table ``vandringar`` of a GeoPackage.

Columns that hold private persons' names (``deltagare``, ``namn``, ``kontaktperson``,
``protokollforare`` …, :data:`PERSONAL_WORDS`) are never read: a protocol names organisations only.

Examples
--------
>>> import pandas as pd
>>> rows = pd.DataFrame({"walk_id": ["A", "A"], "walk_date": ["2025-04-23", None],
...                      "place": ["Torget", None], "arrangor": ["Huddinge kommun", None]})
>>> walk_metadata(rows).loc["A", ["date", "place", "organiser"]].tolist()
[Timestamp('2025-04-23 00:00:00'), 'Torget', 'Huddinge kommun']
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import pandas as pd

from geomap.core.dates import parse_timestamps
from geomap.errors import InputError
from geomap.io.tables import normalise_name, read_table
from geomap.io.vector import read_vector

__all__ = [
    "METADATA_COLUMNS",
    "PERSONAL_WORDS",
    "WALKS_LAYER",
    "WALK_FIELDS",
    "read_walks",
    "walk_metadata",
]

log = logging.getLogger(__name__)

#: Layer (GeoPackage) or sheet (XLSX template) that holds the walk table.
WALKS_LAYER = "vandringar"

#: Metadata field → accepted column names (normalised: lower case, ASCII, ``_``), first wins.
WALK_FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "walk_id": ("walk_id", "vandring_id", "vandringsid", "vandring", "trygghetsvandring_id", "id"),
        "date": ("walk_date", "vandringsdatum", "vandring_datum", "datum_for_vandring", "datum", "date"),
        "time": ("starttid", "tid", "klockslag", "vandringstid", "tid_vandring", "time"),
        "place": ("place", "plats", "omrade", "stalle"),
        "organiser": ("arrangor", "organiser", "organizer", "sammankallande", "arrangerande_organisation"),
        "organisations": (
            "organisationer",
            "deltagande_organisationer",
            "medverkande_organisationer",
            "organisations",
        ),
    }
)  # fmt: skip

#: Words in a column name that mark private persons' data: such columns are never read.
PERSONAL_WORDS = (
    "deltagare",
    "namn",
    "name",
    "person",
    "kontakt",
    "protokollforare",
    "antecknad",
    "ledare",
    "telefon",
    "mobil",
    "e_post",
    "epost",
    "mejl",
    "email",
)

#: Columns of :func:`walk_metadata` (index ``walk_id``).
METADATA_COLUMNS = ("date", "time", "place", "organiser", "organisations")


def _is_personal(column: str) -> bool:
    name = normalise_name(column)
    return any(word in name.split("_") or name.startswith(word) for word in PERSONAL_WORDS)


def _columns(columns: list[str]) -> dict[str, str]:
    """Map each metadata field to the column holding it (personal columns never count)."""
    names: dict[str, str] = {}
    for column in columns:
        if _is_personal(column):
            log.info("column %r holds persons' data: left out of the protocol", column)
            continue
        names.setdefault(normalise_name(column), column)
    found: dict[str, str] = {}
    for field, aliases in WALK_FIELDS.items():
        hit = next((names[a] for a in aliases if a in names), None)
        if hit is not None and hit not in found.values():
            found[field] = hit
    return found


def _text(values: pd.Series) -> pd.Series:
    values = values.astype("string").str.strip()
    return values.where(values != "").astype(object)


def _clock(values: pd.Series) -> pd.Series:
    """Start times as ``HH:MM`` text (``19.00``, ``1900``, ``kl 19`` read by the one date parser)."""
    text = _text(values)
    parsed = parse_timestamps(
        pd.Series("2000-01-01", index=text.index), text, column="date", time_column="tid"
    ).timestamps
    clock = parsed.dt.strftime("%H:%M")
    return clock.where(parsed.notna() & text.notna() & (clock != "00:00")).astype(object)


def _frame(table: pd.DataFrame, *, where: str) -> pd.DataFrame:
    """Return the metadata of ``table`` (one row per remark or per walk), one row per walk."""
    found = _columns([str(c) for c in table.columns])
    if "walk_id" not in found:
        msg = f"{where}: no walk id column (one of {', '.join(WALK_FIELDS['walk_id'][:4])}); add one naming each walk, e.g. vandring_id"
        raise InputError(msg)
    ids = _text(table[found["walk_id"]])
    out = pd.DataFrame(index=table.index)
    for field in METADATA_COLUMNS:
        column = found.get(field)
        values = table[column] if column is not None else pd.Series(None, index=table.index)
        if field == "date":
            out[field] = parse_timestamps(
                values.astype(object), where=where, column=column or "date"
            ).timestamps.dt.normalize()
        elif field == "time":
            out[field] = _clock(values) if column is not None else None
        else:
            out[field] = _text(values)
    out["walk_id"] = ids
    return out[ids.notna().to_numpy()].groupby("walk_id", sort=False).first()


def walk_metadata(remarks: pd.DataFrame, walks: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return one row per walk of ``remarks``: date, time, place, organiser, organisations.

    Parameters
    ----------
    remarks : pandas.DataFrame
        Remarks of ``routed.gpkg`` (model column ``walk_id``; metadata columns as the walk
        file had them). Rows without a walk id are left out.
    walks : pandas.DataFrame, optional
        The walk table (:func:`read_walks`); its values win over the remarks'.

    Returns
    -------
    pandas.DataFrame
        Index ``walk_id`` (in order of first appearance), columns :data:`METADATA_COLUMNS`:
        ``date`` (``datetime64`` day or NaT), ``time`` (``HH:MM`` text or None), the rest text or None.

    Examples
    --------
    >>> rows = pd.DataFrame({"walk_id": ["A"], "tid": ["19.30"], "deltagare": ["Anna A"]})
    >>> meta = walk_metadata(rows)
    >>> meta.loc["A", "time"], "Anna A" in meta.to_string()
    ('19:30', False)
    """
    table = remarks.drop(columns="geometry", errors="ignore")
    if "walk_id" in table.columns:  # the model column wins over the input column it came from
        table = table.drop(
            columns=[c for c in table.columns if normalise_name(c) in WALK_FIELDS["walk_id"][1:]]
        )
    meta = _frame(table, where="remarks")
    if walks is not None and len(walks):
        given = walks[list(METADATA_COLUMNS)]
        meta = given.combine_first(meta).reindex(
            [*meta.index, *(i for i in given.index if i not in meta.index)]
        )
    return meta[list(METADATA_COLUMNS)]


def read_walks(path: str | os.PathLike[str], *, layer: str | None = None) -> pd.DataFrame:
    r"""Read a walk table: CSV/XLSX (sheet ``Vandring``/``vandringar`` or ``layer``) or GeoPackage.

    Parameters
    ----------
    path : str or os.PathLike
        The file. A GeoPackage's table ``vandringar`` (or ``layer``) is read; in an XLSX the
        sheet ``layer``, else ``Vandring`` or ``vandringar`` when there is one, else the first.
    layer : str, optional
        Layer or sheet name.

    Returns
    -------
    pandas.DataFrame
        As :func:`walk_metadata`: index ``walk_id``, columns :data:`METADATA_COLUMNS`.

    Raises
    ------
    InputError
        If the file cannot be read or has no walk id column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "vandringar.csv"
    >>> _ = p.write_text("vandring_id;datum;arrangör\nTV-1;2025-04-23;Polisen\n", encoding="utf-8")
    >>> read_walks(p).loc["TV-1", "organiser"]
    'Polisen'
    """
    path = Path(path)
    if not path.is_file():
        msg = f"`walks`: {path} does not exist or is not a file; give the walk table (CSV, XLSX or GeoPackage)"
        raise InputError(msg)
    if path.suffix.lower() in {".csv", ".txt", ".xlsx", ".xlsm"}:
        table, _ = read_table(path, sheet=_sheet(path, layer))
    else:
        import pyogrio

        names = (
            [str(n) for n in pyogrio.list_layers(path)[:, 0]]
            if path.suffix.lower() == ".gpkg"
            else []
        )
        chosen = layer or (WALKS_LAYER if WALKS_LAYER in names or not names else names[0])
        if names and chosen not in names:
            msg = f"{path} has no layer {chosen!r} for the walk table (layers: {', '.join(names)}); pass one of them"
            raise InputError(msg)
        table = pd.DataFrame(read_vector(path, layer=chosen, what="walk table"))
    return _frame(table, where=str(path))


def _sheet(path: Path, layer: str | None) -> str | None:
    if layer is not None or path.suffix.lower() not in {".xlsx", ".xlsm"}:
        return layer
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True)
    try:
        by_name = {normalise_name(n): n for n in book.sheetnames}
    finally:
        book.close()
    return by_name.get("vandring", by_name.get(WALKS_LAYER))

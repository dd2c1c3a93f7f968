"""The remark model: stable ids, source, normalised category, time, description, wished action.

Whatever the input looked like (a lägesbild export, a safety-walk protocol, a citizen report), every
remark keeps all its input columns and gains the same set of model columns (see README, output
contract).
"""

from __future__ import annotations

import logging

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap.core.categories import Categories
from geomap.io.tables import normalise_name

__all__ = ["MODEL_COLUMNS", "SOURCES", "build_remarks", "find_column"]

log = logging.getLogger(__name__)

#: Sources a remark can come from.
SOURCES = ("lagesbild", "trygghetsvandring", "felanmalan", "other")

#: Columns the model adds; an input column of the same name is kept as ``input_<name>``.
MODEL_COLUMNS = (
    "remark_id",
    "source",
    "category",
    "category_label",
    "category_raw",
    "timestamp",
    "description",
    "action",
    "walk_id",
    "walk_date",
    "place",
    "owner",
    "owner_name",
    "land_owner",
    "route_method",
    "distance_m",
    "candidates",
    "flags",
    "reason",
)

# Normalised column names (see geomap.tables.normalise_name) for each model field.
_ALIASES: dict[str, tuple[str, ...]] = {
    "id": (
        "remark_id",
        "id",
        "arendenr",
        "arendenummer",
        "arende_id",
        "arende",
        "handelse_id",
        "handelsenr",
        "handelsenummer",
        "lopnr",
        "lopnummer",
        "diarienr",
        "diarienummer",
    ),
    "category": (
        "category",
        "kategori",
        "handelsetyp",
        "typ",
        "anmarkningstyp",
        "arendetyp",
        "type",
        "kategori_text",
        "orsak",
    ),
    "timestamp": (
        "timestamp",
        "tidpunkt",
        "datum_tid",
        "datumtid",
        "datetime",
        "datum",
        "date",
        "handelsedatum",
        "rapporterad",
        "skapad",
        "inkommen",
    ),
    "time": ("tid", "klockslag", "time", "kl"),
    "description": (
        "description",
        "beskrivning",
        "anmarkning",
        "notering",
        "text",
        "kommentar",
        "handelse",
        "fritext",
    ),
    "action": (
        "action",
        "onskad_atgard",
        "atgard",
        "wished_action",
        "forslag_till_atgard",
        "forslag",
        "atgardsforslag",
    ),
    "walk_id": ("walk_id", "vandring_id", "vandringsid", "vandring", "trygghetsvandring_id"),
    "walk_date": ("walk_date", "vandringsdatum", "vandring_datum"),
    "number": ("nr", "nummer", "punkt", "punkt_nr"),
    "place": ("place", "plats", "omrade", "adress", "location", "stalle"),
    "source": ("source", "kalla", "kanal", "ursprung"),
}

_SOURCE_VALUES = {
    "lagesbild": "lagesbild",
    "lagesbilden": "lagesbild",
    "lagesrapport": "lagesbild",
    "trygghetsvandring": "trygghetsvandring",
    "trygghetsvandringar": "trygghetsvandring",
    "felanmalan": "felanmalan",
    "felanmalningar": "felanmalan",
    "medborgardialog": "felanmalan",
    "other": "other",
    "ovrigt": "other",
    "annat": "other",
}


def find_column(columns: list[str], field: str) -> str | None:
    """Return the input column holding ``field`` (``"category"``, ``"description"`` …), if any.

    Examples
    --------
    >>> find_column(["Ärendenr", "Önskad åtgärd"], "action")
    'Önskad åtgärd'
    """
    names = {normalise_name(c): c for c in columns}
    for alias in _ALIASES[field]:
        if alias in names:
            return names[alias]
    return None


def build_remarks(
    frame: gpd.GeoDataFrame,
    *,
    categories: Categories,
    source: str | None = None,
) -> gpd.GeoDataFrame:
    """Add the remark model columns to a frame read by :func:`geomap.readers.read_remarks`.

    Parameters
    ----------
    frame
        Remarks with their input columns, ``source_file`` and ``source_row``.
    categories
        The controlled category vocabulary.
    source
        Source of remarks whose file has no source column (``lagesbild`` …); safety-walk protocols
        (with a walk id column) default to ``trygghetsvandring``, others to ``other``.

    Examples
    --------
    >>> import shapely
    >>> from geomap.core.categories import load_categories
    >>> f = gpd.GeoDataFrame({"kategori": ["Klotter"], "source_file": ["a.csv"], "source_row": [1]},
    ...                      geometry=[shapely.Point(0, 0)], crs=3011)
    >>> build_remarks(f, categories=load_categories(), source="lagesbild")[["source", "category"]].values.tolist()
    [['lagesbild', 'klotter']]
    """
    columns = [str(c) for c in frame.columns if c not in ("geometry", "source_file", "source_row")]
    found = {f: find_column(columns, f) for f in _ALIASES}
    out = frame.rename(columns={c: f"input_{c}" for c in columns if c in MODEL_COLUMNS})
    found = {
        f: (f"input_{c}" if c in MODEL_COLUMNS else c) if c else None for f, c in found.items()
    }
    index = out.index

    def text(field: str) -> pd.Series:
        """Return the field's column as stripped text, empty strings missing (vectorised)."""
        column = found[field]
        if column is None:
            return pd.Series(None, index=index, dtype=object)
        values = out[column]
        if pd.api.types.is_float_dtype(values) and bool((values.dropna() % 1 == 0).all()):
            values = values.astype("Int64")  # 3.0 → "3" (integers that a concat made float)
        values = values.astype("string").str.strip()
        return values.where(values != "")

    walk_id = text("walk_id")
    out["source"] = _sources(text("source"), walk_id, source)
    raw = text("category")
    cats = categories.normalise(raw)
    out["category"] = cats["category"]
    out["category_label"] = cats["category_label"]
    out["category_raw"] = raw
    out["_category_known"] = cats["known"].to_numpy()
    out["timestamp"] = _timestamps(out, found)
    out["description"] = text("description")
    out["action"] = text("action")
    out["walk_id"] = walk_id
    out["walk_date"] = text("walk_date")
    out["place"] = text("place")
    out["remark_id"] = _remark_ids(out, frame[columns], text("id"), walk_id, text("number"))
    return out


def _sources(values: pd.Series, walk_id: pd.Series, default: str | None) -> pd.Series:
    fallback = default or "other"
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = np.array(
        [_SOURCE_VALUES.get(normalise_name(v), "other") for v in uniques] + [fallback], dtype=object
    )
    result = table[np.where(codes < 0, len(table) - 1, codes)]
    if default is None:
        result[(codes < 0) & walk_id.notna().to_numpy()] = "trygghetsvandring"
    return pd.Series(result, index=values.index, dtype=object)


def _timestamps(frame: pd.DataFrame, found: dict[str, str | None]) -> pd.Series:
    column = found["timestamp"]
    if column is None:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ms]")
    values = frame[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        stamps = values
    else:
        text = values.astype("string").str.strip()
        if found["time"] is not None:
            text = text + " " + frame[found["time"]].astype("string").fillna("").str.strip()
        stamps = pd.to_datetime(text, errors="coerce", format="ISO8601")
        retry = stamps.isna() & text.notna()
        if retry.any():
            stamps[retry] = pd.to_datetime(
                text[retry], errors="coerce", format="mixed", dayfirst=True
            )
        unparsed = int((stamps.isna() & text.notna() & (text.str.strip() != "")).sum())
        if unparsed:
            log.warning("column %r: %d values are not dates and are left empty", column, unparsed)
    if getattr(stamps.dt, "tz", None) is not None:
        stamps = stamps.dt.tz_convert("Europe/Stockholm").dt.tz_localize(None)
    return stamps.astype("datetime64[ms]")


def _remark_ids(
    frame: pd.DataFrame,
    original: pd.DataFrame,
    given: pd.Series,
    walk_id: pd.Series,
    number: pd.Series,
) -> pd.Series:
    """Input ids where present (walk id + point number for protocols), else content hashes."""
    ids = given.astype(object).copy()
    from_walk = (ids.isna() & walk_id.notna() & number.notna()).to_numpy()
    if from_walk.any():
        ids[from_walk] = walk_id[from_walk].astype(str) + "-" + number[from_walk].astype(str)
    missing = ids.isna().to_numpy()
    if missing.any():
        content = original.loc[missing].astype("string").fillna("")
        geoms = frame.geometry[missing]
        content["_x"] = geoms.x.round(1).astype("string").fillna("")
        content["_y"] = geoms.y.round(1).astype("string").fillna("")
        digest = pd.util.hash_pandas_object(content, index=False).to_numpy(dtype="uint64")
        ids[missing] = np.char.add("R-", np.char.mod("%016x", digest))
    # Repeated ids (a remark listed twice, equal content) get -2, -3 … in input order.
    repeated = ids.duplicated(keep=False).to_numpy()
    if repeated.any():
        sub = ids[repeated]
        dup = sub.groupby(sub, sort=False).cumcount().to_numpy()
        ids[repeated] = np.where(dup == 0, sub, sub.astype(str) + "-" + (dup + 1).astype(str))
    return ids

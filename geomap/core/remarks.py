"""The remark model: stable ids, source, normalised category, time, description, wished action.

Whatever the input looked like (a lägesbild export, a safety-walk protocol, a citizen report), every
remark keeps all its input columns and gains the same set of model columns (see README, output
contract). The model is built per input file (:func:`build_remarks`), so each file's own columns
decide its fields (:func:`remark_fields`), and the frames of several files are concatenated after.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Mapping

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap.core.categories import Categories
from geomap.core.dates import DateResult, parse_timestamps
from geomap.io.tables import normalise_name

__all__ = [
    "MODEL_COLUMNS",
    "RESERVED_COLUMNS",
    "ROUTED_MARKERS",
    "SOURCES",
    "build_remarks",
    "find_column",
    "free_name",
    "remark_fields",
    "safe_column_names",
    "unique_ids",
    "without_previous_run",
]

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
    "protocol_owner",
    "owner",
    "owner_name",
    "land_owner",
    "route_method",
    "distance_m",
    "candidates",
    "flags",
    "reason",
)

#: Names geomap itself gives columns of ``routed.gpkg`` (compared ignoring case, as GeoPackage
#: does); an input column with one of them is renamed (``input_<name>``, with a warning).
RESERVED_COLUMNS = (
    *MODEL_COLUMNS,
    "source_file",
    "source_row",
    "geometry",
    "fid",
    "_category_known",
    "_axis_swapped",
)

# Columns the reader adds (the geometry, provenance, whether the file's axes were swapped): never
# model fields, never renamed, not part of a remark's content.
_OWN_COLUMNS = ("geometry", "source_file", "source_row", "_axis_swapped")

#: Columns that mark a frame as the result of an earlier :func:`geomap.route` run.
ROUTED_MARKERS = frozenset({"remark_id", "route_method", "owner", "flags", "reason"})

# Normalised column names (see geomap.io.tables.normalise_name) for each model field.
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
    "time": ("tid", "klockslag", "time", "kl", "starttid", "vandringstid", "tid_vandring"),
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
    "walk_date": ("walk_date", "vandringsdatum", "vandring_datum", "datum_for_vandring"),
    "number": ("nr", "nummer", "punkt", "punkt_nr"),
    "place": ("place", "plats", "omrade", "adress", "location", "stalle"),
    "protocol_owner": (
        "protocol_owner",
        "markagare_enligt_protokoll",
        "agare_enligt_protokoll",
        "markagare_protokoll",
        "markagare",
        "fastighetsagare",
        "agare",
        "landowner",
    ),
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
    names: dict[str, str] = {}
    for column in columns:
        names.setdefault(normalise_name(column), column)
    for alias in _ALIASES[field]:
        if alias in names:
            return names[alias]
    return None


def remark_fields(columns: Iterable[object]) -> dict[str, str]:
    """Map each model field found among one file's ``columns`` to the column that holds it.

    Fields are ``id``, ``category``, ``timestamp``, ``time``, ``description``, ``action``,
    ``walk_id``, ``walk_date``, ``number``, ``place``, ``protocol_owner`` and ``source``; a field
    without a column is left out. geomap's own columns (``source_file``, ``geometry`` …) are
    never fields.

    Examples
    --------
    >>> remark_fields(["vandring_id", "vandringsdatum", "anmarkning", "Markägare"])
    {'description': 'anmarkning', 'walk_id': 'vandring_id', 'walk_date': 'vandringsdatum', 'protocol_owner': 'Markägare'}
    """
    names = [str(c) for c in columns if str(c) not in _OWN_COLUMNS]
    found = {f: find_column(names, f) for f in _ALIASES}
    return {f: c for f, c in found.items() if c is not None}


def free_name(name: str, taken: Iterable[str]) -> str:
    """Return ``name``, or ``name_2``, ``name_3`` … : the first not in ``taken`` (ignoring case).

    Examples
    --------
    >>> free_name("input_owner", ["Input_Owner", "input_owner_2"])
    'input_owner_3'
    """
    used = {str(t).casefold() for t in taken}
    candidate, n = name, 1
    while candidate.casefold() in used:
        n += 1
        candidate = f"{name}_{n}"
    return candidate


def safe_column_names(
    columns: Iterable[object], *, reserved: Iterable[str] = RESERVED_COLUMNS
) -> dict[str, str]:
    """Return the renames that keep input columns apart from geomap's own (GeoPackage ignores case).

    An input column named like one of ``reserved`` becomes ``input_<name>``, or, when that is
    taken too, the first free ``input_<name>_2`` … (never ``input_input_<name>``).

    Examples
    --------
    >>> safe_column_names(["owner", "input_owner", "FID", "kategori"])
    {'owner': 'input_owner_2', 'FID': 'input_FID'}
    """
    names = [str(c) for c in columns]
    blocked = {r.casefold() for r in reserved}
    taken = [*names, *reserved]
    renames: dict[str, str] = {}
    for name in names:
        if name.casefold() in blocked:
            new = free_name(f"input_{name}", taken)
            renames[name] = new
            taken.append(new)
    return renames


def without_previous_run(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop the model and routing columns of an earlier run from a routed frame.

    A frame is routed when it holds every column of :data:`ROUTED_MARKERS`; routing it again
    derives the model from its input columns afresh instead of keeping the old model columns as
    ``input_*``. Other frames are returned as they are.

    Examples
    --------
    >>> f = pd.DataFrame({"kategori": ["Klotter"], "remark_id": ["A"], "route_method": ["nearest"],
    ...                   "owner": ["x"], "flags": [""], "reason": ["…"]})
    >>> list(without_previous_run(f).columns)
    ['kategori']
    """
    if not set(frame.columns) >= ROUTED_MARKERS:
        return frame
    return frame.drop(columns=[c for c in MODEL_COLUMNS if c in frame.columns])


def build_remarks(
    frame: gpd.GeoDataFrame,
    *,
    categories: Categories,
    source: str | None = None,
    fields: Mapping[str, str] | None = None,
    where: str | None = None,
    warnings: list[str] | None = None,
    dates: list[DateResult] | None = None,
) -> gpd.GeoDataFrame:
    """Add the remark model columns to the remarks of one input file.

    Parameters
    ----------
    frame
        Remarks with their input columns, ``source_file`` and ``source_row`` (as
        :func:`geomap.routing.readers.read_remarks` returns them).
    categories
        The controlled category vocabulary.
    source
        Source of remarks whose file has no source column (``lagesbild`` …); safety-walk protocols
        (with a walk id column) default to ``trygghetsvandring``, others to ``other``.
    fields
        Model field → input column, as :func:`remark_fields` finds them (the default).
    where
        The file, for warnings (default: the first ``source_file``).
    warnings
        A list that receives every warning (invalid dates, renamed columns); each is logged too.
    dates
        A list that receives what the date parser read (its warnings' facts, to merge the
        batches of one file: :func:`geomap.core.dates.merge_invalid`).

    Returns
    -------
    GeoDataFrame
        The input columns (one named like a model column renamed, see
        :func:`safe_column_names`) and the model columns; ``remark_id`` is unique.

    Examples
    --------
    >>> import shapely
    >>> from geomap.core.categories import load_categories
    >>> f = gpd.GeoDataFrame({"kategori": ["Klotter"], "source_file": ["a.csv"], "source_row": [1]},
    ...                      geometry=[shapely.Point(0, 0)], crs=3011)
    >>> build_remarks(f, categories=load_categories(), source="lagesbild")[["source", "category"]].values.tolist()
    [['lagesbild', 'klotter']]
    """
    columns = [str(c) for c in frame.columns if c not in _OWN_COLUMNS]
    fields = dict(remark_fields(columns) if fields is None else fields)
    where = where or _default_where(frame)
    notes = [] if warnings is None else warnings
    out, renames = _renamed(frame, columns, where=where, notes=notes)
    found = {f: renames.get(c, c) for f, c in fields.items()}
    text = functools.partial(_field_text, out, found)
    walk_id = text("walk_id")
    out["source"] = _sources(text("source"), walk_id, source)
    _add_categories(out, text("category"), categories)
    out["timestamp"] = _timestamps(out, found, fields, where=where, notes=notes, dates=dates)
    _add_texts(out, text, walk_id)
    return _add_ids(out, frame[columns], text, walk_id)


def _default_where(frame: gpd.GeoDataFrame) -> str:
    """Return the file named in the first ``source_file``, or ``"input"``."""
    return str(frame["source_file"].iloc[0]) if "source_file" in frame and len(frame) else "input"


def _renamed(
    frame: gpd.GeoDataFrame, columns: list[str], *, where: str, notes: list[str]
) -> tuple[gpd.GeoDataFrame, dict[str, str]]:
    """Rename input columns named like model columns (warning for each); return frame and renames."""
    renames = safe_column_names(columns)
    for old, new in renames.items():
        _warn(
            notes,
            f"{where}: column {old!r} has the name of one of geomap's own columns; it is kept as {new!r}",
        )
    return frame.rename(columns=renames), renames


def _field_text(out: pd.DataFrame, found: Mapping[str, str], field: str) -> pd.Series:
    """Return the field's column as stripped text, empty strings missing (vectorised)."""
    column = found.get(field)
    return (
        _text(out[column]) if column is not None else pd.Series(None, index=out.index, dtype=object)
    )


def _add_categories(out: pd.DataFrame, raw: pd.Series, categories: Categories) -> None:
    """Add ``category``, ``category_label``, ``category_raw`` and ``_category_known``."""
    cats = categories.normalise(raw)
    out["category"] = cats["category"]
    out["category_label"] = cats["category_label"]
    out["category_raw"] = raw
    out["_category_known"] = cats["known"].to_numpy()


def _add_texts(out: pd.DataFrame, text: Callable[[str], pd.Series], walk_id: pd.Series) -> None:
    """Add the free-text model columns, from ``description`` to ``protocol_owner``."""
    out["description"] = text("description")
    out["action"] = text("action")
    out["walk_id"] = walk_id
    out["walk_date"] = text("walk_date")
    out["place"] = text("place")
    out["protocol_owner"] = text("protocol_owner")


def _add_ids(
    out: gpd.GeoDataFrame,
    inputs: pd.DataFrame,
    text: Callable[[str], pd.Series],
    walk_id: pd.Series,
) -> gpd.GeoDataFrame:
    """Add the unique ``remark_id`` and return ``out``."""
    ids = _remark_ids(out, inputs, text("id"), walk_id, text("number"))
    out["remark_id"] = unique_ids(ids)
    return out


def _warn(notes: list[str], message: str) -> None:
    notes.append(message)
    log.warning("%s", message)


def _text(values: pd.Series) -> pd.Series:
    """Return a column as stripped text, empty strings missing; integral floats without ``.0``."""
    if pd.api.types.is_float_dtype(values) and bool((values.dropna() % 1 == 0).all()):
        values = values.astype("Int64")  # 3.0 → "3" (integers that a missing value made float)
    values = values.astype("string").str.strip()
    return values.where(values != "")


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


def _timestamps(
    frame: pd.DataFrame,
    found: Mapping[str, str],
    fields: Mapping[str, str],
    *,
    where: str,
    notes: list[str],
    dates: list[DateResult] | None = None,
) -> pd.Series:
    """Return the remark's time: its own timestamp column, else the walk's date; plus a time.

    Read by the one date parser (:func:`geomap.core.dates.parse_timestamps`), whose warnings
    (already logged) are added to ``notes``.
    """
    field = "timestamp" if "timestamp" in found else "walk_date"
    if field not in found:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ms]")
    time = found.get("time")
    result = parse_timestamps(
        frame[found[field]],
        frame[time] if time is not None else None,
        where=where,
        column=fields[field],
        time_column=fields.get("time", ""),
        rows=frame["source_row"].to_numpy() if "source_row" in frame else None,
    )
    notes.extend(result.warnings)
    if dates is not None:
        dates.append(result)
    return result.timestamps


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
    return ids


def unique_ids(ids: pd.Series) -> pd.Series:
    """Make repeated ids unique: the first keeps its id, the later ones get ``-2``, ``-3`` ….

    A suffix already used by another id is skipped, so ``A, A, A-2`` becomes ``A, A-3, A-2``.
    Vectorised: each round settles every id whose candidate is free.

    Examples
    --------
    >>> unique_ids(pd.Series(["A", "A", "A-2", "B"])).tolist()
    ['A', 'A-3', 'A-2', 'B']
    """
    values = ids.astype(str).to_numpy(dtype=object)
    repeated = pd.Series(values).duplicated(keep="first").to_numpy()
    if not repeated.any():
        return pd.Series(values, index=ids.index, dtype=object)
    taken = pd.Index(values[~repeated])
    positions = np.flatnonzero(repeated)
    base = pd.Series(values[positions], dtype=object)
    group = base.groupby(base, sort=False)
    number = group.cumcount().to_numpy() + 2
    step = group.transform("size").to_numpy()
    while len(positions):
        candidate = (base + "-" + pd.Series(number).astype(str)).to_numpy(dtype=object)
        free = ~pd.Series(candidate).isin(taken).to_numpy()
        free &= ~pd.Series(candidate).duplicated(keep="first").to_numpy()
        values[positions[free]] = candidate[free]
        taken = taken.append(pd.Index(candidate[free]))
        positions, base = positions[~free], base[~free].reset_index(drop=True)
        number, step = number[~free] + step[~free], step[~free]
    return pd.Series(values, index=ids.index, dtype=object)

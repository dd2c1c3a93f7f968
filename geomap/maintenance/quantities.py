"""Quantity list (mängdförteckning) for tenders: m², m or st per area, product and owner.

Features are split by contract area (by default SCB RegSO) with exact intersections, so the list
sums to the layer's own total area, length and count; what lies outside every area is listed as
such. Each row carries the product's maintenance level and frequency (times per year; vocabulary
default, the owner's ``frekvens`` in ``owners.toml``, or the contract's), the yearly quantity,
and empty unit-price and amount columns for the contractor. Subtotals are per product group and
unit and per area and unit — never across units.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.core.crs import WORKING_CRS
from geomap.core.districts import read_districts
from geomap.errors import InputError

from .validate import geometry_kinds
from .vocabulary import Vocabulary

__all__ = [
    "AMOUNT_TEMPLATE",
    "NO_DISTRICT",
    "OUTSIDE_DISTRICTS",
    "PIECE_COLUMNS",
    "QUANTITY_COLUMNS",
    "ROW_COLUMNS",
    "Schedule",
    "area_order",
    "compute_quantities",
    "feature_pieces",
    "feature_quantity",
    "group_pieces",
    "load_districts",
    "quantity_rows",
    "schedule_quantities",
    "totals_by_unit",
]

OUTSIDE_DISTRICTS = "(utanför distrikten)"
NO_DISTRICT = "(inget distriktslager)"
#: Columns of the detail table :func:`compute_quantities` returns.
QUANTITY_COLUMNS = (
    "produktkod",
    "produktnamn",
    "produktgrupp",
    "enhet",
    "agare",
    "agare_namn",
    "distrikt",
    "mangd",
)
#: Columns of the feature pieces (:func:`feature_pieces`): one row per feature and area.
PIECE_COLUMNS = (*QUANTITY_COLUMNS[:6], "lokal_id", "lokal_kod", "distrikt", "mangd")
#: Columns of :func:`quantity_rows`, in the printed order.
ROW_COLUMNS = (
    "radtyp",
    "distrikt",
    "produktgrupp",
    "produktkod",
    "produktnamn",
    "skotselniva",
    "agare_namn",
    "enhet",
    "mangd",
    "frekvens",
    "arsmangd",
    "a_pris",
    "belopp",
    "vokabular_version",
    "anmarkning",
)
#: Excel formula of a ``post`` row's ``belopp``: årsmängd × à-pris, empty while no price is
#: given (``{row}`` is the row's number as Excel counts it, the header being row 1).
AMOUNT_TEMPLATE = '=IF({price}{{row}}="","",{yearly}{{row}}*{price}{{row}})'.format(
    price=chr(ord("A") + ROW_COLUMNS.index("a_pris")),
    yearly=chr(ord("A") + ROW_COLUMNS.index("arsmangd")),
)
_LAST = np.iinfo(np.int64).max // 4


def load_districts(
    path: str | os.PathLike[str] | None = None,
    *,
    layer: str | None = None,
    column: str | None = None,
) -> gpd.GeoDataFrame:
    """Read district polygons (column ``distrikt``) in EPSG:3011.

    A thin wrapper over :func:`geomap.core.districts.read_districts`, which finds the layer and
    the name column and repairs invalid polygons.

    Parameters
    ----------
    path : path-like, optional
        A polygon file; by default the bundled SCB RegSO 2025 areas of Huddinge.
    layer : str, optional
        District layer; by default ``regso_2025_sweref99_1800`` when present, else the first
        layer with geometries.
    column : str, optional
        Column with the district names; by default found by name (``regsonamn``, ``name`` …).

    Returns
    -------
    geopandas.GeoDataFrame
        Column ``distrikt`` and the polygons; no rows when ``path`` is not given and the bundled
        districts are not installed.

    Raises
    ------
    InputError
        File, layer or name column missing.

    Examples
    --------
    >>> d = load_districts()  # the bundled RegSO 2025 areas of Huddinge
    >>> len(d), d.crs.to_epsg(), list(d.columns)
    (22, 3011, ['distrikt', 'geometry'])
    """
    geography = read_districts(path, layer=layer, name_column=column, crs=WORKING_CRS)
    if geography is None:
        return gpd.GeoDataFrame(
            {"distrikt": pd.Series([], dtype=str)}, geometry=[], crs=WORKING_CRS
        )
    districts = geography.districts
    return gpd.GeoDataFrame(
        {"distrikt": districts["name"].astype(str).to_numpy()},
        geometry=districts.geometry.to_numpy(),
        crs=WORKING_CRS,
    )


def feature_quantity(geometries: Sequence[object] | np.ndarray) -> np.ndarray:
    """Return each feature's quantity: area (m²) of polygons, length (m) of lines, count of points.

    Examples
    --------
    >>> feature_quantity([shapely.box(0, 0, 2, 3), shapely.LineString([(0, 0), (3, 4)]),
    ...                   shapely.MultiPoint([(0, 0), (1, 1)])]).tolist()
    [6.0, 5.0, 2.0]
    """
    geoms = np.asarray(geometries, dtype=object)
    kinds = geometry_kinds(geoms)
    return np.where(
        kinds == "polygon",
        shapely.area(geoms),
        np.where(kinds == "line", shapely.length(geoms), shapely.get_num_geometries(geoms)),
    ).astype(float)


def _split_by_district(
    geoms: np.ndarray, districts: gpd.GeoDataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return (feature index, district name, amount) for every feature/district piece."""
    kinds = geometry_kinds(geoms)
    totals = feature_quantity(geoms)
    dgeoms = districts.geometry.to_numpy()
    names = districts["distrikt"].to_numpy()
    tree = shapely.STRtree(dgeoms)
    fi, di = tree.query(geoms, predicate="intersects")
    order = np.lexsort((di, fi))
    fi, di = fi[order], di[order]
    is_point = kinds[fi] == "point"
    first = np.r_[True, fi[1:] != fi[:-1]]
    keep = ~is_point | first  # a point counts in one district only
    fi, di, is_point = fi[keep], di[keep], is_point[keep]
    pieces = shapely.intersection(geoms[fi], dgeoms[di])
    amount = np.where(
        is_point,
        totals[fi],
        np.where(kinds[fi] == "polygon", shapely.area(pieces), shapely.length(pieces)),
    )
    inside = np.bincount(fi, weights=amount, minlength=len(geoms))
    rest = totals - inside
    outside = np.flatnonzero(rest > 1e-9 * np.maximum(totals, 1.0))
    return (
        np.concatenate([fi, outside]),
        np.concatenate([names[di], np.full(len(outside), OUTSIDE_DISTRICTS, dtype=object)]),
        np.concatenate([amount, rest[outside]]),
    )


def feature_pieces(
    frame: gpd.GeoDataFrame, *, districts: gpd.GeoDataFrame | None = None
) -> pd.DataFrame:
    """Return one row per feature and area with the feature's quantity there (:data:`PIECE_COLUMNS`).

    The object-level appendix of the quantity list; :func:`group_pieces` sums it up.

    Examples
    --------
    >>> f = gpd.GeoDataFrame({"produktkod": ["G2"], "produktnamn": ["Bruksgräsmatta"],
    ...     "produktgrupp": ["Gräsytor"], "enhet": ["m²"], "agare": ["a"], "agare_namn": ["A"],
    ...     "lokal_id": ["7"]}, geometry=[shapely.box(0, 0, 10, 10)], crs=3011)
    >>> d = gpd.GeoDataFrame({"distrikt": ["Väst", "Öst"]},
    ...     geometry=[shapely.box(-5, -5, 4, 20), shapely.box(4, -5, 20, 20)], crs=3011)
    >>> feature_pieces(f, districts=d)[["lokal_id", "distrikt", "mangd"]].values.tolist()
    [['7', 'Väst', 40.0], ['7', 'Öst', 60.0]]
    """
    keys = list(QUANTITY_COLUMNS[:6])
    missing = [c for c in keys if c not in frame.columns]
    if missing:
        msg = f"layer in shared terms lacks column(s) {missing}; translate it first"
        raise InputError(msg)
    geoms = frame.geometry.to_numpy()
    if districts is None or len(districts) == 0:
        index = np.arange(len(geoms))
        names = np.full(len(geoms), NO_DISTRICT, dtype=object)
        amount = feature_quantity(geoms)
    else:
        index, names, amount = _split_by_district(geoms, districts)
    ids = frame.get("lokal_id", pd.Series(frame.index.astype(str), index=frame.index))
    codes = frame.get("lokal_kod", frame["produktkod"])
    pieces = frame[keys].iloc[index].reset_index(drop=True)
    pieces["lokal_id"] = ids.astype(str).to_numpy()[index]
    pieces["lokal_kod"] = codes.astype(str).to_numpy()[index]
    pieces["distrikt"] = names
    pieces["mangd"] = amount
    return pieces[list(PIECE_COLUMNS)]


def group_pieces(pieces: pd.DataFrame) -> pd.DataFrame:
    """Return the quantity per product, owner and area (:data:`QUANTITY_COLUMNS`) of ``pieces``."""
    keys = [*QUANTITY_COLUMNS[:6], "distrikt"]
    grouped = pieces.groupby(keys, sort=False, dropna=False)["mangd"].sum()
    out = grouped.reset_index()
    return out.sort_values(["produktkod", "agare", "distrikt"], kind="stable").reset_index(
        drop=True
    )


def compute_quantities(
    frame: gpd.GeoDataFrame, *, districts: gpd.GeoDataFrame | None = None
) -> pd.DataFrame:
    """Return the quantity per product, owner and district (columns :data:`QUANTITY_COLUMNS`).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Layer in shared terms (``produktkod``, ``produktnamn``, ``produktgrupp``, ``enhet``,
        ``agare``, ``agare_namn``) in EPSG:3011.
    districts : geopandas.GeoDataFrame, optional
        Polygons with a ``distrikt`` column (non-overlapping); without them every row's district is
        :data:`NO_DISTRICT`.

    Examples
    --------
    >>> f = gpd.GeoDataFrame({"produktkod": ["G2"], "produktnamn": ["Bruksgräsmatta"],
    ...     "produktgrupp": ["Gräsytor"], "enhet": ["m²"], "agare": ["a"], "agare_namn": ["A"]},
    ...     geometry=[shapely.box(0, 0, 10, 10)], crs=3011)
    >>> d = gpd.GeoDataFrame({"distrikt": ["Väst", "Öst"]},
    ...     geometry=[shapely.box(-5, -5, 4, 20), shapely.box(4, -5, 20, 20)], crs=3011)
    >>> compute_quantities(f, districts=d)[["distrikt", "mangd"]].values.tolist()
    [['Väst', 40.0], ['Öst', 60.0]]
    """
    return group_pieces(feature_pieces(frame, districts=districts))


def totals_by_unit(values: pd.DataFrame | gpd.GeoDataFrame) -> dict[str, float]:
    """Return the total per unit: from a quantity table (``mangd``) or a layer (its geometries).

    Examples
    --------
    >>> totals_by_unit(pd.DataFrame({"enhet": ["m²", "m²", "st"], "mangd": [1.5, 2.0, 3.0]}))
    {'m²': 3.5, 'st': 3.0}
    """
    if isinstance(values, gpd.GeoDataFrame):
        amounts = pd.Series(feature_quantity(values.geometry.to_numpy()), index=values.index)
    else:
        amounts = values["mangd"]
    return {str(k): float(v) for k, v in amounts.groupby(values["enhet"]).sum().items()}


class Schedule:
    """Maintenance level and frequency per product: vocabulary defaults, owners' and contract's.

    Precedence: the contract (``contract``, shared code → times per year) over the owner's
    ``frekvens``/``niva`` (``owners``: owner id → (frequencies, levels)) over the vocabulary.

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> s = Schedule(load_vocabulary(), owners={"a": ({"G2": 18.0}, {"G1": "Hög"})},
    ...              contract={"G1": 30.0})
    >>> s.frequency("a", "G2"), s.frequency("b", "G2"), s.frequency("a", "G1"), s.level("a", "G1")
    (18.0, 15.0, 30.0, 'Hög')
    """

    def __init__(
        self,
        vocabulary: Vocabulary,
        *,
        owners: Mapping[str, tuple[Mapping[str, float], Mapping[str, str]]] | None = None,
        contract: Mapping[str, float] | None = None,
    ) -> None:
        self.vocabulary = vocabulary
        self.owners = dict(owners or {})
        self.contract = dict(contract or {})
        unknown = sorted(set(self.contract) - set(vocabulary))
        if unknown:
            msg = (
                f"`frequencies` names {unknown}, not shared codes of vocabulary "
                f"{vocabulary.version}; use codes such as G2 or H1"
            )
            raise InputError(msg)

    def frequency(self, owner: str, code: str) -> float:
        """Return the times per year ``owner`` buys product ``code``."""
        if code in self.contract:
            return float(self.contract[code])
        frequencies = self.owners.get(owner, ({}, {}))[0]
        return float(frequencies.get(code, self.vocabulary[code].frequency))

    def level(self, owner: str, code: str) -> str:
        """Return the maintenance level ``owner`` buys product ``code`` at."""
        return str(self.owners.get(owner, ({}, {}))[1].get(code, self.vocabulary[code].level))


def schedule_quantities(detail: pd.DataFrame, schedule: Schedule) -> pd.DataFrame:
    """Return ``detail`` with ``skotselniva``, ``frekvens`` and ``arsmangd`` (mängd × frekvens).

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> d = pd.DataFrame({"produktkod": ["G2"], "agare": ["a"], "mangd": [10.0]})
    >>> out = schedule_quantities(d, Schedule(load_vocabulary()))
    >>> out[["skotselniva", "frekvens", "arsmangd"]].values.tolist()
    [['Normal', 15.0, 150.0]]
    """
    pairs = detail[["agare", "produktkod"]].astype(str).drop_duplicates()
    keys = list(pairs.itertuples(index=False, name=None))  # one per owner and product
    frequency = {k: schedule.frequency(*k) for k in keys}
    level = {k: schedule.level(*k) for k in keys}
    index = pd.MultiIndex.from_frame(detail[["agare", "produktkod"]].astype(str))
    out = detail.copy()
    out["skotselniva"] = index.map(level).to_numpy()
    out["frekvens"] = index.map(frequency).to_numpy(dtype=float)
    out["arsmangd"] = out["mangd"].to_numpy(dtype=float) * out["frekvens"].to_numpy()
    return out


def _swedish_key(name: str) -> str:
    """Sort key for Swedish names: å, ä, ö after z; case ignored."""
    table = str.maketrans({"å": "{", "ä": "|", "ö": "}", "é": "e", "ü": "y"})
    return name.casefold().translate(table)


def area_order(names: Sequence[object]) -> list[str]:
    """Return the distinct area names in Swedish alphabetical order, the catch-all rows last.

    Examples
    --------
    >>> area_order(["Östra", "Flemingsberg", OUTSIDE_DISTRICTS, "Ådal", "Vårby"])
    ['Flemingsberg', 'Vårby', 'Ådal', 'Östra', '(utanför distrikten)']
    """
    distinct = {str(n) for n in names}
    last = [n for n in (OUTSIDE_DISTRICTS, NO_DISTRICT) if n in distinct]
    rest = sorted(distinct - set(last), key=_swedish_key)
    return rest + last


def _ranks(detail: pd.DataFrame, vocabulary: Vocabulary) -> pd.DataFrame:
    """Return the sort ranks of the post rows: area, group, unit, product, owner."""
    codes = list(vocabulary)
    groups = list(dict.fromkeys(p.group for p in vocabulary.values()))
    units = ["m²", "m", "st"]
    areas = area_order(detail["distrikt"].tolist())

    def rank(series: pd.Series, order: list[str]) -> np.ndarray:
        lookup = {v: i for i, v in enumerate(order)}
        return series.astype(str).map(lookup).fillna(len(order)).to_numpy(dtype=np.int64)

    return pd.DataFrame(
        {
            "r_area": rank(detail["distrikt"], areas),
            "r_group": rank(detail["produktgrupp"], groups),
            "r_unit": rank(detail["enhet"], units),
            "r_code": rank(detail["produktkod"], codes),
            "r_owner": rank(
                detail["agare_namn"],
                sorted(set(detail["agare_namn"].astype(str)), key=_swedish_key),
            ),
        },
        index=detail.index,
    )


def _subtotals(posts: pd.DataFrame, keys: list[str], kind: str) -> pd.DataFrame:
    """Return one subtotal row per ``keys`` (ranks) of ``posts`` of the kind ``kind``.

    ``summa grupp`` sums one group and unit; ``summa område`` is an amount only (its quantities
    would add different products); ``kontrollsumma`` is the quantity of a unit, no amount.
    """
    first = posts.groupby(keys, sort=True).first().reset_index()
    sums = posts.groupby(keys, sort=True)[["mangd", "arsmangd"]].sum().reset_index(drop=True)
    out = first[[*keys, "distrikt", "produktgrupp", "enhet"]].copy()
    out["mangd"], out["arsmangd"] = sums["mangd"].to_numpy(), sums["arsmangd"].to_numpy()
    unit = out["enhet"].astype(str)
    if kind == "summa grupp":
        out["produktnamn"] = "Summa " + out["produktgrupp"].astype(str) + " (" + unit + ")"
        out["r_kind"] = 1
    elif kind == "summa område":
        out["produktgrupp"], out["enhet"] = "", "kr"
        out["produktnamn"] = "Summa " + out["distrikt"].astype(str) + " (kr)"
        out["mangd"] = out["arsmangd"] = np.nan
        out["r_group"] = out["r_unit"] = _LAST
        out["r_kind"] = 2
    else:
        out["produktgrupp"], out["distrikt"] = "", "Alla områden"
        out["produktnamn"] = "Kontrollsumma alla produkter (" + unit + ")"
        out["arsmangd"] = np.nan
        out["r_area"] = out["r_group"] = _LAST
        out["r_kind"] = 3
    out["radtyp"] = kind
    out["produktkod"], out["agare_namn"], out["skotselniva"] = "", "Alla ägare", ""
    out["frekvens"] = np.nan
    out["r_code"] = out["r_owner"] = 0
    return out


def _sum_formula(letter: str, rows: Sequence[int]) -> str:
    """Return ``=SUM(...)`` of the cells ``letter``+row, consecutive rows as ranges.

    Examples
    --------
    >>> _sum_formula("M", [2, 3, 4, 9])
    '=SUM(M2:M4,M9)'
    """
    ordered = sorted(rows)
    refs: list[str] = []
    start = prev = ordered[0] if ordered else 0
    for row in [*ordered[1:], None]:
        if row is not None and row == prev + 1:
            prev = row
            continue
        refs.append(f"{letter}{start}" if start == prev else f"{letter}{start}:{letter}{prev}")
        if row is not None:
            start = prev = row
    if not ordered:
        return "=0"
    chunks = [",".join(refs[i : i + 200]) for i in range(0, len(refs), 200)]
    inner = chunks[0] if len(chunks) == 1 else ",".join(f"SUM({c})" for c in chunks)
    return f"=SUM({inner})"


def _letter(column: str) -> str:
    index = ROW_COLUMNS.index(column)
    return chr(ord("A") + index)  # ROW_COLUMNS has fewer than 26 columns


def _formulas(rows: pd.DataFrame) -> list[str | None]:
    """Return the Excel formula of each row's ``belopp`` (rows in printed order, header row 1).

    ``kontrollsumma`` rows have none: they check quantities, they are not bought.
    """
    total = _letter("belopp")
    excel = np.arange(len(rows)) + 2
    kinds = rows["radtyp"].to_numpy()
    out: list[str | None] = [
        AMOUNT_TEMPLATE.format(row=r) if kind == "post" else None
        for r, kind in zip(excel, kinds, strict=True)
    ]
    children = {
        "summa grupp": ("post", ["r_area", "r_group", "r_unit"]),
        "summa område": ("summa grupp", ["r_area"]),
        "totalt belopp": ("summa område", []),
    }
    for kind, (child, keys) in children.items():
        parents = np.flatnonzero(kinds == kind)
        below = np.flatnonzero(kinds == child)
        if keys:
            members = rows.iloc[below].groupby(keys, sort=False).indices
            lookup = {k if isinstance(k, tuple) else (k,): v for k, v in members.items()}
        for p in parents:
            if keys:
                key = tuple(rows.iloc[p][keys].tolist())
                picked = below[lookup.get(key, np.array([], dtype=int))]
            else:
                picked = below
            out[p] = _sum_formula(total, (picked + 2).tolist())
    return out


def _grand_total_row() -> pd.DataFrame:
    """Return the one ``totalt belopp`` row, sorted after every area."""
    return pd.DataFrame(
        {
            "radtyp": ["totalt belopp"],
            "distrikt": ["Alla områden"],
            "produktnamn": ["Totalt belopp (kr)"],
            "agare_namn": ["Alla ägare"],
            "enhet": ["kr"],
            "mangd": [np.nan],
            "arsmangd": [np.nan],
            "r_area": [_LAST],
            "r_group": [_LAST],
            "r_unit": [_LAST],
            "r_kind": [4],
            "r_code": [0],
            "r_owner": [0],
        }
    )


def quantity_rows(
    detail: pd.DataFrame,
    vocabulary: Vocabulary,
    *,
    schedule: Schedule | None = None,
    synthetic: bool = False,
) -> pd.DataFrame:
    """Return the printable list (:data:`ROW_COLUMNS` and ``formel``), grouped by area.

    Rows come area by area (Swedish alphabetical, outside last), in each area product group by
    group (vocabulary order) and unit: ``post`` rows (product × owner), then ``summa grupp`` per
    group and unit; after each area one ``summa område`` (an amount in kr: quantities of
    different products are never added); at the end ``kontrollsumma`` per unit (the quantity of
    all products, equal to the layer totals, no amount) and one ``totalt belopp``. ``a_pris``
    and ``belopp`` are empty; ``formel`` holds the Excel formula of each row's amount (årsmängd ×
    à-pris, or the sum of the subtotals above it), ``None`` for the control sums.

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> d = pd.DataFrame({"produktkod": ["G2", "T1"], "produktnamn": ["Bruksgräsmatta", "Träd"],
    ...     "produktgrupp": ["Gräsytor", "Träd"], "enhet": ["m²", "st"], "agare": ["a", "a"],
    ...     "agare_namn": ["A", "A"], "distrikt": ["Väst", "Väst"], "mangd": [10.0, 2.0]})
    >>> rows = quantity_rows(d, load_vocabulary())
    >>> rows[["radtyp", "produktnamn", "mangd"]].values.tolist()[:3]
    [['post', 'Bruksgräsmatta', 10.0], ['summa grupp', 'Summa Gräsytor (m²)', 10.0], ['post', 'Träd', 2.0]]
    >>> rows["formel"].iloc[0], rows["formel"].iloc[1]
    ('=IF(L2="","",K2*L2)', '=SUM(M2)')
    """
    posts = schedule_quantities(detail, schedule or Schedule(vocabulary)).reset_index(drop=True)
    posts = pd.concat([posts, _ranks(posts, vocabulary)], axis=1)
    posts["radtyp"], posts["r_kind"] = "post", 0
    parts = [posts]
    for kind, keys in (
        ("summa grupp", ["r_area", "r_group", "r_unit"]),
        ("summa område", ["r_area"]),
        ("kontrollsumma", ["r_unit"]),
    ):
        if len(posts):
            parts.append(_subtotals(posts, keys, kind))
    rows = pd.concat([*parts, _grand_total_row()], ignore_index=True)
    rows = rows.sort_values(
        ["r_area", "r_group", "r_unit", "r_kind", "r_code", "r_owner"], kind="stable"
    ).reset_index(drop=True)
    rows["a_pris"] = None
    rows["belopp"] = None
    rows["vokabular_version"] = vocabulary.version
    rows["anmarkning"] = "SYNTETISKA DEMODATA" if synthetic else ""
    rows["formel"] = _formulas(rows)
    for column in ("produktkod", "produktgrupp", "skotselniva", "agare_namn"):
        rows[column] = rows[column].fillna("")
    return rows[[*ROW_COLUMNS, "formel"]]

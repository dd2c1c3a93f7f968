"""Quantity list (mängdförteckning): m², m or st per product, per owner and per district.

Features are split by district (SCB RegSO) with exact intersections, so the list sums to the layer's
own total area, length and count; what lies outside every district is listed as such.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.core.crs import WORKING_CRS
from geomap.core.districts import read_districts
from geomap.errors import InputError
from geomap.io.atomic import atomic_path
from geomap.io.sanitize import neutralise_formulas
from geomap.io.sheets import write_csv, write_xlsx

from .validate import geometry_kinds
from .vocabulary import Vocabulary

__all__ = [
    "NO_DISTRICT",
    "OUTSIDE_DISTRICTS",
    "QUANTITY_COLUMNS",
    "compute_quantities",
    "feature_quantity",
    "load_districts",
    "quantity_rows",
    "totals_by_unit",
    "write_quantities_csv",
    "write_quantities_xlsx",
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
_HEADERS = {
    "radtyp": "Radtyp",
    "produktkod": "Produktkod",
    "produktnamn": "Produktnamn",
    "produktgrupp": "Produktgrupp",
    "enhet": "Enhet",
    "agare_namn": "Ägare",
    "distrikt": "Distrikt",
    "mangd": "Mängd",
    "vokabular_version": "Vokabulärversion",
    "anmarkning": "Anmärkning",
}


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
    pieces = frame[keys].iloc[index].reset_index(drop=True)
    pieces["distrikt"] = names
    pieces["mangd"] = amount
    grouped = pieces.groupby([*keys, "distrikt"], sort=False, dropna=False)["mangd"].sum()
    out = grouped.reset_index()
    return out.sort_values(["produktkod", "agare", "distrikt"], kind="stable").reset_index(
        drop=True
    )


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


def quantity_rows(
    detail: pd.DataFrame, vocabulary: Vocabulary, *, synthetic: bool = False
) -> pd.DataFrame:
    """Return the printable list: detail rows, a total per product and a grand total per unit.

    ``radtyp`` is ``post``, ``summa produkt`` or ``totalt``; products come in vocabulary order.
    """
    order = {code: i for i, code in enumerate(vocabulary)}
    note = "SYNTETISKA DEMODATA" if synthetic else ""
    rows: list[dict[str, object]] = []
    codes = sorted(
        detail["produktkod"].astype(str).unique(), key=lambda c: order.get(c, len(order))
    )
    for code in codes:
        group = detail.loc[detail["produktkod"] == code]
        first = group.iloc[0]
        for record in group[list(QUANTITY_COLUMNS)].to_dict("records"):
            rows.append({"radtyp": "post", **record})
        rows.append(
            {
                "radtyp": "summa produkt",
                "produktkod": code,
                "produktnamn": first["produktnamn"],
                "produktgrupp": first["produktgrupp"],
                "enhet": first["enhet"],
                "agare": "",
                "agare_namn": "Alla ägare",
                "distrikt": "Alla distrikt",
                "mangd": float(group["mangd"].sum()),
            }
        )
    for unit, total in totals_by_unit(detail).items():
        rows.append(
            {
                "radtyp": "totalt",
                "produktkod": "",
                "produktnamn": f"Totalt ({unit})",
                "produktgrupp": "",
                "enhet": unit,
                "agare": "",
                "agare_namn": "Alla ägare",
                "distrikt": "Alla distrikt",
                "mangd": total,
            }
        )
    out = pd.DataFrame(rows, columns=["radtyp", *QUANTITY_COLUMNS])
    out["vokabular_version"] = vocabulary.version
    out["anmarkning"] = note
    return out


def _format_amount(value: float, unit: str) -> str:
    text = f"{value:.0f}" if unit == "st" else f"{value:.2f}"
    return text.replace(".", ",")


def _list_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`quantity_rows` with Swedish headers, in the printed column order."""
    return rows[list(_HEADERS)].rename(columns=_HEADERS).reset_index(drop=True)


def write_quantities_csv(
    rows: pd.DataFrame, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write :func:`quantity_rows` as Swedish Excel CSV (``;``, UTF-8 with BOM, decimal comma).

    Amounts are written as text with the precision of their unit: whole numbers for ``st``,
    two decimals for m² and m.

    Examples
    --------
    >>> import tempfile
    >>> from geomap.maintenance import load_vocabulary
    >>> detail = pd.DataFrame({"produktkod": ["T1"], "produktnamn": ["Träd"],
    ...     "produktgrupp": ["Träd"], "enhet": ["st"], "agare": ["a"], "agare_namn": ["A"],
    ...     "distrikt": ["Väst"], "mangd": [3.0]})
    >>> p = write_quantities_csv(quantity_rows(detail, load_vocabulary()),
    ...                          Path(tempfile.mkdtemp()) / "m.csv")
    >>> p.read_text(encoding="utf-8-sig").splitlines()[1]
    'post;T1;Träd;Träd;st;A;Väst;3;2026.1;'
    """
    table = _list_table(rows)
    amounts = zip(rows["mangd"].astype(float), rows["enhet"].astype(str), strict=True)
    table[_HEADERS["mangd"]] = [_format_amount(value, unit) for value, unit in amounts]
    target = Path(path)
    with atomic_path(target, overwrite=overwrite) as tmp:
        write_csv(table, tmp)
    return target


def _headers(names: Iterable[object]) -> list[str]:
    """Return column names made from data (owners, districts) safe as spreadsheet header cells."""
    return neutralise_formulas(pd.DataFrame({"name": [str(n) for n in names]}))["name"].tolist()


def _pivot(detail: pd.DataFrame, column: str) -> pd.DataFrame:
    """Return the quantity per product (rows) and ``column`` value (columns), with ``Summa``."""
    table = detail.pivot_table(
        index=["produktkod", "produktnamn", "enhet"],
        columns=column,
        values="mangd",
        aggfunc="sum",
        fill_value=0.0,
        sort=False,
    )
    values = table.to_numpy(dtype=float)
    out = pd.DataFrame(list(table.index), columns=["Produktkod", "Produktnamn", "Enhet"])
    for name, amounts in zip(_headers(table.columns), values.T, strict=True):
        out[name] = amounts
    out["Summa"] = [float(sum(line)) for line in values]
    return out


def write_quantities_xlsx(
    rows: pd.DataFrame,
    detail: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    info: pd.DataFrame,
    overwrite: bool = False,
) -> Path:
    """Write the quantity list as XLSX: list, pivots per owner and per district, ``Info``.

    Quantities stay numbers (format ``#,##0.00``).

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from geomap.maintenance import load_vocabulary
    >>> from geomap.maintenance.translate import info_table
    >>> voc = load_vocabulary()
    >>> detail = pd.DataFrame({"produktkod": ["G2"], "produktnamn": ["Bruksgräsmatta"],
    ...     "produktgrupp": ["Gräsytor"], "enhet": ["m²"], "agare": ["a"], "agare_namn": ["A"],
    ...     "distrikt": ["Väst"], "mangd": [12.5]})
    >>> p = write_quantities_xlsx(quantity_rows(detail, voc), detail,
    ...     Path(tempfile.mkdtemp()) / "m.xlsx", info=info_table(voc, synthetic=False))
    >>> book = openpyxl.load_workbook(p)
    >>> book.sheetnames, book["Per ägare"]["D2"].value, book["Per ägare"]["D2"].number_format
    (['Mängdförteckning', 'Per ägare', 'Per distrikt', 'Info'], 12.5, '#,##0.00')
    """
    owners = _pivot(detail.assign(agare_kolumn=detail["agare_namn"]), "agare_kolumn")
    districts = _pivot(detail, "distrikt")
    sheets = {
        "Mängdförteckning": _list_table(rows),
        "Per ägare": owners,
        "Per distrikt": districts,
        "Info": info[["key", "value"]].set_axis(["Nyckel", "Värde"], axis=1),
    }
    amount_columns = {_HEADERS["mangd"], *owners.columns[3:], *districts.columns[3:]}
    target = Path(path)
    with atomic_path(target, overwrite=overwrite) as tmp:
        write_xlsx(
            sheets,
            tmp,
            title="Mängdförteckning",
            number_formats=dict.fromkeys(amount_columns, "#,##0.00"),
            file_label=str(target),
        )
    return target

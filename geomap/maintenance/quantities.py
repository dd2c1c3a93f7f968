"""Quantity list (mängdförteckning): m², m or st per product, per owner and per district.

Features are split by district (SCB RegSO) with exact intersections, so the list sums to the layer's
own total area, length and count; what lies outside every district is listed as such.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from geomap.core.crs import WORKING_CRS
from geomap.core.resources import data_path
from geomap.errors import InputError
from geomap.io.atomic import atomic_path
from geomap.io.sanitize import FORMULA_PREFIXES, neutralise_formulas
from geomap.io.vector import gdal_reason

from .validate import geometry_kinds
from .vocabulary import Vocabulary

__all__ = [
    "DEFAULT_DISTRICT_COLUMN",
    "DEFAULT_DISTRICT_LAYER",
    "NO_DISTRICT",
    "OUTSIDE_DISTRICTS",
    "QUANTITY_COLUMNS",
    "compute_quantities",
    "default_districts_path",
    "feature_quantity",
    "load_districts",
    "quantity_rows",
    "totals_by_unit",
    "write_quantities_csv",
    "write_quantities_xlsx",
]

DEFAULT_DISTRICT_LAYER = "regso_2025_sweref99_1800"
DEFAULT_DISTRICT_COLUMN = "regsonamn"
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


def _cell_text(value: object) -> object:
    # Neutralise a single header/cell a spreadsheet would run as a formula.
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def default_districts_path() -> Path | None:
    """Return the bundled SCB RegSO 2025 districts for Huddinge, if present."""
    return data_path("huddinge_regso_2025.gpkg")


def load_districts(
    path: str | os.PathLike[str],
    *,
    layer: str = DEFAULT_DISTRICT_LAYER,
    column: str = DEFAULT_DISTRICT_COLUMN,
) -> gpd.GeoDataFrame:
    """Read district polygons (column ``distrikt``) in EPSG:3011.

    Raises
    ------
    InputError
        File, layer or name column missing.
    """
    source = Path(path)
    try:
        frame = pyogrio.read_dataframe(source, layer=layer, use_arrow=True)
    except Exception as exc:
        msg = f"{source}: district layer {layer!r} cannot be read ({gdal_reason(exc)}); pass --districts"
        raise InputError(msg) from None
    if column not in frame.columns:
        msg = f"{source}: layer {layer!r} has no column {column!r} (has {list(frame.columns)})"
        raise InputError(msg)
    if frame.crs is not None and frame.crs != WORKING_CRS:
        frame = frame.to_crs(WORKING_CRS)
    return gpd.GeoDataFrame(
        {"distrikt": frame[column].astype(str)}, geometry=frame.geometry.to_numpy(), crs=WORKING_CRS
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


def write_quantities_csv(
    rows: pd.DataFrame, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write :func:`quantity_rows` as Swedish Excel CSV (``;``, UTF-8 with BOM, decimal comma)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    columns = list(_HEADERS)
    writer.writerow([_HEADERS[c] for c in columns])
    for record in neutralise_formulas(rows).to_dict("records"):
        cells = []
        for column in columns:
            value = record[column]
            if column == "mangd":
                cells.append(_format_amount(float(value), str(record["enhet"])))
            else:
                cells.append("" if value is None else str(value))
        writer.writerow(cells)
    target = Path(path)
    with atomic_path(target, overwrite=overwrite) as tmp:
        tmp.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    return target


def _sheet(workbook: Workbook, title: str, header: list[str], body: list[list[object]]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append([_cell_text(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for line in body:
        sheet.append([_cell_text(v) for v in line])
    for index, name in enumerate(header, start=1):
        width = max([len(str(name)), *(len(str(r[index - 1])) for r in body)])
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    sheet.freeze_panes = "A2"


def _pivot(detail: pd.DataFrame, column: str) -> tuple[list[str], list[list[object]]]:
    table = detail.pivot_table(
        index=["produktkod", "produktnamn", "enhet"],
        columns=column,
        values="mangd",
        aggfunc="sum",
        fill_value=0.0,
        sort=False,
    )
    names = [str(c) for c in table.columns]
    body = [
        [*key, *(float(v) for v in values), float(sum(values))]
        for key, values in zip(table.index, table.to_numpy(), strict=True)
    ]
    return ["Produktkod", "Produktnamn", "Enhet", *names, "Summa"], body


def write_quantities_xlsx(
    rows: pd.DataFrame,
    detail: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    info: pd.DataFrame,
    overwrite: bool = False,
) -> Path:
    """Write the quantity list as XLSX: list, pivots per owner and per district, ``Info``."""
    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    columns = list(_HEADERS)
    records = neutralise_formulas(rows).to_dict("records")
    body = [[record[c] for c in columns] for record in records]
    _sheet(workbook, "Mängdförteckning", [_HEADERS[c] for c in columns], body)
    owners = detail.assign(agare_kolumn=detail["agare_namn"])
    _sheet(workbook, "Per ägare", *_pivot(owners, "agare_kolumn"))
    _sheet(workbook, "Per distrikt", *_pivot(detail, "distrikt"))
    _sheet(workbook, "Info", ["Nyckel", "Värde"], info[["key", "value"]].values.tolist())
    for sheet in workbook.worksheets[:3]:
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = "#,##0.00"
    target = Path(path)
    with atomic_path(target, overwrite=overwrite) as tmp:
        workbook.save(tmp)
    return target

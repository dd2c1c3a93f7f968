"""Regular square grids in the working CRS and counts of points per cell.

Public API
----------
``make_grid(bounds_or_area, *, cell: float = 100.0, crs=None) -> gpd.GeoDataFrame``
    Square cells aligned to multiples of ``cell`` metres; columns ``cell_id`` (0, 1, … in row-major
    order from the south-west), ``row``, ``col`` (absolute: ``floor(y / cell)``, ``floor(x / cell)``)
    and ``geometry``. Given a polygon (or a GeoSeries/GeoDataFrame of the municipality), only the
    cells whose centre lies in it are kept. ``grid.attrs["cell"]`` holds the cell size.
``count_in_cells(points, grid, *, by=None) -> pd.Series | pd.DataFrame``
    Number of points per cell, every cell of ``grid`` present (empty cells are 0). With ``by`` (one
    label per point, e.g. the category) a cells × labels frame. ``attrs["outside"]`` and
    ``attrs["missing"]`` count the points outside the grid and those without coordinates.
``cell_area(grid) -> float``
    Area of one cell in square metres.
``cell_indices(x, y, grid) -> np.ndarray``
    Position of the cell holding each point (-1 outside).
``point_xy(points) -> (x, y)``
    Coordinates of an (n, 2) array or a GeoSeries of points.

Points are put in cells by integer floor division of their coordinates and counted with
``numpy.bincount`` (no spatial join); a point on a cell edge belongs to the cell east/north of it.
H3 cells are not offered: the ``h3`` library is not installed.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.core.crs import WORKING_CRS
from geomap.errors import InputError

__all__ = ["MAX_CELLS", "cell_area", "cell_indices", "count_in_cells", "make_grid", "point_xy"]

#: Largest number of cells (in the bounding frame) a grid may have; about 8 km × 8 km at 2 m.
MAX_CELLS = 16_000_000


def make_grid(
    bounds_or_area: Sequence[float] | shapely.Geometry | gpd.GeoSeries | gpd.GeoDataFrame,
    *,
    cell: float = 100.0,
    crs: Any = None,
) -> gpd.GeoDataFrame:
    """Build a regular grid of square cells aligned to multiples of ``cell``.

    Parameters
    ----------
    bounds_or_area : (minx, miny, maxx, maxy), shapely geometry, GeoSeries or GeoDataFrame
        The extent in metres (working CRS). A polygon keeps only the cells whose centre lies in it;
        a GeoSeries or GeoDataFrame is first merged into one area (its CRS is kept).
    cell : float, default 100.0
        Side of a cell in metres.
    crs : optional
        CRS of the grid when ``bounds_or_area`` carries none; the working CRS by default.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``cell_id``, ``row``, ``col``, ``geometry``; ``attrs["cell"]`` is ``cell``.

    Raises
    ------
    InputError
        If ``cell`` is not a positive number, the extent is empty or not finite, the CRS is not
        projected, or the grid would exceed :data:`MAX_CELLS` cells.

    Examples
    --------
    >>> g = make_grid((150_030.0, 6_570_000.0, 150_250.0, 6_570_100.0), cell=100.0)
    >>> g[["cell_id", "row", "col"]].values.tolist()
    [[0, 65700, 1500], [1, 65700, 1501], [2, 65700, 1502]]
    >>> g.geometry.iloc[0].bounds
    (150000.0, 6570000.0, 150100.0, 6570100.0)
    """
    _check_cell(cell)
    area, crs = _area_and_crs(bounds_or_area, crs)
    minx, miny, maxx, maxy = _bounds_of(area, bounds_or_area)
    col0, col1 = math.floor(minx / cell), max(math.ceil(maxx / cell), math.floor(minx / cell) + 1)
    row0, row1 = math.floor(miny / cell), max(math.ceil(maxy / cell), math.floor(miny / cell) + 1)
    total = (col1 - col0) * (row1 - row0)
    if total > MAX_CELLS:
        msg = f"`cell`: {cell:g} m gives {total:,} cells over the extent ({maxx - minx:.0f} m × {maxy - miny:.0f} m), more than {MAX_CELLS:,}; give a larger `cell`, e.g. {cell * math.ceil(math.sqrt(total / MAX_CELLS)):g}"
        raise InputError(msg)
    rows, cols = np.divmod(np.arange(total, dtype=np.int64), col1 - col0)
    rows, cols = rows + row0, cols + col0
    if area is not None:
        inside = shapely.contains_xy(area, (cols + 0.5) * cell, (rows + 0.5) * cell)
        rows, cols = rows[inside], cols[inside]
    geometry = shapely.box(cols * cell, rows * cell, (cols + 1) * cell, (rows + 1) * cell)
    grid = gpd.GeoDataFrame(
        {"cell_id": np.arange(len(rows), dtype=np.int64), "row": rows, "col": cols},
        geometry=geometry,
        crs=crs,
    )
    grid.attrs["cell"] = float(cell)
    return grid


def cell_area(grid: gpd.GeoDataFrame) -> float:
    """Area of one cell of ``grid`` in square metres.

    Examples
    --------
    >>> cell_area(make_grid((0.0, 0.0, 100.0, 100.0), cell=50.0))
    2500.0
    """
    return _cell_of(grid) ** 2


def cell_indices(x: np.ndarray, y: np.ndarray, grid: gpd.GeoDataFrame) -> np.ndarray:
    """Position (0 … len(grid) - 1) of the grid cell holding each point, ``-1`` outside the grid.

    Parameters
    ----------
    x, y : numpy.ndarray
        Coordinates in the grid's CRS; NaN gives ``-1``.
    grid : geopandas.GeoDataFrame
        A grid from :func:`make_grid`.

    Examples
    --------
    >>> g = make_grid((0.0, 0.0, 200.0, 100.0))
    >>> cell_indices(np.array([50.0, 150.0, 250.0, np.nan]), np.array([50.0, 99.0, 50.0, 0.0]), g)
    array([ 0,  1, -1, -1])
    """
    cell = _cell_of(grid)
    rows = grid["row"].to_numpy(dtype=np.int64)
    cols = grid["col"].to_numpy(dtype=np.int64)
    out = np.full(len(x), -1, dtype=np.int64)
    if len(rows) == 0:
        return out
    row0, col0 = rows.min(), cols.min()
    nrows, ncols = rows.max() - row0 + 1, cols.max() - col0 + 1
    lookup = np.full(nrows * ncols, -1, dtype=np.int64)
    lookup[(rows - row0) * ncols + (cols - col0)] = np.arange(len(rows))
    r = _floor_div(np.asarray(y, dtype=float), cell) - row0
    c = _floor_div(np.asarray(x, dtype=float), cell) - col0
    ok = (r >= 0) & (r < nrows) & (c >= 0) & (c < ncols)
    out[ok] = lookup[r[ok].astype(np.int64) * ncols + c[ok].astype(np.int64)]
    return out


def _floor_div(values: np.ndarray, cell: float) -> np.ndarray:
    """``floor(values / cell)``, corrected where rounding of the division crosses a cell edge."""
    with np.errstate(invalid="ignore"):
        index = np.floor(values / cell)
        index -= index * cell > values
        index += (index + 1) * cell <= values
    return index


def count_in_cells(
    points: np.ndarray | gpd.GeoSeries,
    grid: gpd.GeoDataFrame,
    *,
    by: pd.Series | np.ndarray | None = None,
) -> pd.Series | pd.DataFrame:
    """Count the points in each cell of ``grid``; empty cells count 0.

    Parameters
    ----------
    points : numpy.ndarray of shape (n, 2) or geopandas.GeoSeries
        Point coordinates (x, y) in the grid's CRS, or point geometries (empty or missing ones have
        no coordinates).
    grid : geopandas.GeoDataFrame
        A grid from :func:`make_grid`.
    by : pandas.Series or numpy.ndarray, optional
        One label per point (e.g. the category); missing labels are counted under ``""``.

    Returns
    -------
    pandas.Series or pandas.DataFrame
        Without ``by``: counts named ``count`` indexed by ``cell_id``. With ``by``: one column per
        label (sorted; a categorical keeps all its categories, in order). ``attrs["outside"]`` is the number of points outside
        the grid, ``attrs["missing"]`` of points without coordinates.

    Raises
    ------
    InputError
        If ``points`` is not (n, 2) or ``by`` has a different length.

    Examples
    --------
    >>> g = make_grid((0.0, 0.0, 200.0, 100.0))
    >>> xy = np.array([[10.0, 10.0], [20.0, 30.0], [150.0, 50.0], [900.0, 0.0]])
    >>> c = count_in_cells(xy, g)
    >>> c.tolist(), c.attrs["outside"]
    ([2, 1], 1)
    >>> count_in_cells(xy, g, by=pd.Series(["a", "b", "a", "a"])).to_dict("list")
    {'a': [1, 1], 'b': [1, 0]}
    """
    x, y = point_xy(points)
    missing = int((~(np.isfinite(x) & np.isfinite(y))).sum())
    where = cell_indices(x, y, grid)
    inside = where >= 0
    index = pd.Index(grid["cell_id"].to_numpy(), name="cell_id")
    attrs = {"outside": int((~inside).sum()) - missing, "missing": missing}
    if by is None:
        counts = np.bincount(where[inside], minlength=len(grid))
        result: pd.Series | pd.DataFrame = pd.Series(counts, index=index, name="count")
    else:
        result = _count_by(where, inside, by, len(grid), index)
    result.attrs.update(attrs)
    return result


def _count_by(
    where: np.ndarray, inside: np.ndarray, by: pd.Series | np.ndarray, cells: int, index: pd.Index
) -> pd.DataFrame:
    if len(by) != len(where):
        msg = f"`by`: has {len(by)} labels for {len(where)} points; give one label per point"
        raise InputError(msg)
    labels = pd.Series(by).reset_index(drop=True)
    if isinstance(labels.dtype, pd.CategoricalDtype):
        codes, uniques = labels.cat.codes.to_numpy(), labels.cat.categories
    else:
        codes, uniques = pd.factorize(labels.fillna("").astype(str), sort=True)
    codes = np.where(codes < 0, len(uniques), codes)
    names = [str(u) for u in uniques] + ([""] if (codes == len(uniques)).any() else [])
    flat = where[inside] * len(names) + codes[inside]
    matrix = np.bincount(flat, minlength=cells * len(names)).reshape(cells, len(names))
    return pd.DataFrame(matrix, index=index, columns=pd.Index(names, name="label"))


def _check_cell(cell: float) -> None:
    if isinstance(cell, bool) or not isinstance(cell, int | float) or not cell > 0:
        msg = f"`cell`: {cell!r} is not a cell size; give a positive number of metres, e.g. 100"
        raise InputError(msg)
    if not math.isfinite(cell):
        msg = f"`cell`: {cell!r} is not finite; give a number of metres, e.g. 100"
        raise InputError(msg)


def _area_and_crs(value: Any, crs: Any) -> tuple[Any, Any]:
    area: Any
    if isinstance(value, gpd.GeoDataFrame | gpd.GeoSeries):
        crs = value.crs if value.crs is not None else crs
        area = shapely.union_all(shapely.make_valid(np.asarray(value.geometry.dropna())))
    elif isinstance(value, shapely.Geometry):
        area = value
    else:
        area = None
    crs = crs if crs is not None else WORKING_CRS
    checked = gpd.GeoSeries([], crs=crs).crs
    if checked is not None and not checked.is_projected:
        msg = f"`bounds_or_area`: CRS {checked.to_string()} is not projected (metres); reproject the area to the working CRS {WORKING_CRS} first"
        raise InputError(msg)
    return area, crs


def _bounds_of(area: Any, value: Any) -> tuple[float, float, float, float]:
    if area is not None:
        bounds = tuple(float(b) for b in shapely.bounds(area))
        if area.is_empty or not area.area > 0:
            msg = "`bounds_or_area`: the area is empty (no polygon with an area); give the municipality polygon or (minx, miny, maxx, maxy)"
            raise InputError(msg)
    else:
        try:
            bounds = tuple(float(b) for b in value)
        except (TypeError, ValueError):
            bounds = ()
        if len(bounds) != 4:
            msg = f"`bounds_or_area`: {value!r} is neither (minx, miny, maxx, maxy) nor a polygon; give one of them"
            raise InputError(msg)
    minx, miny, maxx, maxy = bounds
    if not all(map(math.isfinite, bounds)) or minx >= maxx or miny >= maxy:
        msg = f"`bounds_or_area`: bounds {bounds} are empty or not finite; give minx < maxx and miny < maxy in metres"
        raise InputError(msg)
    return minx, miny, maxx, maxy


def _cell_of(grid: gpd.GeoDataFrame) -> float:
    cell = grid.attrs.get("cell")
    if cell:
        return float(cell)
    if len(grid) == 0:
        msg = "`grid`: has no cells and no attrs['cell']; build it with make_grid()"
        raise InputError(msg)
    minx, _, maxx, _ = grid.geometry.iloc[0].bounds
    return float(maxx - minx)


def point_xy(points: np.ndarray | gpd.GeoSeries) -> tuple[np.ndarray, np.ndarray]:
    """Return the x and y coordinates of an (n, 2) array or a GeoSeries of points (NaN if missing).

    Raises
    ------
    InputError
        If an array is not of shape (n, 2).

    Examples
    --------
    >>> point_xy(np.array([[1.0, 2.0]]))
    (array([1.]), array([2.]))
    """
    if isinstance(points, gpd.GeoSeries):
        geoms = np.asarray(points.array, dtype=object)
        usable = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        x = np.full(len(geoms), np.nan)
        y = np.full(len(geoms), np.nan)
        x[usable] = shapely.get_x(geoms[usable])
        y[usable] = shapely.get_y(geoms[usable])
        return x, y
    xy = np.asarray(points, dtype=float)
    if xy.ndim != 2 or xy.shape[1] != 2:
        if xy.size == 0:
            return np.empty(0), np.empty(0)
        msg = f"`points`: an array of shape {xy.shape}; give an (n, 2) array of x, y or a GeoSeries of points"
        raise InputError(msg)
    return xy[:, 0], xy[:, 1]

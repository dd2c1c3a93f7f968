"""Coordinate reference systems: the working CRS, inference from value ranges, swapped axes.

Swedish surveying names the *northing* X and the easting Y, so files with X≈6.57 million and
Y≈150 000 are common. geomap detects such swapped axes by value range and fixes them with a warning;
it never guesses silently.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from pyproj import CRS
from pyproj.exceptions import CRSError as PyprojCRSError

from geomap.errors import CRSError

__all__ = [
    "WORKING_CRS",
    "AxisCheck",
    "check_axes",
    "check_scale",
    "infer_crs_from_values",
    "parse_crs",
    "parse_working_crs",
]

log = logging.getLogger(__name__)

#: SWEREF 99 18 00, the local CRS of the Stockholm region; geomap's default working CRS.
WORKING_CRS = "EPSG:3011"

# Value ranges (metres or degrees) that identify Swedish coordinate systems.
_NORTHING = (6_100_000.0, 7_700_000.0)  # SWEREF 99 TM and the SWEREF 99 local zones
_EASTING_TM = (250_000.0, 950_000.0)  # SWEREF 99 TM (EPSG:3006)
_EASTING_LOCAL = (40_000.0, 260_000.0)  # SWEREF 99 local zones, false easting 150 000
_LON = (9.0, 26.0)  # Sweden, degrees
_LAT = (54.0, 70.0)


@dataclass(frozen=True)
class AxisCheck:
    """Result of :func:`check_axes`: whether the two coordinate arrays must be swapped, and why.

    ``detail`` is worded for a warning; it is empty when not swapped.
    """

    swapped: bool
    detail: str


def parse_crs(value: str | int | CRS, *, argument: str = "crs") -> CRS:
    """Parse a user-supplied CRS (``"EPSG:3011"``, ``3011``, WKT, PROJ string).

    Examples
    --------
    >>> parse_crs("3011").to_epsg()
    3011
    """
    if isinstance(value, CRS):
        return value
    text = str(value).strip()
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        return CRS.from_user_input(text)
    except PyprojCRSError:
        msg = f"`{argument}`: cannot understand CRS {value!r}; give an EPSG code such as EPSG:3011"
        raise CRSError(msg) from None


def parse_working_crs(value: str | int | CRS, *, argument: str = "working_crs") -> CRS:
    """Parse the CRS that routing measures in: it must be projected, in metres.

    Tolerances and distances (``tolerance``, ``max_distance``, ``distance_m``) are metres; in a
    geographic CRS they would be degrees (3 km would read 0.03), so such a CRS is refused.

    Examples
    --------
    >>> parse_working_crs("EPSG:3006").to_epsg()
    3006
    >>> parse_working_crs("EPSG:4326")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    geomap.errors.CRSError: `working_crs`: EPSG:4326 (WGS 84) is geographic (degrees); ...
    """
    crs = parse_crs(value, argument=argument)
    epsg = crs.to_epsg()
    name = f"EPSG:{epsg} ({crs.name})" if epsg else crs.name
    if crs.is_geographic or not crs.is_projected:
        kind = "geographic (degrees)" if crs.is_geographic else "not a projected CRS"
        msg = (
            f"`{argument}`: {name} is {kind}; geomap measures distances in metres, so give a "
            "projected CRS such as EPSG:3011 (SWEREF 99 18 00) or EPSG:3006 (SWEREF 99 TM)"
        )
        raise CRSError(msg)
    units = {str(axis.unit_name).lower() for axis in crs.axis_info}
    if not units <= {"metre", "meter"}:
        msg = (
            f"`{argument}`: {name} measures in {', '.join(sorted(units))}, not metres; give a "
            "CRS in metres such as EPSG:3011 (SWEREF 99 18 00) or EPSG:3006 (SWEREF 99 TM)"
        )
        raise CRSError(msg)
    return crs


#: How far a working CRS may stretch distances where the data lie (1 %: SWEREF 99 TM and its
#: local zones stay within 0.1 % in Sweden; Web Mercator doubles them at 59° N).
MAX_SCALE_ERROR = 0.01


def check_scale(
    crs: CRS, bounds: tuple[float, float, float, float], *, argument: str = "working_crs"
) -> None:
    """Refuse a working CRS whose metres are not metres on the ground where the data lie.

    ``bounds`` (in ``crs``) are the owner layer's; the scale factor is read at their centre.

    Examples
    --------
    >>> check_scale(CRS("EPSG:3011"), (140_000, 6_560_000, 160_000, 6_580_000))
    >>> check_scale(CRS("EPSG:3857"), (1_990_000, 8_230_000, 2_010_000, 8_250_000))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    geomap.errors.CRSError: `working_crs`: EPSG:3857 (WGS 84 / Pseudo-Mercator) stretches distances ...
    """
    from pyproj import Proj, Transformer

    x, y = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    if not (np.isfinite(x) and np.isfinite(y)):
        return
    lon, lat = Transformer.from_crs(crs, "EPSG:4326", always_xy=True).transform(x, y)
    try:
        factors = Proj(crs).get_factors(lon, lat)
    except Exception:  # pragma: no cover - a CRS pyproj cannot give factors for
        return
    scale = max(abs(factors.meridional_scale - 1), abs(factors.parallel_scale - 1))
    if np.isfinite(scale) and scale > MAX_SCALE_ERROR:
        epsg = crs.to_epsg()
        name = f"EPSG:{epsg} ({crs.name})" if epsg else crs.name
        msg = (
            f"`{argument}`: {name} stretches distances by {scale:.0%} where the owner layer lies "
            f"({lat:.2f}° N, {lon:.2f}° E), so tolerances and distances in metres would be wrong; "
            "give a CRS made for the area, such as EPSG:3011 (SWEREF 99 18 00) or EPSG:3006 (SWEREF 99 TM)"
        )
        raise CRSError(msg)


def _within(values: np.ndarray, bounds: tuple[float, float]) -> bool:
    finite = values[np.isfinite(values)]
    return bool(finite.size) and bool(np.all((finite >= bounds[0]) & (finite <= bounds[1])))


def _is_geographic(crs: CRS) -> bool:
    return bool(crs.is_geographic)


def check_axes(east: np.ndarray, north: np.ndarray, crs: CRS) -> AxisCheck:
    """Tell whether ``east``/``north`` are swapped for ``crs``, judged by their value ranges.

    For a geographic CRS the first array must be longitude (9–26° in Sweden) and the second latitude
    (54–70°); for a projected Swedish CRS the northing (6.1–7.7 million) must be the second array.

    Examples
    --------
    >>> import numpy as np
    >>> check_axes(np.array([6_570_000.0]), np.array([150_000.0]), CRS("EPSG:3011")).swapped
    True
    """
    if _is_geographic(crs):
        if _within(east, _LAT) and _within(north, _LON) and not _within(east, _LON):
            return AxisCheck(True, "latitude comes first and longitude second")
        return AxisCheck(False, "")
    if _within(east, _NORTHING) and not _within(north, _NORTHING):
        return AxisCheck(True, "the northing (6.1–7.7 million) comes first: X = northing")
    return AxisCheck(False, "")


def infer_crs_from_values(east: np.ndarray, north: np.ndarray) -> tuple[CRS, bool] | None:
    """Infer the CRS of coordinate columns from their value ranges.

    Returns ``(crs, swapped)`` when the ranges identify exactly one of WGS84 (EPSG:4326),
    SWEREF 99 TM (EPSG:3006) or the Stockholm local zone SWEREF 99 18 00 (EPSG:3011), else ``None``.
    ``swapped`` is true when the first array holds the northing or latitude.

    Examples
    --------
    >>> import numpy as np
    >>> crs, swapped = infer_crs_from_values(np.array([17.95]), np.array([59.23]))
    >>> crs.to_epsg(), swapped
    (4326, False)
    """
    for first, second, swapped in ((east, north, False), (north, east, True)):
        if _within(first, _LON) and _within(second, _LAT):
            return CRS.from_epsg(4326), swapped
        if _within(second, _NORTHING):
            if _within(first, _EASTING_TM) and not _within(first, _EASTING_LOCAL):
                return CRS.from_epsg(3006), swapped
            if _within(first, _EASTING_LOCAL) and not _within(first, _EASTING_TM):
                return CRS.from_epsg(3011), swapped
    return None

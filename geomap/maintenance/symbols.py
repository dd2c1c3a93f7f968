"""Can the symbols of the vocabulary be told apart? Colour distance (CIEDE2000) and a symbol check.

Two products of the same geometry type **look the same** when they share the shape (the hatch
pattern of a polygon, the dash of a line, the marker of a point), their main colours differ by
less than :data:`MIN_DELTA_E` (CIEDE2000) and their sizes (line width, marker size) differ by
less than :data:`SIZE_TOLERANCE_MM`; outline colours are ignored, because at map scale nobody
tells two symbols apart by a 0.3 mm outline. **Neighbours** — products next to each other in the
legend of one layer (same geometry type, vocabulary order) — must differ in main colour by at
least :data:`MIN_DELTA_E` whatever their shape.

CIEDE2000 is implemented here (no installed library has it; scikit-image, colormath and colour
are not dependencies) after G. Sharma, W. Wu, E. N. Dalal, "The CIEDE2000 color-difference
formula: implementation notes, supplementary test data, and mathematical observations", Color
Research and Application 30 (1), 2005, and checked against that paper's 34 test pairs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .vocabulary import GEOMETRY_TYPES, Product, Vocabulary

__all__ = [
    "MIN_DELTA_E",
    "SIZE_TOLERANCE_MM",
    "SymbolConflict",
    "ciede2000",
    "delta_e",
    "hex_to_lab",
    "symbol_conflicts",
]

#: Smallest CIEDE2000 distance at which two main colours count as different (about four times
#: the just-noticeable difference of ~2.3, so that small patches on a map still differ).
MIN_DELTA_E = 10.0
#: Line widths or marker sizes closer than this (mm) count as the same size.
SIZE_TOLERANCE_MM = 0.5

_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])
_SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)


def hex_to_lab(colours: Sequence[str]) -> np.ndarray:
    """Return CIELAB (D65, 2°) of ``#rrggbb`` sRGB colours as an ``(n, 3)`` array.

    Examples
    --------
    >>> (hex_to_lab(["#ffffff", "#000000"]).round(2) + 0.0).tolist()
    [[100.0, 0.0, 0.0], [0.0, 0.0, 0.0]]
    """
    rgb = np.array(
        [[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in colours], dtype=float
    ).reshape(-1, 3)
    rgb /= 255.0
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _SRGB_TO_XYZ.T / _WHITE_D65
    eps, kappa = 216 / 24389, 24389 / 27
    f = np.where(xyz > eps, np.cbrt(xyz), (kappa * xyz + 16) / 116)
    lab = np.column_stack(
        [116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])]
    )
    return np.where(np.abs(lab) < 1e-9, 0.0, lab)


def _hue_deg(b: np.ndarray, a: np.ndarray) -> np.ndarray:
    hue = np.degrees(np.arctan2(b, a)) % 360.0
    return np.where((a == 0) & (b == 0), 0.0, hue)


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> np.ndarray:
    """Return the CIEDE2000 colour difference (kL = kC = kH = 1) of rows of two Lab arrays.

    Examples
    --------
    >>> float(ciede2000(np.array([[50, 2.6772, -79.7751]]), np.array([[50, 0, -82.7485]]))[0])
    2.0424...
    """
    lab1, lab2 = np.atleast_2d(lab1).astype(float), np.atleast_2d(lab2).astype(float)
    (l1, a1, b1), (l2, a2, b2) = lab1.T, lab2.T
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25.0**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p, h2p = _hue_deg(b1, a1p), _hue_deg(b2, a2p)
    chroma = c1p * c2p != 0
    dh = h2p - h1p
    dh = np.where(dh > 180, dh - 360, np.where(dh < -180, dh + 360, dh))
    dh = np.where(chroma, dh, 0.0)
    d_h = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh) / 2)
    h_sum = h1p + h2p
    h_bar = np.where(
        np.abs(h1p - h2p) <= 180, h_sum / 2, np.where(h_sum < 360, h_sum + 360, h_sum - 360) / 2
    )
    h_bar = np.where(chroma, h_bar, h_sum)
    t = (
        1
        - 0.17 * np.cos(np.radians(h_bar - 30))
        + 0.24 * np.cos(np.radians(2 * h_bar))
        + 0.32 * np.cos(np.radians(3 * h_bar + 6))
        - 0.20 * np.cos(np.radians(4 * h_bar - 63))
    )
    l_bar, cp_bar = (l1 + l2) / 2, (c1p + c2p) / 2
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * cp_bar, 1 + 0.015 * cp_bar * t
    r_c = 2 * np.sqrt(cp_bar**7 / (cp_bar**7 + 25.0**7))
    r_t = -np.sin(np.radians(2 * 30 * np.exp(-(((h_bar - 275) / 25) ** 2)))) * r_c
    dl, dc, dhh = (l2 - l1) / s_l, (c2p - c1p) / s_c, d_h / s_h
    return np.asarray(np.sqrt(dl**2 + dc**2 + dhh**2 + r_t * dc * dhh))


def delta_e(colour1: str, colour2: str) -> float:
    """Return the CIEDE2000 distance of two ``#rrggbb`` colours.

    Examples
    --------
    >>> round(delta_e("#006d2c", "#006d2c"), 3), delta_e("#4daf4a", "#a6d96a") > MIN_DELTA_E
    (0.0, True)
    """
    return float(ciede2000(hex_to_lab([colour1]), hex_to_lab([colour2]))[0])


@dataclass(frozen=True)
class SymbolConflict:
    """Two products whose symbols cannot be told apart (``kind``: ``same`` or ``neighbours``)."""

    kind: str
    first: str
    second: str
    delta_e: float
    reason: str

    def __str__(self) -> str:
        """Word the conflict for a test failure or a log line."""
        return f"{self.first} / {self.second}: {self.reason} (CIEDE2000 {self.delta_e:.1f})"


def _shape(product: Product) -> str:
    return product.marker if product.geometry == "point" else product.pattern


def _size(product: Product) -> float:
    if product.geometry == "point":
        return product.size
    return product.stroke_width if product.geometry == "line" else 0.0


def _geometry_conflicts(
    products: list[Product], min_delta_e: float, size_tolerance: float
) -> list[SymbolConflict]:
    """Return the conflicts among ``products`` of one geometry type, in legend order."""
    lab = hex_to_lab([p.colour for p in products])
    n = len(products)
    i, j = np.triu_indices(n, k=1)
    distance = ciede2000(lab[i], lab[j])
    conflicts = []
    for a, b, d in zip(i.tolist(), j.tolist(), distance.tolist(), strict=True):
        p, q = products[a], products[b]
        same_size = abs(_size(p) - _size(q)) < size_tolerance
        if _shape(p) == _shape(q) and same_size and d < min_delta_e:
            reason = f"same shape {_shape(p)!r}, size within {size_tolerance:g} mm, same colour"
            conflicts.append(SymbolConflict("same", p.code, q.code, d, reason))
        elif b == a + 1 and d < min_delta_e:
            reason = f"next to each other in the legend with colours closer than {min_delta_e:g}"
            conflicts.append(SymbolConflict("neighbours", p.code, q.code, d, reason))
    return conflicts


def symbol_conflicts(
    vocabulary: Vocabulary,
    *,
    min_delta_e: float = MIN_DELTA_E,
    size_tolerance: float = SIZE_TOLERANCE_MM,
) -> list[SymbolConflict]:
    """Return every pair of products whose symbols cannot be told apart (none: all distinct).

    Parameters
    ----------
    vocabulary : Vocabulary
        The products and their symbols.
    min_delta_e : float
        CIEDE2000 distance below which two main colours count as the same.
    size_tolerance : float
        Sizes (mm) closer than this count as the same.

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> symbol_conflicts(load_vocabulary())
    []
    """
    conflicts: list[SymbolConflict] = []
    for geometry in GEOMETRY_TYPES:
        products = vocabulary.of_geometry(geometry)
        conflicts += _geometry_conflicts(products, min_delta_e, size_tolerance)
    return conflicts

"""The colours geomap gives owners that bring none of their own: the one palette.

Colour-blind-friendly: Okabe–Ito first, then Paul Tol's muted scheme. Registry colours always win;
these fill the gaps in registry order, so the same owner gets the same colour in the map, its
legend and the lists.

Examples
--------
>>> PALETTE[:3]
('#0072b2', '#e69f00', '#009e73')
>>> fallback_colour(17)
'#e69f00'
"""

from __future__ import annotations

__all__ = ["PALETTE", "UNROUTED_COLOUR", "fallback_colour"]

PALETTE: tuple[str, ...] = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#f0e442",
    "#000000",
    "#332288",
    "#88ccee",
    "#44aa99",
    "#117733",
    "#999933",
    "#ddcc77",
    "#cc6677",
    "#882255",
)

#: Colour of remarks that no owner was found for.
UNROUTED_COLOUR = "#1a1a1a"


def fallback_colour(position: int) -> str:
    """Return the palette colour for the owner at ``position`` (0-based), cycling past the end."""
    return PALETTE[position % len(PALETTE)]

"""Every Swedish label of a code that coordinators and owners read, in one table.

Route methods, flags and remark sources are stored as English codes (``route_method``, ``flags``,
``source`` in ``routed.gpkg``); lists, ``summary.json``, the map popups and the legend show them in
Swedish with the words below, and nowhere else are these words written.

Examples
--------
>>> METHOD_LABELS["nearest"], FLAG_LABELS["boundary"], SOURCE_LABELS["trygghetsvandring"]
('närmaste ägare', 'nära gräns – kontrollera', 'Trygghetsvandring')
>>> flag_text("boundary;overlap")
'nära gräns – kontrollera, överlappande ägare'
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

__all__ = [
    "FLAG_LABELS",
    "LABELS",
    "METHOD_LABELS",
    "SOURCE_LABELS",
    "UNROUTED_OWNER_LABEL",
    "flag_text",
    "flag_texts",
]

#: Route methods (``route_method``), in order of precedence.
METHOD_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "category_rule": "kategoriregel",
        "responsibility": "driftansvar",
        "ownership": "ägande",
        "nearest": "närmaste ägare",
        "unrouted": "ej dirigerad",
    }
)

#: Flags of a remark (``flags``, ``;``-separated codes).
FLAG_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "boundary": "nära gräns – kontrollera",
        "overlap": "överlappande ägare",
        "unknown_category": "okänd kategori",
        "outside_extent": "utanför ägarskiktet",
        "invalid_geometry": "saknar koordinater",
        "protocol_owner_differs": "annan markägare enligt protokollet",
        "axis_swapped": "X/Y omkastade i indata",
    }
)

#: Where a remark came from (``source``).
SOURCE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "lagesbild": "Lägesbild",
        "trygghetsvandring": "Trygghetsvandring",
        "felanmalan": "Felanmälan",
        "other": "Övrigt",
    }
)

#: How the remarks that no owner got are named in tables and legends.
UNROUTED_OWNER_LABEL = "Ej dirigerade"

#: All tables by kind, as the map page receives them.
LABELS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {"method": METHOD_LABELS, "flag": FLAG_LABELS, "source": SOURCE_LABELS}
)


def flag_text(flags: str | None) -> str:
    """Swedish words for a ``;``-separated flag string, joined by ``", "``.

    Unknown codes are kept as they are, so nothing is hidden.

    Examples
    --------
    >>> flag_text("")
    ''
    >>> flag_text("outside_extent;new_code")
    'utanför ägarskiktet, new_code'
    """
    if not flags:
        return ""
    return ", ".join(FLAG_LABELS.get(code, code) for code in str(flags).split(";") if code)


def flag_texts(flags: pd.Series) -> np.ndarray:
    """:func:`flag_text` for a column, computed once per distinct value.

    Examples
    --------
    >>> flag_texts(pd.Series(["boundary", None, "boundary"])).tolist()
    ['nära gräns – kontrollera', '', 'nära gräns – kontrollera']
    """
    codes, uniques = pd.factorize(flags.fillna("").astype(str))
    words = np.array([flag_text(u) for u in uniques] + [""], dtype=object)
    return words[np.where(codes < 0, len(uniques), codes)]

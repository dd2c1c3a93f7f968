"""Why a remark went where it went: one Swedish sentence per remark, and the flag codes.

The sentences are built once per distinct (method, owner, land owner, rule, flags, category) and
spread to the rows; only the distance of ``nearest`` remarks is formatted per row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geomap.core.rules import CategoryRule

__all__ = [
    "CATEGORY_RULE",
    "FLAG_BITS",
    "F_BOUNDARY",
    "F_MISSING",
    "F_OUTSIDE",
    "F_OVERLAP",
    "F_UNKNOWN",
    "METHODS",
    "NEAREST",
    "OWNERSHIP",
    "RESPONSIBILITY",
    "UNROUTED",
    "ReasonContext",
    "flag_codes",
    "reasons",
]

#: Route methods in order of precedence; the integer codes below index this tuple.
METHODS = ("category_rule", "responsibility", "ownership", "nearest", "unrouted")
CATEGORY_RULE, RESPONSIBILITY, OWNERSHIP, NEAREST, UNROUTED = range(5)

F_BOUNDARY, F_OVERLAP, F_UNKNOWN, F_OUTSIDE, F_MISSING = 1, 2, 4, 8, 16
#: Flag bits and their codes in the ``flags`` column.
FLAG_BITS = (
    (F_BOUNDARY, "boundary"),
    (F_OVERLAP, "overlap"),
    (F_UNKNOWN, "unknown_category"),
    (F_OUTSIDE, "outside_extent"),
    (F_MISSING, "invalid_geometry"),
)


@dataclass(frozen=True)
class ReasonContext:
    """What the sentences need besides the per-remark codes: names, rules and distances."""

    names: Sequence[str]
    rules: Sequence[CategoryRule]
    tolerance: float
    max_distance: float


def flag_codes(flags: np.ndarray) -> np.ndarray:
    """Return the ``;``-separated flag codes of each bit mask.

    Examples
    --------
    >>> flag_codes(np.array([0, 3, 16])).tolist()
    ['', 'boundary;overlap', 'invalid_geometry']
    """
    uniques, inverse = np.unique(flags, return_inverse=True)
    text = np.array(
        [";".join(name for bit, name in FLAG_BITS if u & bit) for u in uniques], dtype=object
    )
    return text[inverse]


def reasons(
    context: ReasonContext,
    *,
    method: np.ndarray,
    owner: np.ndarray,
    land: np.ndarray,
    flags: np.ndarray,
    rule_hit: np.ndarray,
    distance: np.ndarray,
    labels: pd.Series | None,
) -> np.ndarray:
    """Return a Swedish sentence per remark: why it went where it went.

    ``owner`` and ``land`` index ``context.names`` (``len(names)`` means none).

    Examples
    --------
    >>> ctx = ReasonContext(names=["Huge Bostäder AB"], rules=(), tolerance=2.0, max_distance=25.0)
    >>> reasons(ctx, method=np.array([NEAREST]), owner=np.array([0]), land=np.array([0]),
    ...     flags=np.array([0]), rule_hit=np.array([-1]), distance=np.array([3.14]), labels=None)[0]
    'Utanför ägarpolygonerna (gata, vatten); närmaste mark ägs av Huge Bostäder AB, 3,1 m bort (högst 25 m)'
    """
    n = len(method)
    cat_codes, cat_values = pd.factorize(
        labels if labels is not None else pd.Series([""] * n), use_na_sentinel=True
    )
    # One int64 key per distinct (method, owner, land owner, rule, flags, category label).
    parts = [method, owner, land, rule_hit + 1, flags, cat_codes + 1]
    key = np.zeros(n, dtype="int64")
    for part in parts:
        part = np.asarray(part, dtype="int64")
        key = key * (int(part.max(initial=0)) + 1) + part
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    uniques = np.column_stack([np.asarray(p, dtype="int64")[first] for p in parts])
    names = [*context.names, ""]
    pairs = [
        _reason_parts(
            context,
            int(m),
            names[o],
            names[lo],
            int(rule) - 1,
            int(f),
            str(cat_values[c - 1]) if c > 0 else "",
        )
        for m, o, lo, rule, f, c in uniques
    ]
    head_arr = np.array([p[0] for p in pairs], dtype=object)[inverse.ravel()]
    tail_arr = np.array([p[1] for p in pairs], dtype=object)[inverse.ravel()]
    out = head_arr + tail_arr
    near = method == NEAREST
    if near.any():
        text = (
            pd.Series(np.round(distance[near], 1))
            .map("{:.1f}".format)
            .str.replace(".", ",", regex=False)
        )
        out[near] = head_arr[near] + text.to_numpy(dtype=object) + tail_arr[near]
    return out


def _reason_parts(
    context: ReasonContext, method: int, name: str, land: str, rule: int, flags: int, label: str
) -> tuple[str, str]:
    """Text before and after the distance (only ``nearest`` has a distance between them)."""
    head, tail = _head(context, method, name, land, rule, flags, label), ""
    if method == NEAREST:
        tail = f" m bort (högst {context.max_distance:g} m)"
    if flags & F_BOUNDARY:
        tail += f"; ligger inom {context.tolerance:g} m från annan ägares mark – kontrollera"
    if flags & F_OVERLAP:
        tail += "; överlappande ägarpolygoner, vald enligt prioritet"
    return head, tail


def _head(
    context: ReasonContext, method: int, name: str, land: str, rule: int, flags: int, label: str
) -> str:
    if method == OWNERSHIP:
        return f"Inom mark som ägs av {name}"
    if method == NEAREST:
        return f"Utanför ägarpolygonerna (gata, vatten); närmaste mark ägs av {name}, "
    if method == RESPONSIBILITY:
        head = f"Inom område där {name} har driftansvar"
        return head + (f"; marken ägs av {land}" if land and land != name else "")
    if method == CATEGORY_RULE:
        note = context.rules[rule].note if rule >= 0 else ""
        return f"Kategoriregel: {label} går till {name}" + (f" ({note})" if note else "")
    if flags & F_MISSING:
        return "Saknar koordinater eller geometri"
    if flags & F_OUTSIDE:
        return "Utanför ägarskiktets utbredning (troligen utanför kommunen)"
    return f"Ingen ägarpolygon inom {context.max_distance:g} m"

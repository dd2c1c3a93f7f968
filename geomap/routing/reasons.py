"""Why a remark went where it went: one Swedish sentence per remark, and the flag codes.

The sentences are built once per distinct (method, owner, land owner, rule, flags, category) and
spread to the rows; only the distance of ``nearest`` remarks is formatted per row.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geomap.core.owners import OwnerRegistry
from geomap.core.rules import CategoryRule
from geomap.io.tables import normalise_name

__all__ = [
    "CATEGORY_RULE",
    "FLAG_BITS",
    "F_AXIS_SWAPPED",
    "F_BOUNDARY",
    "F_MISSING",
    "F_OUTSIDE",
    "F_OVERLAP",
    "F_PROTOCOL",
    "F_UNKNOWN",
    "METHODS",
    "NEAREST",
    "OWNERSHIP",
    "RESPONSIBILITY",
    "UNROUTED",
    "ReasonContext",
    "add_flag",
    "flag_codes",
    "protocol_owner_differs",
    "reasons",
]

#: Route methods in order of precedence; the integer codes below index this tuple.
METHODS = ("category_rule", "responsibility", "ownership", "nearest", "unrouted")
CATEGORY_RULE, RESPONSIBILITY, OWNERSHIP, NEAREST, UNROUTED = range(5)

F_BOUNDARY, F_OVERLAP, F_UNKNOWN, F_OUTSIDE, F_MISSING, F_PROTOCOL = 1, 2, 4, 8, 16, 32
F_AXIS_SWAPPED = 64
#: Flag bits and their codes in the ``flags`` column, in the order the codes are written.
FLAG_BITS = (
    (F_BOUNDARY, "boundary"),
    (F_OVERLAP, "overlap"),
    (F_UNKNOWN, "unknown_category"),
    (F_AXIS_SWAPPED, "axis_swapped"),
    (F_OUTSIDE, "outside_extent"),
    (F_MISSING, "invalid_geometry"),
    (F_PROTOCOL, "protocol_owner_differs"),
)

# What a protocol writes when it does not know the landowner (after normalise_name).
_UNKNOWN_OWNER = frozenset(
    {
        "",
        "okand",
        "okant",
        "okand_agare",
        "vet_ej",
        "vet_inte",
        "vetej",
        "ej_kand",
        "ej_kant",
        "oklart",
        "osaker",
        "ingen_uppgift",
        "uppgift_saknas",
        "saknas",
        "unknown",
        "na",
        "n_a",
        "x",
    }
)
# Words that do not tell owners apart ("Huge AB" is Huge Bostäder AB).
_COMPANY_WORDS = frozenset({"ab", "aktiebolag", "hb", "kb", "publ"})


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


def protocol_owner_differs(
    protocol: pd.Series,
    owner: pd.Series,
    land_owner: pd.Series,
    registry: OwnerRegistry,
) -> np.ndarray:
    """Tell per remark whether the landowner named in the protocol is neither routed owner.

    The protocol's text is compared, ignoring case, spaces and diacritics, with the owner id, the
    owner name and the name without "AB"/"kommun"; it also agrees when its words are among the
    owner's words ("Huge" ~ Huge Bostäder AB, "Kommunen" ~ huddinge_kommun). Agreeing with
    ``owner`` or with ``land_owner`` (the owner of the land, when responsibility sent the remark
    elsewhere) is enough. Empty or unknown values ("okänd", "vet ej", "?") and remarks without an
    owner are never a disagreement. Computed once per distinct (text, owner, land owner).

    Examples
    --------
    >>> from geomap.core.owners import Owner, OwnerRegistry
    >>> reg = OwnerRegistry((Owner("huge_bostader", "Huge Bostäder AB"),
    ...                      Owner("huddinge_kommun", "Huddinge kommun")))
    >>> said = pd.Series(["Huge", "kommunen", "Huge", "okänd", "Trafikverket"])
    >>> owner = pd.Series(["huge_bostader", "huddinge_kommun", "huddinge_kommun", "huge_bostader", None])
    >>> protocol_owner_differs(said, owner, owner, reg).tolist()
    [False, False, True, False, False]
    """
    said = protocol.to_numpy(dtype=object)
    result = np.zeros(len(said), dtype=bool)
    todo = np.flatnonzero(pd.notna(said) & owner.notna().to_numpy())
    if not len(todo):
        return result
    columns = [c.to_numpy(dtype=object)[todo] for c in (protocol, owner, land_owner)]
    key = np.zeros(len(todo), dtype="int64")
    for column in columns:  # one int64 key per distinct (text, owner, land owner)
        codes, values = pd.factorize(column, use_na_sentinel=True)
        key = key * (len(values) + 1) + (codes + 1)
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    texts, owners, lands = ([_plain(v) for v in c[first]] for c in columns)
    verdicts = np.array(
        [
            bool(o) and not (_agrees(t, o, registry) or _agrees(t, lo, registry))
            for t, o, lo in zip(texts, owners, lands, strict=True)
        ],
        dtype=bool,
    )
    result[todo] = verdicts[inverse.ravel()]
    return result


def _plain(value: object) -> str:
    missing = value is None or value is pd.NA or (isinstance(value, float) and value != value)
    return "" if missing else str(value)


def _words(text: str) -> frozenset[str]:
    words = (w for w in normalise_name(text).split("_") if w)
    return frozenset("kommun" if w in ("kommunen", "kommuns") else w for w in words)


def _agrees(said: str, owner_id: str, registry: OwnerRegistry) -> bool:
    """Whether a protocol's landowner text can mean ``owner_id`` (or says it does not know)."""
    text = normalise_name(said)
    if text in _UNKNOWN_OWNER:
        return True
    if not owner_id:
        return False
    name = registry[owner_id].name if owner_id in registry else owner_id
    short = re.sub(r"(_(ab|aktiebolag|kommun))+$", "", normalise_name(name))
    if text in {normalise_name(owner_id), normalise_name(name), short}:
        return True
    words = _words(said) - _COMPANY_WORDS
    return bool(words) and words <= (_words(owner_id) | _words(name))


def add_flag(flags: pd.Series, mask: np.ndarray, code: str) -> pd.Series:
    """Append ``code`` to the ``;``-separated ``flags`` where ``mask`` is true.

    Examples
    --------
    >>> add_flag(pd.Series(["", "boundary", ""]), np.array([True, True, False]), "x").tolist()
    ['x', 'boundary;x', '']
    """
    text = flags.fillna("").astype(str).to_numpy(dtype=object)
    joined = np.where(text == "", code, text + ";" + code)
    return pd.Series(np.where(mask, joined, text), index=flags.index, dtype=object)

"""The statuses of a remark in the register: codes, Swedish labels and open or closed.

The set follows FixMyStreet's states (``confirmed``, ``action scheduled``, ``in progress``,
``fixed``, ``no further action``, ``not responsible``, ``duplicate``, ``closed``) with the Swedish
words that owners read and choose from in their lists. Each status maps to Open311's ``open`` or
``closed``. *Ej vårt ansvar* is open: the remark is not resolved, it waits in the re-routing
queue for its right owner (see :func:`geomap.register.reassign`).

Examples
--------
>>> STATUS_LABELS["ej_vart_ansvar"], is_open("ej_vart_ansvar"), is_open("atgardad")
('ej vårt ansvar', True, False)
>>> status_code("Åtgärdad"), status_code(" pågår "), status_code("okänd") is None
('atgardad', 'pagar', True)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np
import pandas as pd

__all__ = [
    "CLOSED",
    "NEW",
    "OPEN",
    "OPEN311_STATUS",
    "STATUSES",
    "STATUS_LABELS",
    "is_open",
    "status_code",
    "status_codes",
]

#: Status code → (Swedish label, open?), in the order of a remark's life.
STATUSES: Mapping[str, tuple[str, bool]] = MappingProxyType(
    {
        "ny": ("ny", True),
        "skickad": ("skickad", True),
        "mottagen": ("mottagen", True),
        "planerad": ("planerad", True),
        "pagar": ("pågår", True),
        "atgardad": ("åtgärdad", False),
        "ingen_atgard": ("ingen åtgärd", False),
        "ej_vart_ansvar": ("ej vårt ansvar", True),
        "dubblett": ("dubblett", False),
        "stangd": ("stängd", False),
    }
)
#: Status code → its Swedish label (what lists, messages and Open311 ``status_notes`` show).
STATUS_LABELS: Mapping[str, str] = MappingProxyType({k: v[0] for k, v in STATUSES.items()})
#: Open311 GeoReport v2 ``status`` words.
OPEN, CLOSED = "open", "closed"
#: Status code → ``open`` or ``closed``.
OPEN311_STATUS: Mapping[str, str] = MappingProxyType(
    {k: OPEN if v[1] else CLOSED for k, v in STATUSES.items()}
)
#: The status of a remark when it first enters the register.
NEW = "ny"

_BY_WORD = {
    **{code.casefold(): code for code in STATUSES},
    **{label.casefold(): code for code, label in STATUS_LABELS.items()},
}


def is_open(code: str) -> bool:
    """Return True when the status ``code`` is open (the owner still has to act)."""
    return STATUSES[code][1]


def status_code(word: object) -> str | None:
    """Return the code of a status given by its code or Swedish label, any case; else None."""
    if word is None or (isinstance(word, float) and np.isnan(word)):
        return None
    return _BY_WORD.get(" ".join(str(word).split()).casefold())


def status_codes(words: pd.Series) -> pd.Series:
    """:func:`status_code` for a column, once per distinct value (None where unknown or empty).

    Examples
    --------
    >>> status_codes(pd.Series(["Pågår", "x", None])).tolist()
    ['pagar', None, None]
    """
    codes, uniques = pd.factorize(words.astype("string"), use_na_sentinel=True)
    table = np.array([status_code(u) for u in uniques] + [None], dtype=object)
    return pd.Series(
        table[np.where(codes < 0, len(uniques), codes)], index=words.index, dtype=object
    )

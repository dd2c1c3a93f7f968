"""``geomap register status``: per owner, open, overdue, fixed, refused and median days to fix."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from geomap.register.register import Register, state_frame

__all__ = ["STATUS_TABLE_COLUMNS", "format_status_table", "status_table"]

#: Columns of :func:`status_table` (English names; :func:`format_status_table` prints Swedish).
STATUS_TABLE_COLUMNS: tuple[str, ...] = (
    "owner",
    "owner_name",
    "remarks",
    "open",
    "overdue",
    "fixed",
    "refused",
    "duplicates",
    "median_days_to_fix",
)
_HEADINGS = {
    "owner_name": "Ägare",
    "remarks": "Anmärkningar",
    "open": "Öppna",
    "overdue": "Försenade",
    "fixed": "Åtgärdade",
    "refused": "Ej vårt ansvar",
    "duplicates": "Dubbletter",
    "median_days_to_fix": "Median dagar till åtgärd",
}


def status_table(register: Register, *, today: dt.date | None = None) -> pd.DataFrame:
    """Count the remarks of each owner by state (the numbers the lägesbild can show too).

    ``open`` counts open remarks that are no duplicates; ``overdue`` those of them past their
    due date; ``fixed`` the *åtgärdad* ones; ``refused`` the *ej vårt ansvar* ones waiting to be
    reassigned; ``median_days_to_fix`` the median of fixed date − date assigned (days).

    Examples
    --------
    >>> status_table(open_register("arenden.gpkg"))  # doctest: +SKIP
    """
    registry = register.registry()
    frame = state_frame(register.remarks(), registry, today=today)
    frame = frame[frame["owner"].notna()]
    assigned = (
        frame["assigned_at"].dt.tz_convert("Europe/Stockholm").dt.tz_localize(None).dt.normalize()
    )
    days = (frame["fixed_date"] - assigned).dt.days.astype("float64")
    own = frame["duplicate_of"].isna()
    table = pd.DataFrame(
        {
            "owner": frame["owner"],
            "remarks": 1,
            "open": (frame["open"] & own).astype(int),
            "overdue": frame["overdue"].astype(int),
            "fixed": (frame["status"] == "atgardad").astype(int),
            "refused": (frame["status"] == "ej_vart_ansvar").astype(int),
            "duplicates": (~own).astype(int),
            "days": np.where(frame["status"] == "atgardad", days, np.nan),
        }
    )
    counts = table.groupby("owner").agg(
        remarks=("remarks", "sum"), open=("open", "sum"), overdue=("overdue", "sum"),
        fixed=("fixed", "sum"), refused=("refused", "sum"), duplicates=("duplicates", "sum"),
        median_days_to_fix=("days", "median"),
    )  # fmt: skip
    names = {o.id: o.name for o in registry.owners}
    counts.insert(0, "owner_name", counts.index.map(lambda i: names.get(i, i)))
    return counts.reset_index()[list(STATUS_TABLE_COLUMNS)]


def format_status_table(table: pd.DataFrame) -> str:
    """Return the table as aligned text with Swedish headings and a total row.

    Examples
    --------
    >>> t = pd.DataFrame({"owner": ["a"], "owner_name": ["A AB"], "remarks": [3], "open": [2],
    ...     "overdue": [1], "fixed": [1], "refused": [0], "duplicates": [0],
    ...     "median_days_to_fix": [4.0]})
    >>> print(format_status_table(t))  # doctest: +NORMALIZE_WHITESPACE
    Ägare  Anmärkningar  Öppna  Försenade  Åtgärdade  Ej vårt ansvar  Dubbletter  Median dagar till åtgärd
    A AB              3      2          1          1               0           0                       4,0
    Summa             3      2          1          1               0           0                       4,0
    """
    shown = table.drop(columns=["owner"]).copy()
    total = {
        c: shown[c].sum() for c in shown.columns if c not in ("owner_name", "median_days_to_fix")
    }
    median = pd.to_numeric(shown["median_days_to_fix"], errors="coerce")
    total_row = {
        "owner_name": "Summa",
        **total,
        "median_days_to_fix": median.median() if len(median.dropna()) else np.nan,
    }
    shown = pd.concat([shown, pd.DataFrame([total_row])], ignore_index=True)
    shown["median_days_to_fix"] = [
        "–" if pd.isna(v) else f"{v:.1f}".replace(".", ",") for v in shown["median_days_to_fix"]
    ]
    return shown.rename(columns=_HEADINGS).to_string(index=False)

"""Invasive species (invasiva främmande arter): findings, their checks and a yearly comparison.

The owners' focus group maps invasive plants jointly in one layer in shared terms: each feature
is a product of group *Invasiva arter* (a stand as a polygon, ``IN1`` …, or a single finding as a
point, ``IN1.1`` …) with ``fynddatum`` (date found), ``atgard`` (what was done, from the
vocabulary's ``[invasive] actions``), ``atgardsdatum`` (when) and ``status`` (from
``[invasive] statuses``). The species and the lists they are on: ``layers/vokabular.toml``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geomap.core.dates import parse_timestamps
from geomap.errors import InputError

from .vocabulary import Vocabulary

__all__ = [
    "FINDING_COLUMNS",
    "YEAR_COLUMNS",
    "check_findings",
    "finding_columns",
    "invasive_mask",
    "yearly_comparison",
]

#: Columns an invasive-species finding carries besides the shared columns.
FINDING_COLUMNS = ("fynddatum", "atgard", "atgardsdatum", "status")
#: Columns of :func:`yearly_comparison`.
YEAR_COLUMNS = (
    "År",
    "Produktkod",
    "Art",
    "Ägare",
    "Enhet",
    "Funna objekt",
    "Funnen mängd",
    "Åtgärdade objekt",
    "Åtgärdad mängd",
)
_SHOWN = 5


def invasive_mask(codes: pd.Series, vocabulary: Vocabulary) -> np.ndarray:
    """Return which ``codes`` are invasive species.

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> invasive_mask(pd.Series(["G2", "IN1", "IN3.1"]), load_vocabulary()).tolist()
    [False, True, True]
    """
    flags = {code: p.invasive for code, p in vocabulary.items()}
    return codes.astype(str).map(flags).fillna(False).to_numpy(dtype=bool)


def _refuse(where: str, column: str, rows: np.ndarray, values: pd.Series, fix: str) -> InputError:
    shown = ", ".join(f"{r} ({v!r})" for r, v in zip(rows[:_SHOWN], values[:_SHOWN], strict=False))
    more = f" and {len(rows) - _SHOWN} more" if len(rows) > _SHOWN else ""
    return InputError(f"{where}: column {column!r}, feature(s) {shown}{more}: {fix}")


def _allowed(
    frame: pd.DataFrame, column: str, allowed: tuple[str, ...], where: str, *, required: bool
) -> None:
    text = frame[column].astype("string").str.strip()
    empty = text.isna() | (text == "")
    bad = ~text.isin(list(allowed)).fillna(False) & (~empty if not required else True)
    if bad.to_numpy(dtype=bool).any():
        mask = bad.to_numpy(dtype=bool)
        what = "missing or not one of" if required else "not one of"
        raise _refuse(
            where,
            column,
            frame.index.to_numpy()[mask],
            frame[column][mask],
            f"{what} {list(allowed)}; use the vocabulary's words ([invasive] in vokabular.toml)",
        )


def check_findings(frame: pd.DataFrame, vocabulary: Vocabulary, *, where: str) -> pd.DataFrame:
    """Check the invasive-species features of ``frame`` and return them with parsed dates.

    Every finding needs a ``fynddatum`` and a ``status`` of the vocabulary; ``atgard`` is empty
    or one of the vocabulary's actions; ``atgardsdatum`` is empty or a date.

    Raises
    ------
    InputError
        A column is missing, or a value is not allowed (naming ``where``, column, features, fix).

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> f = pd.DataFrame({"produktkod": ["IN1"], "fynddatum": ["2025-06-03"], "atgard": ["grävd"],
    ...                   "atgardsdatum": ["2025-06-20"], "status": ["åtgärdad"]})
    >>> check_findings(f, load_vocabulary(), where="a.gpkg")["fynddatum"].dt.year.tolist()
    [2025]
    """
    mine = frame.loc[invasive_mask(frame["produktkod"], vocabulary)]
    if mine.empty:
        return mine
    missing = [c for c in FINDING_COLUMNS if c not in mine.columns]
    if missing:
        msg = (
            f"{where}: invasive-species features lack column(s) {missing}; add them "
            f"({', '.join(FINDING_COLUMNS)}), see layers/README.md"
        )
        raise InputError(msg)
    terms = vocabulary.invasive
    _allowed(mine, "status", terms.statuses, where, required=True)
    _allowed(mine, "atgard", terms.actions, where, required=False)
    out = mine.copy()
    for column, required in (("fynddatum", True), ("atgardsdatum", False)):
        stripped = mine[column].astype("string").str.strip()
        raw = stripped.where(stripped != "")
        parsed = parse_timestamps(raw, where=where, column=column).timestamps
        bad = parsed.isna() & (raw.notna() | required)
        if bad.to_numpy(dtype=bool).any():
            mask = bad.to_numpy(dtype=bool)
            raise _refuse(
                where,
                column,
                mine.index.to_numpy()[mask],
                mine[column][mask],
                "not a date; write it as YYYY-MM-DD" + (" (required)" if required else ""),
            )
        out[column] = parsed
    return out


def finding_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the finding columns of ``frame`` as text (``YYYY-MM-DD`` dates), blank where none.

    Examples
    --------
    >>> f = pd.DataFrame({"fynddatum": pd.to_datetime(["2025-06-03"]), "status": ["ny"]})
    >>> finding_columns(f).values.tolist()
    [['2025-06-03', '', '', 'ny']]
    """
    out = pd.DataFrame(index=frame.index)
    for column in FINDING_COLUMNS:
        values: pd.Series = (
            frame[column] if column in frame.columns else pd.Series("", index=frame.index)
        )
        if pd.api.types.is_datetime64_any_dtype(values):
            values = pd.to_datetime(values).dt.strftime("%Y-%m-%d")
        out[column] = values.astype("string").fillna("").astype(str)
    return out


def yearly_comparison(
    findings: pd.DataFrame, amounts: np.ndarray, vocabulary: Vocabulary
) -> pd.DataFrame:
    """Return found vs treated per year, species product and owner (:data:`YEAR_COLUMNS`).

    A feature counts as found in the year of its ``fynddatum`` and as treated in the year of its
    ``atgardsdatum`` (else of its ``fynddatum``) when its ``status`` is one of the vocabulary's
    ``treated_statuses`` (``åtgärdad``, ``utrotad``).

    Parameters
    ----------
    findings : pandas.DataFrame
        :func:`check_findings` output with ``agare_namn``.
    amounts : numpy.ndarray
        Each finding's quantity (m² of stands, 1 per point).
    vocabulary : Vocabulary

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> f = pd.DataFrame({"produktkod": ["IN1", "IN1"], "agare_namn": ["A", "A"],
    ...     "fynddatum": pd.to_datetime(["2024-06-01", "2025-06-01"]),
    ...     "atgardsdatum": pd.to_datetime(["2025-05-01", None]), "status": ["åtgärdad", "ny"]})
    >>> t = yearly_comparison(f, np.array([10.0, 4.0]), load_vocabulary())
    >>> t["År"].tolist(), t["Funnen mängd"].tolist(), t["Åtgärdade objekt"].tolist()
    ([2024, 2025], [10.0, 4.0], [0, 1])
    >>> t["Åtgärdad mängd"].tolist()
    [0.0, 10.0]
    """
    if findings.empty:
        return pd.DataFrame(columns=list(YEAR_COLUMNS))
    treated = findings["status"].astype(str).isin(list(vocabulary.invasive.treated)).to_numpy()
    found_year = findings["fynddatum"].dt.year.to_numpy()
    done_year = findings["atgardsdatum"].dt.year.fillna(findings["fynddatum"].dt.year).to_numpy()
    base = {
        "Produktkod": findings["produktkod"].astype(str).to_numpy(),
        "Ägare": findings["agare_namn"].astype(str).to_numpy(),
    }
    found = pd.DataFrame({**base, "År": found_year, "n": 1, "q": amounts})
    done = pd.DataFrame({**base, "År": done_year, "n": 1, "q": amounts}).loc[treated]
    return _year_table(found, done, vocabulary)


def _year_table(found: pd.DataFrame, done: pd.DataFrame, vocabulary: Vocabulary) -> pd.DataFrame:
    """Return the found and treated (``n``, ``q``) sums per year, product and owner, in order."""
    keys = ["År", "Produktkod", "Ägare"]
    table = (
        found.groupby(keys)[["n", "q"]]
        .sum()
        .rename(columns={"n": "Funna objekt", "q": "Funnen mängd"})
        .join(
            done.groupby(keys)[["n", "q"]]
            .sum()
            .rename(columns={"n": "Åtgärdade objekt", "q": "Åtgärdad mängd"}),
            how="outer",
        )
        .fillna(0)
        .reset_index()
    )
    table["År"] = table["År"].astype(int)
    table[["Funnen mängd", "Åtgärdad mängd"]] = table[["Funnen mängd", "Åtgärdad mängd"]].round(2)
    for column in ("Funna objekt", "Åtgärdade objekt"):
        table[column] = table[column].astype(int)
    codes = table["Produktkod"]
    table["Art"] = codes.map({c: p.name for c, p in vocabulary.items()})
    table["Enhet"] = codes.map({c: p.unit for c, p in vocabulary.items()})
    order = {code: i for i, code in enumerate(vocabulary)}
    table = table.assign(_o=codes.map(order)).sort_values(["År", "_o", "Ägare"], kind="stable")
    return table[list(YEAR_COLUMNS)].reset_index(drop=True)

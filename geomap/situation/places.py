"""Section "Platser och ägare": the top places with their owners, and the remarks to check.

A place is the remark's ``place`` text when it has one, else its grid cell ("ruta" and the
cell's south-west corner in SWEREF 99 18 00, with its district). The remarks to check are those
still unrouted (with the reason) and those at an owner boundary (with the candidate owners).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geomap.core.labels import flag_texts
from geomap.core.words import format_number
from geomap.report import Section, Table
from geomap.situation.frame import Situation

__all__ = ["CHECK_ROWS", "TOP_PLACES", "places_section"]

#: Places listed.
TOP_PLACES = 15
#: Remarks to check shown in HTML and PDF (the XLSX sheet has all).
CHECK_ROWS = 30


def _place_codes(current: pd.DataFrame, cell: float) -> tuple[np.ndarray, list[str]]:
    """Return an integer place code per remark and the label of each code.

    Places are the ``plats`` texts; remarks without one get their grid cell, remarks with neither
    "utan plats". Labels of cells are made only for the codes asked for (:func:`_label`).
    """
    place, names = pd.factorize(current["plats"])
    x = np.floor(current["x"].to_numpy(dtype=float) / cell)
    y = np.floor(current["y"].to_numpy(dtype=float) / cell)
    known = np.isfinite(x) & np.isfinite(y)
    key = np.where(known, np.nan_to_num(y) * 2**31 + np.nan_to_num(x), np.nan)
    cells, corners = pd.factorize(pd.Series(key).where(place < 0))
    n_places, n_cells = len(names), len(corners)
    code = np.where(place >= 0, place, np.where(cells >= 0, n_places + cells, n_places + n_cells))
    labels = [str(v) for v in names] + [
        f"ruta {int(k % 2**31 * cell)} {int(k // 2**31 * cell)}" for k in corners.to_numpy()
    ]
    return code.astype(np.int64), [*labels, "utan plats"]


def _top(frame: pd.DataFrame, column: str, n: int) -> pd.Series:
    """Per place the ``n`` most common values of ``column`` (with counts when ``n`` > 1)."""
    counts = frame.groupby(["plats", column]).size().rename("n").reset_index()
    counts = counts.sort_values(
        ["plats", "n", column], ascending=[True, False, True], kind="stable"
    )
    counts = counts.groupby("plats", sort=False).head(n)
    text = counts[column].astype(str)
    if n > 1:
        text = text + " (" + counts["n"].map(format_number).astype(str) + ")"  # str if empty
    return text.groupby(counts["plats"], sort=False).agg(", ".join)


def _top_places(current: pd.DataFrame, cell: float) -> Table:
    code, labels = _place_codes(current, cell)
    counts = np.bincount(code, minlength=len(labels))
    order = np.argsort(-counts, kind="stable")[:TOP_PLACES]
    order = order[counts[order] > 0]
    chosen = np.isin(code, order)
    shown = {int(c): labels[c] for c in order}
    frame = current.loc[chosen, ["kategori", "ägare", "område"]].assign(
        plats=pd.Series(code[chosen], index=current.index[chosen]).map(shown)
    )
    table = pd.DataFrame({"Plats": [shown[int(c)] for c in order], "Anmärkningar": counts[order]})
    for column, header, n in (
        ("område", "Område", 1),
        ("kategori", "Vanligaste kategorier", 3),
        ("ägare", "Ansvariga ägare", 3),
    ):
        table[header] = table["Plats"].map(_top(frame, column, n)).fillna("")
    return Table(
        "platser",
        f"De {TOP_PLACES} platser med flest anmärkningar",
        table,
        note=f"Plats: platsnamnet i anmärkningen, annars rutan om {format_number(cell)} m (sydvästra hörnet, SWEREF 99 18 00).",
    )


def _candidate_names(candidates: pd.Series, names: dict[str, str]) -> pd.Series:
    """``a;b`` owner ids as ``Name A, Name B`` (ids without a name kept)."""
    parts = candidates.fillna("").astype(str).str.split(";").explode()
    named = parts.map(names).fillna(parts)
    return (
        named[named != ""].groupby(level=0).agg(", ".join).reindex(candidates.index, fill_value="")
    )


def _to_check(current: pd.DataFrame, names: dict[str, str]) -> Table:
    unrouted = current["route_method"].fillna("unrouted") == "unrouted"
    boundary = current["flags"].str.contains("boundary", regex=False) & ~unrouted
    rows = current.loc[unrouted | boundary]
    frame = pd.DataFrame(
        {
            "Id": rows["remark_id"].astype(str),
            "Datum": rows["timestamp"].dt.date,
            "Kategori": rows["kategori"],
            "Plats": rows["plats"].fillna(""),
            "Område": rows["område"],
            "Läge": np.where(unrouted[rows.index], "ej dirigerad", "vid gräns"),
            "Ägare": rows["ägare"],
            "Skäl eller kandidater": np.where(
                unrouted[rows.index],
                rows["reason"].fillna(""),
                _candidate_names(rows["candidates"], names),
            ),
            "Flaggor": flag_texts(rows["flags"]),
        }
    ).sort_values(["Läge", "Datum", "Id"], kind="stable")
    return Table(
        "att_kontrollera",
        "Anmärkningar att kontrollera: ej dirigerade och vid ägargräns",
        frame.reset_index(drop=True),
        formats={"Datum": "datum"},
        max_rows=CHECK_ROWS,
    )


def places_section(situation: Situation, *, cell: float = 100.0) -> Section:
    """Return the section with the top places and the remarks to check.

    Examples
    --------
    >>> from geomap.situation.frame import example_situation
    >>> places_section(example_situation()).blocks[1].frame["Läge"].tolist()
    ['ej dirigerad']
    """
    current = situation.current
    check = _to_check(current, situation.runs.names)
    unrouted = int((check.frame["Läge"] == "ej dirigerad").sum())
    text = [
        f"{format_number(unrouted)} anmärkningar i perioden är inte dirigerade till någon ägare och {format_number(len(check.frame) - unrouted)} ligger vid en gräns mellan ägare; de bör kontrolleras."
    ]
    return Section("Platser och ägare", text=text, blocks=[_top_places(current, cell), check])

"""The fill-in template for walkers: ``geomap protokoll mall -o mall.xlsx``.

Sheet *Anmärkningar* has exactly the columns geomap's walk reader reads back
(:func:`geomap.core.remarks.remark_fields` and the coordinate columns ``Latitud``/``Longitud``,
WGS84 as a phone gives them), with a drop-down list on *Kategori*; sheet *Vandring* holds the
walk's header (read with ``walks=`` / ``--walks``); sheet *Kategorier* lists the categories.

Examples
--------
>>> import tempfile, pathlib
>>> from openpyxl import load_workbook
>>> path = write_template(pathlib.Path(tempfile.mkdtemp()) / "mall.xlsx")
>>> load_workbook(path).sheetnames[:3]
['Anmärkningar', 'Vandring', 'Kategorier']
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from geomap.core.categories import load_categories
from geomap.errors import OutputExistsError
from geomap.io.sheets import write_xlsx
from geomap.protocols.rows import POSITIVE_WORDS

__all__ = ["TEMPLATE_COLUMNS", "WALK_COLUMNS", "category_choices", "write_template"]

#: Columns of sheet *Anmärkningar* (each is read back as the model field in the comment).
TEMPLATE_COLUMNS = (
    "Vandring_id",  # walk_id
    "Vandringsdatum",  # walk_date (and timestamp)
    "Tid",  # time of the remark (added to the date)
    "Nr",  # number → remark id <walk>-<nr>
    "Plats",  # place
    "Kategori",  # category (drop-down)
    "Anmärkning",  # description
    "Önskad åtgärd",  # action
    "Markägare enligt protokoll",  # protocol_owner
    "Latitud",  # WGS84 latitude
    "Longitud",  # WGS84 longitude
)

#: Columns of sheet *Vandring* (read by :func:`geomap.protocols.read_walks`).
WALK_COLUMNS = ("Vandring_id", "Vandringsdatum", "Starttid", "Plats", "Arrangör", "Organisationer")

_INSTRUCTIONS = (
    "Fyll i en rad per anmärkning på bladet Anmärkningar och en rad per vandring på bladet Vandring.",
    "Vandring_id och Vandringsdatum (ÅÅÅÅ-MM-DD) på varje rad; Nr numrerar punkterna 1, 2, 3 …",
    "Kategori: välj ur listan (bladet Kategorier). Positiva iakttagelser: välj Positivt.",
    "Latitud och Longitud i decimalgrader (WGS84), som en mobiltelefon visar dem, t.ex. 59,2223 och 17,9379.",
    "Markägare enligt protokoll: den ägare deltagarna tror gäller (eller okänd); geomap jämför med sin egen.",
    "Skriv inga namn på privatpersoner: Arrangör och Organisationer anger organisationer.",
)


def category_choices() -> list[str]:
    """Return the category drop-down: every label of the vocabulary, then "Positivt" if it lacks one.

    Examples
    --------
    >>> "Positivt" in category_choices(), category_choices()[0]
    (True, 'Skadegörelse')
    """
    cats = load_categories()
    labels = [c.label for c in cats.items]
    if not any(cats.find(word) is not None for word in POSITIVE_WORDS):
        labels.append("Positivt")
    return labels


def write_template(path: str | os.PathLike[str], *, overwrite: bool = False) -> Path:
    """Write the fill-in template for walkers (XLSX) to ``path``.

    Parameters
    ----------
    path : str or os.PathLike
        The ``.xlsx`` to write.
    overwrite : bool, default False
        Replace an existing file.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    OutputExistsError
        If ``path`` exists and ``overwrite`` is not given.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        msg = f"`path`: {path} exists; pass `overwrite` to replace it or choose another name"
        raise OutputExistsError(msg)
    # one blank row each: geomap.io.sheets.write_xlsx cannot write a sheet of 0 rows, and a
    # blank row is what the reader skips anyway
    remarks = pd.DataFrame({c: [None] for c in TEMPLATE_COLUMNS}, dtype=object)
    walk = pd.DataFrame({c: [None] for c in WALK_COLUMNS}, dtype=object)
    choices = category_choices()
    listing = _category_listing(choices)
    sheets = {
        "Anmärkningar": remarks,
        "Vandring": walk,
        "Kategorier": listing,
        "Instruktioner": pd.DataFrame({"Så fyller du i mallen": list(_INSTRUCTIONS)}),
    }
    return write_xlsx(
        sheets,
        path,
        number_formats={
            "Latitud": "0.000000",
            "Longitud": "0.000000",
            "Vandringsdatum": "yyyy-mm-dd",
        },
        choices={"Kategori": choices},
    )


def _category_listing(choices: list[str]) -> pd.DataFrame:
    """Return the sheet of categories: label, code and other names read, then "Positivt" if chosen."""
    cats = load_categories()
    listing = pd.DataFrame(
        {
            "Benämning": [c.label for c in cats.items],
            "Kod": [c.code for c in cats.items],
            "Andra namn som läses": [", ".join(c.aliases) for c in cats.items],
        }
    )
    if len(choices) > len(listing):
        extra = pd.DataFrame(
            {
                "Benämning": ["Positivt"],
                "Kod": ["positivt"],
                "Andra namn som läses": ["positiv, bra"],
            }
        )
        listing = pd.concat([listing, extra], ignore_index=True).astype(object)
    return listing

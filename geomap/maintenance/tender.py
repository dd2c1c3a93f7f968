"""Write the quantity list (mängdförteckning) as a tender document: Swedish CSV and XLSX.

The XLSX has the list with empty unit-price cells and an amount formula in every row but the
control sums (årsmängd × à-pris, sums in the subtotal rows), pivots per owner and per area, the
object-level appendix (every feature piece with its id), the invasive-species comparison per
year when there are findings, and ``Info`` with Swedish keys. Everything goes through the one
spreadsheet writer (:func:`geomap.io.sheets.write_xlsx`), which neutralises data text that would
run as a formula and writes the amount column from a formula template (its ``formulas``
option). That option is one template per column, so the subtotal and control-sum rows are then
given their own amount (a ``SUM`` of rows above, or none) in the list sheet's XML. The amount
column is the one that holds formulas, built from row numbers only, never from data.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

import pandas as pd

from geomap.errors import GeomapError
from geomap.io.atomic import atomic_path
from geomap.io.sanitize import neutralise_formulas
from geomap.io.sheets import write_csv, write_xlsx

from .quantities import AMOUNT_TEMPLATE, ROW_COLUMNS, area_order

__all__ = [
    "AMOUNT_HEADER",
    "HEADERS",
    "INFO_KEYS",
    "LIST_SHEET",
    "write_quantities_csv",
    "write_quantities_xlsx",
]

#: Swedish headers of :data:`~geomap.maintenance.quantities.ROW_COLUMNS`, in the printed order.
HEADERS = {
    "radtyp": "Radtyp",
    "distrikt": "Avtalsområde",
    "produktgrupp": "Produktgrupp",
    "produktkod": "Produktkod",
    "produktnamn": "Produktnamn",
    "skotselniva": "Skötselnivå",
    "agare_namn": "Ägare",
    "enhet": "Enhet",
    "mangd": "Mängd",
    "frekvens": "Frekvens (ggr/år)",
    "arsmangd": "Årsmängd",
    "a_pris": "À-pris (kr/enhet)",
    "belopp": "Belopp (kr)",
    "vokabular_version": "Vokabulärversion",
    "anmarkning": "Anmärkning",
}
#: The amount column: the only one with formulas.
AMOUNT_HEADER = HEADERS["belopp"]
LIST_SHEET = "Mängdförteckning"
#: Swedish names of the ``export_info`` keys in the ``Info`` sheet.
INFO_KEYS = {
    "vokabular_version": "Vokabulärversion",
    "vokabular_titel": "Vokabulär",
    "synthetic": "Syntetiska data",
    "synthetic_label": "Märkning",
    "crs": "Koordinatsystem",
    "generated_at": "Skapad (UTC)",
    "geomap_version": "geomap-version",
    "kallor": "Källor",
    "agare": "Ägare",
    "kalla": "Källa",
    "avtalsomraden": "Avtalsområden",
    "frekvenser": "Frekvenser",
}
_YES_NO = {"true": "ja", "false": "nej"}


def _template_xml(template: str) -> re.Pattern[str]:
    """Return the pattern of ``template``'s formula element in sheet XML (row number: group 1)."""
    parts = [re.escape(xml_escape(part)) for part in template.removeprefix("=").split("{row}")]
    body = parts[0] + r"(\d+)" + parts[1] + "".join(r"\1" + part for part in parts[2:])
    return re.compile(f"<f>{body}</f>(<v>[^<]*</v>)?")


#: The ``post`` formula as :func:`~geomap.io.sheets.write_xlsx` writes it in every amount cell.
_TEMPLATE_XML = _template_xml(AMOUNT_TEMPLATE)
_APPENDIX = {
    "lokal_id": "Objekt-id",
    "agare_namn": "Ägare",
    "lokal_kod": "Lokal kod",
    "produktkod": "Produktkod",
    "produktnamn": "Produktnamn",
    "enhet": "Enhet",
    "mangd": "Mängd",
    "distrikt": "Avtalsområde",
}


def _format_number(values: pd.Series, units: pd.Series, *, whole_st: bool = True) -> list[str]:
    """Return numbers as Swedish text: whole for ``st``, two decimals otherwise, blank for NaN."""
    out = []
    for value, unit in zip(values.astype(float), units.astype(str), strict=True):
        if pd.isna(value):
            out.append("")
            continue
        text = f"{value:.0f}" if whole_st and unit == "st" else f"{value:.2f}"
        out.append(text.replace(".", ","))
    return out


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with its text columns as Python strings.

    Text columns built by ``pd.concat`` are pyarrow-backed in several chunks, which
    :mod:`geomap.io.sheets` (``write_csv``, ``write_xlsx``) still refuses with an
    ``ArrowTypeError``; object columns are read as one array.
    """
    text = [c for c, kind in frame.dtypes.items() if pd.api.types.is_string_dtype(kind)]
    return frame.astype(dict.fromkeys(text, object)) if text else frame


def _list_table(rows: pd.DataFrame) -> pd.DataFrame:
    """Return :func:`~geomap.maintenance.quantities.quantity_rows` with Swedish headers."""
    return _plain(rows[list(ROW_COLUMNS)].rename(columns=HEADERS).reset_index(drop=True))


def write_quantities_csv(
    rows: pd.DataFrame, path: str | os.PathLike[str], *, overwrite: bool = False
) -> Path:
    """Write the list as Swedish Excel CSV (``;``, UTF-8 with BOM, decimal comma), no formulas.

    Quantities are text with the precision of their unit (whole ``st``, two decimals for m² and
    m); unit price and amount are empty (a CSV holds no formulas: fill them in the XLSX).

    Examples
    --------
    >>> import tempfile
    >>> from geomap.maintenance import load_vocabulary
    >>> from geomap.maintenance.quantities import quantity_rows
    >>> detail = pd.DataFrame({"produktkod": ["T1"], "produktnamn": ["Träd"],
    ...     "produktgrupp": ["Träd"], "enhet": ["st"], "agare": ["a"], "agare_namn": ["A"],
    ...     "distrikt": ["Väst"], "mangd": [3.0]})
    >>> p = write_quantities_csv(quantity_rows(detail, load_vocabulary()),
    ...                          Path(tempfile.mkdtemp()) / "m.csv")
    >>> p.read_text(encoding="utf-8-sig").splitlines()[1]
    'post;Väst;Träd;T1;Träd;Normal;A;st;3;1,00;3;;;2026.2;'
    """
    table = _list_table(rows)
    units = rows["enhet"].reset_index(drop=True)
    table[HEADERS["mangd"]] = _format_number(rows["mangd"].reset_index(drop=True), units)
    table[HEADERS["arsmangd"]] = _format_number(rows["arsmangd"].reset_index(drop=True), units)
    table[HEADERS["frekvens"]] = _format_number(
        rows["frekvens"].reset_index(drop=True), units, whole_st=False
    )
    table[HEADERS["a_pris"]] = ""
    table[HEADERS["belopp"]] = ""
    target = Path(path)
    with atomic_path(target, overwrite=overwrite) as tmp:
        write_csv(table, tmp)
    return target


def _headers(names: Iterable[object]) -> list[str]:
    """Return column names made from data (owners, areas) safe as spreadsheet header cells.

    A name equal to :data:`AMOUNT_HEADER` gets a leading apostrophe, as neutralised text does:
    the writer puts the amount formulas into every column of that name.
    """
    safe = neutralise_formulas(pd.DataFrame({"name": [str(n) for n in names]}))["name"]
    return ["'" + name if name == AMOUNT_HEADER else name for name in safe]


def _pivot(detail: pd.DataFrame, column: str, order: list[str]) -> pd.DataFrame:
    """Return the quantity per product (rows) and ``column`` value (columns, in ``order``)."""
    table = detail.pivot_table(
        index=["produktkod", "produktnamn", "enhet"],
        columns=column,
        values="mangd",
        aggfunc="sum",
        fill_value=0.0,
        sort=False,
    )
    table = table.reindex(columns=[c for c in order if c in table.columns])
    values = table.to_numpy(dtype=float)
    out = pd.DataFrame(list(table.index), columns=["Produktkod", "Produktnamn", "Enhet"])
    for name, amounts in zip(_headers(table.columns), values.T, strict=True):
        out[name] = amounts
    out["Summa"] = values.sum(axis=1)
    return out


def _info_sheet(info: pd.DataFrame) -> pd.DataFrame:
    """Return the ``Info`` sheet: Swedish keys, ``ja``/``nej`` for flags."""
    keys = [INFO_KEYS.get(str(k), str(k)) for k in info["key"]]
    values = [_YES_NO.get(str(v), v) for v in info["value"]]
    return pd.DataFrame({"Uppgift": keys, "Värde": values})


def _appendix(pieces: pd.DataFrame, order: Mapping[str, int]) -> pd.DataFrame:
    """Return the object-level appendix: every feature (piece per area) with id and quantity."""
    ranked = pieces.assign(
        _code=pieces["produktkod"].astype(str).map(order).fillna(len(order)),
    ).sort_values(["agare_namn", "_code", "lokal_id", "distrikt"], kind="stable")
    return _plain(ranked[list(_APPENDIX)].rename(columns=_APPENDIX).reset_index(drop=True))


def _sheet_part(book: zipfile.ZipFile, name: str) -> str:
    """Return the zip member of sheet ``name`` (from the workbook and its relationships)."""
    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    workbook = ET.fromstring(book.read("xl/workbook.xml"))
    rid = next(s.get(rel) for s in workbook.iter(f"{main}sheet") if s.get("name") == name)
    rels = ET.fromstring(book.read("xl/_rels/workbook.xml.rels"))
    target = next(str(r.get("Target")) for r in rels if r.get("Id") == rid).lstrip("/")
    return target if target.startswith("xl/") else f"xl/{target}"


def _sum_rows(path: Path, formulas: list[str | None], *, label: str) -> None:
    """Give the rows whose amount is not :data:`AMOUNT_TEMPLATE` their own formula, in place.

    :func:`~geomap.io.sheets.write_xlsx` writes one template per column, so every amount cell
    of the list sheet holds the ``post`` formula; the subtotal rows get their ``SUM`` instead
    and the control sums none (an empty styled cell). Only the formula elements that
    ``write_xlsx`` wrote (found by the template's text and row number) change, only in the
    list sheet's XML; the other sheets, however long, are copied as they are.
    """
    wanted = {
        row: formula
        for row, formula in enumerate(formulas, start=2)
        if formula != AMOUNT_TEMPLATE.format(row=row)
    }
    if not wanted:
        return
    found: list[int] = []

    def replace(match: re.Match[str]) -> str:
        row = int(match[1])
        if row not in wanted:
            return match[0]
        found.append(row)
        formula = wanted[row]
        return "" if formula is None else f"<f>{xml_escape(formula[1:])}</f>{match[2] or ''}"

    with zipfile.ZipFile(path) as book:
        members = [(info, book.read(info.filename)) for info in book.infolist()]
        part = _sheet_part(book, LIST_SHEET)
    patched = path.with_name(path.name + ".sums")
    with zipfile.ZipFile(patched, "w", compression=zipfile.ZIP_DEFLATED) as out:
        for info, data in members:
            if info.filename == part:
                data = _TEMPLATE_XML.sub(replace, data.decode("utf-8")).encode("utf-8")
            out.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED)
    if sorted(found) != sorted(wanted):
        patched.unlink()
        msg = (
            f"{label}: sheet {LIST_SHEET!r} holds {len(found)} of the {len(wanted)} amount "
            "formulas geomap.io.sheets.write_xlsx should have written from the template; report "
            "this as a bug of geomap"
        )
        raise GeomapError(msg)
    patched.replace(path)


def _tender_sheets(
    rows: pd.DataFrame,
    pieces: pd.DataFrame,
    info: pd.DataFrame,
    vocabulary_order: Mapping[str, int] | None,
    invasive_years: pd.DataFrame | None,
) -> dict[str, pd.DataFrame]:
    """Return the tender workbook's sheets, in order: list, pivots, appendix, invasives, info."""
    owners = sorted(set(pieces["agare_namn"].astype(str)))
    sheets = {
        LIST_SHEET: _list_table(rows),
        "Per ägare": _pivot(pieces, "agare_namn", owners),
        "Per avtalsområde": _pivot(pieces, "distrikt", area_order(pieces["distrikt"].tolist())),
        "Objektbilaga": _appendix(pieces, dict(vocabulary_order or {})),
    }
    if invasive_years is not None and len(invasive_years):
        sheets["Invasiva per år"] = _plain(invasive_years)
    sheets["Info"] = _info_sheet(info)
    return sheets


def write_quantities_xlsx(
    rows: pd.DataFrame,
    pieces: pd.DataFrame,
    path: str | os.PathLike[str],
    *,
    info: pd.DataFrame,
    vocabulary_order: Mapping[str, int] | None = None,
    invasive_years: pd.DataFrame | None = None,
    overwrite: bool = False,
) -> Path:
    """Write the tender XLSX: list with amount formulas, pivots, appendix, (invasives), ``Info``.

    Parameters
    ----------
    rows : pandas.DataFrame
        :func:`~geomap.maintenance.quantities.quantity_rows` (with ``formel``).
    pieces : pandas.DataFrame
        :func:`~geomap.maintenance.quantities.feature_pieces`: the appendix and the pivots.
    path : path-like
        The XLSX file, written atomically.
    info : pandas.DataFrame
        ``key``/``value`` rows (:func:`~geomap.maintenance.translate.info_table`).
    vocabulary_order : mapping, optional
        Shared code → position, the order of products in the appendix.
    invasive_years : pandas.DataFrame, optional
        The yearly comparison of invasive findings (sheet ``Invasiva per år``).
    overwrite : bool
        Replace an existing file.

    Examples
    --------
    >>> import tempfile, openpyxl
    >>> from geomap.maintenance import load_vocabulary
    >>> from geomap.maintenance.quantities import group_pieces, quantity_rows
    >>> from geomap.maintenance.translate import info_table
    >>> voc = load_vocabulary()
    >>> pieces = pd.DataFrame({"produktkod": ["G2"], "produktnamn": ["Bruksgräsmatta"],
    ...     "produktgrupp": ["Gräsytor"], "enhet": ["m²"], "agare": ["a"], "agare_namn": ["A"],
    ...     "lokal_id": ["1"], "lokal_kod": ["G2"], "distrikt": ["Väst"], "mangd": [12.5]})
    >>> p = write_quantities_xlsx(quantity_rows(group_pieces(pieces), voc), pieces,
    ...     Path(tempfile.mkdtemp()) / "m.xlsx", info=info_table(voc, synthetic=False))
    >>> book = openpyxl.load_workbook(p)
    >>> book.sheetnames
    ['Mängdförteckning', 'Per ägare', 'Per avtalsområde', 'Objektbilaga', 'Info']
    >>> book["Mängdförteckning"]["M2"].value, book["Per ägare"]["D2"].value
    ('=IF(L2="","",K2*L2)', 12.5)
    """
    sheets = _tender_sheets(rows, pieces, info, vocabulary_order, invasive_years)
    target = Path(path)
    _write_tender_book(sheets, rows, target, overwrite=overwrite)
    return target


def _write_tender_book(
    sheets: dict[str, pd.DataFrame], rows: pd.DataFrame, target: Path, *, overwrite: bool
) -> None:
    """Write ``sheets`` to ``target`` atomically: number formats, amount formulas, row sums."""
    numbers = {HEADERS[c] for c in ("mangd", "arsmangd", "a_pris", "belopp")}
    numbers |= {c for name in ("Per ägare", "Per avtalsområde") for c in sheets[name].columns[3:]}
    numbers |= {"Mängd", "Funnen mängd", "Åtgärdad mängd"}
    with atomic_path(target, overwrite=overwrite) as tmp:
        write_xlsx(
            sheets,
            tmp,
            title=LIST_SHEET,
            number_formats=dict.fromkeys(numbers, "#,##0.00"),
            file_label=str(target),
            formulas={AMOUNT_HEADER: AMOUNT_TEMPLATE},
        )
        formulas = [f if isinstance(f, str) else None for f in rows["formel"]]
        _sum_rows(tmp, formulas, label=str(target))

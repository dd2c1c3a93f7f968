"""Making text safe where owners open it: spreadsheet formulas and owner file names."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["FORMULA_PREFIXES", "neutralise_formula_text", "neutralise_formulas", "owner_file_stem"]

#: A cell starting with one of these can be run as a formula by Excel or LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_RISKY = "^[" + re.escape("".join(FORMULA_PREFIXES)) + "]"  # text a spreadsheet would run


def neutralise_formula_text(text: pa.Array) -> pa.Array:
    """Return Arrow text whose values cannot start a spreadsheet formula (vectorised).

    The rule of :func:`neutralise_formulas` (a value starting with one of
    :data:`FORMULA_PREFIXES` gets a leading apostrophe) with Arrow compute kernels, as the
    spreadsheet writers of :mod:`geomap.io.sheets` use it; nulls stay null. Returns ``text``
    itself when no value needs it.

    Parameters
    ----------
    text : pyarrow.Array
        Text values.

    Returns
    -------
    pyarrow.Array

    Examples
    --------
    >>> neutralise_formula_text(pa.array(["=1+1", "ok", None, "\uff20x"])).to_pylist()
    ["'=1+1", 'ok', None, "'\uff20x"]
    """
    risky = pc.fill_null(pc.match_substring_regex(text, _RISKY), False)
    if not pc.any(risky).as_py():
        return text
    return pc.if_else(risky, pc.binary_join_element_wise("'", text, ""), text)


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy whose text cells cannot start a spreadsheet formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return (or their full-width forms)
    gets a leading apostrophe, which spreadsheets show as text. Numbers are left alone.

    Examples
    --------
    >>> neutralise_formulas(pd.DataFrame({"a": ["=1+1", "ok", "x"], "b": [-1, 2, 3]})).to_dict("list")
    {'a': ["'=1+1", 'ok', 'x'], 'b': [-1, 2, 3]}
    """
    out = frame.copy()
    for column in out.columns:
        series = out[column]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        text = series.astype("string")
        risky = text.str.startswith(FORMULA_PREFIXES).fillna(False).to_numpy(dtype=bool)
        if risky.any():
            series = series.astype(object).copy()
            series[risky] = "'" + text[risky].astype(object)
            out[column] = series
    return out


def owner_file_stem(owner_id: str, *, max_length: int = 80) -> str:
    """Return the file-name stem of every file written for one owner (list CSV/XLSX, map, protocol …).

    An id made only of lower-case ASCII letters, digits, ``_`` and ``-`` (starting with a letter or
    digit, at most ``max_length`` long) is its own stem. Any other id is transliterated (å → a),
    other characters become ``_``, it is cut to ``max_length`` and gets ``-`` and 8 hex digits of
    its SHA-256: two different ids never share a stem, also on file systems that ignore case, and
    no stem is longer than ``max_length + 9`` characters.

    Examples
    --------
    >>> owner_file_stem("huge_bostader")
    'huge_bostader'
    >>> owner_file_stem("Huge Bostäder AB")
    'Huge_Bostader_AB-8bae1ffd'
    >>> owner_file_stem("../../etc/passwd")
    'etc_passwd-3754d6cb'
    """
    text = str(owner_id)
    if _PLAIN.fullmatch(text) and len(text) <= max_length:
        return text
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", folded).strip("_-.")[:max_length].rstrip("_-.")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{stem or 'agare'}-{digest}"


_PLAIN = re.compile(r"[a-z0-9][a-z0-9_-]*")

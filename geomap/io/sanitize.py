"""Making text safe where owners open it: spreadsheet formulas and file names."""

from __future__ import annotations

import hashlib
import re
import unicodedata

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "neutralise_formulas", "safe_filename"]

#: A cell starting with one of these can be run as a formula by Excel or LibreOffice.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


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


def safe_filename(name: str, *, max_length: int = 80) -> str:
    """A file-name stem made of ASCII letters, digits, ``_`` and ``-`` only.

    Different names that would collapse to the same stem keep apart by a short hash suffix whenever
    characters had to be replaced.

    Examples
    --------
    >>> safe_filename("huge_bostader")
    'huge_bostader'
    >>> safe_filename("../../etc/passwd")
    'etc_passwd-3754d6'
    """
    folded = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", folded).strip("_-.")[:max_length]
    if stem == str(name) and stem:
        return stem
    digest = hashlib.sha256(str(name).encode("utf-8")).hexdigest()[:6]
    return f"{stem or 'owner'}-{digest}"

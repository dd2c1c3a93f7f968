"""Category rules: send a category elsewhere regardless of whose land the remark is on.

Example: street lighting goes to the municipality's lighting unit; graffiti on an electrical cabinet
goes to the grid company. Rules are read from TOML and applied in file order; the first match wins.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from geomap.core.categories import Categories, load_categories
from geomap.errors import ConfigError
from geomap.io.tomlfile import ConfigEntry, load_toml, shown, table_array

__all__ = ["CategoryRule", "apply_rules", "load_rules"]


@dataclass(frozen=True)
class CategoryRule:
    """Route remarks of ``category`` (whose description matches ``match``, if given) to ``owner``."""

    category: str
    owner: str
    match: str | None = None
    note: str = ""


def load_rules(
    path: str | os.PathLike[str], *, categories: Categories | None = None
) -> list[CategoryRule]:
    r"""Load category rules from TOML (``[[rule]]`` with category, owner, optional match and note).

    Parameters
    ----------
    path : path-like
        The rules file (UTF-8, UTF-16 or cp1252).
    categories : Categories, optional
        The vocabulary the remarks are normalised with (default: the packaged one). A rule's
        ``category`` may be a code, a Swedish label or an alias; it is stored as the code. A
        category that is none of these could never match and is refused.

    Raises
    ------
    ConfigError
        A malformed entry, an unknown category or an invalid ``match`` regular expression; the
        message names the file, the rule and the fix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "rules.toml"
    >>> _ = p.write_text('[[rule]]\ncategory = "Trasig belysning"\nowner = "belysningsenheten"\n')
    >>> load_rules(p)[0]
    CategoryRule(category='belysning', owner='belysningsenheten', match=None, note='')
    """
    where = str(path)
    vocabulary = categories if categories is not None else load_categories()
    data = load_toml(path, what="rules file", argument="rules")
    entries = table_array(data, "rule", where=where, what="rule")
    return [_rule(values, i, where, vocabulary) for i, values in enumerate(entries, start=1)]


def _rule(
    values: dict[str, object], number: int, where: str, vocabulary: Categories
) -> CategoryRule:
    """Check one ``[[rule]]`` table and return its rule, with the category as a code."""
    entry = ConfigEntry(values, where=where, label=f"[[rule]] number {number}")
    missing = [k for k in ("category", "owner") if k not in values]
    if missing:
        msg = f"{where}: [[rule]] number {number} lacks {' and '.join(missing)}; add {'them' if len(missing) > 1 else 'it'}"
        raise ConfigError(msg)
    raw = entry.text("category", required=True)
    owner = entry.text("owner", required=True)
    entry.label = f"[[rule]] number {number} ({shown(raw, limit=40)} → {shown(owner, limit=40)})"
    entry.warn_unknown(("category", "owner", "match", "note"))
    found = vocabulary.find(raw)
    if found is None:
        msg = (
            f"{where}: {entry.label}: category {shown(raw)} is not in the category vocabulary, "
            f"so the rule could never match; use one of {', '.join(vocabulary.codes())} "
            "(or one of their labels or aliases)"
        )
        raise ConfigError(msg)
    match = entry.text("match", default="") if "match" in values else None
    if match is not None:
        try:
            re.compile(match)
        except re.error as exc:
            msg = (
                f"{where}: {entry.label}: match = {shown(match)} is not a valid regular "
                f"expression ({exc}); fix it, or escape special characters with \\"
            )
            raise ConfigError(msg) from None
    return CategoryRule(
        category=found.code, owner=owner, match=match or None, note=entry.text("note")
    )


def apply_rules(
    category: pd.Series, description: pd.Series, rules: list[CategoryRule]
) -> np.ndarray:
    """Index of the first rule each remark matches, or -1.

    Vectorised per rule (a handful), never per remark.

    Examples
    --------
    >>> rules = [CategoryRule("klotter", "elnat", match="elskåp"), CategoryRule("belysning", "ljus")]
    >>> apply_rules(
    ...     pd.Series(["klotter", "klotter", "belysning"]),
    ...     pd.Series(["på elskåp", "på vägg", ""]),
    ...     rules,
    ... ).tolist()
    [0, -1, 1]
    """
    hit = np.full(len(category), -1, dtype="int64")
    cats = category.astype("string").to_numpy(dtype=object, na_value="")
    text = description.astype("string").fillna("")
    for i, rule in enumerate(rules):
        mask = (cats == rule.category) & (hit < 0)
        if rule.match is not None and mask.any():
            found = text.str.contains(rule.match, case=False, regex=True).to_numpy(dtype=bool)
            mask &= found
        hit[mask] = i
    return hit

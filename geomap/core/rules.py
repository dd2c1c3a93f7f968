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

from geomap.errors import ConfigError
from geomap.io.tomlfile import load_toml

__all__ = ["CategoryRule", "apply_rules", "load_rules"]


@dataclass(frozen=True)
class CategoryRule:
    """Route remarks of ``category`` (whose description matches ``match``, if given) to ``owner``."""

    category: str
    owner: str
    match: str | None = None
    note: str = ""


def load_rules(path: str | os.PathLike[str]) -> list[CategoryRule]:
    r"""Load category rules from TOML (``[[rule]]`` with category, owner, optional match and note).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "rules.toml"
    >>> _ = p.write_text('[[rule]]\ncategory = "belysning"\nowner = "belysningsenheten"\n')
    >>> load_rules(p)[0].owner
    'belysningsenheten'
    """
    where = str(path)
    data = load_toml(path, what="rules file", argument="rules")
    rules = []
    for i, entry in enumerate(data.get("rule", []), start=1):
        missing = [k for k in ("category", "owner") if not str(entry.get(k, "")).strip()]
        if missing:
            msg = f"{where}: [[rule]] number {i} lacks {', '.join(missing)}"
            raise ConfigError(msg)
        match = entry.get("match")
        if match is not None:
            try:
                re.compile(str(match))
            except re.error as exc:
                msg = f"{where}: [[rule]] number {i} has an invalid match pattern {match!r} ({exc})"
                raise ConfigError(msg) from None
        rules.append(
            CategoryRule(
                category=str(entry["category"]),
                owner=str(entry["owner"]),
                match=None if match is None else str(match),
                note=str(entry.get("note", "")),
            )
        )
    return rules


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

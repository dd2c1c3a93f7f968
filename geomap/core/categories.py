"""The controlled Swedish vocabulary of remark categories, with aliases.

Every input category is normalised to a code (``klotter``, ``belysning`` …); unknown categories keep
their text and are flagged so that a coordinator can add an alias.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geomap.errors import ConfigError
from geomap.io.tomlfile import ConfigEntry, load_toml, table_array

__all__ = ["Categories", "Category", "load_categories", "normalise_text"]


@dataclass(frozen=True)
class Category:
    """One controlled category: stable ASCII ``code``, Swedish ``label`` and aliases."""

    code: str
    label: str
    aliases: tuple[str, ...] = ()
    duplicate_radius_m: float = 250.0
    duplicate_window_days: int = 30


def normalise_text(text: str) -> str:
    """Normalise a category text for matching.

    Examples
    --------
    >>> normalise_text("  Klotter/Tags ")
    'klotter tags'
    """
    folded = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", " ", folded).strip()


@dataclass(frozen=True)
class Categories:
    """The vocabulary: look-up from any alias, label or code to the category."""

    version: str
    items: tuple[Category, ...]
    _lookup: dict[str, Category] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for cat in self.items:
            for key in (cat.code, cat.label, *cat.aliases):
                norm = normalise_text(key)
                other = self._lookup.get(norm)
                if other is not None and other.code != cat.code:
                    msg = (
                        f"category alias {key!r} is given for both {other.code!r} and {cat.code!r}; "
                        "keep it under one category"
                    )
                    raise ConfigError(msg)
                self._lookup[norm] = cat

    def find(self, text: str) -> Category | None:
        """Return the category whose code, label or alias ``text`` is (``None`` if none is).

        Examples
        --------
        >>> load_categories().find("GRAFFITI").code
        'klotter'
        >>> load_categories().find("cykel") is None
        True
        """
        return self._lookup.get(normalise_text(str(text)))

    def label(self, code: str) -> str:
        """Swedish label of ``code`` (the code itself when it is not in the vocabulary)."""
        for cat in self.items:
            if cat.code == code:
                return cat.label
        return code

    def normalise(self, raw: pd.Series) -> pd.DataFrame:
        """Map raw category texts to ``category``, ``category_label`` and ``known``.

        Unknown non-empty texts keep their stripped text as ``category`` and get ``known=False``;
        empty and missing ones (a file without a category column) become ``ovrigt`` (*Övrigt*),
        which is a category of the vocabulary, so ``known=True``: nothing is there to add an alias for.

        Examples
        --------
        >>> cats = load_categories()
        >>> cats.normalise(pd.Series(["Klotter/tags", "Övergiven cykel"])).to_dict("list")
        {'category': ['klotter', 'Övergiven cykel'], 'category_label': ['Klotter', 'Övergiven cykel'], 'known': [True, False]}
        """
        codes, uniques = pd.factorize(raw, use_na_sentinel=True)
        table = []
        for value in uniques:  # distinct texts only, never rows
            text = str(value).strip()
            cat = self._lookup.get(normalise_text(text)) if text else None
            if cat is not None:
                table.append((cat.code, cat.label, True))
            elif text:
                table.append((text, text, False))
            else:
                table.append(("ovrigt", self.label("ovrigt"), True))
        table.append(("ovrigt", self.label("ovrigt"), True))  # position -1: missing values
        columns = list(zip(*table, strict=True))
        take = np.where(codes < 0, len(table) - 1, codes)
        return pd.DataFrame(
            {
                "category": np.array(columns[0], dtype=object)[take],
                "category_label": np.array(columns[1], dtype=object)[take],
                "known": np.array(columns[2], dtype=bool)[take],
            },
            index=raw.index,
        )

    def duplicate_rules(self) -> pd.DataFrame:
        """Per category code, the radius (m) and time window (days) of duplicate reports.

        Remarks of one category closer than ``radius_m`` and ``window_days`` apart are linked as
        duplicates by the follow-up register (``duplicate_radius_m``, ``duplicate_window_days``
        in the vocabulary: 250 m and 30 days unless a category says otherwise).

        Examples
        --------
        >>> rules = load_categories().duplicate_rules()
        >>> rules.loc["belysning"].tolist(), rules.loc["klotter"].tolist()
        ([50.0, 30.0], [250.0, 30.0])
        """
        return pd.DataFrame(
            {
                "radius_m": [c.duplicate_radius_m for c in self.items],
                "window_days": [float(c.duplicate_window_days) for c in self.items],
            },
            index=pd.Index([c.code for c in self.items], name="category"),
        )

    def codes(self) -> np.ndarray:
        """All category codes, in vocabulary order."""
        return np.array([c.code for c in self.items])


def load_categories(path: str | Path | None = None) -> Categories:
    """Load the category vocabulary (the packaged one by default).

    Examples
    --------
    >>> load_categories().label("belysning")
    'Trasig belysning'
    """
    if path is None:
        return _packaged()
    return _categories(load_toml(path, what="category vocabulary", argument="path"), str(path))


@functools.cache
def _packaged() -> Categories:
    text = resources.files("geomap").joinpath("_data", "categories.toml").read_text("utf-8")
    return _categories(tomllib.loads(text), "geomap/_data/categories.toml")


def _categories(data: dict[str, Any], where: str) -> Categories:
    items = []
    for i, values in enumerate(table_array(data, "category", where=where, what="category"), 1):
        entry = ConfigEntry(values, where=where, label=f"[[category]] number {i}")
        if "code" not in values or "label" not in values:
            msg = f"{where}: [[category]] number {i} needs both 'code' and 'label'"
            raise ConfigError(msg)
        code = entry.text("code", required=True)
        entry.label = f"[[category]] number {i} ({code!r})"
        entry.warn_unknown(_KEYS)
        items.append(
            Category(
                code,
                entry.text("label", required=True),
                entry.texts("aliases"),
                duplicate_radius_m=_radius(entry),
                duplicate_window_days=_window(entry),
            )
        )
    return Categories(version=str(data.get("version", "")), items=tuple(items))


_KEYS = ("code", "label", "aliases", "duplicate_radius_m", "duplicate_window_days")


def _radius(entry: ConfigEntry) -> float:
    """``duplicate_radius_m``: metres, a number from 0 to 10,000 (default 250)."""
    value = entry.values.get("duplicate_radius_m", 250.0)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 10_000:
        raise entry.fail(
            "duplicate_radius_m",
            "give metres as a number from 0 to 10000 without quotes, e.g. duplicate_radius_m = 250",
        )
    return float(value)


def _window(entry: ConfigEntry) -> int:
    """``duplicate_window_days``: whole days from 0 to 3650 (default 30)."""
    value = entry.integer("duplicate_window_days", default=30)
    if not 0 <= value <= 3650:
        raise entry.fail(
            "duplicate_window_days",
            "give whole days from 0 to 3650, e.g. duplicate_window_days = 30",
        )
    return value

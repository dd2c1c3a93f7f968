"""The shared maintenance-product vocabulary (skötselprodukter): codes, names, units and symbols.

One TOML file (``layers/vokabular.toml``) is the single source of truth. QGIS styles, SLD, the HTML
map and its legend are all generated from the :class:`Vocabulary` loaded here, so they cannot
disagree.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from geomap.core.resources import layers_dir
from geomap.errors import ConfigError

__all__ = [
    "GEOMETRY_TYPES",
    "LINE_PATTERNS",
    "MARKERS",
    "POLYGON_PATTERNS",
    "UNITS",
    "InvasiveTerms",
    "Product",
    "Vocabulary",
    "default_vocabulary_path",
    "load_vocabulary",
]

GeometryKind = Literal["polygon", "line", "point"]

GEOMETRY_TYPES: tuple[GeometryKind, ...] = ("polygon", "line", "point")
#: Unit a product is measured (and priced) in, by geometry type.
UNITS: dict[str, str] = {"polygon": "m²", "line": "m", "point": "st"}
#: Fill patterns of polygon products: solid, or a solid fill with a hatch in the stroke colour.
POLYGON_PATTERNS = frozenset(
    {"solid", "horizontal", "vertical", "cross", "f_diagonal", "b_diagonal", "diagonal_x"}
)
#: Pen styles of line products.
LINE_PATTERNS = frozenset({"solid", "dash", "dot"})
#: Marker shapes of point products (the set SLD's WellKnownName and QGIS both know).
MARKERS = frozenset({"circle", "square", "triangle", "star", "cross"})

_HEX = re.compile(r"^#[0-9a-f]{6}$")
_VERSION = re.compile(r"^\d{4}\.\d+$")


@dataclass(frozen=True)
class Product:
    """One maintenance product of the shared vocabulary, with its symbol.

    Attributes
    ----------
    code, name, group, description : str
        Shared code (``G2``), Swedish name, group and short description.
    geometry : {"polygon", "line", "point"}
        Geometry type features of this product must have.
    unit : str
        ``m²``, ``m`` or ``st``: what quantity lists count.
    fill : str
        ``#rrggbb`` fill colour of polygons and markers; empty for lines.
    stroke : str
        ``#rrggbb`` outline (polygons, markers), line colour (lines), hatch colour (patterns).
    stroke_width : float
        Outline or line width in millimetres.
    opacity : float
        0–1, applied to the whole symbol.
    pattern : str
        Polygons: ``solid`` or a hatch drawn over the fill; lines: ``solid``, ``dash`` or ``dot``.
    marker : str
        Points: marker shape; empty otherwise.
    size : float
        Points: marker size in millimetres; 0 otherwise.
    levels : tuple of str
        Maintenance levels (*skötselnivåer*) the product is bought at; the first is the default.
    frequency : float
        Default times per year of the product's main operation (0.2: every fifth year).
    invasive : bool
        An invasive species (findings with date, action and status), not a maintenance product.
    species, listed : str
        Invasive species: scientific name, and the public list it is on.

    Examples
    --------
    >>> p = load_vocabulary()["G2"]
    >>> (p.name, p.unit, p.colour)
    ('Bruksgräsmatta', 'm²', '#a6d96a')
    """

    code: str
    name: str
    group: str
    description: str
    geometry: GeometryKind
    unit: str
    fill: str
    stroke: str
    stroke_width: float
    opacity: float
    pattern: str = "solid"
    marker: str = ""
    size: float = 0.0
    levels: tuple[str, ...] = ("Normal",)
    frequency: float = 1.0
    invasive: bool = False
    species: str = ""
    listed: str = ""

    @property
    def level(self) -> str:
        """The default maintenance level (the first of :attr:`levels`)."""
        return self.levels[0]

    @property
    def colour(self) -> str:
        """The product's main colour: the fill, or the line colour of line products."""
        return self.stroke if self.geometry == "line" else self.fill

    @property
    def label(self) -> str:
        """Legend label in shared terms: ``"G2 Bruksgräsmatta"``."""
        return f"{self.code} {self.name}"


@dataclass(frozen=True)
class InvasiveTerms:
    """What an invasive-species finding records: allowed actions and statuses.

    Attributes
    ----------
    actions : tuple of str
        Values of the ``atgard`` column (``grävd``, ``slagen``, ``täckt`` …).
    statuses : tuple of str
        Values of the ``status`` column.
    treated : tuple of str
        The statuses that count as treated in the yearly comparison.

    Examples
    --------
    >>> "grävd" in load_vocabulary().invasive.actions
    True
    """

    actions: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    treated: tuple[str, ...] = ()


@dataclass(frozen=True)
class Vocabulary(Mapping[str, Product]):
    """The versioned shared vocabulary: a read-only mapping from shared code to :class:`Product`.

    Examples
    --------
    >>> voc = load_vocabulary()
    >>> voc.version
    '2026.2'
    >>> "H1" in voc and voc["H1"].geometry
    'line'
    """

    version: str
    title: str
    products: dict[str, Product] = field(repr=False)
    source: Path | None = None
    invasive: InvasiveTerms = field(default_factory=InvasiveTerms)

    def __getitem__(self, code: str) -> Product:
        """Return the product with shared code ``code`` (``KeyError`` if there is none)."""
        return self.products[code]

    def __iter__(self) -> Iterator[str]:
        """Iterate over the shared codes in vocabulary order."""
        return iter(self.products)

    def __len__(self) -> int:
        """Return the number of products."""
        return len(self.products)

    def attribute(self, codes: pd.Series, name: str) -> pd.Series:
        """Return attribute ``name`` (e.g. ``"name"``, ``"unit"``) of each code; null where unknown.

        Examples
        --------
        >>> load_vocabulary().attribute(pd.Series(["G2", "ZZ"]), "unit").tolist()
        ['m²', None]
        """
        lookup = {code: getattr(p, name) for code, p in self.products.items()}
        mapped = codes.map(lookup).astype(object)
        return mapped.where(mapped.notna(), None)

    def of_geometry(self, geometry: str, *, invasive: bool | None = None) -> list[Product]:
        """Return the products of one geometry type, in vocabulary order.

        ``invasive`` keeps only invasive species (``True``) or only the other products (``False``).
        """
        return [
            p
            for p in self.products.values()
            if p.geometry == geometry and (invasive is None or p.invasive == invasive)
        ]


def default_vocabulary_path() -> Path:
    """Return the path of the bundled vocabulary (``layers/vokabular.toml``)."""
    return layers_dir() / "vokabular.toml"


def _fail(path: Path, where: str, problem: str, fix: str) -> ConfigError:
    return ConfigError(f"{path}: {where}: {problem}; {fix}")


def _text(
    entry: Mapping[str, Any], key: str, path: Path, where: str, *, required: bool = True
) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str) or (required and not value.strip()):
        raise _fail(path, where, f"field {key!r} is {value!r}", f"give {key} as a non-empty string")
    return value.strip()


def _number(
    entry: Mapping[str, Any], key: str, path: Path, where: str, lo: float, hi: float
) -> float:
    value = entry.get(key, 0.0 if key == "size" else None)
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise _fail(path, where, f"field {key!r} is {value!r}", f"give a number from {lo} to {hi}")
    return float(value)


def _colour(entry: Mapping[str, Any], key: str, path: Path, where: str) -> str:
    value = _text(entry, key, path, where).lower()
    if not _HEX.match(value):
        raise _fail(path, where, f"colour {key!r} is {value!r}", "write colours as #rrggbb")
    return value


def _words(
    entry: Mapping[str, Any], key: str, path: Path, where: str, default: list[str]
) -> tuple[str, ...]:
    value = entry.get(key, default)
    if (
        not isinstance(value, list)
        or not value
        or not all(isinstance(v, str) and v.strip() for v in value)
    ):
        raise _fail(path, where, f"field {key!r} is {value!r}", f"give {key} as a list of words")
    return tuple(v.strip() for v in value)


def _symbol(entry: Mapping[str, Any], path: Path, where: str, geometry: str) -> dict[str, Any]:
    """Return the checked symbol fields (fill, stroke, width, opacity, pattern, marker, size)."""
    pattern = _text(entry, "pattern", path, where, required=False) or "solid"
    marker = _text(entry, "marker", path, where, required=False)
    if geometry == "polygon" and pattern not in POLYGON_PATTERNS:
        raise _fail(
            path, where, f"pattern is {pattern!r}", f"use one of {sorted(POLYGON_PATTERNS)}"
        )
    if geometry == "line" and pattern not in LINE_PATTERNS:
        raise _fail(path, where, f"pattern is {pattern!r}", f"use one of {sorted(LINE_PATTERNS)}")
    if geometry == "point" and marker not in MARKERS:
        raise _fail(path, where, f"marker is {marker!r}", f"use one of {sorted(MARKERS)}")
    return {
        "fill": _colour(entry, "fill", path, where) if geometry != "line" else "",
        "stroke": _colour(entry, "stroke", path, where),
        "stroke_width": _number(entry, "stroke_width", path, where, 0.0, 20.0),
        "opacity": _number(entry, "opacity", path, where, 0.0, 1.0),
        "pattern": pattern if geometry != "point" else "solid",
        "marker": marker if geometry == "point" else "",
        "size": _number(entry, "size", path, where, 0.5, 50.0) if geometry == "point" else 0.0,
    }


def _product(entry: Mapping[str, Any], path: Path, index: int) -> Product:
    where = f"product #{index} ({entry.get('code', '?')!s})"
    code = _text(entry, "code", path, where)
    geometry = _text(entry, "geometry", path, where)
    if geometry not in GEOMETRY_TYPES:
        raise _fail(path, where, f"geometry is {geometry!r}", "use polygon, line or point")
    unit = _text(entry, "unit", path, where)
    if unit != UNITS[geometry]:
        raise _fail(path, where, f"unit is {unit!r}", f"{geometry} products use {UNITS[geometry]}")
    invasive = entry.get("invasive", False)
    if not isinstance(invasive, bool):
        raise _fail(path, where, f"field 'invasive' is {invasive!r}", "write true or false")
    return Product(
        code=code,
        name=_text(entry, "name", path, where),
        group=_text(entry, "group", path, where),
        description=_text(entry, "description", path, where, required=False),
        geometry=geometry,
        unit=unit,
        **_symbol(entry, path, where, geometry),
        levels=_words(entry, "levels", path, where, ["Normal"]),
        frequency=_number(
            {"frequency": entry.get("frequency", 1.0)}, "frequency", path, where, 0.0, 365.0
        ),
        invasive=invasive,
        species=_text(entry, "species", path, where, required=False),
        listed=_text(entry, "listed", path, where, required=False),
    )


def _invasive_terms(data: Mapping[str, Any], path: Path) -> InvasiveTerms:
    table = data.get("invasive", {})
    if not isinstance(table, dict):
        raise _fail(path, "[invasive]", f"is {table!r}", "give a table with actions and statuses")
    if not table:
        return InvasiveTerms()
    statuses = _words(table, "statuses", path, "[invasive]", [])
    treated = _words(table, "treated_statuses", path, "[invasive]", [])
    unknown = sorted(set(treated) - set(statuses))
    if unknown:
        raise _fail(
            path,
            "[invasive]",
            f"treated_statuses {unknown} not in statuses",
            "list them in statuses",
        )
    return InvasiveTerms(
        actions=_words(table, "actions", path, "[invasive]", []), statuses=statuses, treated=treated
    )


def load_vocabulary(path: str | os.PathLike[str] | None = None) -> Vocabulary:
    """Read and check the shared vocabulary.

    Parameters
    ----------
    path : path-like, optional
        A vocabulary TOML file; default: the bundled ``layers/vokabular.toml``.

    Returns
    -------
    Vocabulary

    Raises
    ------
    ConfigError
        The file is missing, not TOML, has no ``version``, a duplicate code or a bad field.

    Examples
    --------
    >>> voc = load_vocabulary()
    >>> len(voc) > 40, voc["T1"].unit
    (True, 'st')
    """
    source = Path(path) if path is not None else default_vocabulary_path()
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"{source}: vocabulary file not found; pass an existing vokabular.toml"
        raise ConfigError(msg) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        msg = f"{source}: not a valid UTF-8 TOML vocabulary ({exc}); fix the syntax"
        raise ConfigError(msg) from None
    version = data.get("version")
    if not isinstance(version, str) or not _VERSION.match(version):
        msg = f'{source}: field \'version\' is {version!r}; give it as "YYYY.N", e.g. "2026.1"'
        raise ConfigError(msg)
    entries = data.get("product")
    if not isinstance(entries, list) or not entries:
        msg = f"{source}: no [[product]] tables; add at least one product"
        raise ConfigError(msg)
    products: dict[str, Product] = {}
    for index, entry in enumerate(entries, start=1):
        product = _product(entry, source, index)
        if product.code in products:
            msg = (
                f"{source}: product #{index}: code {product.code!r} appears twice; codes are unique"
            )
            raise ConfigError(msg)
        products[product.code] = product
    return Vocabulary(
        version=version,
        title=str(data.get("title", "")),
        products=products,
        source=source,
        invasive=_invasive_terms(data, source),
    )

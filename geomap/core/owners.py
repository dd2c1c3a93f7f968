"""Owners: the registry of organisations (TOML) and the polygon layers of land they own or maintain."""

from __future__ import annotations

import logging
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geomap.core.categories import load_categories
from geomap.core.crs import WORKING_CRS, check_axes, parse_crs
from geomap.core.palette import fallback_colour
from geomap.core.words import plural
from geomap.errors import ConfigError, CRSError, InputError
from geomap.io.tomlfile import (
    ConfigEntry,
    load_toml,
    shown,
    sub_table,
    table_array,
    toml_type,
    warn_unknown_entries,
)
from geomap.io.vector import choose_layer, read_vector

__all__ = [
    "Owner",
    "OwnerLayer",
    "OwnerRegistry",
    "load_owner_layer",
    "load_registry",
    "owner_layer_from_frame",
    "registry_from_frame",
    "registry_from_ids",
]

log = logging.getLogger(__name__)

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_OWNER_COLUMNS = ("owner", "owner_id", "agare", "ägare", "markagare", "markägare", "ansvarig")


@dataclass(frozen=True)
class Owner:
    """An organisation that remarks can be routed to."""

    id: str
    name: str
    contact: str = ""
    colour: str = "#777777"
    priority: int = 100
    external: bool = False
    service_days: int | None = None
    category_service_days: tuple[tuple[str, int], ...] = ()

    def days_for(self, category: str) -> int | None:
        """Return the service level in days for a remark of ``category`` (None: none is set).

        Examples
        --------
        >>> o = Owner("a", "A", service_days=14, category_service_days=(("belysning", 7),))
        >>> o.days_for("belysning"), o.days_for("klotter")
        (7, 14)
        """
        return dict(self.category_service_days).get(category, self.service_days)


@dataclass(frozen=True)
class OwnerRegistry:
    """The owners known to a run, with metadata (whether the data is synthetic)."""

    owners: tuple[Owner, ...]
    synthetic: bool = False
    synthetic_label: str = ""
    source: str = ""
    _by_id: dict[str, Owner] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        for owner in self.owners:
            if owner.id in self._by_id:
                msg = (
                    f"{self.source or 'registry'}: owner id {owner.id!r} is listed twice; "
                    "keep one [[owner]] entry per id"
                )
                raise ConfigError(msg)
            self._by_id[owner.id] = owner

    def __contains__(self, owner_id: object) -> bool:
        return owner_id in self._by_id

    def __getitem__(self, owner_id: str) -> Owner:
        return self._by_id[owner_id]

    @property
    def ids(self) -> list[str]:
        """Owner ids in registry order."""
        return [o.id for o in self.owners]

    def require(self, ids: pd.Series | list[str], *, where: str) -> None:
        """Raise :class:`ConfigError` if any id in ``ids`` is not in the registry."""
        unknown = sorted({str(i) for i in pd.unique(pd.Series(ids).dropna())} - set(self._by_id))
        if unknown:
            msg = (
                f"{where}: owner ids not in the registry {self.source or ''}: {', '.join(unknown[:8])}"
                f"; add them as [[owner]] entries with id and name (colour is optional)"
            )
            raise ConfigError(msg)

    def to_frame(self) -> pd.DataFrame:
        """Return the registry as a table.

        Columns: owner, name, contact, colour, priority, external (bool), service_days (0 when
        none is set) and service_days_by_category (``belysning=7;klotter=14``).
        """
        return pd.DataFrame(
            {
                "owner": [o.id for o in self.owners],
                "name": [o.name for o in self.owners],
                "contact": [o.contact for o in self.owners],
                "colour": [o.colour for o in self.owners],
                "priority": np.array([o.priority for o in self.owners], dtype="int64"),
                "external": np.array([o.external for o in self.owners], dtype=bool),
                "service_days": np.array([o.service_days or 0 for o in self.owners], dtype="int64"),
                "service_days_by_category": [
                    ";".join(f"{c}={d}" for c, d in o.category_service_days) for o in self.owners
                ],
            }
        )


def load_registry(path: str | os.PathLike[str]) -> OwnerRegistry:
    r"""Load an owner registry from TOML.

    The file holds ``[[owner]]`` tables with ``id``, ``name`` and optional ``contact``, ``colour``
    (``#rrggbb``), ``priority`` (lower wins where owner polygons overlap), ``external`` (true for
    private owners, the state and contractors: they get no withheld categories and redacted
    text), ``service_days`` (days to act, for the follow-up register) and
    ``service_days_by_category`` (a table of category → days where they differ), and an optional ``[meta]``
    table with ``synthetic`` (true/false; also "ja"/"nej", "yes"/"no", "1"/"0") and
    ``synthetic_label``. Ids are stripped; ids that differ only in case are refused (their files
    would collide on case-insensitive file systems). The file may be UTF-8, UTF-16 or cp1252.
    Other top-level keys and tables (a ``[[rule]]`` pasted from the rules file, a typo such as
    ``[[owners]]``) are ignored with a warning that names them.

    Raises
    ------
    ConfigError
        A missing or malformed entry or value; the message names the file, the entry, the key,
        what was found and the fix.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "owners.toml"
    >>> _ = p.write_text('[[owner]]\nid = "kommun"\nname = "Huddinge kommun"\ncolour = "#1f78b4"\n')
    >>> load_registry(p)["kommun"].name
    'Huddinge kommun'
    """
    where = str(path)
    data = load_toml(path, what="owner registry", argument="registry")
    entries = table_array(data, "owner", where=where, what="owner")
    if not entries:
        found = f" (found {', '.join(map(repr, data))})" if data else ""
        msg = f"{where}: no [[owner]] entries{found}; each needs an id and a name"
        raise ConfigError(msg)
    owners = [_registry_owner(entry, i, where) for i, entry in enumerate(entries, start=1)]
    _refuse_case_twins(owners, where)
    warn_unknown_entries(
        data, _REGISTRY_ENTRIES, where=where, what="an owner registry", hints=_REGISTRY_HINTS
    )
    meta = ConfigEntry(sub_table(data, "meta", where=where), where=where, label="[meta]")
    meta.warn_unknown(("synthetic", "synthetic_label"))
    return OwnerRegistry(
        owners=tuple(owners),
        synthetic=meta.flag("synthetic", default=False),
        synthetic_label=meta.text("synthetic_label"),
        source=where,
    )


_OWNER_KEYS = (
    "id",
    "name",
    "contact",
    "colour",
    "priority",
    "external",
    "service_days",
    "service_days_by_category",
)
_MAX_DAYS = 3650
#: The top-level entries of a registry file, as they are written.
_REGISTRY_ENTRIES = {"owner": "[[owner]]", "meta": "[meta]"}
#: Where entries that belong in another file go.
_REGISTRY_HINTS = dict.fromkeys(("rule", "rules"), "category rules go in the rules file (`rules`)")


def _registry_owner(values: dict[str, object], number: int, where: str) -> Owner:
    """Check one ``[[owner]]`` table of a registry file and return its :class:`Owner`."""
    entry = ConfigEntry(values, where=where, label=f"[[owner]] number {number}")
    owner_id = entry.text("id", required=True)
    name = entry.text("name", required=True)
    entry.label = f"[[owner]] number {number} (id {shown(owner_id, limit=40)})"
    if _CONTROL.search(owner_id):
        msg = f"{where}: {entry.label}: the id holds a line break or control character; remove it"
        raise ConfigError(msg)
    entry.warn_unknown(_OWNER_KEYS)
    colour = entry.text("colour", default=fallback_colour(number - 1))
    if not _COLOUR.match(colour):
        msg = f'{where}: {entry.label}: colour = {shown(colour)}; write it as "#rrggbb", e.g. "#1f78b4"'
        raise ConfigError(msg)
    return Owner(
        id=owner_id,
        name=name,
        contact=entry.text("contact"),
        colour=colour.lower(),
        priority=entry.integer("priority", default=100),
        external=entry.flag("external", default=False),
        service_days=_days(entry, "service_days", entry.values.get("service_days")),
        category_service_days=_category_days(entry),
    )


def _days(entry: ConfigEntry, key: str, value: object) -> int | None:
    """Check a service level: a whole number of days from 1 to 3650 (None when not given)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= _MAX_DAYS:
        kind = "a whole number" if isinstance(value, int) and not isinstance(value, bool) else None
        found = f"{shown(value)} days" if kind else f"{shown(value)} ({toml_type(value)})"
        msg = (
            f"{entry.where}: {entry.label}: {key} = {found}; give a whole number of days "
            f"from 1 to {_MAX_DAYS} without quotes, e.g. {key.split('.')[0]} = 14"
        )
        raise ConfigError(msg)
    return value


def _category_days(entry: ConfigEntry) -> tuple[tuple[str, int], ...]:
    """Check ``service_days_by_category``: category (code, label or alias) → days."""
    table = entry.values.get("service_days_by_category", {})
    if not isinstance(table, dict):
        raise entry.fail(
            "service_days_by_category",
            "write a table of category = days, e.g. service_days_by_category = { belysning = 7 }",
        )
    vocabulary = load_categories()
    out = []
    for name, value in table.items():
        category = vocabulary.find(str(name))
        if category is None:
            msg = (
                f"{entry.where}: {entry.label}: service_days_by_category names {shown(name)}, "
                f"which is no category; use a code of 'geomap categories': "
                f"{', '.join(vocabulary.codes())}"
            )
            raise ConfigError(msg)
        days = _days(entry, f"service_days_by_category.{name}", value)
        out.append((category.code, int(days or 0)))
    return tuple(sorted(out))


def _refuse_case_twins(owners: list[Owner], where: str) -> None:
    """Refuse ids that differ only in case (``Huge`` and ``huge`` would share files)."""
    seen: dict[str, str] = {}
    for owner in owners:
        other = seen.setdefault(owner.id.casefold(), owner.id)
        if other != owner.id:
            msg = (
                f"{where}: owner ids {shown(other, limit=40)} and {shown(owner.id, limit=40)} "
                "differ only in case; their files would collide on Windows and macOS — "
                "rename one or merge them"
            )
            raise ConfigError(msg)


def registry_from_ids(ids: list[str]) -> OwnerRegistry:
    """Return a registry for owner ids found in a layer when no registry file is given.

    Examples
    --------
    >>> registry_from_ids(["b", "a"]).ids
    ['a', 'b']
    """
    owners = tuple(
        Owner(id=i, name=i, colour=fallback_colour(n)) for n, i in enumerate(sorted(set(ids)))
    )
    return OwnerRegistry(owners=owners)


def registry_from_frame(
    frame: pd.DataFrame,
    *,
    synthetic: bool = False,
    synthetic_label: str = "",
    source: str = "",
) -> OwnerRegistry:
    """Return a registry from its table form (:meth:`OwnerRegistry.to_frame`, layer ``owner_registry``).

    Only ``owner`` is required; a missing or malformed colour gets a palette colour, a missing name
    the id, a missing priority 100. Rows without an id and repeated ids are left out.

    Examples
    --------
    >>> reg = registry_from_frame(pd.DataFrame({"owner": ["a", "b"], "name": ["A AB", None]}))
    >>> [(o.id, o.name, o.colour) for o in reg.owners]
    [('a', 'A AB', '#0072b2'), ('b', 'b', '#e69f00')]
    """
    rows = frame.dropna(subset=["owner"]).drop_duplicates("owner")
    owners = []
    for position, row in enumerate(rows.to_dict("records")):
        colour = str(row.get("colour") or "").strip().lower()
        priority = pd.to_numeric(pd.Series([row.get("priority")]), errors="coerce").iloc[0]
        owners.append(
            Owner(
                id=str(row["owner"]),
                name=_text(row.get("name")) or str(row["owner"]),
                contact=_text(row.get("contact")),
                colour=colour if _COLOUR.match(colour) else fallback_colour(position),
                priority=100 if pd.isna(priority) else int(priority),
                external=_text(row.get("external")).strip().lower() in {"1", "true"},
                service_days=_frame_days(row.get("service_days")),
                category_service_days=_frame_category_days(row.get("service_days_by_category")),
            )
        )
    return OwnerRegistry(
        owners=tuple(owners), synthetic=synthetic, synthetic_label=synthetic_label, source=source
    )


def _frame_days(value: object) -> int | None:
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    return None if pd.isna(number) or number < 1 else int(number)


def _frame_category_days(value: object) -> tuple[tuple[str, int], ...]:
    """Read ``belysning=7;klotter=14`` (the table form); malformed parts are left out."""
    pairs = (part.partition("=") for part in _text(value).split(";") if "=" in part)
    return tuple(
        sorted((c.strip(), int(d)) for c, _, d in pairs if c.strip() and d.strip().isdigit())
    )


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return ""
    return "" if pd.isna(value) else str(value)  # type: ignore[call-overload]


@dataclass
class OwnerLayer:
    """Polygons with an ``owner`` column in the working CRS, plus what was done to load them."""

    frame: gpd.GeoDataFrame
    path: str
    repaired: int = 0
    dropped_empty: int = 0


def load_owner_layer(
    path: str | os.PathLike[str],
    *,
    layer: str | int | None = None,
    owner_column: str | None = None,
    working_crs: str | CRS = WORKING_CRS,
    what: str = "owner layer",
) -> OwnerLayer:
    """Read a polygon layer of owners (or responsibilities), repaired and in ``working_crs``.

    The layer is ``layer``, else ``owners`` when the file has it, else its first layer with
    geometries (so a ``routed.gpkg`` serves as well as the owner file itself). Invalid polygons are
    repaired with :func:`shapely.make_valid` (counted); null or empty ones are
    dropped (counted). The owner id column is ``owner_column`` or the first of ``owner``, ``owner_id``,
    ``agare``, ``markagare``, ``ansvarig``; it is renamed ``owner``.

    Examples
    --------
    >>> import tempfile, pathlib, geopandas as gpd, shapely
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "o.gpkg"
    >>> gpd.GeoDataFrame({"owner": ["a"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=3011).to_file(p)
    >>> load_owner_layer(p).frame.owner.tolist()
    ['a']
    """
    source = Path(path)
    if not source.exists():
        msg = f"{source}: no such {what}; check the path"
        raise InputError(msg)
    if not isinstance(layer, int) and source.suffix.lower() not in {".parquet", ".geoparquet"}:
        layer, _ = choose_layer(source, layer=layer, default="owners", what=what)
    frame = read_vector(source, layer=layer, what=what)
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        msg = f"{source}: the {what} holds no polygons; expected polygons with an owner column"
        raise InputError(msg)
    return owner_layer_from_frame(
        frame, source=str(source), owner_column=owner_column, working_crs=working_crs, what=what
    )


def owner_layer_from_frame(
    frame: gpd.GeoDataFrame,
    *,
    source: str = "<GeoDataFrame>",
    owner_column: str | None = None,
    working_crs: str | CRS = WORKING_CRS,
    what: str = "owner layer",
) -> OwnerLayer:
    """Check, repair and reproject owner polygons already in memory (see :func:`load_owner_layer`).

    Examples
    --------
    >>> import shapely
    >>> f = gpd.GeoDataFrame({"agare": ["a"]}, geometry=[shapely.box(0, 0, 1, 1)], crs=3011)
    >>> owner_layer_from_frame(f).frame.owner.tolist()
    ['a']
    """
    if frame.crs is None:
        msg = (
            f"{source}: the {what} has no CRS; set it (in a file: ogr2ogr -a_srs EPSG:3011, "
            "in Python: GeoDataFrame.set_crs)"
        )
        raise CRSError(msg)
    column = _owner_column(frame, source, owner_column, what)
    frame = frame.rename(columns=_owner_renames(frame, column, source, what))
    frame["owner"] = frame["owner"].astype("string").str.strip()
    geoms = frame.geometry.to_numpy()
    kinds = shapely.get_type_id(geoms)
    polygonal = np.isin(kinds, (3, 6)) | shapely.is_empty(geoms) | (kinds == -1)
    if not polygonal.all():
        found = ", ".join(sorted(set(frame.geometry[~polygonal].geom_type.dropna())))
        msg = f"{source}: the {what} must hold polygons, found {found}; give the parcel polygons"
        raise InputError(msg)
    xy = shapely.get_coordinates(geoms[: min(len(geoms), 1000)])
    if len(xy) and check_axes(xy[:, 0], xy[:, 1], CRS(frame.crs)).swapped:
        msg = f"{source}: the {what} has x and y swapped for its CRS (X = northing); fix the file"
        raise CRSError(msg)
    result = OwnerLayer(frame=frame, path=source)
    _clean(result, what)
    target = parse_crs(working_crs, argument="working_crs")
    if CRS(result.frame.crs) != target:
        result.frame = result.frame.to_crs(target)
    return result


def _owner_renames(frame: gpd.GeoDataFrame, column: str, source: str, what: str) -> dict[str, str]:
    """Return the renames that make ``column`` the ``owner`` column.

    Another column named ``owner`` (ignoring case, as a GeoPackage does) is moved out of the way
    to ``input_owner`` (or ``input_owner_2`` …), with a warning.
    """
    if column == "owner":
        return {}
    renames = {column: "owner"}
    taken = {str(c).casefold() for c in frame.columns}
    for other in (str(c) for c in frame.columns if str(c).casefold() == "owner" and c != column):
        new, n = "input_owner", 1
        while new.casefold() in taken:
            n += 1
            new = f"input_owner_{n}"
        taken.add(new.casefold())
        renames[other] = new
        log.warning(
            "%s: the %s's column %r is used as owner id; its column %r is kept as %r",
            source,
            what,
            column,
            other,
            new,
        )
    return renames


def _owner_column(frame: gpd.GeoDataFrame, source: str, given: str | None, what: str) -> str:
    if given is not None:
        if given not in frame.columns:
            msg = f"{source}: the {what} has no column {given!r}; columns are {', '.join(frame.columns)}"
            raise InputError(msg)
        return given
    lowered = {str(c).lower(): str(c) for c in frame.columns}
    for name in _OWNER_COLUMNS:
        if name in lowered:
            return lowered[name]
    shown = ", ".join(str(c) for c in frame.columns if c != "geometry")
    msg = f"{source}: the {what} has no owner column among [{shown}]; name it 'owner' or pass `owner_column`"
    raise InputError(msg)


def _clean(layer: OwnerLayer, what: str) -> None:
    frame = layer.frame
    geoms = frame.geometry.to_numpy()
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms) | frame["owner"].isna().to_numpy()
    if missing.any():
        layer.dropped_empty = int(missing.sum())
        log.warning(
            "%s: dropped %s with no geometry or owner",
            layer.path,
            plural(layer.dropped_empty, f"{what} feature", f"{what} features"),
        )
        frame = frame.loc[~missing].copy()
        geoms = frame.geometry.to_numpy()
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        layer.repaired = int(invalid.sum())
        fixed = shapely.make_valid(geoms[invalid])
        fixed = _polygonal_part(fixed)
        geoms = geoms.copy()
        geoms[invalid] = fixed
        log.warning(
            "%s: repaired %s in the %s",
            layer.path,
            plural(layer.repaired, "invalid polygon", "invalid polygons"),
            what,
        )
        frame = frame.set_geometry(gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs))
        keep = ~shapely.is_empty(geoms)
        frame = frame.loc[keep]
    layer.frame = frame.reset_index(drop=True)


def _polygonal_part(geoms: np.ndarray) -> np.ndarray:
    """Keep only the polygons of repaired geometries (make_valid can add lines and points)."""
    out = geoms.copy()
    collections = shapely.get_type_id(out) == 7
    for i in np.flatnonzero(collections):  # rare: only repaired collections
        parts = shapely.get_parts(out[i])
        polys = parts[np.isin(shapely.get_type_id(parts), (3, 6))]
        out[i] = shapely.union_all(polys) if len(polys) else shapely.Polygon()
    return out

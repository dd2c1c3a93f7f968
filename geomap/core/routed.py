"""The ``routed.gpkg`` contract: what ``geomap route`` writes and every later step reads.

:class:`RoutedData` holds a routing run as maps, reports and the register need it: the remarks,
the owner (and responsibility) polygons, the owner registry and the run information. It is made
from a routing result in memory (:meth:`RoutedData.from_result`), written with
:meth:`RoutedData.write` and read back with :func:`read_routed`; the round trip gives the same data.
Filters (period, categories, owners) are applied here so that a map and its counts always agree.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio

from geomap._version import __version__
from geomap.core.categories import load_categories
from geomap.core.owners import OwnerRegistry, load_owner_layer, registry_from_frame
from geomap.core.periods import local_dates, parse_date
from geomap.errors import InputError
from geomap.io.tomlfile import TRUE_WORDS

__all__ = [
    "PARQUET_LAYERS",
    "REMARK_COLUMNS",
    "RoutedData",
    "fast_gpkg_writes",
    "filter_remarks",
    "read_routed",
    "run_info",
    "write_routed_layers",
]

log = logging.getLogger(__name__)

#: Columns of the ``remarks`` layer that every reader can rely on; missing optional ones are
#: filled with nulls when read.
REMARK_COLUMNS: tuple[str, ...] = (
    "remark_id",
    "source",
    "category",
    "category_label",
    "timestamp",
    "description",
    "action",
    "place",
    "owner",
    "owner_name",
    "route_method",
    "distance_m",
    "candidates",
    "flags",
    "reason",
)
_REQUIRED = ("remark_id", "category", "owner")
#: Next to ``routed.parquet``: the layers of ``routed.gpkg`` but ``remarks`` (owners,
#: responsibility, owner_registry, run_info), which :func:`read_routed` reads with it.
PARQUET_LAYERS = "routed_layers.gpkg"


class _RunSummary(Protocol):
    working_crs: str
    period_start: str | None
    period_end: str | None


class _RouteResult(Protocol):
    remarks: gpd.GeoDataFrame
    owners: gpd.GeoDataFrame
    responsibility: gpd.GeoDataFrame | None
    registry: OwnerRegistry

    @property
    def summary(self) -> _RunSummary: ...


@dataclass
class RoutedData:
    """A routing run as later steps read it (the layers of ``routed.gpkg``).

    Attributes
    ----------
    remarks : geopandas.GeoDataFrame
        Every remark (Point geometry, working CRS) with at least the columns in ``REMARK_COLUMNS``.
    owners : geopandas.GeoDataFrame or None
        Owner polygons with column ``owner``, or None when the file has no ``owners`` layer.
    registry : OwnerRegistry
        The owner registry (names, contacts, colours, priorities; whether the data is synthetic).
    run_info : dict of str to str
        The ``run_info`` key/value table (``synthetic``, ``synthetic_label``, ``period_start``, …).
    path : pathlib.Path
        The file that was read (empty for a run in memory).
    responsibility : geopandas.GeoDataFrame or None
        Maintenance-responsibility polygons with column ``owner``, when the run had them.
    """

    remarks: gpd.GeoDataFrame
    owners: gpd.GeoDataFrame | None
    registry: OwnerRegistry
    run_info: dict[str, str] = field(default_factory=dict)
    path: Path = Path()
    responsibility: gpd.GeoDataFrame | None = None

    @property
    def synthetic(self) -> bool:
        """True when the run says its data is synthetic (demo) data."""
        return _says_synthetic(self.run_info)

    @classmethod
    def from_result(cls, result: _RouteResult) -> RoutedData:
        """Return the run of :func:`geomap.route` as it will be written, without a round trip to disk.

        Examples
        --------
        >>> import geomap
        >>> result = geomap.route("data/hard_cases_synthetic.csv", owners="data/owners_synthetic.gpkg",
        ...                       registry="data/owners.toml", crs="EPSG:3011")
        >>> data = RoutedData.from_result(result)
        >>> data.synthetic, len(data.remarks), data.run_info["working_crs"]
        (True, 20, 'EPSG:3011')
        """
        return cls(
            remarks=_with_contract_columns(result.remarks),
            owners=result.owners,
            registry=result.registry,
            run_info=run_info(result.registry, result.summary),
            responsibility=result.responsibility,
        )

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write the layers of the output contract to a new GeoPackage ``path``.

        The layers are ``remarks``, ``owners``, ``responsibility`` (when the run had one),
        ``owner_registry`` and ``run_info``.

        Examples
        --------
        >>> import tempfile, geomap
        >>> result = geomap.route("data/hard_cases_synthetic.csv", owners="data/owners_synthetic.gpkg",
        ...                       registry="data/owners.toml", crs="EPSG:3011")
        >>> out = RoutedData.from_result(result).write(Path(tempfile.mkdtemp()) / "routed.gpkg")
        >>> len(read_routed(out).remarks)
        20
        """
        target = Path(path)
        with _fast_sqlite():
            self._write_layers(target)
        return target

    def _write_layers(self, path: Path) -> None:
        pyogrio.write_dataframe(self.remarks, path, layer="remarks", driver="GPKG", use_arrow=True)
        self._write_other_layers(path)

    def _write_other_layers(self, path: Path) -> None:
        for name, polygons in (("owners", self.owners), ("responsibility", self.responsibility)):
            if polygons is not None:
                pyogrio.write_dataframe(
                    polygons[["owner", polygons.geometry.name]],
                    path,
                    layer=name,
                    driver="GPKG",
                    append=True,
                    promote_to_multi=True,
                )
        for name, table in (
            ("owner_registry", self.registry.to_frame()),
            (
                "run_info",
                pd.DataFrame({"key": list(self.run_info), "value": list(self.run_info.values())}),
            ),
        ):
            pyogrio.write_dataframe(table, path, layer=name, driver="GPKG", append=True)


def run_info(registry: OwnerRegistry, summary: _RunSummary) -> dict[str, str]:
    """Return the ``run_info`` table of a run: synthetic or not, working CRS, period, version.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from geomap.core.owners import registry_from_ids
    >>> s = SimpleNamespace(working_crs="EPSG:3011", period_start=None, period_end=None)
    >>> run_info(registry_from_ids(["a"]), s)["working_crs"]
    'EPSG:3011'
    """
    return {
        "synthetic": "true" if registry.synthetic else "false",
        "synthetic_label": registry.synthetic_label,
        "working_crs": summary.working_crs,
        "period_start": summary.period_start or "",
        "period_end": summary.period_end or "",
        "generated_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "geomap_version": __version__,
    }


def write_routed_layers(path: str | os.PathLike[str], data: RoutedData) -> Path:
    """Add every layer but ``remarks`` (written batch by batch by the streaming engine) to ``path``.

    Examples
    --------
    >>> import tempfile, geomap
    >>> result = geomap.route("data/hard_cases_synthetic.csv", owners="data/owners_synthetic.gpkg",
    ...                       registry="data/owners.toml", crs="EPSG:3011")
    >>> data = RoutedData.from_result(result)
    >>> p = Path(tempfile.mkdtemp()) / "routed.gpkg"
    >>> _ = data.write(p)
    >>> "run_info" in [n for n, _ in pyogrio.list_layers(write_routed_layers(p.with_name("b.gpkg"), data))]
    True
    """
    target = Path(path)
    with _fast_sqlite():
        data._write_other_layers(target)
    return target


def _says_synthetic(run_info: dict[str, str]) -> bool:
    return run_info.get("synthetic", "").strip().lower() in TRUE_WORDS


def _with_contract_columns(remarks: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    missing = [c for c in REMARK_COLUMNS if c not in remarks.columns]
    if not missing:
        return remarks
    return remarks.assign(**dict.fromkeys(missing))


def fast_gpkg_writes() -> contextlib.AbstractContextManager[None]:
    """Return the GDAL settings for writing a fresh GeoPackage quickly (see :func:`_fast_sqlite`).

    Examples
    --------
    >>> with fast_gpkg_writes():
    ...     pyogrio.get_gdal_config_option("OGR_SQLITE_CACHE")
    128
    """
    return _fast_sqlite()


@contextlib.contextmanager
def _fast_sqlite() -> Iterator[None]:
    """GDAL settings for writing a fresh GeoPackage quickly, restored afterwards.

    No fsync per transaction (the file is a temporary one that is renamed into place only when
    complete) and a 128 MB SQLite page cache (GDAL's default is 2 MB; 512 MB was no faster on
    3M remarks × 500k parcels, 66.4 s against 64.3 s, and took 0.37 GiB more).
    """
    wanted = {"OGR_SQLITE_SYNCHRONOUS": "OFF", "OGR_SQLITE_CACHE": "128"}
    before = {key: pyogrio.get_gdal_config_option(key) for key in wanted}
    pyogrio.set_gdal_config_options(wanted)
    try:
        yield
    finally:
        pyogrio.set_gdal_config_options(before)


def _layers(path: Path) -> list[str]:
    if not path.exists():
        msg = f"{path}: file not found; pass the routed.gpkg written by 'geomap route'"
        raise InputError(msg)
    if path.is_dir():
        msg = (
            f"{path}: is a directory; pass the routed.gpkg file inside it (e.g. {path}/routed.gpkg)"
        )
        raise InputError(msg)
    try:
        return [str(name) for name in pyogrio.list_layers(path)[:, 0]]
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        msg = (
            f"{path}: cannot be read as a GeoPackage ({type(exc).__name__}); "
            "pass the routed.gpkg written by 'geomap route'"
        )
        raise InputError(msg) from exc


def _read_table(path: Path, layer: str) -> pd.DataFrame:
    frame = pyogrio.read_dataframe(path, layer=layer, read_geometry=False, use_arrow=True)
    return pd.DataFrame(frame)


def _read_registry(
    path: Path, layers: list[str], remarks: pd.DataFrame, run_info: dict[str, str]
) -> OwnerRegistry:
    if "owner_registry" in layers:
        table = _read_table(path, "owner_registry")
        if "owner" not in table.columns:
            msg = (
                f"{path}: layer 'owner_registry' has no column 'owner' (columns: "
                f"{', '.join(map(str, table.columns))}); rewrite it with 'geomap route'"
            )
            raise InputError(msg)
    else:
        log.warning("%s: no layer 'owner_registry'; owner names come from the remarks", path)
        names = remarks.dropna(subset=["owner"]).drop_duplicates("owner")
        table = pd.DataFrame({"owner": names["owner"], "name": names["owner_name"]})
    return registry_from_frame(
        table,
        synthetic=_says_synthetic(run_info),
        synthetic_label=run_info.get("synthetic_label", ""),
        source=str(path),
    )


def _read_run_info(path: Path, layers: list[str]) -> dict[str, str]:
    if "run_info" not in layers:
        return {}
    table = _read_table(path, "run_info")
    if not {"key", "value"} <= set(table.columns):
        return {}
    return {
        str(k): "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v)
        for k, v in zip(table["key"], table["value"], strict=True)
    }


def _read_polygons(path: Path, layers: list[str], layer: str, crs: Any) -> gpd.GeoDataFrame | None:
    if layer not in layers:
        return None
    return load_owner_layer(path, layer=layer, working_crs=crs, what=f"layer {layer!r}").frame


def read_routed(path: str | os.PathLike[str]) -> RoutedData:
    """Read a ``routed.gpkg`` (or ``routed.parquet``) written by ``geomap route``.

    Parameters
    ----------
    path : str or os.PathLike
        The ``routed.gpkg`` written by ``geomap route``, or its ``routed.parquet`` (``--format
        parquet``: a GeoParquet file, or the dask engine's partitioned dataset folder); the
        other layers are then read from ``routed_layers.gpkg`` beside it.

    Returns
    -------
    RoutedData
        Remarks, owner and responsibility polygons, owner registry and run information.

    Raises
    ------
    InputError
        If the file is missing, not a GeoPackage, has no ``remarks`` layer or lacks the columns
        ``remark_id``, ``category`` or ``owner``.

    Examples
    --------
    >>> data = read_routed("out/demo/routed.gpkg")  # doctest: +SKIP
    >>> data.remarks.crs.to_epsg()  # doctest: +SKIP
    3011
    """
    source = Path(path)
    if _is_parquet(source):
        remarks = _read_parquet_remarks(source)
        layers = _sidecar_layers(source)
        tables = source.parent / PARQUET_LAYERS
    else:
        layers = _layers(source)
        tables = source
        if "remarks" not in layers:
            msg = (
                f"{source}: no layer 'remarks' (layers: {', '.join(layers) or 'none'}); "
                "pass the routed.gpkg written by 'geomap route'"
            )
            raise InputError(msg)
        remarks = pyogrio.read_dataframe(source, layer="remarks", use_arrow=True)
    missing = [c for c in _REQUIRED if c not in remarks.columns]
    if missing:
        msg = (
            f"{source}: layer 'remarks' lacks column(s) {', '.join(missing)}; "
            "is it a routed.gpkg from 'geomap route'? Re-run 'geomap route'"
        )
        raise InputError(msg)
    if remarks.crs is None:
        msg = f"{source}: layer 'remarks' has no CRS; re-run 'geomap route' to write it with one"
        raise InputError(msg)
    return _routed_data(source, tables, layers, remarks)


def _routed_data(
    source: Path, tables: Path, layers: list[str], remarks: gpd.GeoDataFrame
) -> RoutedData:
    """Assemble a :class:`RoutedData` from the remarks and the other layers (in ``tables``)."""
    remarks = _with_contract_columns(remarks)
    owners = _read_polygons(tables, layers, "owners", remarks.crs)
    if owners is None:
        log.warning("%s: no layer 'owners'; the map shows no owner polygons", source)
    info = _read_run_info(tables, layers)
    return RoutedData(
        remarks=remarks,
        owners=owners,
        registry=_read_registry(tables, layers, remarks, info),
        run_info=info,
        path=source,
        responsibility=_read_polygons(tables, layers, "responsibility", remarks.crs),
    )


def _is_parquet(path: Path) -> bool:
    """``routed.parquet``: one GeoParquet file, or the dask engine's partitioned dataset."""
    if path.suffix.lower() not in {".parquet", ".geoparquet"}:
        return False
    if not path.exists():
        msg = f"{path}: file not found; pass the routed.parquet written by 'geomap route'"
        raise InputError(msg)
    return True


def _read_parquet_remarks(path: Path) -> gpd.GeoDataFrame:
    try:
        remarks = gpd.read_parquet(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid and friends; geopandas ValueError
        msg = (
            f"{path}: cannot be read as GeoParquet ({type(exc).__name__}: {exc}); "
            "pass the routed.parquet written by 'geomap route --format parquet'"
        )
        raise InputError(msg) from None
    remarks = remarks.drop(columns=[c for c in ("bbox",) if c in remarks.columns])
    return remarks.reset_index(drop=True)


def _sidecar_layers(path: Path) -> list[str]:
    """Return the layers of ``routed_layers.gpkg`` next to ``path`` (none when it is missing)."""
    sidecar = path.parent / PARQUET_LAYERS
    if not sidecar.exists():
        log.warning("%s: no %s beside it; owner names come from the remarks", path, PARQUET_LAYERS)
        return []
    return _layers(sidecar)


def _known(values: pd.Series) -> list[str]:
    return sorted({str(v) for v in values.dropna().unique()})


def filter_remarks(
    remarks: gpd.GeoDataFrame,
    *,
    date_from: str | dt.date | None = None,
    date_to: str | dt.date | None = None,
    categories: Sequence[str] | None = None,
    owner_ids: Sequence[str] | None = None,
) -> gpd.GeoDataFrame:
    """Keep the remarks in a period, of some categories and routed to some owners.

    Parameters
    ----------
    remarks : geopandas.GeoDataFrame
        Remarks with columns ``timestamp``, ``category``, ``category_label`` and ``owner``.
    date_from, date_to : str or datetime.date, optional
        First and last day (inclusive, local date). Remarks without a timestamp are dropped when
        either limit is given.
    categories : sequence of str, optional
        Category codes, Swedish labels or aliases of the category vocabulary (case-insensitive;
        ``graffiti`` selects ``klotter``).
    owner_ids : sequence of str, optional
        Owner ids. The special value ``"-"`` selects unrouted remarks.

    Returns
    -------
    geopandas.GeoDataFrame
        The selected rows, in their original order.

    Raises
    ------
    InputError
        If a date is malformed, ``date_from`` is after ``date_to``, or a category or owner does
        not occur in the remarks.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> g = gpd.GeoDataFrame({"timestamp": [None], "category": ["klotter"],
    ...     "category_label": ["Klotter"], "owner": ["huge"]}, geometry=[shapely.Point(0, 0)])
    >>> len(filter_remarks(g, categories=["Klotter"], owner_ids=["huge"]))
    1
    """
    keep = _date_mask(remarks, date_from, date_to)
    if categories:
        keep = keep & _category_mask(remarks, categories)
    if owner_ids:
        keep = keep & _owner_mask(remarks, owner_ids)
    return remarks.loc[keep]


def _date_mask(
    remarks: pd.DataFrame, date_from: str | dt.date | None, date_to: str | dt.date | None
) -> np.ndarray:
    start = parse_date(date_from, argument="date_from")
    end = parse_date(date_to, argument="date_to")
    if start and end and start > end:
        msg = f"`date_from` {start} is after `date_to` {end}; swap them or widen the period"
        raise InputError(msg)
    if not (start or end):
        return np.ones(len(remarks), dtype=bool)
    days = local_dates(remarks["timestamp"])
    keep = days.notna().to_numpy()
    if start:
        keep = keep & (days >= pd.Timestamp(start)).fillna(False).to_numpy(dtype=bool)
    if end:
        keep = keep & (days <= pd.Timestamp(end)).fillna(False).to_numpy(dtype=bool)
    return keep


def _category_mask(remarks: pd.DataFrame, categories: Sequence[str]) -> np.ndarray:
    """Select remarks of ``categories``: codes, Swedish labels or aliases of the vocabulary."""
    codes = remarks["category"].astype("string").str.casefold()
    labels = remarks["category_label"].astype("string").str.casefold()
    given = pd.Series([str(c).strip() for c in categories], dtype=object)
    # An alias (graffiti) or a label in other case or without å/ä/ö names the code (klotter).
    vocabulary = load_categories().normalise(given)
    coded = vocabulary["category"].where(vocabulary["known"], given).str.casefold()
    wanted = set(given.str.casefold()) | set(coded)
    present = set(codes.dropna()) | set(labels.dropna())
    unknown = [
        name
        for name, code in zip(given, coded, strict=True)
        if name.casefold() not in present and code not in present
    ]
    if unknown:
        msg = (
            f"`categories`: {', '.join(map(repr, unknown))} not found in the remarks; "
            f"known: {', '.join(_known(remarks['category']))} (a code, a Swedish label or an alias)"
        )
        raise InputError(msg)
    return (codes.isin(wanted) | labels.isin(wanted)).fillna(False).to_numpy(dtype=bool)


def _owner_mask(remarks: pd.DataFrame, owner_ids: Sequence[str]) -> np.ndarray:
    owner = remarks["owner"].astype("string")
    wanted = {o.strip() for o in owner_ids}
    unknown = sorted(
        w for w in wanted if w != "-" and not owner.eq(w).fillna(False).to_numpy().any()
    )
    if unknown:
        msg = (
            f"`owner_ids`: {', '.join(map(repr, unknown))} has no remarks; "
            f"owners with remarks: {', '.join(_known(remarks['owner']))} ('-' = unrouted)"
        )
        raise InputError(msg)
    selected = owner.isin(wanted - {"-"}).fillna(False).to_numpy(dtype=bool)
    if "-" in wanted:
        selected = selected | owner.isna().to_numpy()
    return selected

"""Build the whole synthetic demo data set and write it into a directory.

``build`` returns the tables in memory; ``generate`` writes them (atomically) as the files listed
in ``data/README.md``. Every random choice comes from one seed (independent streams per part, so
changing ``points`` does not move the parcels); no wall-clock time reaches an output.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer
from tqdm import tqdm

from geomap.core.crs import WORKING_CRS
from geomap.errors import InputError
from geomap.io.atomic import atomic_dir, check_writable

from .cameras import measures_frame
from .geography import Geography, load_geography, regso_path
from .hard_cases import build_hard_cases
from .parcels import build_parcels
from .registry import SYNTHETIC_LABEL, owners_toml, rules_toml
from .remarks import build_incidents
from .responsibility import build_responsibility, responsibility_layer
from .streets import build_streets
from .walks import WALK_CRS, build_walks
from .write import write_export_csv, write_gpkg

__all__ = [
    "FORMATS",
    "MAX_HISTORY_YEARS",
    "MAX_PARCELS",
    "MAX_POINTS",
    "MEASURES_FILE",
    "MIN_PARCELS",
    "DemoData",
    "build",
    "generate",
    "history_name",
    "iter_history",
]

log = logging.getLogger("geomap.demo")

MIN_PARCELS = 100
MAX_PARCELS = 500_000
MAX_POINTS = 20_000_000
FORMATS = ("csv", "gpkg", "both")
MAX_HISTORY_YEARS = 10
MEASURES_FILE = "trygghetskameror_2021_synthetic.gpkg"
_SYNTH = "SYNTETISKA DEMODATA (geomap demo-data)"


@dataclass(frozen=True)
class DemoData:
    """The generated demo tables (all synthetic except ``geography``).

    ``responsibility`` is the whole ``driftansvar`` layer: the agreements (``typ`` =
    ``driftavtal``) and then the municipality's street and square space, one row per RegSO.
    ``incidents`` are the demo year's; the years in ``history`` (the years before it, same
    ``points`` per year) are built on demand by :func:`iter_history`, one year at a time.
    """

    seed: int
    year: int
    geography: Geography
    parcels: gpd.GeoDataFrame
    responsibility: gpd.GeoDataFrame
    incidents: pd.DataFrame
    incident_xy: np.ndarray
    walks: gpd.GeoDataFrame
    hard_cases: pd.DataFrame
    land: shapely.Geometry
    points: int
    history: tuple[int, ...]


def _check_args(
    seed: int, points: int, parcels: int, incident_format: str, history_years: int = 0
) -> None:
    if not isinstance(seed, int | np.integer) or seed < 0:
        msg = f"`seed`: got {seed!r}; use a non-negative integer such as 2025"
        raise InputError(msg)
    if not isinstance(points, int | np.integer) or not 0 <= points <= MAX_POINTS:
        msg = f"`points`: got {points!r}; use an integer from 0 to {MAX_POINTS}"
        raise InputError(msg)
    if not isinstance(parcels, int | np.integer) or not MIN_PARCELS <= parcels <= MAX_PARCELS:
        msg = f"`parcels`: got {parcels!r}; use an integer from {MIN_PARCELS} to {MAX_PARCELS}"
        raise InputError(msg)
    if incident_format not in FORMATS:
        msg = f"`incident_format`: got {incident_format!r}; use one of {', '.join(FORMATS)}"
        raise InputError(msg)
    if (
        not isinstance(history_years, int | np.integer)
        or not 0 <= history_years <= MAX_HISTORY_YEARS
    ):
        msg = (
            f"`history_years`: got {history_years!r}; use an integer from 0 to "
            f"{MAX_HISTORY_YEARS} (5 gives the demo's 2020–2024)"
        )
        raise InputError(msg)


def build(
    *,
    seed: int = 2025,
    points: int = 2000,
    parcels: int = 2000,
    geography: str | os.PathLike[str] | None = None,
    year: int = 2025,
    history_years: int = 5,
    progress: bool = False,
) -> DemoData:
    """Generate every demo table in memory (the incident history on demand: :func:`iter_history`).

    Parameters
    ----------
    seed
        Seed of the random generator; the same seed gives identical data.
    points
        Number of incidents (*lägesbild*).
    parcels
        Approximate number of owner parcels.
    geography
        RegSO GeoPackage (the bundled ``huddinge_regso_2025.gpkg`` by default).
    year
        Year of the incidents (the demo year, with the place that grows).
    history_years
        Number of years of incident history before ``year`` (``points`` incidents each).
    progress
        Show a progress bar on stderr.

    Examples
    --------
    >>> data = build(seed=1, points=50, parcels=200)
    >>> len(data.incidents), data.walks.crs.to_epsg(), data.history
    (50, 3006, (2020, 2021, 2022, 2023, 2024))
    """
    _check_args(seed, points, parcels, "csv", history_years)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(5)]
    with tqdm(total=6, desc="demo-data", unit="steg", disable=not progress or None) as bar:
        geo = load_geography(geography)
        bar.update()
        ps = build_parcels(streams[0], geo, n_parcels=parcels)
        bar.update()
        agreements = build_responsibility(streams[1], ps.parcels)
        street_space = build_streets(ps, geo.districts)
        bar.update()
        incidents, xy = build_incidents(streams[2], geo, ps.land, n=points, year=year)
        bar.update()
        walks = build_walks(streams[3], ps.parcels, ps.land)
        bar.update()
        hard = build_hard_cases(streams[4], ps, agreements, geo.outline, streets=street_space)
        bar.update()
    log.info("built %d parcels, %d incidents (seed %d)", len(ps.parcels), points, seed)
    return DemoData(
        seed=seed,
        year=year,
        geography=geo,
        parcels=ps.parcels.drop(columns=["regso"]),
        responsibility=responsibility_layer(agreements, street_space),
        incidents=incidents,
        incident_xy=xy,
        walks=walks,
        hard_cases=hard,
        land=ps.land,
        points=points,
        history=tuple(range(year - history_years, year)),
    )


def iter_history(data: DemoData) -> Iterator[tuple[int, pd.DataFrame, np.ndarray]]:
    """Yield ``(year, table, xy)`` for each history year of ``data``, one year at a time.

    Each year has ``data.points`` incidents with the same time structure and camera effects as
    the demo year but without the place that grows; its own random stream (from the seed, the
    year's position) keeps it reproducible and independent of the other years.

    Examples
    --------
    >>> data = build(seed=1, points=30, parcels=200, history_years=2)
    >>> [(year, len(table)) for year, table, _ in iter_history(data)]
    [(2023, 30), (2024, 30)]
    """
    children = np.random.SeedSequence(data.seed).spawn(6)[5].spawn(len(data.history))
    for year, child in zip(data.history, children, strict=True):
        table, xy = build_incidents(
            np.random.default_rng(child),
            data.geography,
            data.land,
            n=data.points,
            year=year,
            growing=False,
        )
        yield year, table, xy


def history_name(years: tuple[int, ...], suffix: str = "csv") -> str:
    """Return the history file's name, e.g. ``lagesbild_2020_2024_synthetic.csv``.

    Examples
    --------
    >>> history_name((2020, 2021, 2022, 2023, 2024))
    'lagesbild_2020_2024_synthetic.csv'
    """
    return f"lagesbild_{years[0]}_{years[-1]}_synthetic.{suffix}"


def generate(
    out_dir: str | os.PathLike[str],
    *,
    seed: int = 2025,
    points: int = 2000,
    parcels: int = 2000,
    overwrite: bool = False,
    geography: str | os.PathLike[str] | None = None,
    incident_format: str = "csv",
    year: int = 2025,
    history_years: int = 5,
    progress: bool = False,
) -> dict[str, Path]:
    """Generate the demo data set and write it into ``out_dir``; return ``{file name: path}``.

    A new ``out_dir`` is created atomically. An existing one is refused unless ``overwrite``; then
    only the generated files are replaced (each atomically) and other files there are kept.

    Parameters
    ----------
    out_dir
        Output directory.
    seed, points, parcels, geography, year, history_years, progress
        See :func:`build`.
    overwrite
        Replace the generated files in an existing ``out_dir``.
    incident_format
        ``csv`` (default), ``gpkg`` or ``both``: the incidents as ``lagesbild_<year>_synthetic.csv``
        and/or ``lagesbild_<year>_synthetic.gpkg`` (layer ``lagesbild``, EPSG:3011); the history
        the same way as ``lagesbild_<first>_<last>_synthetic.csv`` / ``.gpkg``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "demo"
    >>> files = generate(out, seed=1, points=100, parcels=200)
    >>> sorted(files)[:2]
    ['driftansvar_synthetic.gpkg', 'hard_cases_cp1252_synthetic.csv']
    """
    _check_args(seed, points, parcels, incident_format, history_years)
    target = check_writable(out_dir, overwrite=overwrite)
    data = build(
        seed=seed,
        points=points,
        parcels=parcels,
        geography=geography,
        year=year,
        history_years=history_years,
        progress=progress,
    )
    if not target.exists():
        with atomic_dir(target) as tmp:
            tmp.chmod(0o777 & ~_umask())  # mkdtemp makes it 0700; a data directory is shared
            names = _write_all(
                data,
                tmp,
                incident_format=incident_format,
                parcels=parcels,
                progress=progress,
            )
    else:
        if not target.is_dir():
            msg = f"-o {target}: exists and is not a directory; pass a directory path"
            raise InputError(msg)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            names = _write_all(
                data,
                tmp,
                incident_format=incident_format,
                parcels=parcels,
                progress=progress,
            )
            for name in names:
                (tmp / name).replace(target / name)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return {name: target / name for name in sorted(names)}


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_all(
    data: DemoData,
    out: Path,
    *,
    incident_format: str,
    parcels: int,
    progress: bool,
) -> list[str]:
    """Write every file into ``out`` (a fresh directory); return the file names."""
    meta = {
        "syntetisk": "ja",
        "generator": "geomap demo-data",
        "seed": str(data.seed),
        "licens": "CC0",
        "etikett": SYNTHETIC_LABEL,
    }
    rows: dict[str, int] = {}
    steps = 8
    with tqdm(total=steps, desc="skriver", unit="fil", disable=not progress or None) as bar:
        shutil.copyfile(data.geography.path or regso_path(), out / "huddinge_regso_2025.gpkg")
        bar.update()
        write_gpkg(
            data.parcels,
            out / "owners_synthetic.gpkg",
            layer="owners",
            description=f"{_SYNTH}: ägarpolygoner, inte verkliga fastighetsgränser",
            metadata=meta,
            geometry_type="MultiPolygon",
        )
        rows["owners_synthetic.gpkg"] = len(data.parcels)
        bar.update()
        (out / "owners.toml").write_text(owners_toml(), encoding="utf-8")
        (out / "rules.toml").write_text(rules_toml(), encoding="utf-8")
        bar.update()
        write_gpkg(
            data.responsibility,
            out / "driftansvar_synthetic.gpkg",
            layer="driftansvar",
            description=(
                f"{_SYNTH}: driftansvar enligt påhittade avtal och kommunens gatu- och torgmark "
                "(allmän plats, kommunalt huvudmannaskap)"
            ),
            metadata=meta,
            geometry_type="MultiPolygon",
        )
        rows["driftansvar_synthetic.gpkg"] = len(data.responsibility)
        bar.update()
        rows.update(_write_incidents(data, out, incident_format=incident_format, meta=meta))
        bar.update()
        write_gpkg(
            data.walks,
            out / "trygghetsvandringar_synthetic.gpkg",
            layer="anmarkningar",
            description=f"{_SYNTH}: anmärkningar från trygghetsvandringar, påhittade",
            metadata=meta,
            geometry_type="Point",
        )
        rows["trygghetsvandringar_synthetic.gpkg"] = len(data.walks)
        bar.update()
        _write_hard_cases(data.hard_cases, out)
        for name in _HARD_FILES:
            rows[name] = len(data.hard_cases)
        bar.update()
        names = [
            "huddinge_regso_2025.gpkg",
            "owners.toml",
            "rules.toml",
            *rows,
            "manifest_synthetic.json",
        ]
        manifest = {
            "synthetic": True,
            "synthetic_label": SYNTHETIC_LABEL,
            "generator": "geomap demo-data",
            "seed": data.seed,
            "points": data.points,
            "parcels_requested": parcels,
            "year": data.year,
            "history_years": list(data.history),
            "licence": "CC0 (synthetic files); huddinge_regso_2025.gpkg: SCB, CC0",
            "crs": {
                "owners/driftansvar/hard_cases": WORKING_CRS,
                "trygghetsvandringar": WALK_CRS,
                "lagesbild_csv": "EPSG:4326",
                "lagesbild_gpkg": WORKING_CRS,
                "trygghetskameror": WORKING_CRS,
            },
            "rows": rows,
        }
        (out / "manifest_synthetic.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        bar.update()
    return names


def _write_incidents(
    data: DemoData, out: Path, *, incident_format: str, meta: dict[str, str]
) -> dict[str, int]:
    """Write the demo year, the history (one year at a time) and the camera measures."""
    rows: dict[str, int] = {}
    parts = [(f"lagesbild_{data.year}", iter([(data.year, data.incidents, data.incident_xy)]))]
    if data.history:
        parts.append((history_name(data.history, "")[: -len("_synthetic.")], iter_history(data)))
    for stem, chunks in parts:
        for i, (_, table, xy) in enumerate(chunks):
            for suffix in _suffixes(incident_format):
                name = f"{stem}_synthetic.{suffix}"
                _write_incident_chunk(table, xy, out / name, append=i > 0, meta=meta)
                rows[name] = rows.get(name, 0) + len(table)
    write_gpkg(
        measures_frame(),
        out / MEASURES_FILE,
        layer="atgarder",
        description=(
            f"{_SYNTH}: trygghetskameror 2021 på verkliga platser; installationsdatum, "
            "målkategorier och effekter är påhittade"
        ),
        metadata=meta,
        geometry_type="Point",
    )
    rows[MEASURES_FILE] = len(measures_frame())
    return rows


def _suffixes(incident_format: str) -> tuple[str, ...]:
    return {"csv": ("csv",), "gpkg": ("gpkg",), "both": ("csv", "gpkg")}[incident_format]


def _write_incident_chunk(
    table: pd.DataFrame, xy: np.ndarray, path: Path, *, append: bool, meta: dict[str, str]
) -> None:
    """Write (or append) one year of incidents as the Swedish CSV or a GeoPackage layer."""
    if path.suffix == ".csv":
        write_export_csv(table, path, decimals=7, append=append)
        return
    frame = gpd.GeoDataFrame(
        table, geometry=gpd.points_from_xy(xy[:, 0], xy[:, 1]), crs=WORKING_CRS
    )
    write_gpkg(
        frame,
        path,
        layer="lagesbild",
        description=f"{_SYNTH}: händelser i lägesbilden, påhittade",
        metadata=meta,
        geometry_type="Point",
        append=append,
    )


_HARD_FILES = (
    "hard_cases_synthetic.csv",
    "hard_cases_swapped_xy_synthetic.csv",
    "hard_cases_cp1252_synthetic.csv",
)


def _write_hard_cases(cases: pd.DataFrame, out: Path) -> None:
    """Return the hard cases three ways: ``E;N``, swapped ``X;Y`` and WGS84 ``Lat;Long`` in cp1252."""
    text_cols = ["arendenr", "datum", "kategori", "beskrivning", "plats"]
    tail = ["kalla", "testfall", "fall", "syntetisk"]
    write_export_csv(cases[[*text_cols, "E", "N", *tail]], out / _HARD_FILES[0], decimals=3)
    swapped = cases[text_cols].assign(X=cases["N"], Y=cases["E"]).join(cases[tail])
    write_export_csv(swapped, out / _HARD_FILES[1], decimals=3)
    to_wgs = Transformer.from_crs(WORKING_CRS, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(cases["E"].to_numpy(), cases["N"].to_numpy())
    wgs = cases[text_cols].assign(Lat=np.round(lat, 7), Long=np.round(lon, 7)).join(cases[tail])
    write_export_csv(wgs, out / _HARD_FILES[2], decimals=7, encoding="cp1252")

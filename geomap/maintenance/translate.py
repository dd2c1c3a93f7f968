"""Translate an owner's layer into the shared vocabulary: shared code, name, group and unit added.

The owner's own columns (including the local code) are kept. Translation refuses a layer with
validation errors, because an unknown code or a wrong geometry type cannot be styled or priced.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geomap.core.crs import WORKING_CRS
from geomap.errors import InputError
from geomap.io.atomic import atomic_path

from .crosswalk import OwnerProfile
from .reader import MaintenanceLayer
from .validate import ValidationReport, feature_ids, local_codes, validate_layer
from .vocabulary import Vocabulary

__all__ = [
    "SHARED_COLUMNS",
    "TranslationResult",
    "ValidationFailedError",
    "info_table",
    "translate_layer",
    "write_translated",
]

#: Columns translation adds, in order.
SHARED_COLUMNS = (
    "agare",
    "agare_namn",
    "lokal_id",
    "lokal_kod",
    "produktkod",
    "produktnamn",
    "produktgrupp",
    "enhet",
    "vokabular_version",
)


class ValidationFailedError(InputError):
    """A layer has validation errors; ``report`` holds them."""

    def __init__(self, message: str, report: ValidationReport) -> None:
        super().__init__(message)
        self.report = report


@dataclass(frozen=True)
class TranslationResult:
    """A translated layer and the validation report it passed."""

    frame: gpd.GeoDataFrame
    report: ValidationReport
    synthetic: bool


def translate_layer(
    layer: MaintenanceLayer, profile: OwnerProfile, vocabulary: Vocabulary
) -> TranslationResult:
    """Add the shared columns (:data:`SHARED_COLUMNS`) to ``layer``.

    Raises
    ------
    ValidationFailedError
        The layer has unknown codes, wrong geometry types, empty/invalid geometries or overlaps.
    InputError
        The code column is missing, or the layer already has a column named like a shared column.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from geomap.maintenance import load_owner, load_vocabulary
    >>> gdf = gpd.GeoDataFrame({"SM_KOD": ["G2.1"]}, geometry=[shapely.box(0, 0, 5, 5)], crs=3011)
    >>> gdf.index = ["1"]
    >>> lay = MaintenanceLayer(gdf, Path("x.gpkg"), ("x",), False)
    >>> out = translate_layer(lay, load_owner("huge_bostader"), load_vocabulary()).frame
    >>> out[["SM_KOD", "lokal_kod", "produktkod", "produktnamn"]].iloc[0].tolist()
    ['G2.1', 'G2.1', 'G2', 'Bruksgräsmatta']
    """
    clash = [c for c in SHARED_COLUMNS if c in layer.frame.columns]
    if clash:
        msg = (
            f"{layer.path}: already has column(s) {clash} that translation adds; "
            "rename them, or pass an untranslated layer"
        )
        raise InputError(msg)
    report = validate_layer(layer, profile, vocabulary, check_land=False)
    if not report.ok:
        raise ValidationFailedError(_failure_message(layer, profile, report), report)
    frame = layer.frame.copy()
    geometry = frame.geometry.name
    added = _shared_columns(layer, profile, vocabulary)
    others = [c for c in frame.columns if c != geometry]
    combined = pd.concat([frame[others], added, frame[[geometry]]], axis=1)
    out = gpd.GeoDataFrame(combined, geometry=geometry, crs=WORKING_CRS)
    return TranslationResult(frame=out, report=report, synthetic=layer.synthetic)


def _failure_message(
    layer: MaintenanceLayer, profile: OwnerProfile, report: ValidationReport
) -> str:
    """Word why a layer with validation errors is not translated, naming the first error."""
    first = report.errors[0]
    return (
        f"{layer.path}: {len(report.errors)} validation error(s) for owner {profile.owner}, "
        f"first: {first.check} {first.local_code or first.shared_code or ''} "
        f"({first.count} feature(s): {', '.join(first.feature_ids[:5])}); "
        "validate it first to see all of them (validate_layer, or "
        f"geomap layers validate {layer.path} --owner {profile.owner})"
    )


def _shared_columns(
    layer: MaintenanceLayer, profile: OwnerProfile, vocabulary: Vocabulary
) -> pd.DataFrame:
    """Return the columns of :data:`SHARED_COLUMNS` for each feature of ``layer``."""
    codes = local_codes(layer, profile)
    shared = profile.crosswalk.translate(codes)
    return pd.DataFrame(
        {
            "agare": profile.owner,
            "agare_namn": profile.name,
            "lokal_id": feature_ids(layer, profile).to_numpy(),
            "lokal_kod": codes.astype(str).to_numpy(),
            "produktkod": shared.to_numpy(),
            "produktnamn": vocabulary.attribute(shared, "name").to_numpy(),
            "produktgrupp": vocabulary.attribute(shared, "group").to_numpy(),
            "enhet": vocabulary.attribute(shared, "unit").to_numpy(),
            "vokabular_version": vocabulary.version,
        },
        index=layer.frame.index,
    )


def info_table(
    vocabulary: Vocabulary, *, synthetic: bool, extra: dict[str, str] | None = None
) -> pd.DataFrame:
    """Return the ``export_info`` key/value table every output carries (version, time, synthetic).

    Examples
    --------
    >>> from geomap.maintenance import load_vocabulary
    >>> t = info_table(load_vocabulary(), synthetic=True)
    >>> dict(zip(t.key, t.value))["vokabular_version"]
    '2026.2'
    """
    from geomap._version import __version__

    rows = {
        "vokabular_version": vocabulary.version,
        "vokabular_titel": vocabulary.title,
        "synthetic": "true" if synthetic else "false",
        "synthetic_label": "SYNTETISKA DEMODATA – inte verkliga skötselytor" if synthetic else "",
        "crs": WORKING_CRS,
        "generated_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
        "geomap_version": __version__,
        **(extra or {}),
    }
    return pd.DataFrame({"key": list(rows), "value": list(rows.values())})


def write_translated(
    result: TranslationResult,
    path: str | os.PathLike[str],
    vocabulary: Vocabulary,
    *,
    layer_name: str = "skotsel",
    overwrite: bool = False,
) -> Path:
    """Write a translated layer and its ``export_info`` table to a GeoPackage, atomically.

    Examples
    --------
    >>> # see translate_layer; then: write_translated(result, "out.gpkg", voc, overwrite=True)
    """
    target = Path(path)
    if target.suffix.lower() != ".gpkg":
        msg = f"{target}: output must be a GeoPackage (.gpkg); received suffix {target.suffix!r}"
        raise InputError(msg)
    owner = str(result.frame["agare"].iloc[0]) if len(result.frame) else ""
    info = info_table(
        vocabulary,
        synthetic=result.synthetic,
        extra={"agare": owner, "kalla": result.report.layer},
    )
    frame = result.frame.reset_index(drop=True)
    with atomic_path(target, overwrite=overwrite, protect=[result.report.layer]) as tmp:
        pyogrio.write_dataframe(
            frame,
            tmp,
            layer=layer_name,
            driver="GPKG",
            dataset_metadata={"vokabular_version": vocabulary.version},
        )
        pyogrio.write_dataframe(info, tmp, layer="export_info", driver="GPKG", append=True)
    return target

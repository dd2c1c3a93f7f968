"""Export maintenance layers in shared terms for contractors and the other owners.

One directory holds: ``skotselprodukter.gpkg`` (layers ``skotsel_yta``, ``skotsel_linje``,
``skotsel_punkt`` and, when there are invasive-species findings, ``invasiva_yta`` and
``invasiva_punkt``, each with its QGIS default style in ``layer_styles``, plus ``export_info``),
``skotselprodukter.qgs`` (the QGIS project with Swedish names and legend groups), a ``.qml`` and
``.sld`` per layer, ``karta.html``, the quantity list ``mangdforteckning.csv/.xlsx`` and, with
invasive findings, ``invasiva_per_ar.csv``. Everything is generated from one vocabulary and
records its version.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geomap.core.crs import WORKING_CRS
from geomap.errors import InputError
from geomap.io.atomic import atomic_dir

from .crosswalk import UnknownOwnerError, load_owner
from .gpkg_styles import write_layer_styles
from .htmlmap import render_map
from .invasive import FINDING_COLUMNS, check_findings, finding_columns, yearly_comparison
from .invasive import invasive_mask as _invasive
from .qgis_project import qgis_project
from .quantities import (
    Schedule,
    feature_pieces,
    feature_quantity,
    group_pieces,
    load_districts,
    quantity_rows,
    totals_by_unit,
)
from .reader import read_layer
from .styles import INVASIVE_LAYERS, LAYER_GEOMETRY, qml_style, sld_style
from .tender import write_quantities_csv, write_quantities_xlsx
from .translate import info_table, translate_layer
from .validate import geometry_kinds
from .vocabulary import Vocabulary, load_vocabulary

__all__ = [
    "EXPORT_COLUMNS",
    "GPKG_NAME",
    "LAYER_LABELS",
    "PROJECT_NAME",
    "ExportInput",
    "ExportResult",
    "export_layers",
    "load_shared_layer",
]

log = logging.getLogger(__name__)

GPKG_NAME = "skotselprodukter.gpkg"
PROJECT_NAME = "skotselprodukter.qgs"
#: Attribute columns of the export layers, in order.
EXPORT_COLUMNS = (
    "produktkod",
    "produktnamn",
    "produktgrupp",
    "enhet",
    "mangd",
    "agare",
    "agare_namn",
    "lokal_kod",
    "lokal_id",
    "vokabular_version",
)
#: Swedish names of the export layers.
LAYER_LABELS = {
    "skotsel_yta": "Skötselytor",
    "skotsel_linje": "Skötsellinjer",
    "skotsel_punkt": "Skötselobjekt (punkter)",
    "invasiva_yta": "Invasiva arter – bestånd",
    "invasiva_punkt": "Invasiva arter – fynd",
}
_WRITE_TYPES = {"polygon": "MultiPolygon", "line": "MultiLineString", "point": "Point"}


@dataclass(frozen=True)
class ExportInput:
    """One layer to export: a translated layer (``owner=None``) or an owner's raw layer.

    Examples
    --------
    >>> ExportInput("skotsel.gpkg", owner="huge_bostader").owner
    'huge_bostader'
    """

    path: str | os.PathLike[str]
    owner: str | None = None


@dataclass(frozen=True)
class ExportResult:
    """What :func:`export_layers` wrote and the figures that check it.

    Attributes
    ----------
    directory : Path
    files : dict of str to Path
        ``gpkg``, ``qgs``, ``html``, ``csv``, ``xlsx``, ``qml:<layer>`` / ``sld:<layer>`` and,
        with invasive findings, ``invasive_csv``.
    feature_counts : dict of str to int
        Features per export layer.
    layer_totals : dict of str to float
        Total m², m and st measured on the exported geometries.
    quantity_totals : dict of str to float
        The same totals summed from the quantity list.
    vocabulary_version : str
    synthetic : bool
    """

    directory: Path
    files: dict[str, Path]
    feature_counts: dict[str, int]
    layer_totals: dict[str, float]
    quantity_totals: dict[str, float]
    vocabulary_version: str
    synthetic: bool
    invasive_findings: int = 0


def load_shared_layer(item: ExportInput, vocabulary: Vocabulary) -> tuple[gpd.GeoDataFrame, bool]:
    """Return a layer in shared terms (translating raw layers) and whether it is synthetic.

    Raises
    ------
    InputError
        Untranslated layer without owner, a translation made with another vocabulary version, or
        codes that are not in the vocabulary.
    """
    layer = read_layer(item.path)
    frame = layer.frame
    if item.owner is not None:
        return translate_layer(
            layer, load_owner(item.owner, vocabulary=vocabulary), vocabulary
        ).frame, layer.synthetic
    if "produktkod" not in frame.columns or "agare" not in frame.columns:
        msg = (
            f"{layer.path}: no columns produktkod/agare, so it is not in shared terms; "
            "translate it first (translate_layer, or geomap layers translate) or give its "
            f"owner: ExportInput({str(layer.path)!r}, owner=...)"
        )
        raise InputError(msg)
    versions = sorted({str(v) for v in frame.get("vokabular_version", pd.Series([""])).unique()})
    if versions != [vocabulary.version]:
        msg = (
            f"{layer.path}: translated with vocabulary version(s) {versions}, current is "
            f"{vocabulary.version}; translate it again"
        )
        raise InputError(msg)
    unknown = sorted(set(frame["produktkod"].astype(str)) - set(vocabulary))
    if unknown:
        msg = f"{layer.path}: produktkod {unknown} not in vocabulary {vocabulary.version}"
        raise InputError(msg)
    expected = vocabulary.attribute(frame["produktkod"].astype(str), "geometry").to_numpy()
    wrong = expected != geometry_kinds(frame.geometry.to_numpy())
    if wrong.any():
        ids = ", ".join(frame.index[wrong][:5].astype(str))
        msg = f"{layer.path}: {int(wrong.sum())} feature(s) with the wrong geometry type ({ids})"
        raise InputError(msg)
    check_findings(frame, vocabulary, where=str(layer.path))
    return frame, layer.synthetic


def _shared_frame(frames: Sequence[gpd.GeoDataFrame], vocabulary: Vocabulary) -> gpd.GeoDataFrame:
    parts = []
    for frame in frames:
        codes = frame["produktkod"].astype(str)
        part = pd.DataFrame(
            {
                "produktkod": codes.to_numpy(),
                "produktnamn": vocabulary.attribute(codes, "name").to_numpy(),
                "produktgrupp": vocabulary.attribute(codes, "group").to_numpy(),
                "enhet": vocabulary.attribute(codes, "unit").to_numpy(),
                "mangd": feature_quantity(frame.geometry.to_numpy()),
                "agare": frame["agare"].astype(str).to_numpy(),
                "agare_namn": frame.get("agare_namn", frame["agare"]).astype(str).to_numpy(),
                "lokal_kod": frame.get("lokal_kod", codes).astype(str).to_numpy(),
                "lokal_id": frame.get("lokal_id", pd.Series(frame.index, index=frame.index))
                .astype(str)
                .to_numpy(),
                "vokabular_version": vocabulary.version,
            }
        )
        if _invasive(codes, vocabulary).any():
            part = pd.concat([part, finding_columns(frame).reset_index(drop=True)], axis=1)
        parts.append(gpd.GeoDataFrame(part, geometry=frame.geometry.to_numpy(), crs=WORKING_CRS))
    if not parts:
        msg = "no layers to export; pass at least one ExportInput in `inputs`"
        raise InputError(msg)
    return gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), crs=WORKING_CRS)


def _write_gpkg(
    path: Path,
    layers: dict[str, gpd.GeoDataFrame],
    vocabulary: Vocabulary,
    info: pd.DataFrame,
) -> None:
    for name, frame in layers.items():
        geometry_type = _WRITE_TYPES[LAYER_GEOMETRY[name]]
        if LAYER_GEOMETRY[name] == "point" and (frame.geom_type == "MultiPoint").any():
            geometry_type = "MultiPoint"
        pyogrio.write_dataframe(
            frame,
            path,
            layer=name,
            driver="GPKG",
            geometry_type=geometry_type,
            promote_to_multi=geometry_type.startswith("Multi"),
            append=path.exists(),
            dataset_options={"VERSION": "1.3"} if not path.exists() else None,
            layer_options={"DESCRIPTION": f"{LAYER_LABELS[name]}, vokabulär {vocabulary.version}"},
            dataset_metadata={"vokabular_version": vocabulary.version},
        )
    pyogrio.write_dataframe(info, path, layer="export_info", driver="GPKG", append=True)
    write_layer_styles(
        path,
        {name: (qml_style(vocabulary, name), sld_style(vocabulary, name)) for name in layers},
        description=f"{vocabulary.title}, vokabulär {vocabulary.version} (geomap)",
    )


def export_layers(
    inputs: Sequence[ExportInput],
    directory: str | os.PathLike[str],
    *,
    vocabulary: Vocabulary | None = None,
    districts: str | os.PathLike[str] | None = None,
    area_column: str | None = None,
    frequencies: Mapping[str, float] | None = None,
    title: str = "Skötselprodukter – gemensam terminologi",
    overwrite: bool = False,
) -> ExportResult:
    """Export layers in shared terms with styles, project, map and quantity list into ``directory``.

    Parameters
    ----------
    inputs : sequence of ExportInput
        Translated layers, or raw layers with their owner; invasive-species layers in shared terms.
    directory : path-like
        Output directory, replaced atomically.
    vocabulary : Vocabulary, optional
        Default: the bundled vocabulary.
    districts : path-like, optional
        Contract areas (or districts) for the quantity list, read with
        :func:`~geomap.maintenance.load_districts`; default the bundled SCB RegSO 2025 areas of
        Huddinge when present, else the list has no areas.
    area_column : str, optional
        The column of ``districts`` with the area names (default: found by name).
    frequencies : mapping of str to float, optional
        The contract's times per year per shared code, over the owners' and the vocabulary's.
    title : str
        Title of the map and the QGIS project.
    overwrite : bool
        Replace an existing directory.

    Examples
    --------
    >>> # export_layers([ExportInput("kommun_delad.gpkg")], "out/export", overwrite=True)
    """
    voc = vocabulary if vocabulary is not None else load_vocabulary()
    loaded = [load_shared_layer(item, voc) for item in inputs]
    synthetic = any(flag for _, flag in loaded)
    shared = _shared_frame([frame for frame, _ in loaded], voc)
    parts = _export_parts(
        shared,
        voc,
        synthetic=synthetic,
        districts=districts,
        area_column=area_column,
        frequencies=frequencies,
        extra=_info_extra(inputs, districts, frequencies),
    )
    target = Path(directory)
    with atomic_dir(target, overwrite=overwrite, protect=[i.path for i in inputs]) as tmp:
        _write_export(tmp, parts, voc, title=title, synthetic=synthetic)
    return _export_result(target, shared, parts, voc, synthetic=synthetic)


def _export_result(
    target: Path, shared: gpd.GeoDataFrame, parts: _ExportParts, voc: Vocabulary, *, synthetic: bool
) -> ExportResult:
    """Return what :func:`export_layers` wrote into ``target``: files, counts and totals."""
    return ExportResult(
        directory=target,
        files=_files(target, parts.layers, invasive=parts.years is not None),
        feature_counts={name: len(frame) for name, frame in parts.layers.items()},
        layer_totals=totals_by_unit(shared),
        quantity_totals=totals_by_unit(parts.detail),
        vocabulary_version=voc.version,
        synthetic=synthetic,
        invasive_findings=int(_invasive(shared["produktkod"], voc).sum()),
    )


@dataclass(frozen=True)
class _ExportParts:
    """What :func:`export_layers` writes: layers, areas, quantities and the dataset info."""

    layers: dict[str, gpd.GeoDataFrame]
    districts: gpd.GeoDataFrame | None
    pieces: pd.DataFrame
    detail: pd.DataFrame
    rows: pd.DataFrame
    years: pd.DataFrame | None
    info: pd.DataFrame


def _export_parts(
    shared: gpd.GeoDataFrame,
    voc: Vocabulary,
    *,
    synthetic: bool,
    districts: str | os.PathLike[str] | None,
    area_column: str | None,
    frequencies: Mapping[str, float] | None,
    extra: dict[str, str],
) -> _ExportParts:
    """Return the layers, contract areas, quantity pieces and rows, yearly comparison and info."""
    schedule = Schedule(
        voc, owners=_owner_plans(shared["agare"].unique(), voc), contract=frequencies
    )
    layers = _split_layers(shared, voc)
    district_frame = _districts(districts, area_column)
    pieces = feature_pieces(shared, districts=district_frame)
    detail = group_pieces(pieces)
    rows = quantity_rows(detail, voc, schedule=schedule, synthetic=synthetic)
    years = _invasive_years(shared, voc)
    info = info_table(voc, synthetic=synthetic, extra=extra)
    return _ExportParts(layers, district_frame, pieces, detail, rows, years, info)


def _write_export(
    tmp: Path, parts: _ExportParts, voc: Vocabulary, *, title: str, synthetic: bool
) -> None:
    """Write the GeoPackage, styles, QGIS project, map and quantity lists into ``tmp``."""
    layers = parts.layers
    _write_gpkg(tmp / GPKG_NAME, layers, voc, parts.info)
    _write_styles(tmp, layers, voc)
    labels = {name: LAYER_LABELS[name] for name in layers}
    project = qgis_project(labels, voc, gpkg_name=GPKG_NAME, title=title)
    (tmp / PROJECT_NAME).write_text(project, encoding="utf-8")
    _write_map(tmp, layers, voc, title=title, synthetic=synthetic, districts=parts.districts)
    write_quantities_csv(parts.rows, tmp / "mangdforteckning.csv")
    order = {code: i for i, code in enumerate(voc)}
    write_quantities_xlsx(
        parts.rows,
        parts.pieces,
        tmp / "mangdforteckning.xlsx",
        info=parts.info,
        vocabulary_order=order,
        invasive_years=parts.years,
    )
    if parts.years is not None:
        from geomap.io.sheets import write_csv

        write_csv(parts.years, tmp / "invasiva_per_ar.csv")


def _owner_plans(
    owners: Iterable[object], vocabulary: Vocabulary
) -> dict[str, tuple[dict[str, float], dict[str, str]]]:
    """Return each known owner's ``frekvens`` and ``niva`` from ``owners.toml``."""
    plans = {}
    for owner in owners:
        try:
            profile = load_owner(str(owner), vocabulary=vocabulary)
        except UnknownOwnerError:
            log.info("owner %s has no profile in owners.toml; vocabulary frequencies used", owner)
            continue
        plans[str(owner)] = (profile.frequencies, profile.levels)
    return plans


def _info_extra(
    inputs: Sequence[ExportInput],
    districts: str | os.PathLike[str] | None,
    frequencies: Mapping[str, float] | None,
) -> dict[str, str]:
    """Return the export's own ``export_info`` rows: sources, areas and frequency sources."""
    contract = ", ".join(f"{k}={v:g}" for k, v in sorted((frequencies or {}).items()))
    return {
        "kallor": "; ".join(str(Path(item.path)) for item in inputs),
        "avtalsomraden": str(districts) if districts else "SCB RegSO 2025 (medföljer geomap)",
        "frekvenser": "vokabulärens standard, ägarnas skötselplan (layers/owners.toml)"
        + (f", avtalets: {contract}" if contract else ""),
    }


def _invasive_years(shared: gpd.GeoDataFrame, vocabulary: Vocabulary) -> pd.DataFrame | None:
    """Return the yearly comparison of invasive findings, or ``None`` when there are none."""
    findings = check_findings(shared, vocabulary, where="export")
    if findings.empty:
        return None
    amounts = feature_quantity(
        shared.geometry.to_numpy()[_invasive(shared["produktkod"], vocabulary)]
    )
    return yearly_comparison(findings, amounts, vocabulary)


def _split_layers(shared: gpd.GeoDataFrame, vocabulary: Vocabulary) -> dict[str, gpd.GeoDataFrame]:
    """Return the export layers (:data:`~geomap.maintenance.styles.LAYER_GEOMETRY`) of ``shared``.

    The maintenance layers are always written unless there are only invasive findings; the
    invasive layers (with :data:`~geomap.maintenance.invasive.FINDING_COLUMNS`) when there are any.
    """
    kinds = geometry_kinds(shared.geometry.to_numpy())
    invasive = _invasive(shared["produktkod"], vocabulary)
    plain = [c for c in shared.columns if c not in FINDING_COLUMNS]
    out = {}
    for name, kind in LAYER_GEOMETRY.items():
        wanted = name in INVASIVE_LAYERS
        if (wanted and not invasive.any()) or (not wanted and invasive.all() and len(shared)):
            continue
        keep = (kinds == kind) & (invasive == wanted)
        columns = shared.columns if wanted else plain
        out[name] = shared.loc[keep, columns].reset_index(drop=True)
    return out


def _districts(path: str | os.PathLike[str] | None, column: str | None) -> gpd.GeoDataFrame | None:
    """Return the areas of the quantity list, or ``None`` (with a warning) when there are none."""
    districts = load_districts(path, column=column)
    if districts.empty:
        log.warning("no district layer; the quantity list has no districts (pass `districts`)")
        return None
    return districts


def _write_styles(directory: Path, layers: dict[str, gpd.GeoDataFrame], voc: Vocabulary) -> None:
    """Write the ``.qml`` and ``.sld`` style of each export layer into ``directory``."""
    for name in layers:
        (directory / f"{name}.qml").write_text(qml_style(voc, name), encoding="utf-8")
        (directory / f"{name}.sld").write_text(sld_style(voc, name), encoding="utf-8")


def _write_map(
    directory: Path,
    layers: dict[str, gpd.GeoDataFrame],
    voc: Vocabulary,
    *,
    title: str,
    synthetic: bool,
    districts: gpd.GeoDataFrame | None,
) -> None:
    """Write the HTML map ``karta.html`` of the export layers into ``directory``."""
    page = render_map(
        layers,
        voc,
        title=title,
        synthetic=synthetic,
        districts=districts,
        layer_labels=LAYER_LABELS,
    )
    (directory / "karta.html").write_text(page, encoding="utf-8")


def _files(target: Path, layers: dict[str, gpd.GeoDataFrame], *, invasive: bool) -> dict[str, Path]:
    """Return the files :func:`export_layers` writes into ``target`` (see :class:`ExportResult`)."""
    files = {"gpkg": target / GPKG_NAME, "qgs": target / PROJECT_NAME}
    for name in layers:
        files[f"qml:{name}"] = target / f"{name}.qml"
        files[f"sld:{name}"] = target / f"{name}.sld"
    files["html"] = target / "karta.html"
    files["csv"] = target / "mangdforteckning.csv"
    files["xlsx"] = target / "mangdforteckning.xlsx"
    if invasive:
        files["invasive_csv"] = target / "invasiva_per_ar.csv"
    return files

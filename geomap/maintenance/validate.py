"""Check an owner's maintenance layer against its crosswalk, the vocabulary and the owner's land.

Checks (``check`` in the report): ``missing_code`` and ``unknown_code`` (local codes the crosswalk
does not know, with counts and feature ids), ``wrong_geometry`` (e.g. a hedge drawn as a polygon),
``empty_geometry``, ``invalid_geometry``, ``overlap`` (surface products of one owner overlapping
each other, which would double-count tender quantities) — all errors — and ``outside_land``
(features partly or wholly outside the owner's parcels; a warning, since maintenance responsibility
can differ from ownership, an error with ``strict=True``).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import shapely

from geomap.core.crs import WORKING_CRS
from geomap.core.owners import load_owner_layer
from geomap.core.resources import data_path
from geomap.errors import InputError

from .crosswalk import OwnerProfile
from .reader import MaintenanceLayer
from .vocabulary import Vocabulary

__all__ = [
    "CHECK_LABELS",
    "Finding",
    "ValidationReport",
    "default_land_path",
    "feature_ids",
    "geometry_kinds",
    "load_land",
    "local_codes",
    "validate_layer",
]

log = logging.getLogger(__name__)

Severity = Literal["error", "warning"]

#: Swedish names of the checks, as shown in the report table.
CHECK_LABELS: dict[str, str] = {
    "missing_code": "Kod saknas",
    "unknown_code": "Okänd lokal kod",
    "wrong_geometry": "Fel geometrityp",
    "empty_geometry": "Tom geometri",
    "invalid_geometry": "Ogiltig geometri",
    "overlap": "Överlappande ytor",
    "outside_land": "Utanför ägarens mark",
    "no_land": "Ägaren saknas i marklagret",
}
_KIND_LABELS = {"polygon": "yta", "line": "linje", "point": "punkt", "other": "annan"}
_OVERLAP_MIN_M2 = 0.01
_OUTSIDE_MIN = {"polygon": 1.0, "line": 0.5, "point": 0.5}  # m², m, m
_MAX_IDS_IN_TABLE = 5


@dataclass(frozen=True)
class Finding:
    """One problem found in a layer.

    Attributes
    ----------
    check : str
        Key of :data:`CHECK_LABELS`.
    severity : {"error", "warning"}
    message : str
        Swedish sentence for park units.
    count : int
        Number of features concerned.
    feature_ids : tuple of str
        Their ids (the owner's id column, else the file's feature id).
    local_code, shared_code : str or None
        Codes concerned, where there is one.
    amount : float or None
        Overlap area (m²) or quantity outside the land (m², m or st).
    """

    check: str
    severity: Severity
    message: str
    count: int
    feature_ids: tuple[str, ...]
    local_code: str | None = None
    shared_code: str | None = None
    amount: float | None = None


@dataclass(frozen=True)
class ValidationReport:
    """All findings for one layer and owner.

    Examples
    --------
    >>> r = ValidationReport("a.gpkg", "huge_bostader", "2026.2", 0, [])
    >>> r.ok, r.to_dict()["errors"]
    (True, 0)
    """

    layer: str
    owner: str
    vocabulary_version: str
    feature_count: int
    findings: list[Finding]
    land_checked: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        """Findings of severity ``error``."""
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        """Findings of severity ``warning``."""
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "layer": self.layer,
            "owner": self.owner,
            "vocabulary_version": self.vocabulary_version,
            "feature_count": self.feature_count,
            "ok": self.ok,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "land_checked": self.land_checked,
            "notes": list(self.notes),
            "findings": [
                {**asdict(f), "label": CHECK_LABELS[f.check], "feature_ids": list(f.feature_ids)}
                for f in self.findings
            ],
        }

    def to_json(self) -> str:
        """Return the report as indented JSON (UTF-8 text, Swedish letters kept)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_table(self) -> str:
        """Return the report as a plain-text table in Swedish."""
        head = (
            f"Validering av {self.layer} (ägare {self.owner}, "
            f"vokabulär {self.vocabulary_version}): "
            f"{self.feature_count} objekt, {len(self.errors)} fel, {len(self.warnings)} varningar"
        )
        rows = [("Kontroll", "Nivå", "Antal", "Kod", "Objekt-id", "Beskrivning")]
        for f in self.findings:
            ids = ", ".join(f.feature_ids[:_MAX_IDS_IN_TABLE])
            if len(f.feature_ids) > _MAX_IDS_IN_TABLE:
                ids += f" … (+{len(f.feature_ids) - _MAX_IDS_IN_TABLE})"
            level = "FEL" if f.severity == "error" else "varning"
            code = f.local_code if f.local_code is not None else (f.shared_code or "")
            rows.append((CHECK_LABELS[f.check], level, str(f.count), code, ids, f.message))
        lines = [head, *(f"Obs: {note}" for note in self.notes)]
        if len(rows) == 1:
            lines.append("Inga fel eller varningar.")
            return "\n".join(lines)
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
        for row in rows:
            cells = [cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)]
            lines.append("  ".join([*cells, row[-1]]).rstrip())
        return "\n".join(lines)


def default_land_path() -> Path | None:
    """Return the bundled owner parcels (``data/owners_synthetic.gpkg``) if present."""
    return data_path("owners_synthetic.gpkg")


def load_land(
    path: str | os.PathLike[str], owner: str, *, layer: str | None = None
) -> shapely.Geometry | None:
    """Return the union of ``owner``'s parcels in EPSG:3011, or ``None`` if the owner has none.

    The parcels are read with :func:`geomap.core.owners.load_owner_layer`: the owner column is
    found by name and renamed ``owner``, invalid polygons are repaired and the layer is
    reprojected to :data:`~geomap.core.crs.WORKING_CRS`.

    Parameters
    ----------
    path : path-like
        Owner parcels with an owner column (layer ``owners``, or the file's first polygon layer).
    owner : str
        Owner id.
    layer : str, optional
        Layer name; default ``owners`` when present.

    Raises
    ------
    InputError
        The file or layer is unreadable, holds no polygons or has no owner column.

    Examples
    --------
    >>> import tempfile, geopandas as gpd
    >>> p = Path(tempfile.mkdtemp()) / "o.gpkg"
    >>> gpd.GeoDataFrame({"owner": ["a", "a", "b"]}, geometry=[shapely.box(0, 0, 1, 1),
    ...     shapely.box(1, 0, 2, 1), shapely.box(5, 5, 6, 6)], crs=3011).to_file(p, layer="owners")
    >>> load_land(p, "a").area, load_land(p, "c")
    (2.0, None)
    """
    parcels = load_owner_layer(
        path, layer=layer, working_crs=WORKING_CRS, what="owner parcel layer"
    ).frame
    mine = parcels["owner"].eq(owner).fillna(False).to_numpy(dtype=bool)
    if not mine.any():
        return None
    return shapely.union_all(parcels.geometry.to_numpy()[mine])


def geometry_kinds(geometries: Sequence[object] | np.ndarray) -> np.ndarray:
    """Return ``polygon``/``line``/``point``/``other`` per geometry (``other`` for missing).

    Examples
    --------
    >>> geometry_kinds([shapely.Point(0, 0), shapely.box(0, 0, 1, 1), None]).tolist()
    ['point', 'polygon', 'other']
    """
    type_ids = shapely.get_type_id(np.asarray(geometries, dtype=object))
    kinds = np.full(type_ids.shape, "other", dtype=object)
    kinds[np.isin(type_ids, (3, 6))] = "polygon"
    kinds[np.isin(type_ids, (1, 2, 5))] = "line"
    kinds[np.isin(type_ids, (0, 4))] = "point"
    return kinds


def feature_ids(layer: MaintenanceLayer, profile: OwnerProfile) -> pd.Series:
    """Return each feature's id as text: the owner's id column if filled, else the file's fid."""
    fids = pd.Series(layer.frame.index.astype(str), index=layer.frame.index)
    column = profile.id_column
    if column and column in layer.frame.columns:
        own = layer.frame[column]
        return own.astype(str).where(own.notna(), fids)
    return fids


def local_codes(layer: MaintenanceLayer, profile: OwnerProfile) -> pd.Series:
    """Return the local code column of ``layer``.

    Raises
    ------
    InputError
        The owner's code column is missing from the layer.
    """
    column = profile.code_column
    if column not in layer.frame.columns:
        columns = [c for c in layer.frame.columns if c != layer.frame.geometry.name]
        msg = (
            f"{layer.path}: column {column!r} with {profile.owner}'s local codes is missing "
            f"(columns: {columns}); pass `code_column` NAME to load_owner or fix layers/owners.toml"
        )
        raise InputError(msg)
    return layer.frame[column]


def _code_findings(codes: pd.Series, shared: pd.Series, ids: pd.Series) -> list[Finding]:
    findings: list[Finding] = []
    text = codes.astype(object).where(codes.notna(), None)
    blank = text.isna() | (text.astype(str).str.strip() == "")
    if blank.any():
        findings.append(
            Finding(
                "missing_code",
                "error",
                f"{int(blank.sum())} objekt saknar lokal kod",
                int(blank.sum()),
                tuple(ids[blank]),
            )
        )
    unknown = shared.isna().to_numpy() & ~blank.to_numpy()
    if unknown.any():
        groups = pd.DataFrame({"code": text[unknown].astype(str), "id": ids[unknown]})
        for code, group in groups.groupby("code", sort=True):
            findings.append(
                Finding(
                    "unknown_code",
                    "error",
                    f"Lokal kod {code!r} finns inte i korsreferenstabellen ({len(group)} objekt)",
                    len(group),
                    tuple(group["id"]),
                    local_code=str(code),
                )
            )
    return findings


def _geometry_findings(
    geoms: np.ndarray, kinds: np.ndarray, shared: pd.Series, ids: pd.Series, voc: Vocabulary
) -> tuple[list[Finding], np.ndarray]:
    findings: list[Finding] = []
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        findings.append(
            Finding(
                "empty_geometry",
                "error",
                f"{int(empty.sum())} objekt saknar geometri",
                int(empty.sum()),
                tuple(ids[empty]),
            )
        )
    invalid = ~empty & ~shapely.is_valid(geoms)
    if invalid.any():
        reasons = sorted({str(r).split("[")[0] for r in shapely.is_valid_reason(geoms[invalid])})
        findings.append(
            Finding(
                "invalid_geometry",
                "error",
                f"{int(invalid.sum())} objekt har ogiltig geometri ({'; '.join(reasons)})",
                int(invalid.sum()),
                tuple(ids[invalid]),
            )
        )
    expected = voc.attribute(shared, "geometry").to_numpy(dtype=object)
    wrong = ~empty & (expected != None) & (expected != kinds)  # noqa: E711 - elementwise
    if wrong.any():
        frame = pd.DataFrame({"code": shared[wrong], "kind": kinds[wrong], "id": ids[wrong]})
        for (code, kind), group in frame.groupby(["code", "kind"], sort=True):
            product = voc[str(code)]
            findings.append(
                Finding(
                    "wrong_geometry",
                    "error",
                    f"{product.label} ska vara {_KIND_LABELS[product.geometry]} men "
                    f"{len(group)} objekt är {_KIND_LABELS[str(kind)]}",
                    len(group),
                    tuple(group["id"]),
                    shared_code=str(code),
                )
            )
    usable = ~empty & ~invalid & ~wrong & (expected != None)  # noqa: E711
    return findings, usable


def _overlap_findings(geoms: np.ndarray, ids: pd.Series, surface: np.ndarray) -> list[Finding]:
    index = np.flatnonzero(surface)
    if len(index) < 2:
        return []
    polys = geoms[index]
    tree = shapely.STRtree(polys)
    left, right = tree.query(polys, predicate="intersects")
    keep = left < right
    left, right = left[keep], right[keep]
    areas = shapely.area(shapely.intersection(polys[left], polys[right]))
    big = areas > _OVERLAP_MIN_M2
    findings = []
    for i, j, area in zip(left[big], right[big], areas[big], strict=True):
        a, b = ids.iloc[index[i]], ids.iloc[index[j]]
        findings.append(
            Finding(
                "overlap",
                "error",
                f"Ytorna {a} och {b} överlappar med {area:.2f} m²",
                2,
                (str(a), str(b)),
                amount=float(area),
            )
        )
    return findings


def _outside_findings(
    geoms: np.ndarray,
    kinds: np.ndarray,
    ids: pd.Series,
    usable: np.ndarray,
    land: shapely.Geometry,
    *,
    strict: bool,
) -> list[Finding]:
    findings: list[Finding] = []
    shapely.prepare(land)
    severity: Severity = "error" if strict else "warning"
    for kind, unit in (("polygon", "m²"), ("line", "m"), ("point", "st")):
        mask = usable & (kinds == kind)
        if not mask.any():
            continue
        if kind == "point":
            outside = shapely.distance(geoms[mask], land)
            amount_each = (outside > _OUTSIDE_MIN[kind]).astype(float)
        else:
            rest = shapely.difference(geoms[mask], land)
            amount_each = shapely.area(rest) if kind == "polygon" else shapely.length(rest)
        hit = amount_each > (_OUTSIDE_MIN[kind] if kind != "point" else 0.5)
        if hit.any():
            total = float(amount_each[hit].sum())
            findings.append(
                Finding(
                    "outside_land",
                    severity,
                    f"{int(hit.sum())} objekt ({_KIND_LABELS[kind]}) ligger helt eller delvis "
                    f"utanför ägarens mark ({total:.1f} {unit} utanför)",
                    int(hit.sum()),
                    tuple(ids[mask][hit]),
                    amount=total,
                )
            )
    return findings


def validate_layer(
    layer: MaintenanceLayer,
    profile: OwnerProfile,
    vocabulary: Vocabulary,
    *,
    land: str | os.PathLike[str] | None = None,
    check_land: bool = True,
    strict: bool = False,
) -> ValidationReport:
    """Run every check on ``layer`` for ``profile``'s owner.

    Parameters
    ----------
    layer : MaintenanceLayer
        From :func:`~geomap.maintenance.reader.read_layer`.
    profile : OwnerProfile
        The owner's columns and crosswalk.
    vocabulary : Vocabulary
        The shared vocabulary.
    land : path-like, optional
        Owner parcels; default :func:`default_land_path` (when present).
    check_land : bool
        False skips the land check (translate and export do not need it).
    strict : bool
        Report features outside the land as errors instead of warnings.

    Raises
    ------
    InputError
        The local code column is missing, or the land file is unreadable.

    Examples
    --------
    >>> import geopandas as gpd, shapely
    >>> from geomap.maintenance import load_owner, load_vocabulary, MaintenanceLayer
    >>> gdf = gpd.GeoDataFrame({"skotselkod": ["GRÄS-BRUK", "XYZ"]}, index=["1", "2"],
    ...     geometry=[shapely.box(0, 0, 5, 5), shapely.Point(9, 9)], crs=3011)
    >>> lay = MaintenanceLayer(gdf, Path("x.gpkg"), ("x",), False)
    >>> r = validate_layer(lay, load_owner("huddinge_kommun"), load_vocabulary(), check_land=False)
    >>> [(f.check, f.local_code, f.feature_ids) for f in r.findings]
    [('unknown_code', 'XYZ', ('2',))]
    """
    geoms = layer.frame.geometry.to_numpy()
    kinds = geometry_kinds(geoms)
    ids = feature_ids(layer, profile).reset_index(drop=True)
    findings, usable = _feature_findings(layer, profile, vocabulary, ids, geoms, kinds)
    land_findings, notes, land_checked = (
        _land_check(land, profile.owner, geoms, kinds, ids, usable, strict=strict)
        if check_land
        else ([], [], False)
    )
    return ValidationReport(
        layer=str(layer.path),
        owner=profile.owner,
        vocabulary_version=vocabulary.version,
        feature_count=len(layer.frame),
        findings=findings + land_findings,
        land_checked=land_checked,
        notes=notes,
    )


def _feature_findings(
    layer: MaintenanceLayer,
    profile: OwnerProfile,
    vocabulary: Vocabulary,
    ids: pd.Series,
    geoms: np.ndarray,
    kinds: np.ndarray,
) -> tuple[list[Finding], np.ndarray]:
    """Check codes, geometries and overlaps; return the findings and which features are usable."""
    codes = local_codes(layer, profile).reset_index(drop=True)
    shared = profile.crosswalk.translate(codes)
    findings = _code_findings(codes, shared, ids)
    geometry_findings, usable = _geometry_findings(geoms, kinds, shared, ids, vocabulary)
    findings += geometry_findings
    findings += _overlap_findings(geoms, ids, usable & (kinds == "polygon"))
    return findings, usable


def _land_check(
    land: str | os.PathLike[str] | None,
    owner: str,
    geoms: np.ndarray,
    kinds: np.ndarray,
    ids: pd.Series,
    usable: np.ndarray,
    *,
    strict: bool,
) -> tuple[list[Finding], list[str], bool]:
    """Check the features against ``owner``'s land: (findings, notes, whether it was checked)."""
    land_path = Path(land) if land is not None else default_land_path()
    if land_path is None:
        log.info("no land layer; the check against the owner's land was skipped")
        return [], ["inget marklager (`land`); kontrollen mot ägarens mark hoppades över"], False
    parcels = load_land(land_path, owner)
    if parcels is None:
        message = f"{land_path.name} har inga fastigheter för {owner}"
        return [Finding("no_land", "warning", message, 0, ())], [], False
    findings = _outside_findings(geoms, kinds, ids, usable, parcels, strict=strict)
    return findings, [f"kontrollerad mot ägarens mark i {land_path.name}"], True

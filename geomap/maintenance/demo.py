"""Generate the synthetic demo maintenance layers, one per owner, inside the demo owner parcels.

Run ``python -m geomap.maintenance.demo`` to (re)write ``data/skotsel_<owner>_synthetic.gpkg`` and
the invasive-species findings ``data/invasiva_<owner>_synthetic.gpkg``. The output is deterministic:
the same parcels give the same features. Each owner's maintenance layer has its own column names
and local codes (see ``layers/owners.toml``); the invasive findings are in shared terms (the layer
all three owners edit alike). Every feature carries ``syntetisk = "ja"``.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely
from shapely import ops
from shapely.geometry.base import BaseGeometry

from geomap.core.crs import WORKING_CRS
from geomap.core.owners import OwnerLayer, load_owner_layer
from geomap.core.resources import data_path
from geomap.errors import InputError
from geomap.io.atomic import atomic_path

from .vocabulary import Vocabulary, load_vocabulary

__all__ = [
    "DEMO_OWNERS",
    "OwnerDemo",
    "demo_features",
    "invasive_findings",
    "write_demo_layers",
    "write_invasive_layers",
]

_SITE_HALF = 45.0  # m: a demo site is at most 90 m × 90 m of a parcel
_INSET = 2.0  # m: features stay this far inside the parcel
_MAX_SITES = 12
_MIN_PARCEL_M2 = 3000.0
_SYNTHETIC = "ja"


@dataclass(frozen=True)
class OwnerDemo:
    """How one owner's synthetic layer looks: columns, local codes and id format."""

    owner: str
    code_column: str
    id_column: str
    id_format: str
    surfaces: tuple[str, ...]
    lines: tuple[str, ...]
    points: tuple[str, ...]
    extra_column: str
    extra_value: str
    land_uses: tuple[str, ...] = ()
    layers: tuple[str, ...] = ("skotselytor",)


DEMO_OWNERS: tuple[OwnerDemo, ...] = (
    OwnerDemo(
        "huddinge_kommun",
        "skotselkod",
        "objekt_id",
        "PARK-{:05d}",
        (
            "GRÄS-BRUK",
            "BUSK-BUSKAGE",
            "GRÄS-PRYD",
            "ÄNG",
            "GÅNGVÄG-ASFALT",
            "NATUR-SKOG",
            "LEK-SAND",
            "BLOM-PERENN",
        ),
        ("HÄCK", "MUR"),
        ("TRÄD-PARK", "LEK-REDSKAP"),
        "beskrivning",
        "Parkmark (syntetisk)",
        land_uses=("park",),
    ),
    OwnerDemo(
        "huddinge_samhallsfastigheter",
        "Produkt",
        "ObjektID",
        "HSAB-{:04d}",
        (
            "Gräs, bruks",
            "Asfalt, skolgård",
            "Buskage",
            "Sandlåda",
            "Gräs, prydnad",
            "Fallskydd, gummi",
            "Grus, bollplan",
        ),
        ("Häck",),
        ("Träd, solitär", "Lekutrustning"),
        "Anm",
        "Skolgård (syntetisk)",
        land_uses=("skolgård", "förskolegård", "idrottsplats"),
    ),
    OwnerDemo(
        "huge_bostader",
        "SM_KOD",
        "id",
        "{:d}",
        ("G2.1", "B2.2", "Y1.2", "G1", "R2", "S", "G2.2"),
        ("H1", "H2"),
        ("T1", "T5", "LEK"),
        "Benämning",
        "Bostadsgård (syntetisk)",
        land_uses=("bostadsgård",),
        layers=("skotsel_ytor", "skotsel_linjer", "skotsel_punkter"),
    ),
)


def _polygons_only(geom: BaseGeometry) -> BaseGeometry | None:
    parts = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and p.area > 5.0]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)


def _site(parcel: BaseGeometry) -> BaseGeometry | None:
    inner = shapely.make_valid(parcel).buffer(-_INSET)
    if inner.is_empty:
        return None
    centre = inner.point_on_surface()
    box = shapely.box(
        centre.x - _SITE_HALF, centre.y - _SITE_HALF, centre.x + _SITE_HALF, centre.y + _SITE_HALF
    )
    site = _polygons_only(shapely.intersection(inner, box))
    return site if site is not None and site.area > 400.0 else None


def _points_in(polygon: BaseGeometry, count: int) -> list[shapely.Point]:
    minx, miny, maxx, maxy = polygon.bounds
    xs = np.linspace(minx, maxx, 7)[1:-1]
    ys = np.linspace(miny, maxy, 7)[1:-1]
    gx, gy = np.meshgrid(xs, ys)
    grid = np.asarray(shapely.points(gx.ravel(), gy.ravel()), dtype=object)
    inside = list(grid[shapely.contains(polygon.buffer(-1.0), grid)])
    step = max(1, len(inside) // max(count, 1))
    return inside[::step][:count]


def demo_features(spec: OwnerDemo, parcels: Sequence[BaseGeometry]) -> gpd.GeoDataFrame:
    """Return the synthetic maintenance features of one owner inside its ``parcels``.

    Surfaces are vertical strips of a site (so they never overlap), a hedge and a wall run along
    the site edge, trees and play equipment are points on a grid inside the first strip.

    Examples
    --------
    >>> parcel = shapely.box(0, 0, 200, 150)
    >>> f = demo_features(DEMO_OWNERS[0], [parcel])
    >>> sorted(set(f.geom_type)), bool(f.within(parcel).all())
    (['LineString', 'Point', 'Polygon'], True)
    """
    records: list[tuple[str, BaseGeometry]] = []
    sites = [s for s in (_site(p) for p in parcels) if s is not None][:_MAX_SITES]
    for n, site in enumerate(sites):
        products = [spec.surfaces[(n + k) % len(spec.surfaces)] for k in range(3 + n % 2)]
        minx, miny, maxx, maxy = site.bounds
        edges = np.linspace(minx, maxx, len(products) + 1)
        first_strip = None
        for code, left, right in zip(products, edges[:-1], edges[1:], strict=True):
            strip = _polygons_only(shapely.intersection(site, shapely.box(left, miny, right, maxy)))
            if strip is None:
                continue
            first_strip = first_strip or strip
            records.append((code, strip))
        edge = site.buffer(-1.0)
        ring = shapely.get_exterior_ring(shapely.get_parts(site if edge.is_empty else edge)[0])
        length = ring.length
        for k, code in enumerate(spec.lines[: 1 + n % 2]):
            start = length * (0.05 + 0.5 * k)
            records.append((code, ops.substring(ring, start, start + length * 0.3)))
        if first_strip is not None:
            for k, point in enumerate(_points_in(first_strip, 3 + n % 3)):
                records.append((spec.points[k % len(spec.points)], point))
    codes = [code for code, _ in records]
    frame = gpd.GeoDataFrame(
        {
            spec.id_column: [spec.id_format.format(i + 1) for i in range(len(records))],
            spec.code_column: codes,
            spec.extra_column: spec.extra_value,
            "syntetisk": _SYNTHETIC,
        },
        geometry=[geom for _, geom in records],
        crs=WORKING_CRS,
    )
    if spec.id_format == "{:d}":
        frame[spec.id_column] = frame[spec.id_column].astype(int)
    return frame


def _owner_parcels(
    frame: gpd.GeoDataFrame, owner: str, land_uses: tuple[str, ...]
) -> list[BaseGeometry]:
    """Return up to ``_MAX_SITES`` of ``owner``'s parcels (from ``load_owner_layer``) for sites."""
    keep = frame["owner"].eq(owner).fillna(False).to_numpy(dtype=bool)
    keep &= frame.geometry.area.to_numpy() >= _MIN_PARCEL_M2
    if "testfall" in frame.columns:  # parcels built as hard cases for routing are left alone
        keep &= frame["testfall"].isna().to_numpy()
    if land_uses and "markanvandning" in frame.columns:
        keep &= frame["markanvandning"].isin(land_uses).to_numpy()
    mine = frame.loc[keep]
    if "fastighet" in mine.columns:
        mine = mine.sort_values("fastighet", kind="stable")
    # Spread the sites over the municipality: evenly spaced parcels in property-name order.
    picks = np.unique(np.linspace(0, len(mine) - 1, min(len(mine), _MAX_SITES)).round().astype(int))
    return list(mine.geometry.iloc[picks]) if len(mine) else []


def _demo_parcels(
    owners_path: str | os.PathLike[str] | None, directory: str | os.PathLike[str] | None
) -> tuple[Path, OwnerLayer]:
    """Return the output directory and the demo owner parcels the demo layers are placed in."""
    source = Path(owners_path) if owners_path is not None else data_path("owners_synthetic.gpkg")
    if source is None or not source.exists():
        msg = f"{source}: demo owner parcels not found; generate data/owners_synthetic.gpkg first"
        raise InputError(msg)
    out_dir = Path(directory) if directory is not None else source.parent
    parcels = load_owner_layer(source, working_crs=WORKING_CRS, what="demo owner parcel layer")
    return out_dir, parcels


def write_demo_layers(
    owners_path: str | os.PathLike[str] | None = None,
    directory: str | os.PathLike[str] | None = None,
    *,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write ``skotsel_<owner>_synthetic.gpkg`` for the three demo owners and return the paths.

    Examples
    --------
    >>> # write_demo_layers("data/owners_synthetic.gpkg", "data", overwrite=True)
    """
    out_dir, parcels = _demo_parcels(owners_path, directory)
    written: dict[str, Path] = {}
    for spec in DEMO_OWNERS:
        frame = demo_features(spec, _owner_parcels(parcels.frame, spec.owner, spec.land_uses))
        target = out_dir / f"skotsel_{spec.owner}_synthetic.gpkg"
        with atomic_path(target, overwrite=overwrite) as tmp:
            kinds = frame.geom_type.str.replace("Multi", "").to_numpy()
            if len(spec.layers) == 1:
                pyogrio.write_dataframe(frame, tmp, layer=spec.layers[0], driver="GPKG")
            else:
                for name, kind in zip(spec.layers, ("Polygon", "LineString", "Point"), strict=True):
                    part = frame.loc[kinds == kind]
                    pyogrio.write_dataframe(
                        part,
                        tmp,
                        layer=name,
                        driver="GPKG",
                        append=tmp.exists(),
                        promote_to_multi=kind != "Point",
                    )
            info = _dataset_info("SYNTETISKA DEMODATA – inte verkliga skötselytor")
            pyogrio.write_dataframe(info, tmp, layer="dataset_info", driver="GPKG", append=True)
        written[spec.owner] = target
    return written


_INVASIVE_STEPS = (  # (days after the first finding, action, status), cycled over the findings
    (None, "", "ny"),
    (20, "grävd", "åtgärdad"),
    (14, "slagen", "pågående bekämpning"),
    (30, "täckt", "pågående bekämpning"),
    (10, "ryckt", "åtgärdad"),
    (120, "grävd", "utrotad"),
    (25, "slagen", "återkommande"),
)


def _initials(owner: str) -> str:
    """``huddinge_samhallsfastigheter`` → ``HS``: the owner's part of a finding id."""
    return "".join(word[0] for word in owner.split("_") if word).upper()


def _invasive_sites(
    parcels: Sequence[BaseGeometry], species: list[str], offset: int
) -> tuple[list[str], list[BaseGeometry]]:
    """Return the codes and geometries of one stand and two single finds per parcel."""
    codes: list[str] = []
    geoms: list[BaseGeometry] = []
    for n, parcel in enumerate(parcels):
        inner = shapely.make_valid(parcel).buffer(-_INSET)
        if inner.is_empty:
            continue
        centre = inner.point_on_surface()
        k = 3 * n + offset
        radius = 3.5 + (n % 5) * 1.5
        stand = shapely.intersection(inner, centre.buffer(radius, quad_segs=8))
        polygon = _polygons_only(stand)
        if polygon is not None:
            codes.append(species[k % len(species)])
            geoms.append(polygon)
        for j, point in enumerate(_points_in(inner, 2)):
            codes.append(species[(k + 1 + j) % len(species)] + ".1")
            geoms.append(point)
    return codes, geoms


def _invasive_history(
    count: int, offset: int
) -> tuple[list[pd.Timestamp], list[tuple[int | None, str, str]], list[str]]:
    """Return the finding dates, the cycled (days, action, status) steps and the action dates."""
    first = pd.Timestamp("2024-05-20")
    found = [first + pd.Timedelta(days=(i * 53 + offset * 97) % 800) for i in range(count)]
    steps: list[tuple[int | None, str, str]] = [
        _INVASIVE_STEPS[(i + offset) % len(_INVASIVE_STEPS)] for i in range(count)
    ]
    done = [
        "" if d is None else (when + pd.Timedelta(days=d)).strftime("%Y-%m-%d")
        for when, (d, _, _) in zip(found, steps, strict=True)
    ]
    return found, steps, done


def invasive_findings(
    owner: str,
    owner_name: str,
    parcels: Sequence[BaseGeometry],
    vocabulary: Vocabulary,
    *,
    offset: int = 0,
) -> gpd.GeoDataFrame:
    """Return synthetic invasive-species findings (stands and single finds) in ``parcels``.

    Per parcel one stand (a polygon of 40–250 m²) and two single finds (points), species, dates
    (2024–2026), actions and statuses cycled deterministically (``offset`` shifts the cycles, so
    owners differ); columns in shared terms.

    Examples
    --------
    >>> f = invasive_findings("a", "A", [shapely.box(0, 0, 100, 100)], load_vocabulary())
    >>> f["produktkod"].tolist(), f["status"].tolist()
    (['IN1', 'IN2.1', 'IN3.1'], ['ny', 'åtgärdad', 'pågående bekämpning'])
    """
    species = [p.code for p in vocabulary.of_geometry("polygon", invasive=True)]
    codes, geoms = _invasive_sites(parcels, species, offset)
    found, steps, done = _invasive_history(len(codes), offset)
    series = pd.Series(codes, dtype=object)
    return gpd.GeoDataFrame(
        {
            "agare": owner,
            "agare_namn": owner_name,
            "lokal_id": [f"INV-{_initials(owner)}-{i + 1:03d}" for i in range(len(codes))],
            "lokal_kod": codes,
            "produktkod": codes,
            "produktnamn": vocabulary.attribute(series, "name").to_numpy(),
            "produktgrupp": vocabulary.attribute(series, "group").to_numpy(),
            "enhet": vocabulary.attribute(series, "unit").to_numpy(),
            "vokabular_version": vocabulary.version,
            "fynddatum": [d.strftime("%Y-%m-%d") for d in found],
            "atgard": [a for _, a, _ in steps],
            "atgardsdatum": done,
            "status": [st for _, _, st in steps],
            "syntetisk": _SYNTHETIC,
        },
        geometry=geoms,
        crs=WORKING_CRS,
    )


def write_invasive_layers(
    owners_path: str | os.PathLike[str] | None = None,
    directory: str | os.PathLike[str] | None = None,
    *,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Write ``invasiva_<owner>_synthetic.gpkg`` (layer ``invasiva``) for the three demo owners.

    Examples
    --------
    >>> # write_invasive_layers("data/owners_synthetic.gpkg", "data", overwrite=True)
    """
    out_dir, parcels = _demo_parcels(owners_path, directory)
    vocabulary = load_vocabulary()
    from .crosswalk import load_owner

    written: dict[str, Path] = {}
    for offset, spec in enumerate(DEMO_OWNERS):
        mine = _owner_parcels(parcels.frame, spec.owner, ())[1::2][:6]  # not the maintenance sites
        name = load_owner(spec.owner, vocabulary=vocabulary).name
        frame = invasive_findings(spec.owner, name, mine, vocabulary, offset=2 * offset)
        target = out_dir / f"invasiva_{spec.owner}_synthetic.gpkg"
        with atomic_path(target, overwrite=overwrite) as tmp:
            for kind, layer in (("Polygon", "invasiva_bestand"), ("Point", "invasiva_fynd")):
                part = frame.loc[frame.geom_type.str.replace("Multi", "") == kind]
                pyogrio.write_dataframe(
                    part,
                    tmp,
                    layer=layer,
                    driver="GPKG",
                    append=tmp.exists(),
                    promote_to_multi=kind == "Polygon",
                )
            info = _dataset_info("SYNTETISKA DEMODATA – inte verkliga fynd")
            pyogrio.write_dataframe(info, tmp, layer="dataset_info", driver="GPKG", append=True)
        written[spec.owner] = target
    return written


def _dataset_info(label: str) -> pd.DataFrame:
    """Return the ``dataset_info`` table marking a demo GeoPackage synthetic (``label`` says what)."""
    return pd.DataFrame(
        {
            "key": ["synthetic", "synthetic_label", "generator"],
            "value": ["true", label, "python -m geomap.maintenance.demo"],
        }
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Command-line entry: ``python -m geomap.maintenance.demo [--owners P] [--out DIR]``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--owners", default=None, help="owner parcels (data/owners_synthetic.gpkg)")
    parser.add_argument("--out", default=None, help="output directory (default: beside --owners)")
    args = parser.parse_args(argv)
    for owner, path in write_demo_layers(args.owners, args.out, overwrite=True).items():
        print(f"{owner}: {path}")
    for owner, path in write_invasive_layers(args.owners, args.out, overwrite=True).items():
        print(f"{owner}: {path}")


if __name__ == "__main__":  # pragma: no cover
    main()

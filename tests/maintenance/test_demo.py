"""The synthetic demo layers: generated inside the owners' parcels, valid, labelled synthetic."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely

from geomap.maintenance import load_owner, load_vocabulary, read_layer, validate_layer
from geomap.maintenance.demo import DEMO_OWNERS, demo_features, write_demo_layers

from tests.maintenance.helpers import (
    OWNER_IDS,
    findings_of,
    owner_layer,
    parcels_of,
    write_owners,
)

ROOT = Path(__file__).resolve().parents[2]
VOC = load_vocabulary()


@pytest.mark.parametrize("owner", OWNER_IDS)
def test_features_lie_inside_parcels_in_owner_columns(owner: str) -> None:
    frame = owner_layer(owner)
    profile = load_owner(owner)
    land = shapely.union_all(parcels_of(owner))
    assert frame.within(land).all()
    assert {profile.code_column, profile.id_column, "syntetisk"} <= set(frame.columns)
    assert set(frame.geom_type) == {"Polygon", "LineString", "Point"}
    assert frame[profile.id_column].is_unique
    assert frame.equals(owner_layer(owner))  # deterministic


def test_owner_layers_differ_in_columns() -> None:
    columns = [set(owner_layer(o).columns) for o in OWNER_IDS]
    assert columns[0] != columns[1] != columns[2] != columns[0]


def test_write_demo_layers_validate_cleanly(tmp_path: Path) -> None:
    owners = write_owners(tmp_path / "owners.gpkg")
    written = write_demo_layers(owners, tmp_path)
    assert sorted(written) == sorted(OWNER_IDS)
    huge = read_layer(written["huge_bostader"])
    assert huge.layers == ("skotsel_ytor", "skotsel_linjer", "skotsel_punkter") and huge.synthetic
    for owner, path in written.items():
        report = validate_layer(read_layer(path), load_owner(owner), VOC, land=owners)
        assert report.ok and not report.findings and report.land_checked


@pytest.mark.parametrize("spec", DEMO_OWNERS, ids=lambda s: s.owner)
def test_bundled_demo_layers_pass_validation(spec) -> None:
    path = ROOT / "data" / f"skotsel_{spec.owner}_synthetic.gpkg"
    land = ROOT / "data" / "owners_synthetic.gpkg"
    layer = read_layer(path)
    assert layer.synthetic and len(layer.frame) > 50
    report = validate_layer(layer, load_owner(spec.owner), VOC, land=land)
    assert report.ok and report.land_checked and not report.findings


def test_no_parcels_gives_empty_layer() -> None:
    assert len(demo_features(DEMO_OWNERS[0], [])) == 0


def test_invasive_findings_inside_parcels_deterministic_and_valid() -> None:
    from geomap.maintenance.invasive import check_findings

    frames = {o: findings_of(o) for o in OWNER_IDS}
    for owner, frame in frames.items():
        assert frame.within(shapely.union_all(parcels_of(owner))).all()
        assert set(frame.geom_type) == {"Polygon", "Point"} and frame["lokal_id"].is_unique
        assert frame.equals(findings_of(owner))
        checked = check_findings(frame, VOC, where="demo")
        assert len(checked) == len(frame)
    statuses = [tuple(f["status"]) for f in frames.values()]
    assert statuses[0] != statuses[1]  # the owners' findings differ


def test_write_invasive_layers_all_three_owners(tmp_path: Path) -> None:
    from geomap.maintenance.demo import write_invasive_layers

    owners = write_owners(tmp_path / "owners.gpkg")
    written = write_invasive_layers(owners, tmp_path)
    assert sorted(written) == sorted(OWNER_IDS)
    for path in written.values():
        layer = read_layer(path)
        assert layer.synthetic and layer.layers == ("invasiva_bestand", "invasiva_fynd")
        assert set(layer.frame["agare"]) <= set(OWNER_IDS)


@pytest.mark.parametrize("owner", OWNER_IDS)
def test_bundled_invasive_findings_are_exportable(owner: str, tmp_path: Path) -> None:
    from geomap.maintenance import ExportInput, load_shared_layer

    path = ROOT / "data" / f"invasiva_{owner}_synthetic.gpkg"
    frame, synthetic = load_shared_layer(ExportInput(path), VOC)
    assert synthetic and len(frame) >= 10 and set(frame["agare"]) == {owner}
    parcels = read_layer(ROOT / "data" / "owners_synthetic.gpkg").frame
    land = shapely.union_all(shapely.make_valid(parcels.loc[parcels["owner"] == owner].geometry))
    assert frame.geometry.within(land.buffer(0.01)).all()

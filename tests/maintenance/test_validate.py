"""Validation: each check, its counts and ids, the table and JSON report, and land handling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shapely
import shapely.affinity

from geomap.errors import InputError
from geomap.maintenance import load_owner, load_vocabulary, read_layer
from geomap.maintenance.validate import CHECK_LABELS, geometry_kinds, load_land, validate_layer

from tests.maintenance.helpers import X0, Y0, owner_layer, parcels_of, write_layer, write_owners

VOC = load_vocabulary()


def _validate(frame, tmp_path: Path, owner: str = "huddinge_kommun", **kwargs):
    layer = read_layer(write_layer(frame, tmp_path / "layer.gpkg"))
    kwargs.setdefault("land", write_owners(tmp_path / "owners.gpkg"))
    return validate_layer(layer, load_owner(owner), VOC, **kwargs)


@pytest.mark.parametrize(
    "owner", ["huddinge_kommun", "huddinge_samhallsfastigheter", "huge_bostader"]
)
def test_valid_layers_pass_every_check(tmp_path: Path, owner: str) -> None:
    report = _validate(owner_layer(owner), tmp_path, owner)
    assert report.ok and report.findings == [] and report.land_checked
    assert report.feature_count == len(owner_layer(owner))


def test_unknown_codes_listed_with_counts_and_ids(tmp_path: Path) -> None:
    frame = owner_layer("huddinge_kommun")
    frame.loc[[0, 4], "skotselkod"] = "GRÄS-KONST"
    frame.loc[7, "skotselkod"] = "XYZ"
    frame.loc[8, "skotselkod"] = None
    report = _validate(frame, tmp_path)
    unknown = {f.local_code: f for f in report.findings if f.check == "unknown_code"}
    assert set(unknown) == {"GRÄS-KONST", "XYZ"}
    assert unknown["GRÄS-KONST"].count == 2
    assert unknown["GRÄS-KONST"].feature_ids == (frame.at[0, "objekt_id"], frame.at[4, "objekt_id"])
    assert unknown["XYZ"].feature_ids == (frame.at[7, "objekt_id"],)
    missing = [f for f in report.findings if f.check == "missing_code"]
    assert missing[0].feature_ids == (frame.at[8, "objekt_id"],)
    assert not report.ok and all(f.severity == "error" for f in report.errors)


def test_wrong_geometry_type_for_product(tmp_path: Path) -> None:
    frame = owner_layer("huddinge_kommun")
    hedge = frame.index[frame["skotselkod"] == "HÄCK"][0]
    frame.loc[hedge, "geometry"] = frame.loc[hedge, "geometry"].buffer(0.5)  # hedge as polygon
    report = _validate(frame, tmp_path)
    (finding,) = [f for f in report.findings if f.check == "wrong_geometry"]
    assert finding.shared_code == "H1" and finding.count == 1
    assert finding.feature_ids == (frame.at[hedge, "objekt_id"],)
    assert finding.message == "H1 Klippt häck ska vara linje men 1 objekt är yta"


def test_invalid_and_empty_geometry(tmp_path: Path) -> None:
    frame = owner_layer("huddinge_kommun")
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    frame.loc[0, "geometry"] = bowtie
    frame.loc[1, "geometry"] = None
    report = _validate(frame, tmp_path)
    checks = {f.check: f for f in report.findings}
    assert checks["invalid_geometry"].feature_ids == (frame.at[0, "objekt_id"],)
    assert "Self-intersection" in checks["invalid_geometry"].message
    assert checks["empty_geometry"].feature_ids == (frame.at[1, "objekt_id"],)


def test_overlapping_surfaces_of_one_owner(tmp_path: Path) -> None:
    frame = owner_layer("huddinge_kommun")
    first, second = frame.index[frame.geom_type == "Polygon"][:2]
    frame.loc[second, "geometry"] = frame.loc[second, "geometry"].buffer(3.0)
    report = _validate(frame, tmp_path)
    overlaps = [f for f in report.findings if f.check == "overlap"]
    assert overlaps and overlaps[0].feature_ids == (
        frame.at[first, "objekt_id"],
        frame.at[second, "objekt_id"],
    )
    assert overlaps[0].amount is not None and overlaps[0].amount > 100


def test_outside_land_is_warning_or_error_when_strict(tmp_path: Path) -> None:
    frame = owner_layer("huddinge_kommun")
    tree = frame.index[frame["skotselkod"] == "TRÄD-PARK"][0]
    frame.loc[tree, "geometry"] = shapely.Point(X0 - 500, Y0 - 500)
    report = _validate(frame, tmp_path)
    (finding,) = report.findings
    assert (finding.check, finding.severity, finding.count) == ("outside_land", "warning", 1)
    assert finding.feature_ids == (frame.at[tree, "objekt_id"],)
    assert report.ok
    strict = _validate(frame, tmp_path, strict=True)
    assert not strict.ok and strict.errors[0].check == "outside_land"


def test_polygon_partly_outside_land(tmp_path: Path) -> None:
    frame = owner_layer("huddinge_kommun")
    moved = shapely.affinity.translate(frame.loc[0, "geometry"], xoff=-70.0)  # half over the edge
    frame.loc[0, "geometry"] = moved
    report = _validate(frame, tmp_path, check_land=True)
    outside = [f for f in report.findings if f.check == "outside_land"]
    assert outside and frame.at[0, "objekt_id"] in outside[0].feature_ids


def test_land_skipped_without_layer_and_owner_without_parcels(tmp_path: Path) -> None:
    frame = owner_layer("huddinge_kommun")
    layer = read_layer(write_layer(frame, tmp_path / "l.gpkg"))
    skipped = validate_layer(layer, load_owner("huddinge_kommun"), VOC, check_land=False)
    assert not skipped.land_checked and skipped.ok
    owners = write_owners(tmp_path / "o.gpkg")
    import geopandas as gpd

    only_huge = gpd.read_file(owners).query("owner == 'huge_bostader'")
    only_huge.to_file(tmp_path / "huge_only.gpkg", layer="owners")
    report = validate_layer(
        layer, load_owner("huddinge_kommun"), VOC, land=tmp_path / "huge_only.gpkg"
    )
    assert [f.check for f in report.findings] == ["no_land"] and report.ok


def test_missing_code_column_is_a_clear_error(tmp_path: Path) -> None:
    frame = owner_layer("huddinge_kommun").rename(columns={"skotselkod": "kod"})
    with pytest.raises(InputError, match=r"column 'skotselkod' with huddinge_kommun's local codes"):
        _validate(frame, tmp_path)


def test_land_file_without_owner_column(tmp_path: Path) -> None:
    import geopandas as gpd

    bad = gpd.GeoDataFrame({"namn": ["x"]}, geometry=parcels_of("huddinge_kommun")[:1], crs=3011)
    bad.to_file(tmp_path / "bad.gpkg", layer="owners")
    with pytest.raises(
        InputError, match=r"bad.gpkg: the owner parcel layer has no owner column among \[namn\]"
    ):
        _validate(owner_layer("huddinge_kommun"), tmp_path, land=tmp_path / "bad.gpkg")


def test_land_owner_column_found_by_name_and_reprojected(tmp_path: Path) -> None:
    import geopandas as gpd

    parcels = parcels_of("huddinge_kommun")
    swedish = gpd.GeoDataFrame({"Ägare": ["huddinge_kommun"] * 3}, geometry=parcels, crs=3011)
    swedish.to_crs(3006).to_file(tmp_path / "agare.gpkg", layer="owners")
    land = load_land(tmp_path / "agare.gpkg", "huddinge_kommun")
    assert land is not None
    assert land.area == pytest.approx(shapely.union_all(parcels).area, rel=1e-6)
    report = _validate(owner_layer("huddinge_kommun"), tmp_path, land=tmp_path / "agare.gpkg")
    assert report.ok and report.land_checked and not report.findings


def test_land_file_unreadable_or_without_the_layer(tmp_path: Path) -> None:
    import geopandas as gpd

    junk = tmp_path / "junk.gpkg"
    junk.write_bytes(b"not a geopackage")
    with pytest.raises(InputError, match=r"junk.gpkg: the owner parcel layer cannot be read"):
        _validate(owner_layer("huddinge_kommun"), tmp_path, land=junk)
    other = gpd.GeoDataFrame({"owner": ["x"]}, geometry=parcels_of("huddinge_kommun")[:1], crs=3011)
    other.to_file(tmp_path / "other.gpkg", layer="parcels")
    with pytest.raises(InputError, match=r"other.gpkg has no layer 'agare' .*\(layers: parcels\)"):
        load_land(tmp_path / "other.gpkg", "huddinge_kommun", layer="agare")


def test_report_as_json_and_table(tmp_path: Path) -> None:
    frame = owner_layer("huddinge_samhallsfastigheter")
    frame.loc[[1, 2, 3], "Produkt"] = "Konstgräs"
    report = _validate(frame, tmp_path, "huddinge_samhallsfastigheter")
    data = json.loads(report.to_json())
    assert data["ok"] is False and data["errors"] == 1 and data["vocabulary_version"] == "2026.2"
    (finding,) = data["findings"]
    assert finding["check"] == "unknown_code" and finding["label"] == CHECK_LABELS["unknown_code"]
    assert finding["local_code"] == "Konstgräs" and finding["count"] == 3
    assert finding["feature_ids"] == frame.loc[[1, 2, 3], "ObjektID"].tolist()
    table = report.to_table()
    assert "Okänd lokal kod  FEL" in table and "Konstgräs" in table and "1 fel" in table


def test_geometry_kinds() -> None:
    kinds = geometry_kinds(
        [
            shapely.MultiPolygon([shapely.box(0, 0, 1, 1)]),
            shapely.MultiLineString([[(0, 0), (1, 1)]]),
            shapely.MultiPoint([(0, 0)]),
            shapely.GeometryCollection(),
        ]
    )
    assert kinds.tolist() == ["polygon", "line", "point", "other"]

"""The remark model is built per input file, and what each file gave is recorded.

Mixed inputs (a lägesbild CSV and a safety-walk GeoPackage) keep every walk remark's text and date;
the protocol's landowner is checked against the routed owner; frames are inputs too; routing a
routed frame again gives the same columns and owners.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

import geomap
from geomap.core.owners import Owner, OwnerRegistry
from geomap.core.remarks import MODEL_COLUMNS
from geomap.errors import CRSError, InputError
from geomap.routing.reasons import protocol_owner_differs

from tests.conftest import X0, Y0

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
DEMO = {
    "owners": DATA / "owners_synthetic.gpkg",
    "registry": DATA / "owners.toml",
    "responsibility": DATA / "driftansvar_synthetic.gpkg",
    "rules": DATA / "rules.toml",
}


@pytest.fixture(scope="module")
def demo() -> geomap.RouteResult:
    """The README's run: the lägesbild CSV and the safety-walk GeoPackage."""
    return geomap.route(
        [DATA / "lagesbild_2025_synthetic.csv", DATA / "trygghetsvandringar_synthetic.gpkg"], **DEMO
    )


def _walk(tmp_path: Path, name: str = "walk.gpkg", **columns: list[object]) -> Path:
    n = len(next(iter(columns.values())))
    path = tmp_path / name
    gpd.GeoDataFrame(
        {"vandring_id": ["TV1"] * n, "nr": list(range(1, n + 1)), **columns},
        geometry=[shapely.Point(X0 + 50 + i, Y0 + 50) for i in range(n)],
        crs=3011,
    ).to_file(path)
    return path


def _csv(tmp_path: Path, text: str, name: str = "lb.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_demo_walks_keep_their_text_and_date(demo: geomap.RouteResult) -> None:
    walks = gpd.read_file(DATA / "trygghetsvandringar_synthetic.gpkg")
    r = demo.remarks[demo.remarks["source"] == "trygghetsvandring"].set_index("remark_id")
    assert len(r) == len(walks) == 60
    expected = walks.assign(remark_id=walks["vandring_id"] + "-" + walks["nr"].astype(str))
    expected = expected.set_index("remark_id").loc[r.index]
    assert r["description"].tolist() == expected["anmarkning"].tolist()
    assert r["timestamp"].notna().all()
    assert (r["timestamp"].dt.strftime("%Y-%m-%d") == expected["vandringsdatum"]).all()
    assert r["protocol_owner"].tolist() == expected["markagare_enligt_protokoll"].tolist()
    # the lägesbild keeps its own columns too
    lb = demo.remarks[demo.remarks["source"] == "lagesbild"]
    assert lb["description"].notna().all() and lb["timestamp"].notna().all()


def test_demo_protocol_owner_check_runs(demo: geomap.RouteResult) -> None:
    flagged = demo.remarks["flags"].str.contains("protocol_owner_differs", regex=False)
    assert demo.summary.protocol_owner_differs == int(flagged.sum()) > 0
    assert set(demo.remarks.loc[flagged, "source"]) == {"trygghetsvandring"}
    unknown = demo.remarks["protocol_owner"] == "okänd"
    assert not flagged[unknown].any()
    assert demo.summary.to_dict()["protocol_owner_differs"] == demo.summary.protocol_owner_differs


def test_summary_records_the_fields_of_each_file(demo: geomap.RouteResult) -> None:
    inputs = demo.summary.to_dict()["inputs"]
    assert inputs[0]["fields"]["description"] == "beskrivning"
    assert inputs[0]["fields"]["timestamp"] == "datum"
    assert inputs[1]["fields"] == {
        "category": "kategori",
        "description": "anmarkning",
        "action": "onskad_atgard",
        "walk_id": "vandring_id",
        "walk_date": "vandringsdatum",
        "time": "tid",
        "number": "nr",
        "place": "plats",
        "protocol_owner": "markagare_enligt_protokoll",
        "source": "kalla",
    }
    json.dumps(demo.summary.to_dict())  # JSON-ready


def test_protocol_owner_is_a_model_column_before_the_routing_columns() -> None:
    assert MODEL_COLUMNS.index("protocol_owner") == MODEL_COLUMNS.index("place") + 1
    assert MODEL_COLUMNS.index("protocol_owner") + 1 == MODEL_COLUMNS.index("owner")


def test_an_empty_column_does_not_hide_another(tmp_path: Path, owners_gpkg: Path) -> None:
    path = _csv(
        tmp_path,
        f"id;beskrivning;anmarkning;E;N\nA;;Trasig lykta;{X0 + 50};{Y0 + 50}\n",
    )
    result = geomap.route(path, owners=owners_gpkg, crs=3011)
    assert result.remarks["description"].tolist() == ["Trasig lykta"]
    assert result.inputs[0].fields["description"] == "anmarkning"


def test_walk_date_and_time_give_the_timestamp(tmp_path: Path, owners_gpkg: Path) -> None:
    walk = _walk(
        tmp_path,
        vandringsdatum=["2025-05-12", "2025-05-12"],
        starttid=["18:30", ""],
        anmarkning=["Mörkt", "Skräp"],
    )
    r = geomap.route(walk, owners=owners_gpkg).remarks
    assert r["timestamp"].tolist() == [pd.Timestamp("2025-05-12 18:30"), pd.Timestamp("2025-05-12")]
    assert r["walk_date"].tolist() == ["2025-05-12"] * 2


def test_a_files_own_timestamp_wins_over_the_walk_date(tmp_path: Path, owners_gpkg: Path) -> None:
    walk = _walk(tmp_path, vandringsdatum=["2025-05-12"], tidpunkt=["2025-05-13 09:15"])
    r = geomap.route(walk, owners=owners_gpkg).remarks
    assert r["timestamp"].tolist() == [pd.Timestamp("2025-05-13 09:15")]


def test_invalid_dates_are_warnings_of_the_file(tmp_path: Path, owners_gpkg: Path) -> None:
    path = _csv(
        tmp_path,
        f"id;datum;E;N\nA;2025-13-01;{X0 + 50};{Y0 + 50}\nB;2025-06-01;{X0 + 50};{Y0 + 50}\n",
    )
    result = geomap.route(path, owners=owners_gpkg, crs=3011)
    assert result.remarks["timestamp"].isna().tolist() == [True, False]
    (warning,) = [w for w in result.inputs[0].warnings if "2025-13-01" in w]
    assert "lb.csv" in warning and "'datum'" in warning and "row 1" in warning
    assert warning in result.summary.warnings


@pytest.mark.parametrize("order", ["csv_first", "xlsx_first"])
def test_csv_and_xlsx_with_the_same_columns(tmp_path: Path, owners_gpkg: Path, order: str) -> None:
    csv = _csv(tmp_path, f"id;nr;kategori;E;N\nA;1;Klotter;{X0 + 50};{Y0 + 50}\n")
    xlsx = tmp_path / "b.xlsx"
    pd.DataFrame(
        {"id": ["B"], "nr": [2], "kategori": ["Skräp"], "E": [X0 + 150], "N": [Y0 + 50]}
    ).to_excel(xlsx, index=False)
    inputs = [csv, xlsx] if order == "csv_first" else [xlsx, csv]
    result = geomap.route(inputs, owners=owners_gpkg, crs=3011)
    assert sorted(result.remarks["nr"].tolist()) == ["1", "2"]
    written = geomap.write_outputs(result, tmp_path / "out", lists=False)
    routed = gpd.read_file(tmp_path / "out" / written["routed"], layer="remarks")
    assert sorted(routed["nr"]) == ["1", "2"]


def test_ids_are_unique_across_files(tmp_path: Path, owners_gpkg: Path) -> None:
    a = _csv(tmp_path, f"id;E;N\nA;{X0 + 50};{Y0 + 50}\nA-2;{X0 + 50};{Y0 + 50}\n", "a.csv")
    b = _csv(tmp_path, f"id;E;N\nA;{X0 + 50};{Y0 + 50}\n", "b.csv")
    ids = geomap.route([a, b], owners=owners_gpkg, crs=3011).remarks["remark_id"]
    assert ids.tolist() == ["A", "A-2", "A-3"]


# --- the protocol's landowner -----------------------------------------------------------------

REGISTRY = OwnerRegistry(
    (
        Owner("huddinge_kommun", "Huddinge kommun"),
        Owner("huddinge_kommun_belysning", "Huddinge kommun – gatubelysning"),
        Owner("huge_bostader", "Huge Bostäder AB"),
        Owner("huddinge_samhallsfastigheter", "Huddinge Samhällsfastigheter AB"),
        Owner("privat", "Privat fastighetsägare"),
        Owner("trafikverket", "Trafikverket"),
    )
)


@pytest.mark.parametrize(
    ("said", "owner", "differs"),
    [
        ("Huge", "huge_bostader", False),
        ("HUGE bostäder ab", "huge_bostader", False),
        ("Huge Bostader", "huge_bostader", False),
        ("huge_bostader", "huge_bostader", False),
        ("Kommunen", "huddinge_kommun", False),
        ("kommunen", "huddinge_kommun_belysning", False),
        ("Huddinge kommun", "huddinge_kommun", False),
        ("  Huddinge   Kommun ", "huddinge_kommun", False),
        ("Samhällsfastigheter", "huddinge_samhallsfastigheter", False),
        ("Privat", "privat", False),
        ("Trafikverket", "trafikverket", False),
        ("okänd", "huge_bostader", False),
        ("Vet ej", "huge_bostader", False),
        ("?", "huge_bostader", False),
        ("", "huge_bostader", False),
        (None, "huge_bostader", False),
        ("Huge", None, False),  # unrouted: nothing to compare with
        ("Huge", "huddinge_kommun", True),
        ("Kommunen", "huge_bostader", True),
        ("Trafikverket", "privat", True),
        ("Stockholm Exergi", "huddinge_kommun", True),
        ("Huge", "unknown_owner_id", True),
    ],
)
def test_protocol_owner_comparison(said: str | None, owner: str | None, differs: bool) -> None:
    result = protocol_owner_differs(
        pd.Series([said], dtype=object),
        pd.Series([owner], dtype=object),
        pd.Series([owner], dtype=object),
        REGISTRY,
    )
    assert result.tolist() == [differs]


def test_the_land_owner_agreeing_is_enough() -> None:
    """A remark that responsibility sent to the municipality on Huge's land: 'Huge' is right."""
    result = protocol_owner_differs(
        pd.Series(["Huge", "Huge"]),
        pd.Series(["huddinge_kommun", "huddinge_kommun"]),
        pd.Series(["huge_bostader", "huddinge_kommun"]),
        REGISTRY,
    )
    assert result.tolist() == [False, True]


def test_protocol_owner_differs_is_flagged_and_counted(
    tmp_path: Path, owners_gpkg: Path, registry_toml: Path
) -> None:
    # kommun [0,100) | huge [100,200) | gap | privat [210,310)
    path = tmp_path / "walk.gpkg"
    gpd.GeoDataFrame(
        {
            "vandring_id": ["TV1"] * 4,
            "nr": [1, 2, 3, 4],
            "markägare": ["Kommunen", "Kommunen", "okänd", "Huge"],
        },
        geometry=shapely.points(
            [[X0 + 50, Y0 + 50], [X0 + 150, Y0 + 50], [X0 + 150, Y0 + 50], [X0 + 900, Y0 + 900]]
        ),
        crs=3011,
    ).to_file(path)
    result = geomap.route(path, owners=owners_gpkg, registry=registry_toml)
    r = result.remarks
    assert r["protocol_owner"].tolist() == ["Kommunen", "Kommunen", "okänd", "Huge"]
    differs = r["flags"].str.split(";").map(lambda f: "protocol_owner_differs" in f)
    assert differs.tolist() == [False, True, False, False]
    assert result.summary.protocol_owner_differs == 1
    assert result.inputs[0].fields["protocol_owner"] == "markägare"


# --- frames as inputs ------------------------------------------------------------------------


def test_a_dataframe_with_coordinate_columns(owners_gpkg: Path) -> None:
    frame = pd.DataFrame(
        {"Ärendenr": ["A", "B"], "E": [X0 + 50, X0 + 150], "N": [Y0 + 50, Y0 + 50]}
    )
    result = geomap.route(frame, owners=owners_gpkg, crs="EPSG:3011")
    assert result.remarks["owner"].tolist() == ["kommun", "huge"]
    assert result.remarks["source_file"].tolist() == ["<DataFrame>"] * 2
    assert result.inputs[0].fields["id"] == "Ärendenr"


def test_a_dataframe_crs_inferred_from_values(owners_gpkg: Path) -> None:
    frame = pd.DataFrame({"id": ["A"], "lat": [59.2367], "lon": [17.9811]})
    result = geomap.route(frame, owners=owners_gpkg, max_distance=1e7)
    assert result.inputs[0].crs == "EPSG:4326"
    assert result.remarks.crs.to_epsg() == 3011


def test_a_dataframe_without_coordinates_is_refused(owners_gpkg: Path) -> None:
    with pytest.raises(
        InputError, match=r"the DataFrame has no coordinate columns \(looked for lon/lat.*x/y"
    ):
        geomap.route(pd.DataFrame({"id": ["A"], "plats": ["Torget"]}), owners=owners_gpkg)


def test_a_list_mixing_paths_and_frames(
    tmp_path: Path, owners_gpkg: Path, remarks_csv: Path
) -> None:
    frame = pd.DataFrame({"id": ["F1"], "E": [X0 + 250], "N": [Y0 + 50]})
    gdf = gpd.GeoDataFrame(
        {"id": ["G1"]}, geometry=[shapely.Point(X0 + 150, Y0 + 50)], crs=3011
    ).to_crs(4326)
    result = geomap.route([remarks_csv, frame, gdf], owners=owners_gpkg, crs="EPSG:3011")
    r = result.remarks
    assert r["remark_id"].tolist() == ["A1", "A2", "A3", "F1", "G1"]
    assert r["source_file"].tolist()[3:] == ["<DataFrame inputs[1]>", "<GeoDataFrame inputs[2]>"]
    assert r["owner"].tolist()[3:] == ["privat", "huge"]
    with pytest.raises(InputError, match=r"`inputs`\[1\]: got int"):
        geomap.route([remarks_csv, 3], owners=owners_gpkg)  # type: ignore[list-item]


def test_a_geodataframe_without_crs_takes_crs(owners_gpkg: Path) -> None:
    gdf = gpd.GeoDataFrame({"id": ["G"]}, geometry=[shapely.Point(X0 + 50, Y0 + 50)])
    with pytest.raises(CRSError, match=r"the GeoDataFrame has no CRS.*`crs`"):
        geomap.route(gdf, owners=owners_gpkg)
    assert geomap.route(gdf, owners=owners_gpkg, crs=3011).remarks["owner"].tolist() == ["kommun"]


def test_a_geodataframe_with_another_geometry_name_and_3d(owners_gpkg: Path) -> None:
    gdf = gpd.GeoDataFrame(
        {"id": ["G"], "geom": [shapely.Point(X0 + 50, Y0 + 50, 12.0)]}, geometry="geom", crs=3011
    )
    r = geomap.route(gdf, owners=owners_gpkg).remarks
    assert r.geometry.name == "geometry"
    assert not r.geometry.has_z.any()


# --- routing a routed frame again -------------------------------------------------------------


def test_routing_twice_gives_the_same_columns_and_owners(demo: geomap.RouteResult) -> None:
    again = geomap.route(demo.remarks, **DEMO)
    assert list(again.remarks.columns) == list(demo.remarks.columns)
    assert not [c for c in again.remarks.columns if c.startswith("input_")]
    columns = ["remark_id", "owner", "route_method", "flags", "timestamp", "description"]
    pd.testing.assert_frame_equal(again.remarks[columns], demo.remarks[columns])
    assert again.remarks["source_file"].tolist() == demo.remarks["source_file"].tolist()
    assert [i.fields for i in again.inputs] == [i.fields for i in demo.inputs]
    assert all(i.previous_run for i in again.inputs)


def test_routing_twice_keeps_renamed_inputs_once(tmp_path: Path, owners_gpkg: Path) -> None:
    path = _csv(tmp_path, f"id;owner;flags;E;N\nA;någon;x;{X0 + 50};{Y0 + 50}\n")
    first = geomap.route(path, owners=owners_gpkg, crs=3011)
    second = geomap.route(first.remarks, owners=owners_gpkg)
    third = geomap.route(second.remarks, owners=owners_gpkg)
    assert list(first.remarks.columns) == list(second.remarks.columns)
    assert list(second.remarks.columns) == list(third.remarks.columns)
    assert third.remarks[["input_owner", "input_flags"]].values.tolist() == [["någon", "x"]]
    assert third.remarks["owner"].tolist() == ["kommun"]


def test_routing_a_routed_geopackage_again(
    tmp_path: Path, owners_gpkg: Path, remarks_csv: Path
) -> None:
    first = geomap.route(remarks_csv, owners=owners_gpkg)
    geomap.write_outputs(first, tmp_path / "out", lists=False)
    again = geomap.route(tmp_path / "out" / "routed.gpkg", owners=owners_gpkg, layer="remarks")
    assert again.remarks["owner"].tolist() == first.remarks["owner"].tolist()
    assert again.remarks["source_file"].tolist() == ["lagesbild.csv"] * 3
    assert not [c for c in again.remarks.columns if c.startswith("input_")]


def test_a_geographic_working_crs_is_refused(owners_gpkg: Path, remarks_csv: Path) -> None:
    with pytest.raises(CRSError, match=r"`working_crs`: EPSG:4326 .* is geographic \(degrees\)"):
        geomap.route(remarks_csv, owners=owners_gpkg, working_crs="EPSG:4326")
    result = geomap.route(remarks_csv, owners=owners_gpkg, working_crs="EPSG:3006")
    assert np.isfinite(result.remarks.geometry.x).all()

"""Tests for geomap.core.routed: reading routed.gpkg and filtering remarks for a map."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from geomap.core.owners import load_owner_layer
from geomap.core.periods import local_dates, parse_date
from geomap.core.routed import RoutedData, filter_remarks, read_routed
from geomap.errors import InputError
from geomap.routing import route

from tests.maps.helpers import make_remarks, write_routed


@pytest.fixture
def routed(tmp_path: Path) -> Path:
    return write_routed(tmp_path / "routed.gpkg")


def test_read_routed_layers(routed: Path) -> None:
    data = read_routed(routed)
    assert len(data.remarks) == 20
    assert data.remarks.crs.to_epsg() == 3011
    assert data.owners is not None and set(data.owners["owner"]) == {"kommun", "huge", "hsab"}
    assert data.registry.ids == ["kommun", "huge", "hsab"]
    assert data.registry.synthetic
    assert data.synthetic
    assert data.run_info["synthetic_label"] == "SYNTETISKA TESTDATA"


def test_not_synthetic(tmp_path: Path) -> None:
    data = read_routed(write_routed(tmp_path / "r.gpkg", synthetic=False))
    assert not data.synthetic


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.gpkg: file not found"):
        read_routed(tmp_path / "nope.gpkg")


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"is a directory; pass the routed\.gpkg"):
        read_routed(tmp_path)


def test_wrong_file(tmp_path: Path) -> None:
    path = tmp_path / "routed.gpkg"
    path.write_text("arendenr;datum\nA1;2025-01-01\n", encoding="utf-8")
    with pytest.raises(InputError, match="cannot be read as a GeoPackage"):
        read_routed(path)


def test_missing_remarks_layer(tmp_path: Path) -> None:
    path = tmp_path / "other.gpkg"
    pyogrio.write_dataframe(make_remarks(), path, layer="points")
    with pytest.raises(InputError, match="no layer 'remarks' \\(layers: points\\)"):
        read_routed(path)


def test_owner_polygons_layer_choice(tmp_path: Path) -> None:
    path = tmp_path / "agare.gpkg"
    pyogrio.write_dataframe(make_remarks(), path, layer="points")
    with pytest.raises(
        InputError, match=r"agare\.gpkg: the owner layer must hold polygons, found Point"
    ):
        load_owner_layer(path)  # the only spatial layer, but points
    with pytest.raises(
        InputError,
        match=r"agare\.gpkg has no layer 'owners' for the owner layer \(layers: points\)",
    ):
        load_owner_layer(path, layer="owners")


def test_routed_round_trip_from_result(tmp_path: Path) -> None:
    """The contract: RoutedData made in memory, written and read back, holds the same data."""
    result = route(
        "data/hard_cases_synthetic.csv",
        owners="data/owners_synthetic.gpkg",
        registry="data/owners.toml",
        responsibility="data/driftansvar_synthetic.gpkg",
        crs="EPSG:3011",
    )
    memory = RoutedData.from_result(result)
    back = read_routed(memory.write(tmp_path / "routed.gpkg"))
    assert back.run_info == memory.run_info
    assert back.registry.owners == memory.registry.owners
    assert (
        back.registry.synthetic and back.registry.synthetic_label == memory.registry.synthetic_label
    )
    pd.testing.assert_frame_equal(
        pd.DataFrame(back.remarks.drop(columns="geometry")),
        pd.DataFrame(memory.remarks.drop(columns="geometry")),
        check_dtype=False,
    )
    assert back.remarks.geometry.to_wkt().tolist() == memory.remarks.geometry.to_wkt().tolist()
    for name in ("owners", "responsibility"):
        got, want = getattr(back, name), getattr(memory, name)
        assert list(got["owner"]) == list(want["owner"])
        assert got.geometry.geom_equals(want.geometry).all()


def test_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "r.gpkg"
    pyogrio.write_dataframe(make_remarks().drop(columns=["owner"]), path, layer="remarks")
    with pytest.raises(InputError, match="lacks column\\(s\\) owner"):
        read_routed(path)


def test_registry_fallback(tmp_path: Path) -> None:
    path = tmp_path / "r.gpkg"
    pyogrio.write_dataframe(make_remarks(), path, layer="remarks")
    data = read_routed(path)
    assert data.owners is None
    assert set(data.registry.ids) == {"kommun", "huge", "hsab"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-03-01", dt.date(2025, 3, 1)),
        (None, None),
        ("", None),
        (dt.date(2024, 1, 2), dt.date(2024, 1, 2)),
    ],
)
def test_parse_date(value: object, expected: object) -> None:
    assert parse_date(value, argument="date_from") == expected  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["2025-13-01", "1 mars", "2025/03/01"])
def test_bad_date(bad: str) -> None:
    with pytest.raises(
        InputError, match=f"`date_to`: '{bad}' is not a date; write it as YYYY-MM-DD"
    ):
        parse_date(bad, argument="date_to")


def test_local_dates_convert_to_stockholm() -> None:
    stamps = pd.Series(pd.to_datetime(["2025-06-30T22:30:00Z", "2025-06-30T12:00:00Z"]))
    assert [d.date().isoformat() for d in local_dates(stamps)] == ["2025-07-01", "2025-06-30"]


def test_filter_dates_inclusive_and_drop_undated() -> None:
    remarks = make_remarks()
    kept = filter_remarks(remarks, date_from="2025-03-11", date_to="2025-03-21")
    assert set(kept["timestamp"].dt.day) == {11, 21}
    assert kept["owner"].notna().all()  # the undated unrouted remarks are dropped


def test_filter_from_after_to() -> None:
    with pytest.raises(InputError, match="`date_from` 2025-05-01 is after `date_to` 2025-04-01"):
        filter_remarks(make_remarks(), date_from="2025-05-01", date_to="2025-04-01")


def test_filter_category_by_code_or_label() -> None:
    remarks = make_remarks()
    by_code = filter_remarks(remarks, categories=["klotter"])
    by_label = filter_remarks(remarks, categories=["KLOTTER", "Belysning"])
    assert set(by_code["category"]) == {"klotter"}
    assert set(by_label["category"]) == {"klotter", "belysning"}


def test_filter_unknown_category() -> None:
    with pytest.raises(InputError, match=r"`categories`: 'cykelvrak' not found.*known: belysning"):
        filter_remarks(make_remarks(), categories=["cykelvrak"])


def test_filter_category_by_alias() -> None:
    """An alias of the vocabulary (graffiti → klotter) selects the category it names."""
    assert set(filter_remarks(make_remarks(), categories=["graffiti"])["category"]) == {"klotter"}


def test_filter_owner_and_unrouted() -> None:
    remarks = make_remarks()
    assert set(filter_remarks(remarks, owner_ids=["huge"])["owner"]) == {"huge"}
    unrouted = filter_remarks(remarks, owner_ids=["-"])
    assert len(unrouted) == 2 and unrouted["owner"].isna().all()


def test_filter_unknown_owner() -> None:
    with pytest.raises(InputError, match="`owner_ids`: 'nobody' has no remarks"):
        filter_remarks(make_remarks(), owner_ids=["nobody"])


def test_read_routed_from_geoparquet(tmp_path: Path) -> None:
    """``routed.parquet`` with ``routed_layers.gpkg`` beside it reads as ``routed.gpkg`` does."""
    from geomap.routing.stream import route_to_files

    data = Path(__file__).resolve().parents[2] / "data"
    route_to_files(
        data / "trygghetsvandringar_synthetic.gpkg",
        tmp_path / "out",
        owners=data / "owners_synthetic.gpkg",
        registry=data / "owners.toml",
        format="both",
        lists=False,
    )
    a = read_routed(tmp_path / "out/routed.gpkg")
    b = read_routed(tmp_path / "out/routed.parquet")
    assert b.registry.ids == a.registry.ids and b.synthetic == a.synthetic
    assert len(b.owners) == len(a.owners)
    key = ["source_file", "source_row"]
    left = a.remarks.sort_values(key).reset_index(drop=True)
    right = b.remarks.sort_values(key).reset_index(drop=True)
    assert list(left.columns) == list(right.columns)
    assert left["owner"].tolist() == right["owner"].tolist()
    assert bool(left.geometry.geom_equals(right.geometry).all())


def test_read_routed_parquet_errors(tmp_path: Path) -> None:
    with pytest.raises(
        InputError, match=r"missing\.parquet: file not found; pass the routed\.parquet"
    ):
        read_routed(tmp_path / "missing.parquet")
    (tmp_path / "bad.parquet").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.parquet: cannot be read as GeoParquet"):
        read_routed(tmp_path / "bad.parquet")

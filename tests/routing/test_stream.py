"""The streaming engine gives what routing everything at once gives (issue 13, point 1 and 4)."""

from __future__ import annotations

import filecmp
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyogrio
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geomap
from geomap.core.owners import registry_from_ids
from geomap.core.routed import read_routed
from geomap.core.spatial import hilbert_codes
from geomap.errors import ConfigError, GeomapError
from geomap.routing.ids import IdBook
from geomap.routing.outputs import write_outputs
from geomap.routing.stream import route_to_files

DATA = Path(__file__).resolve().parents[2] / "data"
DEMO: dict[str, Any] = {
    "owners": DATA / "owners_synthetic.gpkg",
    "registry": DATA / "owners.toml",
    "responsibility": DATA / "driftansvar_synthetic.gpkg",
    "rules": DATA / "rules.toml",
}
KEY = ["source_file", "source_row"]


def _remarks(path: Path) -> pd.DataFrame:
    return pyogrio.read_dataframe(path, layer="remarks", use_arrow=True)


def _assert_same(a: pd.DataFrame, b: pd.DataFrame, *, by_key: bool = False) -> None:
    """Same rows, columns and values (by source file and row when ``by_key``)."""
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    if by_key:
        a = a.sort_values(KEY).reset_index(drop=True)
        b = b.sort_values(KEY).reset_index(drop=True)
    for column in a.columns:
        x, y = a[column], b[column]
        if column == a.geometry.name:
            same = x.geom_equals(y) | (x.isna() & y.isna())
        else:
            same = (x.astype(object) == y.astype(object)) | (x.isna() & y.isna())
        assert bool(same.all()), (
            f"column {column} differs: {x[~same].head(3).tolist()} vs {y[~same].head(3).tolist()}"
        )


def test_demo_data_equals_route_at_once(tmp_path: Path) -> None:
    """routed.gpkg, summary.json and every list equal route() + write_outputs on the demo data."""
    inputs = [DATA / "lagesbild_2025_synthetic.csv", DATA / "trygghetsvandringar_synthetic.gpkg"]
    inputs.append(DATA / "hard_cases_synthetic.csv")
    result = geomap.route(inputs, **DEMO)
    write_outputs(result, tmp_path / "a", xlsx=False)
    route_to_files(inputs, tmp_path / "b", batch_size=7, xlsx=False, **DEMO)
    _assert_same(_remarks(tmp_path / "a/routed.gpkg"), _remarks(tmp_path / "b/routed.gpkg"))
    a = json.loads((tmp_path / "a/summary.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "b/summary.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in a.items() if k != "outputs"} == {
        k: v for k, v in b.items() if k != "outputs"
    }
    names = sorted(p.name for p in (tmp_path / "a/owners").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b/owners").iterdir())
    _, mismatch, errors = filecmp.cmpfiles(
        tmp_path / "a/owners", tmp_path / "b/owners", names, shallow=False
    )
    assert mismatch == errors == []
    assert filecmp.cmp(tmp_path / "a/unrouted.csv", tmp_path / "b/unrouted.csv", shallow=False)


def _owners() -> gpd.GeoDataFrame:
    boxes = [shapely.box(0, 0, 50, 50), shapely.box(50, 0, 100, 50), shapely.box(0, 60, 100, 100)]
    return gpd.GeoDataFrame({"owner": ["a", "b", "c"]}, geometry=boxes, crs=3011)


_points = st.lists(
    st.one_of(
        st.tuples(st.floats(-40, 140), st.floats(-40, 140)),
        st.none(),
    ),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(points=_points, batch_size=st.integers(1, 45), repeat=st.integers(1, 5))
def test_any_batch_size_gives_the_same_routing(
    tmp_path_factory: pytest.TempPathFactory, points: list, batch_size: int, repeat: int
) -> None:
    """Every remark exactly once, with the owner, method, flags and reason of routing at once."""
    tmp = tmp_path_factory.mktemp("h")
    geoms = [None if p is None else shapely.Point(p) for p in points]
    ids = [f"N-{i % (len(points) // repeat + 1)}" for i in range(len(points))]  # repeated ids
    frame = gpd.GeoDataFrame(
        {
            "id": ids,
            "kategori": ["Klotter"] * len(points),
            "datum": ["2025-06-01 10:00"] * len(points),
        },
        geometry=gpd.GeoSeries(geoms, crs=3011),
    )
    path = tmp / "remarks.gpkg"
    pyogrio.write_dataframe(frame, path, layer="remarks", geometry_type="Point")
    owners = _owners()
    registry = registry_from_ids(["a", "b", "c"])
    once = geomap.route(path, owners=owners, registry=registry).remarks
    route_to_files(
        path, tmp / "out", owners=owners, registry=registry, batch_size=batch_size, lists=False
    )
    streamed = _remarks(tmp / "out/routed.gpkg")
    assert sorted(streamed["source_row"]) == list(range(1, len(points) + 1))  # each exactly once
    assert streamed["remark_id"].is_unique
    columns = ["owner", "land_owner", "route_method", "distance_m", "flags", "reason", "candidates"]
    a = once.sort_values(KEY).reset_index(drop=True)
    b = streamed.sort_values(KEY).reset_index(drop=True)
    for column in columns:
        x, y = a[column].astype(object), b[column].astype(object)
        assert bool(((x == y) | (x.isna() & y.isna())).all()), column
    if len(set(ids)) == len(ids):  # repeated ids are suffixed in another order (IdBook)
        assert a["remark_id"].tolist() == b["remark_id"].tolist()


def _two_part_file(path: Path, first: list[str], later: list[str], *, empty_first: bool) -> None:
    n = len(first) + len(later)
    x = np.linspace(5, 95, n)
    frame = gpd.GeoDataFrame(
        {
            "id": [f"R{i}" for i in range(n)],
            "kategori": ["Klotter"] * n,
            "datum": first + later,
            "beskrivning": [None] * len(first) + ["text"] * len(later)
            if empty_first
            else ["x"] * n,
            "anmarkning": ["annan"] * n,
        },
        geometry=gpd.points_from_xy(x, np.full(n, 25.0)),
        crs=3011,
    )
    pyogrio.write_dataframe(frame, path, layer="remarks")


def test_dates_are_decided_for_the_whole_file(tmp_path: Path) -> None:
    """Slash dates read month first because of a value in a later batch, as at once."""
    path = tmp_path / "r.gpkg"
    _two_part_file(path, ["1/6 2025", "2/6 2025"], ["6/13 2025", "3/6 2025"], empty_first=False)
    owners, registry = _owners(), registry_from_ids(["a", "b", "c"])
    once = geomap.route(path, owners=owners, registry=registry).remarks
    route_to_files(
        path, tmp_path / "out", owners=owners, registry=registry, batch_size=2, lists=False
    )
    streamed = _remarks(tmp_path / "out/routed.gpkg")
    assert streamed["timestamp"].tolist() == once["timestamp"].tolist()
    assert once["timestamp"].dt.month.tolist()[0] == 1  # 1/6 read month first: 6 January


def test_fields_are_found_in_the_whole_file(tmp_path: Path) -> None:
    """A description column empty in the first batch but filled later is still the field."""
    path = tmp_path / "r.gpkg"
    _two_part_file(path, ["2025-06-01"] * 3, ["2025-06-02"] * 3, empty_first=True)
    owners, registry = _owners(), registry_from_ids(["a", "b", "c"])
    once = geomap.route(path, owners=owners, registry=registry).remarks
    route_to_files(
        path, tmp_path / "out", owners=owners, registry=registry, batch_size=3, lists=False
    )
    streamed = _remarks(tmp_path / "out/routed.gpkg")
    assert streamed["description"].fillna("∅").tolist() == once["description"].fillna("∅").tolist()
    assert once["description"].tolist()[-1] == "text"


def test_parquet_is_geoparquet_1_1_in_hilbert_order(tmp_path: Path) -> None:
    """routed.parquet: bbox covering column, rows in Hilbert order, same remarks as routed.gpkg."""
    inputs = [DATA / "lagesbild_2025_synthetic.csv", DATA / "trygghetsvandringar_synthetic.gpkg"]
    route_to_files(inputs, tmp_path / "out", batch_size=500, format="both", lists=False, **DEMO)
    meta = json.loads(pq.read_schema(tmp_path / "out/routed.parquet").metadata[b"geo"])
    assert meta["version"] == "1.1.0"
    assert meta["columns"]["geometry"]["covering"]["bbox"]["xmin"] == ["bbox", "xmin"]
    table = gpd.read_parquet(tmp_path / "out/routed.parquet")
    present = table.geometry.notna().to_numpy()
    owners = gpd.read_file(DEMO["owners"])
    x0, y0, x1, y1 = owners.total_bounds
    codes = hilbert_codes(
        table.geometry.x.to_numpy()[present],
        table.geometry.y.to_numpy()[present],
        (x0 - 25, y0 - 25, x1 + 25, y1 + 25),
    )
    assert bool((np.diff(codes.astype(np.int64)) >= 0).all())
    assert (
        not present[np.argmax(~present) :].any() if (~present).any() else True
    )  # no position last
    gpkg = read_routed(tmp_path / "out/routed.gpkg").remarks
    parquet = read_routed(tmp_path / "out/routed.parquet")
    assert parquet.registry.ids == read_routed(tmp_path / "out/routed.gpkg").registry.ids
    _assert_same(gpkg, parquet.remarks, by_key=True)


def test_parquet_only_leaves_no_geopackage(tmp_path: Path) -> None:
    route_to_files(
        DATA / "trygghetsvandringar_synthetic.gpkg",
        tmp_path / "out",
        format="parquet",
        xlsx=False,
        **DEMO,
    )
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert "routed.gpkg" not in names
    assert {"routed.parquet", "routed_layers.gpkg", "owners", "unrouted.csv"} <= set(names)


def test_bbox_reads_only_the_remarks_inside(tmp_path: Path) -> None:
    walks = gpd.read_file(DATA / "trygghetsvandringar_synthetic.gpkg").to_crs(3011)
    x0, y0, x1, y1 = walks.total_bounds
    box = (x0, y0, (x0 + x1) / 2, y1)
    route_to_files(
        DATA / "trygghetsvandringar_synthetic.gpkg", tmp_path / "out", bbox=box, lists=False, **DEMO
    )
    inside = walks.cx[box[0] : box[2], box[1] : box[3]]
    assert len(_remarks(tmp_path / "out/routed.gpkg")) == len(inside) < len(walks)


@pytest.mark.parametrize(
    ("argument", "value", "match"),
    [
        ("format", "csv", r"`format`: got 'csv'; use gpkg, parquet or both"),
        ("batch_size", 0, r"`batch_size`: got 0; use a whole number of remarks, 1 or more"),
    ],
)
def test_bad_arguments(tmp_path: Path, argument: str, value: Any, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        route_to_files(
            DATA / "hard_cases_synthetic.csv",
            tmp_path / "out",
            crs=3011,
            **DEMO,
            **{argument: value},
        )


def test_no_inputs(tmp_path: Path) -> None:
    with pytest.raises(GeomapError, match=r"`inputs`: no remark files given"):
        route_to_files([], tmp_path / "out", **DEMO)


@pytest.mark.parametrize("overlap", [True, False])
def test_a_failing_write_leaves_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, overlap: bool
) -> None:
    """An error while writing (in the writer thread or not) is raised and OUTDIR is not made."""
    import geomap.routing.stream as stream

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(stream, "frame_to_arrow", broken)
    with pytest.raises(GeomapError, match=r"failed: disk full; .* was left as it was"):
        route_to_files(
            DATA / "trygghetsvandringar_synthetic.gpkg",
            tmp_path / "out",
            batch_size=10,
            overlap=overlap,
            lists=False,
            **DEMO,
        )
    assert not (tmp_path / "out").exists()


def test_warnings_are_given_once_per_file(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """A file's warning (here: points that are polygons) comes once, not once per batch."""
    owners, registry = _owners(), registry_from_ids(["a", "b", "c"])
    polys = [shapely.box(i, 1, i + 1, 2) for i in range(10)]
    frame = gpd.GeoDataFrame(
        {"id": [str(i) for i in range(10)], "kategori": ["Klotter"] * 10}, geometry=polys, crs=3011
    )
    pyogrio.write_dataframe(frame, tmp_path / "p.gpkg")
    with caplog.at_level(logging.WARNING):
        result = route_to_files(
            tmp_path / "p.gpkg",
            tmp_path / "out",
            owners=owners,
            registry=registry,
            batch_size=3,
            lists=False,
        )
    assert sum("representative point" in w for w in result.summary.warnings) == 1


def test_id_book_suffixes_repeats_across_batches() -> None:
    book = IdBook()
    assert book.unique(pd.Series(["A", "B"])).tolist() == ["A", "B"]
    assert book.unique(pd.Series(["A", "A-2", "B"])).tolist() == ["A-3", "A-2", "B-2"]
    assert book.unique(pd.Series(["A"])).tolist() == ["A-4"]


def _flawed_file(path: Path, dates: list[str | None]) -> None:
    """Remarks whose invalid dates, times and non-point geometries lie in later batches."""
    n = len(dates)
    geoms: list[shapely.Geometry] = [shapely.Point(5 + i, 25) for i in range(n)]
    geoms[n - 4] = shapely.box(60, 20, 70, 30)
    geoms[n - 2] = shapely.LineString([(10, 70), (20, 80)])
    frame = gpd.GeoDataFrame(
        {
            "id": [f"R{i}" for i in range(n)],
            "kategori": ["Klotter"] * n,
            "datum": dates,
            "tid": ["10:00"] * (n - 5) + ["25:00", None, "10:00", "10:00", "14:3"],
        },
        geometry=geoms,
        crs=3011,
    )
    pyogrio.write_dataframe(frame, path, layer="remarks", geometry_type="Unknown")


_ISO = ["2025-06-01"] * 4 + ["2025-13-01", "2025-06-02", "igår", None, "2025-02-30", "2025-06-03"]
_SLASH = ["1/6 2025"] * 4 + ["13/13 2025", "2/6 2025", "igår", None, "31/2 2025", "3/6 2025"]


def _warnings_of(caplog: pytest.LogCaptureFixture, run: Callable[[], object]) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="geomap"):
        run()
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize("dates", [_ISO, _SLASH], ids=["one-by-one", "column-wide"])
@pytest.mark.parametrize("batch_size", [1, 3, 4, 100])
def test_warnings_of_later_batches_equal_route(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, dates: list[str | None], batch_size: int
) -> None:
    """Invalid dates, times and non-points in later batches are warned about as route() warns."""
    path = tmp_path / "r.gpkg"
    _flawed_file(path, dates)
    owners, registry = _owners(), registry_from_ids(["a", "b", "c"])
    once: list[object] = []
    at_once = _warnings_of(
        caplog, lambda: once.append(geomap.route(path, owners=owners, registry=registry))
    )
    streamed: list[object] = []
    in_batches = _warnings_of(
        caplog,
        lambda: streamed.append(
            route_to_files(
                path,
                tmp_path / f"out{batch_size}",
                owners=owners,
                registry=registry,
                batch_size=batch_size,
                lists=False,
            )
        ),
    )
    assert in_batches == at_once
    assert streamed[0].summary.warnings == once[0].summary.warnings  # type: ignore[attr-defined]
    assert any("3 values are not valid dates" in w for w in at_once)
    assert any("2 remarks are LineString/Polygon" in w for w in at_once)
    assert any("2 values are not valid times" in w for w in at_once)


_flaws = st.lists(
    st.tuples(
        st.sampled_from(["2025-06-01", "2025-13-01", "igår", None]),
        st.sampled_from(["10:00", "25:00", None]),
        st.sampled_from(["point", "box", "line"]),
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=_flaws, batch_size=st.integers(1, 15), twice=st.booleans())
def test_any_batch_size_gives_the_warnings_of_route(
    tmp_path_factory: pytest.TempPathFactory,
    caplog: pytest.LogCaptureFixture,
    rows: list[tuple[str | None, str | None, str]],
    batch_size: int,
    twice: bool,
) -> None:
    """Whatever the batches, the warnings (texts, counts, rows, order) are route()'s."""
    tmp = tmp_path_factory.mktemp("w")
    shapes = {
        "point": lambda i: shapely.Point(5 + i, 25),
        "box": lambda i: shapely.box(60, 20 + i, 61, 21 + i),
        "line": lambda i: shapely.LineString([(10, 70 + i), (20, 80)]),
    }
    frame = gpd.GeoDataFrame(
        {
            "id": [f"R{i}" for i in range(len(rows))],
            "kategori": ["Klotter"] * len(rows),
            "datum": [r[0] for r in rows],
            "tid": [r[1] for r in rows],
        },
        geometry=[shapes[r[2]](i) for i, r in enumerate(rows)],
        crs=3011,
    )
    path = tmp / "r.gpkg"
    pyogrio.write_dataframe(frame, path, layer="remarks", geometry_type="Unknown")
    inputs = [path, path] if twice else [path]
    owners, registry = _owners(), registry_from_ids(["a", "b", "c"])
    at_once = _warnings_of(caplog, lambda: geomap.route(inputs, owners=owners, registry=registry))
    in_batches = _warnings_of(
        caplog,
        lambda: route_to_files(
            inputs,
            tmp / "out",
            owners=owners,
            registry=registry,
            batch_size=batch_size,
            lists=False,
        ),
    )
    assert in_batches == at_once


def test_warnings_of_several_files_come_in_input_order(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A table (read at once) between streamed files: its warnings keep their place, as in route()."""
    flawed = tmp_path / "r.gpkg"
    _flawed_file(flawed, _ISO)
    table = tmp_path / "t.csv"
    table.write_text(
        "x;y;kategori;datum\n153000;6570000;Klotter;2025-13-01\n0;0;Klotter;2025-06-01\n"
    )
    other = tmp_path / "s.gpkg"
    _flawed_file(other, _SLASH)
    inputs = [flawed, table, other, table]
    owners, registry = _owners(), registry_from_ids(["a", "b", "c"])
    kwargs: dict[str, Any] = {"owners": owners, "registry": registry, "crs": 3011}
    at_once = _warnings_of(caplog, lambda: geomap.route(inputs, **kwargs))
    in_batches = _warnings_of(
        caplog,
        lambda: route_to_files(inputs, tmp_path / "out", batch_size=3, lists=False, **kwargs),
    )
    assert in_batches == at_once
    assert [w.split(":")[0] for w in at_once][:3] == [str(flawed)] * 3
    assert any(w.startswith(f"{table}: given more than once") for w in at_once)

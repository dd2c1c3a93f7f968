"""The fast path of the work lists: owner chunks in threads, designations, shared coordinates.

Every speed-up must write the same lists: these tests compare it with the plain way.
"""

from __future__ import annotations

import threading
import time
import zipfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

import geomap.routing.lists as lists
from geomap.core.owners import Owner, OwnerRegistry
from geomap.routing import route
from geomap.routing.lists import ListContext, write_owner_lists

from tests.conftest import X0, Y0


def _parts(folder: Path) -> dict[str, bytes]:
    """Every file's bytes (XLSX: every part but the creation time in ``docProps/core.xml``)."""
    out: dict[str, bytes] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    if name != "docProps/core.xml":
                        out[f"{path.name}/{name}"] = archive.read(name)
                out[f"{path.name}/order"] = "\n".join(archive.namelist()).encode()
        else:
            out[path.name] = path.read_bytes()
    return out


def test_lists_written_in_threads_are_the_lists_written_one_by_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    n = 12
    remarks = gpd.GeoDataFrame(
        {
            "id": [f"R{i}" for i in range(3 * n)],
            "kategori": ["Klotter"] * (3 * n),
            "datum": [f"2025-06-{1 + i % 28:02d} 10:00" for i in range(3 * n)],
        },
        geometry=[
            shapely.Point(X0 + 5 + 10 * (i % n), Y0 + 2 + 3 * (i // n)) for i in range(3 * n)
        ],
        crs=3011,
    )
    parcels = gpd.GeoDataFrame(
        {"owner": [f"o{i:02d}" for i in range(n)], "fastighet": [f"F {i}:1" for i in range(n)]},
        geometry=[shapely.box(X0 + 10 * i, Y0, X0 + 10 * i + 10, Y0 + 10) for i in range(n)],
        crs=3011,
    )
    result = route(remarks, owners=parcels)
    ordered = result.remarks.sort_values("owner", kind="stable")
    monkeypatch.setattr(lists, "_CHUNK_ROWS", 4)  # several chunks, so both threads work
    files = {}
    for workers in (1, 2):
        monkeypatch.setattr(lists, "_WORKERS", workers)
        files[workers] = write_owner_lists([ordered], tmp_path / str(workers), context=result)
    assert files[1] == files[2] and len(files[1]) == n
    assert _parts(tmp_path / "1") == _parts(tmp_path / "2")


def test_in_threads_keeps_the_order_and_few_items_in_flight() -> None:
    pulled: list[int] = []
    done: list[int] = []
    most = [0]
    lock = threading.Lock()

    def items() -> Iterator[int]:
        for i in range(20):
            with lock:
                pulled.append(i)
                most[0] = max(most[0], len(pulled) - len(done))
            yield i

    def work(i: int) -> int:
        time.sleep(0.002 * (i % 3))
        with lock:
            done.append(i)
        return i * i

    assert list(lists._in_threads(work, items(), workers=2)) == [i * i for i in range(20)]
    assert most[0] <= 3  # two in flight and the one being gathered


def test_in_threads_raises_the_error_of_an_item() -> None:
    def work(i: int) -> int:
        if i == 3:
            msg = "item 3 failed"
            raise ValueError(msg)
        return i

    with pytest.raises(ValueError, match="item 3 failed"):
        list(lists._in_threads(work, range(8), workers=2))


def _reference(
    points: Sequence[shapely.Point | None],
    land: list[str | None],
    parcels: gpd.GeoDataFrame,
    reach: float,
) -> list[str | None]:
    """The designation as documented, one remark at a time."""
    out: list[str | None] = []
    for point, owner in zip(points, land, strict=True):
        mine = [
            (i, g)
            for i, (g, o) in enumerate(zip(parcels.geometry, parcels["owner"], strict=True))
            if o == owner
        ]
        if point is None or owner is None or not mine:
            out.append(None)
            continue
        touching = [(not g.contains_properly(point), i) for i, g in mine if g.intersects(point)]
        near = [(g.distance(point), i) for i, g in mine if g.dwithin(point, reach)]
        best = min(touching)[1] if touching else (min(near)[1] if near else None)
        out.append(None if best is None else parcels["designation"].iloc[best])
    return out


@settings(max_examples=40, deadline=None)
@given(
    boxes=st.lists(
        st.tuples(
            st.integers(0, 8),
            st.integers(0, 8),
            st.integers(1, 4),
            st.integers(1, 4),
            st.sampled_from(["a", "b"]),
        ),
        min_size=1,
        max_size=8,
    ),
    spots=st.lists(
        st.tuples(st.integers(-4, 28), st.integers(-4, 28), st.sampled_from(["a", "b", None])),
        min_size=1,
        max_size=30,
    ),
    reach=st.sampled_from([0.0, 1.0, 2.5]),
)
def test_designations_are_the_documented_polygon(
    boxes: list[tuple[int, int, int, int, str]],
    spots: list[tuple[int, int, str | None]],
    reach: float,
) -> None:
    """Interior first, then edge, then nearest within reach; ties to the layer's first polygon."""
    parcels = gpd.GeoDataFrame(
        {
            "owner": [b[4] for b in boxes],
            "designation": [f"P{i}" for i in range(len(boxes))],
        },
        geometry=[shapely.box(x, y, x + w, y + h) for x, y, w, h, _ in boxes],
        crs=3011,
    )
    points = [shapely.Point(x / 2, y / 2) for x, y, _ in spots]
    land = [s[2] for s in spots]
    remarks = gpd.GeoDataFrame({"land_owner": land}, geometry=points, crs=3011)
    registry = OwnerRegistry((Owner("a", "A"), Owner("b", "B")))
    context = ListContext(registry=registry, parcels=parcels, max_distance_m=reach)
    got = lists._designations(remarks, context).tolist()
    assert got == _reference(points, land, parcels, reach + 0.01)


def test_designations_need_coordinates() -> None:
    parcels = gpd.GeoDataFrame(
        {"owner": ["a"], "designation": ["P0"]}, geometry=[shapely.box(0, 0, 4, 4)], crs=3011
    )
    remarks = gpd.GeoDataFrame(
        {"land_owner": ["a", "a", None]},
        geometry=[shapely.Point(1, 1), None, shapely.Point(2, 2)],
        crs=3011,
    )
    context = ListContext(
        registry=OwnerRegistry((Owner("a", "A"),)), parcels=parcels, max_distance_m=25.0
    )
    assert lists._designations(remarks, context).tolist() == ["P0", None, None]
    xy = lists._coordinates(remarks)
    assert np.isnan(xy[0][1]) and xy[0][0] == 1.0

"""The GeoPackage writer process of the streaming engine (issue 13, point 1: overlap the write).

``routed.gpkg`` written by the child process equals the one written in this process; a failure
in the child reaches the caller as the error the in-process write raises; the child never
outlives the run (an error in the parent, a SIGKILL of the parent).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import pyarrow as pa
import pyogrio
import pyogrio.errors
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import CRS

from geomap.core.owners import registry_from_ids
from geomap.errors import ConfigError
from geomap.routing.stream import GpkgWriterProcess, _child_error, route_to_files

DATA = Path(__file__).resolve().parents[2] / "data"
DEMO: dict[str, Any] = {"owners": DATA / "owners_synthetic.gpkg", "registry": DATA / "owners.toml"}
SCHEMA = pa.schema([("n", pa.int64()), ("name", pa.string()), ("geometry", pa.binary())])


def _table(start: int, rows: int) -> pa.Table:
    points = shapely.points([(float(i), float(i)) for i in range(start, start + rows)])
    return pa.table(
        {
            "n": list(range(start, start + rows)),
            "name": [f"å{i}" for i in range(start, start + rows)],
            "geometry": shapely.to_wkb(points).tolist(),
        },
        schema=SCHEMA,
    )


def _layer(path: Path) -> pa.Table:
    return pyogrio.raw.read_arrow(path, layer="remarks")[1]


def _routed_equal(a: Path, b: Path) -> None:
    left = pyogrio.read_dataframe(a, layer="remarks", use_arrow=True)
    right = pyogrio.read_dataframe(b, layer="remarks", use_arrow=True)
    assert list(left.columns) == list(right.columns)
    assert left.drop(columns="geometry").equals(right.drop(columns="geometry"))
    assert bool(left.geometry.geom_equals(right.geometry).all())
    assert (
        pyogrio.read_info(a, layer="remarks")["crs"] == pyogrio.read_info(b, layer="remarks")["crs"]
    )


@pytest.mark.parametrize("batch_size", [1, 7, 1000])
def test_process_writes_what_the_inline_writer_writes(tmp_path: Path, batch_size: int) -> None:
    inputs = [DATA / "lagesbild_2025_synthetic.csv", DATA / "trygghetsvandringar_synthetic.gpkg"]
    for writer in ("inline", "process"):
        route_to_files(
            inputs, tmp_path / writer, batch_size=batch_size, lists=False, writer=writer, **DEMO
        )
    _routed_equal(tmp_path / "inline/routed.gpkg", tmp_path / "process/routed.gpkg")


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    points=st.lists(st.tuples(st.floats(-40, 140), st.floats(-40, 140)), min_size=1, max_size=30),
    batch_size=st.integers(1, 35),
)
def test_any_batch_size_writes_the_same_file(
    tmp_path_factory: pytest.TempPathFactory, points: list, batch_size: int
) -> None:
    tmp = tmp_path_factory.mktemp("w")
    frame = gpd.GeoDataFrame(
        {"id": [f"N-{i}" for i in range(len(points))], "kategori": ["Klotter"] * len(points)},
        geometry=gpd.GeoSeries([shapely.Point(p) for p in points], crs=3011),
    )
    pyogrio.write_dataframe(frame, tmp / "r.gpkg", layer="remarks")
    owners = gpd.GeoDataFrame(
        {"owner": ["a", "b"]},
        geometry=[shapely.box(0, 0, 50, 50), shapely.box(50, 0, 100, 50)],
        crs=3011,
    )
    for writer in ("inline", "process"):
        route_to_files(
            tmp / "r.gpkg",
            tmp / writer,
            owners=owners,
            registry=registry_from_ids(["a", "b"]),
            batch_size=batch_size,
            lists=False,
            writer=writer,
        )
    _routed_equal(tmp / "inline/routed.gpkg", tmp / "process/routed.gpkg")


def test_tables_arrive_in_order(tmp_path: Path) -> None:
    with GpkgWriterProcess(tmp_path / "a.gpkg", SCHEMA, CRS.from_epsg(3011)) as child:
        for start in range(0, 50, 10):
            child.write(_table(start, 10))
    layer = _layer(tmp_path / "a.gpkg")
    assert layer.column("n").to_pylist() == list(range(50))
    assert layer.column("name").to_pylist()[:2] == ["å0", "å1"]


def test_a_gdal_failure_in_the_child_is_raised_as_gdals_error(tmp_path: Path) -> None:
    target = tmp_path / "missing-folder" / "a.gpkg"
    with (
        pytest.raises(pyogrio.errors.DataSourceError, match=r"missing-folder"),
        GpkgWriterProcess(target, SCHEMA, CRS.from_epsg(3011)) as child,
    ):
        for start in range(0, 200_000, 20_000):  # the child fails first: the pipe breaks
            child.write(_table(start, 20_000))
    assert not target.exists()


def test_a_failing_child_in_a_run_leaves_no_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through route_to_files: the child's failure ends the run, OUTDIR is not made."""
    import geomap.routing.stream as stream

    failing = "import sys; sys.stderr.write('DataSourceError\\tdisk says no'); sys.exit(1)"
    monkeypatch.setattr(stream, "_CHILD", failing)
    with pytest.raises(pyogrio.errors.DataSourceError, match=r"disk says no"):
        route_to_files(
            DATA / "trygghetsvandringar_synthetic.gpkg",
            tmp_path / "out",
            writer="process",
            lists=False,
            **DEMO,
        )
    assert not (tmp_path / "out").exists()
    assert not list(tmp_path.iterdir())  # no temporary folder left either


def test_an_error_in_the_parent_kills_the_child(tmp_path: Path) -> None:
    with (
        pytest.raises(ValueError, match="routing failed"),
        GpkgWriterProcess(tmp_path / "a.gpkg", SCHEMA, CRS.from_epsg(3011)) as child,
    ):
        child.write(_table(0, 10))
        raise ValueError("routing failed")
    assert child.proc.returncode is not None  # waited for: no orphan, no zombie


def test_a_killed_child_is_an_error(tmp_path: Path) -> None:
    with (
        pytest.raises(pyogrio.errors.DataSourceError, match=r"a\.gpkg: .*stopped by signal 9"),
        GpkgWriterProcess(tmp_path / "a.gpkg", SCHEMA, CRS.from_epsg(3011)) as child,
    ):
        child.write(_table(0, 10))
        child.proc.kill()
        child.proc.wait()


_PARENT = """
import sys, time, pyarrow as pa
from pathlib import Path
from typing import Any
from pyproj import CRS
from geomap.routing.stream import GpkgWriterProcess
schema = pa.schema([("n", pa.int64()), ("geometry", pa.binary())])
with GpkgWriterProcess(Path(sys.argv[1]), schema, CRS.from_epsg(3011)) as child:
    print(child.proc.pid, flush=True)
    time.sleep(120)
"""


def test_the_child_dies_with_a_killed_parent(tmp_path: Path) -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, str(tmp_path / "a.gpkg")], stdout=subprocess.PIPE
    )
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    assert not _alive(pid), "the writer process outlived its parent"


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie is dead (reaped by init)


@pytest.mark.parametrize(
    ("code", "text", "kind", "match"),
    [
        (
            1,
            "warning\nDataLayerError\tno such layer",
            pyogrio.errors.DataLayerError,
            "no such layer",
        ),
        (1, "OSError\tNo space left on device", OSError, "No space left"),
        (
            1,
            "DataSourceError\tx.gpkg: cannot create",
            pyogrio.errors.DataSourceError,
            "cannot create",
        ),
        (
            1,
            "Traceback ...\nMemoryError\t",
            pyogrio.errors.DataSourceError,
            r"failed \(MemoryError",
        ),
        (1, "", pyogrio.errors.DataSourceError, r"failed \(no message\)"),
        (-15, "", pyogrio.errors.DataSourceError, "stopped by signal 15"),
    ],
)
def test_child_errors_are_worded(code: int, text: str, kind: type, match: str) -> None:
    error = _child_error(Path("x.gpkg"), code, text)
    assert isinstance(error, kind)
    with pytest.raises(kind, match=match):
        raise error


def _children() -> set[int]:
    path = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    return {int(c) for c in path.read_text().split()}


def test_no_orphans_after_a_run(tmp_path: Path) -> None:
    before = _children()  # e.g. a database server another test's fixture started
    route_to_files(
        DATA / "trygghetsvandringar_synthetic.gpkg",
        tmp_path / "o",
        writer="process",
        lists=False,
        **DEMO,
    )
    assert not [c for c in _children() - before if _alive(c)]


def test_an_unknown_writer_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"`writer`: got 'thread'; use process or inline"):
        route_to_files(
            DATA / "trygghetsvandringar_synthetic.gpkg", tmp_path / "o", writer="thread", **DEMO
        )
    assert not (tmp_path / "o").exists()

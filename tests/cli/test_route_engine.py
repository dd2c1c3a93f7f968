"""``geomap route --engine/--format/--batch-size/--bbox`` (issue 13) on the command line."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import geopandas as gpd
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from geomap.cli import cli


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_parquet_format(tmp_path: Path, remarks_csv: Path, owners_gpkg: Path) -> None:
    out = tmp_path / "out"
    code, _, stderr = run(
        "route",
        remarks_csv,
        "--owners",
        owners_gpkg,
        "-o",
        out,
        "--no-map",
        "--format",
        "parquet",
        "--batch-size",
        "2",
    )
    assert code == 0, stderr
    assert not (out / "routed.gpkg").exists()
    assert len(gpd.read_parquet(out / "routed.parquet")) == 3
    assert b"geo" in pq.read_schema(out / "routed.parquet").metadata
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["outputs"]["routed_parquet"] == "routed.parquet"


def test_no_overlap_gives_the_same(tmp_path: Path, remarks_csv: Path, owners_gpkg: Path) -> None:
    for name, extra in (("a", ()), ("b", ("--no-overlap",))):
        code, _, stderr = run(
            "route", remarks_csv, "--owners", owners_gpkg, "-o", tmp_path / name, "--no-map", *extra
        )
        assert code == 0, stderr
    a = gpd.read_file(tmp_path / "a/routed.gpkg", layer="remarks")
    b = gpd.read_file(tmp_path / "b/routed.gpkg", layer="remarks")
    assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--batch-size", "0"), "Invalid value for '--batch-size'"),
        (("--format", "csv"), "Invalid value for '--format'"),
        (("--engine", "spark"), "Invalid value for '--engine'"),
        (("--scheduler", "tcp://localhost:1"), "--scheduler needs --engine dask"),
    ],
)
def test_usage_errors(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path, extra: tuple[str, ...], message: str
) -> None:
    code, _, stderr = run(
        "route", remarks_csv, "--owners", owners_gpkg, "-o", tmp_path / "out", *extra
    )
    assert code == 2
    assert message in stderr


def test_stray_os_error_is_one_line(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An OSError outside the output folder's guard gives one line, not a traceback."""
    import geomap.cli.route as route_module

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(owners_gpkg))

    monkeypatch.setattr(route_module, "route_to_files", broken)
    code, _, stderr = run(
        "route", remarks_csv, "--owners", owners_gpkg, "-o", tmp_path / "out", "--no-map"
    )
    assert code == 1
    assert stderr == (
        f"geomap: error: {owners_gpkg}: Input/output error; check the path and that its disk is available\n"
    )


def test_disk_full_while_streaming_keeps_the_previous_run(
    tmp_path: Path, remarks_csv: Path, owners_gpkg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geomap.routing.stream as stream

    out = tmp_path / "out"
    assert run("route", remarks_csv, "--owners", owners_gpkg, "-o", out, "--no-map")[0] == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(out / "routed.gpkg"))

    monkeypatch.setattr(stream, "_pump", full)
    code, _, stderr = run(
        "route", remarks_csv, "--owners", owners_gpkg, "-o", out, "--no-map", "--overwrite"
    )
    assert code == 1
    assert "No space left on device; free space" in stderr and stderr.rstrip().endswith(
        "out was left as it was"
    )
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_unreachable_scheduler(tmp_path: Path, remarks_csv: Path, owners_gpkg: Path) -> None:
    code, _, stderr = run(
        "route",
        remarks_csv,
        "--owners",
        owners_gpkg,
        "-o",
        tmp_path / "out",
        "--no-map",
        "--engine",
        "dask",
        "--scheduler",
        "tcp://127.0.0.1:9",
    )
    assert code in (1, 2)
    assert "cannot reach the dask scheduler 'tcp://127.0.0.1:9'" in stderr
    assert "--scheduler" in stderr  # the library's `scheduler`, worded as the option

"""A ``geomap route`` that is killed never leaves OUTDIR missing, half-written or mixed.

The run is killed at deterministic points (the test hook ``GEOMAP_TEST_PAUSE_AT`` of
``geomap.io.atomic``: after taking the lock, with the new folder complete but not swapped in, and
right after the swap) and after fixed delays. After every kill OUTDIR must be either the old run or
the new run, complete; the next run removes the leftovers.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyogrio
import pytest

from geomap.io.atomic import MARKER_NAME, PAUSE_ENV

ROOT = Path(__file__).resolve().parents[2]
DEMO_FILES = ["hard_cases_synthetic.csv", "owners_synthetic.gpkg", "owners.toml"]
DEMO = [
    "data/hard_cases_synthetic.csv",
    "--owners",
    "data/owners_synthetic.gpkg",
    "--registry",
    "data/owners.toml",
    "--crs",
    "EPSG:3011",
    "-q",
]
OLD = ["--no-map", "--no-xlsx"]  # the previous run: fewer files, so old and new differ
NEW: list[str] = []

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo inputs, so that runs in this module all read the same files."""
    base = tmp_path_factory.mktemp("demo")
    (base / "data").mkdir()
    for name in DEMO_FILES:
        shutil.copy2(ROOT / "data" / name, base / "data" / name)
    return base


def start(
    work: Path,
    out: Path,
    options: list[str],
    *,
    overwrite: bool = True,
    pause: str | None = None,
    pause_seconds: float = 60,
) -> subprocess.Popen[bytes]:
    """Start ``geomap route`` on the demo inputs; ``pause`` stops it at that point of the write."""
    env = {k: v for k, v in os.environ.items() if k != PAUSE_ENV}
    if pause is not None:
        env[PAUSE_ENV] = pause
        env["GEOMAP_TEST_PAUSE_SECONDS"] = str(pause_seconds)
    flags = ["--overwrite"] if overwrite else []
    return subprocess.Popen(
        [sys.executable, "-m", "geomap", "route", *DEMO, *options, "-o", str(out), *flags],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def finish(proc: subprocess.Popen[bytes]) -> None:
    code = proc.wait(timeout=120)
    assert code == 0, proc.stderr.read().decode() if proc.stderr else code


def wait_for_pause(proc: subprocess.Popen[bytes], point: str) -> None:
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline().decode()
        if f"test pause at {point}" in line:
            return
        if not line and proc.poll() is not None:
            break
    pytest.fail(f"the run never reached {point}")


def _leaves(value: object) -> set[str]:
    if isinstance(value, dict):
        return set().union(*(_leaves(v) for v in value.values()))
    if isinstance(value, list):  # e.g. the owner maps' shared files
        return set().union(*(_leaves(v) for v in value))
    return {value} if isinstance(value, str) else set()


def assert_complete(out: Path) -> str:
    """OUTDIR is one whole run, old or new, never a mix; return which.

    Its summary parses, its GeoPackage reads with every remark, and the folder holds exactly the
    files that summary lists (a mix of two runs would hold files the summary does not list).
    """
    assert out.is_dir(), f"{out} is missing"
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    listed = _leaves(summary["outputs"]) | {"summary.json", MARKER_NAME}
    found = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert found == listed, f"not one complete run: {sorted(found ^ listed)}"
    remarks = pyogrio.read_dataframe(out / "routed.gpkg", layer="remarks")
    assert len(remarks) == summary["total"] > 0
    assert json.loads((out / MARKER_NAME).read_text(encoding="utf-8"))["kind"] == "route"
    return "new" if "map" in summary["outputs"] else "old"


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def good_outdir(work: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    finish(start(work, out, OLD))
    assert assert_complete(out) == "old"
    return out


@pytest.mark.parametrize(
    ("point", "expected"), [("locked", "old"), ("written", "old"), ("swapped", "new")]
)
def test_sigkill_at_each_step_keeps_a_complete_outdir(
    work: Path, tmp_path: Path, point: str, expected: str
) -> None:
    out = good_outdir(work, tmp_path)
    proc = start(work, out, NEW, pause=point)
    wait_for_pause(proc, point)
    proc.kill()
    proc.wait(timeout=30)
    assert assert_complete(out) == expected
    if point != "locked":
        assert any(".geomap-tmp-" in name for name in leftovers(out))  # what the kill left
    finish(start(work, out, NEW))
    assert assert_complete(out) == "new"
    assert leftovers(out) == []  # temp folders and the lock file are gone


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.3, 2.0])
def test_sigkill_after_a_delay_keeps_a_complete_outdir(
    work: Path, tmp_path: Path, delay: float
) -> None:
    out = good_outdir(work, tmp_path)
    proc = start(work, out, NEW)
    time.sleep(delay)
    proc.kill()
    proc.wait(timeout=30)
    assert assert_complete(out) in {"old", "new"}
    finish(start(work, out, OLD))
    assert assert_complete(out) == "old"
    assert leftovers(out) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_terminate_and_interrupt_remove_the_unfinished_run(
    work: Path, tmp_path: Path, sig: signal.Signals
) -> None:
    out = good_outdir(work, tmp_path)
    proc = start(work, out, NEW, pause="written")
    wait_for_pause(proc, "written")
    proc.send_signal(sig)
    code = proc.wait(timeout=30)
    assert code != 0
    if sig == signal.SIGTERM:
        assert code == 128 + signal.SIGTERM
    assert assert_complete(out) == "old"
    assert leftovers(out) == []  # cleaned by the run itself, not only by the next one

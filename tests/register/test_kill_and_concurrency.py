"""``geomap register update`` killed with SIGKILL mid-transaction leaves the register as before.

The update is stopped inside its transaction (all its changes written, not committed) by the
test hook ``GEOMAP_TEST_PAUSE_AT=register_update`` (see ``geomap.register.register.pause``),
killed there, and the register is compared with what it was; the next update then applies.
Concurrency: two updates at the same time (one paused inside its transaction while the other
starts) both apply, nothing is lost, on a GeoPackage and on PostGIS.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geomap.io.atomic import PAUSE_ENV
from geomap.register import open_register
from geomap.register.ingest import ingest
from geomap.register.lists import write_lists

pytestmark = pytest.mark.slow


def _answer(path: Path, status: str, out: Path) -> Path:
    book = openpyxl.load_workbook(path)
    sheet = book["Anmärkningar"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        row[header.index("Status")].value = status
        row[header.index("Kommentar")].value = f"svar {status}"
    book.save(out)
    return out


def _start(
    target: str, answer: Path, *, pause: bool, seconds: float = 60
) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != PAUSE_ENV}
    if pause:
        env[PAUSE_ENV] = "register_update"
        env["GEOMAP_TEST_PAUSE_SECONDS"] = str(seconds)
    return subprocess.Popen(
        [sys.executable, "-m", "geomap", "register", "update", str(answer), "--register", target],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for_pause(proc: subprocess.Popen[bytes]) -> None:
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline().decode()
        if "test pause at register_update" in line:
            return
        if not line and proc.poll() is not None:
            break
    pytest.fail("the update never reached its transaction")


def _snapshot(target: str) -> tuple[pd.DataFrame, int, int]:
    register = open_register(target)
    remarks = register.remarks()[["remark_id", "status", "comment", "fixed_date", "updated_at"]]
    return remarks, len(register.events()), len(register.imports())


@pytest.fixture
def answered(register_target: str, weeks: dict[int, Path], tmp_path: Path) -> dict[str, Path]:
    register = open_register(register_target)
    ingest(register, weeks[1])
    write_lists(register, tmp_path / "lists")
    register.store.close()
    return {
        "huge": _answer(
            tmp_path / "lists" / "huge_bostader.xlsx", "pågår", tmp_path / "huge_bostader.xlsx"
        ),
        "kommun": _answer(
            tmp_path / "lists" / "huddinge_kommun.xlsx",
            "planerad",
            tmp_path / "huddinge_kommun.xlsx",
        ),
    }


def test_sigkill_inside_the_update_leaves_the_register_as_before(
    register_target: str, answered: dict[str, Path]
) -> None:
    before = _snapshot(register_target)
    proc = _start(register_target, answered["huge"], pause=True)
    _wait_for_pause(proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    after = _snapshot(register_target)
    pd.testing.assert_frame_equal(before[0], after[0])
    assert before[1:] == after[1:]
    done = _start(register_target, answered["huge"], pause=False)
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err.decode()
    assert "skickad → pågår" in out.decode()
    statuses = _snapshot(register_target)[0].set_index("remark_id")["status"]
    assert (statuses[["W1-1", "W1-2"]] == "pagar").all()


def test_two_updates_at_the_same_time_lose_nothing(
    register_target: str, answered: dict[str, Path]
) -> None:
    events = _snapshot(register_target)[1]
    first = _start(register_target, answered["huge"], pause=True, seconds=3)
    _wait_for_pause(first)  # first holds its transaction open for 3 s …
    second = _start(register_target, answered["kommun"], pause=False)  # … while second starts
    for proc in (first, second):
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err.decode()
    remarks, after, imports = _snapshot(register_target)
    statuses = remarks.set_index("remark_id")["status"]
    assert (statuses[["W1-1", "W1-2"]] == "pagar").all()
    assert (statuses[["W1-3", "W1-4"]] == "planerad").all()
    assert after == events + 4 and imports == 3  # one ingest, two updates

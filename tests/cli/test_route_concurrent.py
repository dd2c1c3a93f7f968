"""Two ``geomap route`` runs into one OUTDIR: the second is refused (exit 2), it never waits.

Before the lock both runs exited 0 and the second silently replaced the first.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.cli.test_route_kill import (
    NEW,
    assert_complete,
    finish,
    leftovers,
    start,
    wait_for_pause,
    work,  # noqa: F401 - the module-scoped fixture with a copy of the demo inputs
)

pytestmark = pytest.mark.slow

LOCKED = "is being written by another geomap run (pid {pid}); wait for it or choose another folder"


def test_two_runs_started_at_once_one_wins(work: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "ny"
    first, second = (start(work, out, NEW, overwrite=False) for _ in range(2))
    results = []
    for proc in (first, second):
        code = proc.wait(timeout=120)
        results.append((code, proc.stderr.read().decode() if proc.stderr else ""))
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    loser = next(err for code, err in results if code == 2)
    # Depending on timing the loser met the lock or the finished folder; both are refusals.
    assert "is being written by another geomap run" in loser or "already exists" in loser
    assert "Traceback" not in loser
    assert assert_complete(out) == "new"
    assert leftovers(out) == []


def test_second_run_is_refused_while_the_first_writes(work: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "ny"
    first = start(work, out, NEW, overwrite=False, pause="locked", pause_seconds=5)
    wait_for_pause(first, "locked")
    began = time.monotonic()
    second = start(work, out, NEW, overwrite=False)
    assert second.wait(timeout=120) == 2
    assert time.monotonic() - began < 5  # refused at once, not after waiting
    err = second.stderr.read().decode() if second.stderr else ""
    assert f"{out} {LOCKED.format(pid=first.pid)}" in err
    finish(first)
    assert assert_complete(out) == "new"
    assert leftovers(out) == []

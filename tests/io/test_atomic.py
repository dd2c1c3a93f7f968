"""Atomic files and output folders: swap in one step, lock, marker, leftovers of killed runs."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import logging
import os
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import geomap.io.atomic as atomic
from geomap.errors import GeomapError, OutputExistsError, OutputLockedError
from geomap.io.atomic import (
    MARKER_NAME,
    atomic_dir,
    atomic_path,
    check_writable,
    output_lock,
    write_text_atomic,
)


def test_atomic_path_writes_and_refuses(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    write_text_atomic(target, "ett")
    with pytest.raises(OutputExistsError, match=r"a\.txt already exists; pass `overwrite`"):
        write_text_atomic(target, "två")
    write_text_atomic(target, "två", overwrite=True)
    assert target.read_text() == "två"


def test_atomic_path_leaves_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    target.write_text("gammal")
    with pytest.raises(RuntimeError), atomic_path(target, overwrite=True) as tmp:
        tmp.write_text("halv")
        raise RuntimeError("boom")
    assert target.read_text() == "gammal"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_atomic_dir_replaces_whole_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with atomic_dir(out) as tmp:
        (tmp / "x.csv").write_text("1")
    with pytest.raises(OutputExistsError):
        check_writable(out, overwrite=False)
    with atomic_dir(out, overwrite=True) as tmp:
        (tmp / "y.csv").write_text("2")
    assert sorted(p.name for p in out.iterdir()) == ["y.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_atomic_dir_failure_keeps_previous(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("1")
    with pytest.raises(ValueError), atomic_dir(out, overwrite=True) as tmp:
        (tmp / "new.txt").write_text("2")
        raise ValueError("fail")
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _write(out: Path, text: str, **kwargs: object) -> None:
    with atomic_dir(out, kind="route", **kwargs) as tmp:  # type: ignore[arg-type]
        (tmp / "a.txt").write_text(text)


def test_kind_writes_the_marker(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "1")
    info = json.loads((out / MARKER_NAME).read_text(encoding="utf-8"))
    assert info["tool"] == "geomap" and info["kind"] == "route"
    assert {"version", "created"} <= set(info)
    _write(out, "2", overwrite=True)  # geomap's own folder is replaced
    assert (out / "a.txt").read_text() == "2"


def test_new_folder_is_not_private(tmp_path: Path) -> None:
    """The old code made OUTDIR with mkdtemp (mode 0700): colleagues could not read it."""
    out = tmp_path / "out"
    _write(out, "1")
    assert out.stat().st_mode & 0o777 == 0o777 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_temp_folder_is_named_after_outdir_and_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with atomic_dir(out) as tmp:
        assert tmp.parent == tmp_path
        assert tmp.name.startswith(".out.geomap-tmp-")
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([".out.lock", tmp.name])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def _hold_lock(tmp_path: Path, name: str = "out", pid: str = "4242") -> int:
    """Take the lock file of ``tmp_path/name`` the way another run would (its own open file)."""
    fd = os.open(tmp_path / f".{name}.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(fd, f"{pid}\n".encode())
    return fd


def test_second_writer_is_refused_while_the_first_holds_the_lock(tmp_path: Path) -> None:
    out = tmp_path / "out"
    fd = _hold_lock(tmp_path)
    try:
        with (
            pytest.raises(
                OutputLockedError,
                match=r"out is being written by another geomap run \(pid 4242\); wait for it or choose another folder",
            ),
            atomic_dir(out) as tmp,
        ):
            (tmp / "a.txt").write_text("1")
    finally:
        os.close(fd)
    assert not out.exists()
    assert issubclass(OutputLockedError, OutputExistsError)  # a usage error: exit 2


def test_lock_is_reentrant_in_a_thread_and_refused_in_another(tmp_path: Path) -> None:
    out = tmp_path / "out"
    errors: list[BaseException] = []

    def other() -> None:
        try:
            with output_lock(out):
                pass
        except BaseException as exc:
            errors.append(exc)

    with output_lock(out) as real:
        assert real == out
        _write(out, "1")  # atomic_dir takes the same lock again
        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
        assert (tmp_path / ".out.lock").exists()
    assert len(errors) == 1 and isinstance(errors[0], OutputLockedError)
    assert not (tmp_path / ".out.lock").exists()


def test_leftovers_of_a_killed_run_are_removed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "out"
    _write(out, "old")
    leftover = tmp_path / ".out.geomap-tmp-0123456789abcdef"
    (leftover / "owners").mkdir(parents=True)
    (tmp_path / ".out.lock").write_text("99999\n")  # the killed run's lock file, not locked
    other = tmp_path / ".out.geomap-tmp-foo.geomap-tmp-0123456789abcdef"  # not ours
    other.mkdir()
    with caplog.at_level(logging.INFO, logger="geomap"):
        _write(out, "new", overwrite=True)
    assert not leftover.exists() and other.exists()
    assert "left behind by an interrupted geomap run" in caplog.text
    assert (out / "a.txt").read_text() == "new"


def test_leftovers_are_kept_while_their_run_is_alive(tmp_path: Path) -> None:
    leftover = tmp_path / ".out.geomap-tmp-0123456789abcdef"
    leftover.mkdir()
    fd = _hold_lock(tmp_path)
    try:
        with pytest.raises(OutputLockedError, match="pid 4242"):
            _write(tmp_path / "out", "1")
    finally:
        os.close(fd)
    assert leftover.exists()


def test_outdir_moved_aside_by_a_killed_run_is_restored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Without renameat2 the swap is two renames; a run killed between them is repaired."""
    aside = tmp_path / ".out.geomap-old-0123456789abcdef"
    aside.mkdir()
    (aside / "a.txt").write_text("old")
    with output_lock(tmp_path / "out"):
        pass
    assert (tmp_path / "out" / "a.txt").read_text() == "old"
    assert "restored" in caplog.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_swap_replaces_and_cleans(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    _write(out, "1")
    _write(out, "2", overwrite=True)
    assert (out / "a.txt").read_text() == "2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_renameat2_swaps_two_folders(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x").write_text("a")
    if not atomic._exchange(a, b):
        pytest.skip("renameat2(RENAME_EXCHANGE) not available here")
    assert (b / "x").read_text() == "a" and not (a / "x").exists()


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit])
def test_interrupt_removes_temp_and_lock(tmp_path: Path, interrupt: type[BaseException]) -> None:
    out = tmp_path / "out"
    _write(out, "old")
    with pytest.raises(interrupt), atomic_dir(out, overwrite=True, kind="route") as tmp:
        (tmp / "a.txt").write_text("half")
        raise interrupt()
    assert (out / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_symlinked_outdir_keeps_the_link(tmp_path: Path) -> None:
    real = tmp_path / "real" / "run"
    _write(real, "old")
    link = tmp_path / "senaste"
    link.symlink_to(real, target_is_directory=True)
    _write(link, "new", overwrite=True)
    assert link.is_symlink() and link.resolve() == real
    assert (link / "a.txt").read_text() == "new"
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == ["run"]  # swapped there
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real", "senaste"]


def test_disk_full_is_one_line_and_keeps_previous(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _write(out, "old")
    message = r"writing .*out failed: .*big\.gpkg: No space left on device; free space on that disk"
    with (
        pytest.raises(GeomapError, match=message) as info,
        atomic_dir(out, overwrite=True, kind="route") as tmp,
    ):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp / "big.gpkg"))
    assert "\n" not in str(info.value)
    assert (out / "a.txt").read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=6))
def test_outdir_is_always_the_last_complete_run(fails: list[bool]) -> None:
    """Whatever runs fail, OUTDIR holds exactly the last run that succeeded, and nothing else."""
    with tempfile.TemporaryDirectory() as name:
        base = Path(name)
        out, last = base / "out", None
        for i, fail in enumerate(fails):
            with (
                contextlib.suppress(RuntimeError),
                atomic_dir(out, overwrite=True, kind="route") as tmp,
            ):
                (tmp / "a.txt").write_text(str(i))
                (tmp / f"only{i}.txt").write_text("x")
                if fail:
                    raise RuntimeError("fail")
            last = i if not fail else last
        if last is None:
            assert not out.exists()
        else:
            assert sorted(p.name for p in out.iterdir()) == [
                MARKER_NAME,
                "a.txt",
                f"only{last}.txt",
            ]
            assert (out / "a.txt").read_text() == str(last)
        assert [p.name for p in base.iterdir()] == (["out"] if last is not None else [])


# --- names beside a long OUTDIR fit in a file name (issue 9) -----------------------------------


def _beside(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir())


@pytest.mark.parametrize(
    "name",
    ["v" * 226, "v" * 227, "v" * 250, "a" * 255, "ö" * 127, "x" * 200 + "ö" * 27],
    ids=["226-fits-whole", "227", "250", "255", "254-bytes-of-ö", "cut-inside-ö"],
)
def test_lock_and_temp_names_of_a_long_outdir_fit(tmp_path: Path, name: str) -> None:
    """`.NAME.geomap-tmp-<hex>` of a 250-character NAME was 279 bytes: the run could not start."""
    out = tmp_path / name
    with atomic_dir(out, kind="route") as tmp:
        (tmp / "a.txt").write_text("1")
        names = [p.name for p in tmp_path.iterdir()]
        assert len(names) == 2 and tmp.name in names  # the lock file and the temp folder
        assert all(len(os.fsencode(n)) <= 255 for n in names)
        if len(os.fsencode(name)) <= 226:
            assert sorted(names) == sorted([f".{name}.lock", tmp.name])
        assert tmp.name.startswith(f".{name[:100]}")  # still recognisable
        (tmp / "b.txt").write_text(tmp.name)
    assert _beside(tmp_path) == [name]
    _write(out, "2", overwrite=True)
    assert (out / "a.txt").read_text() == "2"
    assert _beside(tmp_path) == [name]


def test_long_names_with_the_same_start_do_not_share_a_lock(tmp_path: Path) -> None:
    first, second = tmp_path / ("v" * 249 + "1"), tmp_path / ("v" * 249 + "2")
    with output_lock(first), output_lock(second):  # the second is not "being written" by the first
        locks = [p.name for p in tmp_path.iterdir()]
        assert len(set(locks)) == 2
        with atomic_dir(first) as a, atomic_dir(second) as b:
            assert a.name[:-16] != b.name[:-16]
    assert _beside(tmp_path) == sorted([first.name, second.name])


def _temp_prefix(out: Path) -> str:
    """The name of ``out``'s temporary folders without their random part."""
    with atomic_dir(out) as tmp:
        return tmp.name[: -len("0123456789abcdef")]


def test_leftovers_beside_a_long_outdir_are_removed(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out, other = tmp_path / ("v" * 250), tmp_path / ("v" * 249 + "w")
    prefix, others = _temp_prefix(out), _temp_prefix(other)
    assert prefix.endswith(".geomap-tmp-") and prefix != others
    leftover = tmp_path / (prefix + "0123456789abcdef")
    (leftover / "owners").mkdir(parents=True)
    not_ours = tmp_path / (others + "0123456789abcdef")  # the other long folder's
    not_ours.mkdir()
    with caplog.at_level(logging.INFO, logger="geomap"):
        _write(out, "1", overwrite=True)
    assert not leftover.exists() and not_ours.exists()
    assert "left behind by an interrupted geomap run" in caplog.text


def test_long_outdir_moved_aside_by_a_killed_run_is_restored(tmp_path: Path) -> None:
    out = tmp_path / ("v" * 250)
    aside = tmp_path / (_temp_prefix(out).replace(".geomap-tmp-", ".geomap-old-") + "0" * 16)
    out.rmdir()  # _temp_prefix wrote an empty OUTDIR; a run killed mid-swap leaves none
    aside.mkdir()
    (aside / "a.txt").write_text("old")
    with output_lock(out):
        pass
    assert (out / "a.txt").read_text() == "old"
    assert _beside(tmp_path) == [out.name]


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two-renames"])
def test_swap_of_a_long_outdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(atomic, "_exchange", lambda a, b: False)
    out = tmp_path / ("ä" * 127)
    _write(out, "1")
    _write(out, "2", overwrite=True)
    assert (out / "a.txt").read_text() == "2"
    assert _beside(tmp_path) == [out.name]


@pytest.mark.parametrize(
    ("reported", "limit"), [(143, 143), (OSError, 255), (-1, 255), (4096, 255)]
)
def test_the_file_systems_name_limit_is_honoured(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reported: object, limit: int
) -> None:
    """eCryptfs allows 143 bytes; without an answer from `pathconf` 255 is assumed."""

    def pathconf(path: object, name: str) -> int:
        assert name == "PC_NAME_MAX"
        if reported is OSError:
            raise OSError(errno.EINVAL, "Invalid argument")
        return int(reported)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "pathconf", pathconf)
    out = tmp_path / ("n" * 140)
    with atomic_dir(out) as tmp:
        names = [p.name for p in tmp_path.iterdir()]
        assert max(len(os.fsencode(n)) for n in names) <= limit
        assert (f".{out.name}.lock" in names) == (limit == 255)
        assert tmp.name.startswith(".nnnn")
    assert _beside(tmp_path) == [out.name]


@pytest.mark.parametrize("name", ["k" * 250 + ".xlsx", "å" * 125 + ".gpkg", "x" * 255])
def test_atomic_path_temp_name_of_a_long_file_fits(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    with atomic_path(target) as tmp:
        assert len(os.fsencode(tmp.name)) <= 255
        assert tmp.name.endswith(target.suffix)  # writers choose the format by it
        tmp.write_text("hej")
    assert target.read_text() == "hej"
    assert _beside(tmp_path) == [name]

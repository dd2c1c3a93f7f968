from __future__ import annotations

from pathlib import Path

import pytest

from geomap.errors import OutputExistsError
from geomap.io.atomic import atomic_dir, atomic_path, check_writable, write_text_atomic


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

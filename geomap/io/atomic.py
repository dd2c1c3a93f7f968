"""Atomic writes: produce an output under a temporary name, then rename it into place.

A reader never sees a half-written GeoPackage, list or map, and a failed run leaves the previous output
untouched.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from geomap.errors import OutputExistsError

__all__ = ["atomic_dir", "atomic_path", "check_writable", "write_text_atomic"]


def check_writable(path: str | os.PathLike[str], *, overwrite: bool) -> Path:
    """Return ``path`` as a :class:`Path`; raise if it exists and ``overwrite`` is false.

    Examples
    --------
    >>> check_writable("/nonexistent/out.gpkg", overwrite=False)
    PosixPath('/nonexistent/out.gpkg')
    """
    target = Path(path)
    if target.exists() and not overwrite:
        msg = f"{target} already exists; pass `overwrite` to replace it"
        raise OutputExistsError(msg)
    return target


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success rename it to ``path``.

    The temporary file lives in the same directory so that the final rename is atomic. On error the
    temporary file is removed and ``path`` is left as it was.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("hej")
    >>> (d / "a.txt").read_text()
    'hej'
    """
    target = check_writable(path, overwrite=overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.stem}.", suffix=target.suffix, dir=target.parent
    )
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp
        tmp.replace(target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


@contextlib.contextmanager
def atomic_dir(path: str | os.PathLike[str], *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary directory beside ``path``; on success it replaces ``path``.

    An existing ``path`` is only replaced when ``overwrite`` is true; it is moved aside first and
    deleted after the new directory is in place.
    """
    target = check_writable(path, overwrite=overwrite)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        yield tmp
        old: Path | None = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            old.rmdir()
            target.replace(old)
        tmp.replace(target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def write_text_atomic(
    path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8", overwrite: bool = False
) -> Path:
    """Write ``text`` to ``path`` atomically and return the path."""
    with atomic_path(path, overwrite=overwrite) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)

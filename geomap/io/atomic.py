"""Atomic writes: produce an output under a temporary name, then rename it into place.

A reader never sees a half-written GeoPackage, list or map, and a failed run leaves the previous output
untouched.

Output folders (:func:`atomic_dir`) are guarded further, so that writing them never destroys anything:

- the folder must not be, contain or lie above an input (``protect``);
- with ``kind``, geomap writes a marker file (:data:`MARKER_NAME`) into the folder and replaces only a
  folder that carries it (or is empty), unless ``replace_foreign`` says otherwise;
- a lock file ``.OUTDIR.lock`` beside the folder (:func:`output_lock`) keeps a second run out;
- the new content is written to ``.OUTDIR.geomap-tmp-<hex>`` beside the folder and swapped in with one
  atomic rename (Linux ``renameat2(RENAME_EXCHANGE)``), so even a killed run leaves the old or the new
  folder, complete; the next run removes what a killed run left behind;
- a symbolic link as OUTDIR is kept: the swap happens at the link's target.

Where ``.OUTDIR.geomap-tmp-<hex>`` would be longer than a file name may be (255 bytes on most file
systems, ``os.pathconf(folder, "PC_NAME_MAX")``), the lock, temporary and aside names use OUTDIR's
name cut short plus ``~`` and 16 hex digits of its SHA-256 instead of the whole name, so two long
names never share them. :func:`atomic_path` shortens its temporary file names in the same way.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from geomap._version import __version__
from geomap.errors import GeomapError, OutputExistsError, OutputLockedError

__all__ = [
    "MARKER_NAME",
    "PAUSE_ENV",
    "atomic_dir",
    "atomic_path",
    "check_output_dir",
    "check_writable",
    "os_error_message",
    "output_lock",
    "write_text_atomic",
]

log = logging.getLogger(__name__)

#: The file that marks a folder as written by geomap (JSON: tool, version, created, kind).
MARKER_NAME = ".geomap-output"
#: Test hook: ``GEOMAP_TEST_PAUSE_AT=locked|written|swapped`` makes a run stop at that point for
#: ``GEOMAP_TEST_PAUSE_SECONDS`` (default 60), so that a test can kill it there.
PAUSE_ENV = "GEOMAP_TEST_PAUSE_AT"

_FIXES = {
    errno.ENOSPC: "free space on that disk or choose a folder on another disk",
    errno.EDQUOT: "free space (disk quota exceeded) or choose a folder on another disk",
    errno.EACCES: "choose a folder you may write to, or ask for write permission",
    errno.EPERM: "choose a folder you may write to, or ask for write permission",
    errno.EROFS: "the disk is read-only; choose a folder on a writable disk",
}
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
#: File names longer than this (in bytes) are refused by most file systems (ext4, XFS, NTFS, APFS).
_NAME_MAX = 255
_TOKEN = 16  # hex digits of the random part of temporary names (secrets.token_hex(8))
#: What follows ``.<stem>`` in the longest name written beside an output folder.
_LONGEST_TAIL = len(".geomap-tmp-") + _TOKEN
_DIGEST = 16  # hex digits of SHA-256 that keep two shortened names apart


def check_writable(
    path: str | os.PathLike[str],
    *,
    overwrite: bool,
    protect: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Return ``path`` as a :class:`Path`; raise if it may not be written.

    Refused: an existing ``path`` without ``overwrite``; a ``path`` that is one of the files in
    ``protect`` (the inputs of the command: an output never replaces its own input), also through
    a symbolic link; GDAL's virtual file systems (``/vsimem/`` …); a name with a control character.

    Examples
    --------
    >>> check_writable("/nonexistent/out.gpkg", overwrite=False)
    PosixPath('/nonexistent/out.gpkg')
    >>> check_writable("in.gpkg", overwrite=True, protect=["in.gpkg"])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    geomap.errors.OutputExistsError: in.gpkg is also an input of this command; ...
    """
    target = Path(path)
    check_output_name(target)
    real = Path(os.path.realpath(target))
    for item in protect:
        if real == Path(os.path.realpath(item)):
            msg = (
                f"{target} is also an input of this command; an output never replaces its own "
                "input: write it to another file"
            )
            raise OutputExistsError(msg)
    if target.exists() and not overwrite:
        msg = f"{target} already exists; pass `overwrite` to replace it"
        raise OutputExistsError(msg)
    return target


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def check_output_name(path: Path) -> None:
    """Refuse output paths geomap cannot write as files: GDAL's ``/vsi…`` and control characters.

    Examples
    --------
    >>> check_output_name(Path("/vsimem/out"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    geomap.errors.OutputExistsError: /vsimem/out: ... virtual file system ...
    """
    text = str(path)
    if text.startswith("/vsi"):
        msg = f"{text}: is a GDAL virtual file system path, not a folder on disk; give a real path"
        raise OutputExistsError(msg)
    if _CONTROL.search(text):
        msg = (
            f"{text!r}: the output path holds a control character (a tab or a line break?); "
            "give a path without one"
        )
        raise OutputExistsError(msg)


def os_error_message(exc: OSError) -> str:
    """Return ``exc`` as one line: the path, the reason and the fix.

    Examples
    --------
    >>> import errno
    >>> os_error_message(OSError(errno.ENOSPC, "No space left on device", "/data/out"))
    '/data/out: No space left on device; free space on that disk or choose a folder on another disk'
    """
    reason = exc.strerror or str(exc) or type(exc).__name__
    fix = _FIXES.get(exc.errno or 0, "check the path and that its disk is available")
    where = f"{exc.filename}: " if exc.filename is not None else ""
    return f"{where}{reason}; {fix}"


@contextlib.contextmanager
def atomic_path(
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    protect: Iterable[str | os.PathLike[str]] = (),
) -> Iterator[Path]:
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
    target = check_writable(path, overwrite=overwrite, protect=protect)
    target.parent.mkdir(parents=True, exist_ok=True)
    room = _name_max(target.parent) - len(os.fsencode(target.suffix)) - len("..") - 8  # mkstemp: 8
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{_fit(target.stem, room)}.", suffix=target.suffix, dir=target.parent
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


def check_output_dir(
    path: str | os.PathLike[str],
    *,
    overwrite: bool,
    kind: str | None = None,
    protect: Iterable[str | os.PathLike[str]] = (),
    replace_foreign: bool = False,
) -> Path:
    """Raise unless :func:`atomic_dir` may write the output folder ``path``; return its real path.

    Refused: a folder that is, contains or lies above a path in ``protect`` (the inputs); a dangling
    symbolic link; a path below a file; an existing file; an existing folder unless ``overwrite``;
    and, with ``kind``, a non-empty folder without geomap's marker file unless ``replace_foreign``.
    Nothing is created.

    Examples
    --------
    >>> check_output_dir("/nonexistent/out", overwrite=False)
    PosixPath('/nonexistent/out')
    """
    given = Path(path)
    check_output_name(given)
    real = _output_target(given)
    _check_protected(given, real, protect)
    _check_parent(given, real)
    if not os.path.lexists(real):
        return real
    shown = _shown(given, real)
    if not real.is_dir():
        msg = f"{shown} is a file, not a folder; choose a folder path for the outputs"
        raise OutputExistsError(msg)
    if not overwrite:
        msg = f"{shown} already exists; pass `overwrite` to replace it"
        raise OutputExistsError(msg)
    _refuse_working_folder(given)
    if kind is not None and not replace_foreign and not _replaceable(real):
        msg = (
            f"{shown} already exists and was not written by geomap (it has no {MARKER_NAME} file), "
            "so it is not replaced even with `overwrite`; choose a new folder, or pass "
            "`replace_foreign` to delete everything in it and write the outputs there"
        )
        raise OutputExistsError(msg)
    return real


@contextlib.contextmanager
def atomic_dir(
    path: str | os.PathLike[str],
    *,
    overwrite: bool = False,
    kind: str | None = None,
    protect: Iterable[str | os.PathLike[str]] = (),
    replace_foreign: bool = False,
) -> Iterator[Path]:
    """Yield a temporary directory beside ``path``; on success it replaces ``path`` in one step.

    The run holds :func:`output_lock` throughout and checks ``path`` with :func:`check_output_dir`
    (same arguments). With ``kind`` the marker file :data:`MARKER_NAME` is written into the new
    folder. The new folder is swapped in atomically and the previous one deleted afterwards; on any
    error, interrupt or termination the temporary folder is removed and ``path`` stays as it was.
    An :class:`OSError` (full disk, no permission) becomes a one-line :class:`GeomapError`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> with atomic_dir(out, kind="route") as tmp:
    ...     _ = (tmp / "a.txt").write_text("hej")
    >>> sorted(p.name for p in out.iterdir())
    ['.geomap-output', 'a.txt']
    """
    given = Path(path)
    with output_lock(given) as real:
        check_output_dir(
            given, overwrite=overwrite, kind=kind, protect=protect, replace_foreign=replace_foreign
        )
        tmp = _new_temp(given, real)
        try:
            try:
                yield tmp
                if kind is not None:
                    _write_marker(tmp, kind)
                _pause("written")
                _swap(tmp, real)
            except OSError as exc:
                msg = f"writing {_shown(given, real)} failed: {os_error_message(exc)}; {given} was left as it was"
                raise GeomapError(msg) from exc
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class _Held:
    """A lock this process holds: the open lock file, its path, the owning thread, the depth."""

    fd: int
    lock: Path
    thread: int
    depth: int = 1


_HELD: dict[Path, _Held] = {}
_GUARD = threading.Lock()


@contextlib.contextmanager
def output_lock(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold the exclusive lock of the output folder ``path`` and yield the folder's real path.

    The lock is the file ``.NAME.lock`` beside the folder (beside a symbolic link's target), taken
    with a non-blocking ``flock``; while one run holds it another raises
    :class:`~geomap.errors.OutputLockedError` naming the holder's pid. It is re-entrant within a
    thread. On taking it, temporary folders left by a killed run are removed. The lock file is
    deleted when the lock is released.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "run"
    >>> with output_lock(out) as real:
    ...     (out.parent / ".run.lock").exists()
    True
    >>> (out.parent / ".run.lock").exists()
    False
    """
    given = Path(path)
    real = _output_target(given)
    held = _reenter(given, real)
    if held is None:
        _check_parent(given, real)
        held = _acquire(given, real)
        try:
            _clean_leftovers(real)
            _pause("locked")
        except BaseException:
            _release(held)
            raise
        with _GUARD:
            _HELD[real] = held
    try:
        yield real
    finally:
        with _GUARD:
            held.depth -= 1
            last = held.depth == 0
            if last:
                del _HELD[real]
        if last:
            _release(held)


def write_text_atomic(
    path: str | os.PathLike[str],
    text: str,
    *,
    encoding: str = "utf-8",
    overwrite: bool = False,
    protect: Iterable[str | os.PathLike[str]] = (),
) -> Path:
    """Write ``text`` to ``path`` atomically and return the path (``protect``: see check_writable)."""
    with atomic_path(path, overwrite=overwrite, protect=protect) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(path)


def _output_target(given: Path) -> Path:
    """Return the real folder ``given`` names (symbolic links followed); refuse a dangling link."""
    if given.is_symlink() and not given.exists():
        msg = (
            f"{given} is a symbolic link to {given.readlink()}, which does not exist; "
            "create that folder or remove the link"
        )
        raise OutputExistsError(msg)
    real = given.resolve()
    if not real.name:
        msg = f"{given} is the root folder; choose a folder below it for the outputs"
        raise OutputExistsError(msg)
    return real


def _shown(given: Path, real: Path) -> str:
    """Name ``given`` for a message, with its real path when that says more."""
    if given.is_symlink():
        return f"{given} (link to {real})"
    return f"{given} ({real})" if given.name in {"", ".", ".."} else str(given)


def _check_protected(given: Path, real: Path, protect: Iterable[str | os.PathLike[str]]) -> None:
    """Refuse ``real`` when it is, contains or lies above one of ``protect``."""
    for item in protect:
        source = Path(item)
        seen = {source.resolve(), source.parent.resolve() / source.name}  # the link and its target
        if not any(p.is_relative_to(real) for p in seen):
            continue
        relation = "is" if real in seen else "contains"
        msg = (
            f"the output folder {_shown(given, real)} {relation} the input {source}; writing "
            "the outputs there would delete it. Write them to a new folder that holds no input, "
            f"e.g. {real.parent / (real.name + '_geomap')}"
        )
        raise OutputExistsError(msg)


def _check_parent(given: Path, real: Path) -> None:
    """Refuse a folder below a file, or below a folder this user may not write to."""
    ancestor = real.parent
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        msg = (
            f"cannot create the output folder {given}: {ancestor} is a file, not a folder; "
            "choose an output path inside a folder"
        )
        raise OutputExistsError(msg)
    if not os.access(ancestor, os.W_OK | os.X_OK):
        denied = PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(ancestor))
        msg = f"cannot create the output folder {given}: {os_error_message(denied)}"
        raise GeomapError(msg)


def _refuse_working_folder(given: Path) -> None:
    """Refuse to replace the current folder or one above it.

    The shell that ran geomap would be left in a deleted folder that looks empty.
    """
    if not os.path.lexists(given):
        return
    here, real = Path.cwd().resolve(), given.resolve()
    if here == real or here.is_relative_to(real):
        msg = (
            f"{given} is the current folder (or holds it); geomap would replace the folder you "
            "are in. Write the outputs into a new folder, e.g. -o ut"
        )
        raise OutputExistsError(msg)


def _replaceable(folder: Path) -> bool:
    """Whether ``folder`` is empty, carries geomap's marker file or is an older geomap run."""
    if next(folder.iterdir(), None) is None:
        return True
    try:
        info = json.loads((folder / MARKER_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return _legacy_run(folder)
    return isinstance(info, dict) and info.get("tool") == "geomap"


def _legacy_run(folder: Path) -> bool:
    """Whether ``folder`` is a ``geomap route`` output written before the marker file existed.

    Such a folder holds ``routed.gpkg`` and a ``summary.json`` with geomap's own keys.
    """
    try:
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    keys = {"total", "counts", "by_method", "working_crs"}
    return isinstance(summary, dict) and keys <= set(summary) and (folder / "routed.gpkg").is_file()


def _write_marker(folder: Path, kind: str) -> None:
    info = {
        "tool": "geomap",
        "version": __version__,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "kind": kind,
    }
    (folder / MARKER_NAME).write_text(json.dumps(info) + "\n", encoding="utf-8")


def _reenter(given: Path, real: Path) -> _Held | None:
    """Return the lock of ``real`` if this thread holds it already (one level deeper)."""
    with _GUARD:
        held = _HELD.get(real)
        if held is None:
            return None
        if held.thread != threading.get_ident():
            msg = (
                f"{_shown(given, real)} is being written by another geomap run (pid "
                f"{os.getpid()}); wait for it or choose another folder"
            )
            raise OutputLockedError(msg)
        held.depth += 1
        return held


def _name_max(folder: Path) -> int:
    """Return the longest file name (bytes) allowed in ``folder`` (or its nearest existing parent)."""
    ancestor = folder
    while not ancestor.exists() and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    try:
        limit = os.pathconf(ancestor, "PC_NAME_MAX")
    except (OSError, ValueError, AttributeError):  # no pathconf (Windows) or no such limit
        return _NAME_MAX
    return min(limit, _NAME_MAX) if limit > 0 else _NAME_MAX


def _fit(name: str, room: int) -> str:
    """Return ``name`` if it takes at most ``room`` bytes, else a cut of it + ``~`` + its digest.

    The same name always gives the same result, and two names that are cut never share one.
    """
    encoded = os.fsencode(name)
    if len(encoded) <= room:
        return name
    digest = hashlib.sha256(encoded).hexdigest()[:_DIGEST]
    keep = max(room - len(digest) - 1, 0)
    cut = encoded[:keep].decode("utf-8", errors="ignore")  # no half characters at the cut
    return f"{cut}~{digest}"


def _side_stem(real: Path) -> str:
    """Return what the names beside the output folder ``real`` start with after their dot.

    That is ``real``'s name, unless ``.<name>.geomap-tmp-<hex>`` would not fit in a file name:
    then the name cut short with a digest of the whole (see :func:`_fit`).
    """
    return _fit(real.name, _name_max(real.parent) - 1 - _LONGEST_TAIL)


def _side_path(real: Path, tail: str) -> Path:
    """Return the path ``.<stem>.<tail>`` beside the output folder ``real`` (lock, temp, aside)."""
    return real.parent / f".{_side_stem(real)}.{tail}"


def _acquire(given: Path, real: Path) -> _Held:
    """Create the parent folder and take the lock file beside ``real``."""
    lock = _side_path(real, "lock")
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(10):
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            _flock(fd, given, real)
            if _same_file(fd, lock):  # not a lock file another run deleted meanwhile
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                return _Held(fd, lock, threading.get_ident())
            os.close(fd)
    except OSError as exc:
        msg = f"cannot write the output folder {given}: {os_error_message(exc)}"
        raise GeomapError(msg) from exc
    msg = f"cannot lock the output folder {given}: {lock} keeps changing; try again"
    raise GeomapError(msg)


def _flock(fd: int, given: Path, real: Path) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        pid = os.pread(fd, 32, 0).decode(errors="replace").strip() or "unknown"
        os.close(fd)
        msg = (
            f"{_shown(given, real)} is being written by another geomap run (pid {pid}); "
            "wait for it or choose another folder"
        )
        raise OutputLockedError(msg) from None
    except OSError:
        os.close(fd)
        raise


def _same_file(fd: int, path: Path) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), path.stat())
    except FileNotFoundError:
        return False


def _release(held: _Held) -> None:
    with contextlib.suppress(OSError):
        held.lock.unlink()  # while still holding it: a waiting run then sees a new file
    os.close(held.fd)


def _clean_leftovers(real: Path) -> None:
    """Remove the temporary folders of killed runs into ``real``; restore ``real`` if it is missing."""
    pattern = re.compile(rf"\.{re.escape(_side_stem(real))}\.geomap-(tmp|old)-[0-9a-f]{{{_TOKEN}}}")
    found = [(p, m[1]) for p in real.parent.iterdir() if (m := pattern.fullmatch(p.name))]
    found.sort(key=lambda item: item[0].lstat().st_mtime, reverse=True)
    if not os.path.lexists(real):
        previous = next((p for p, what in found if what == "old"), None)
        if previous is not None:
            previous.rename(real)
            log.warning("restored %s from %s, left by an interrupted geomap run", real, previous)
            found = [(p, what) for p, what in found if p != previous]
    for leftover, _ in found:
        shutil.rmtree(leftover, ignore_errors=True)
        log.info("removed %s, left behind by an interrupted geomap run", leftover)


def _new_temp(given: Path, real: Path) -> Path:
    tmp = _side_path(real, f"geomap-tmp-{secrets.token_hex(_TOKEN // 2)}")
    try:
        tmp.mkdir()
    except OSError as exc:
        msg = f"cannot write the output folder {given}: {os_error_message(exc)}"
        raise GeomapError(msg) from exc
    return tmp


def _swap(tmp: Path, real: Path) -> None:
    """Put ``tmp`` at ``real`` in one atomic step, then delete what was there."""
    if not os.path.lexists(real):
        tmp.rename(real)
        return
    if _exchange(tmp, real):  # tmp now holds the previous content
        _pause("swapped")
        shutil.rmtree(tmp, ignore_errors=True)
        return
    old = _side_path(real, f"geomap-old-{secrets.token_hex(_TOKEN // 2)}")
    real.rename(old)  # a run killed before the next line is restored by the next run
    try:
        tmp.rename(real)
    except BaseException:
        old.rename(real)
        raise
    _pause("swapped")
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (Linux ``renameat2``); return False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    renameat2.restype = ctypes.c_int
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP}:
        return False
    raise OSError(err, os.strerror(err), str(b))


def _pause(point: str) -> None:
    """Test hook (:data:`PAUSE_ENV`): stop at ``point`` so that a test can kill the run there."""
    if os.environ.get(PAUSE_ENV) != point:
        return
    sys.stderr.write(f"geomap: test pause at {point} (pid {os.getpid()})\n")
    sys.stderr.flush()
    time.sleep(float(os.environ.get("GEOMAP_TEST_PAUSE_SECONDS", "60")))

"""Options shared by several ``geomap`` commands, defined once (as rasterio's ``rio/options.py``).

Every command spells them the same: ``-o/--output``, ``--overwrite``, ``--owners``,
``--districts``/``--no-districts``, the period ``--from/--to``, ``--week``, ``--month``,
``--tertial``, ``--years``, and ``-v/-q``. The period options become one
:class:`geomap.core.periods.Period` argument (``period``) of the command function.
"""

from __future__ import annotations

import functools
import logging
import math
import re
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO, TypeVar

import click

from geomap.core.periods import period_from_arguments
from geomap.errors import GeomapError, OutputExistsError
from geomap.io.atomic import MARKER_NAME, check_output_dir

F = TypeVar("F", bound=Callable[..., Any])


def overwrite_option(func: F) -> F:
    """``--overwrite`` (parameter ``overwrite``); an output that exists is a usage error.

    The command's :class:`geomap.errors.OutputExistsError` becomes a :class:`click.UsageError`
    raised inside the command, so click shows that command's usage (``geomap route [OPTIONS]
    INPUTS...``, not the group's) and the message names its options (``--overwrite``).
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OutputExistsError as exc:
            command = click.get_current_context().command
            raise click.UsageError(option_words(str(exc), command)) from None

    return click.option(  # type: ignore[return-value]
        "--overwrite",
        is_flag=True,
        default=False,
        help="Replace existing outputs. Without it geomap refuses to write over anything.",
    )(wrapper)


class _Metres(click.FloatRange):
    """A distance in metres: a finite number ≥ 0 (``nan`` and ``inf`` are usage errors)."""

    name = "metres"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(
                f"{value!r} is not a distance; give a number of metres, 0 or more", param, ctx
            )
        return number


#: Type of options that take a distance in metres (``--tolerance``, ``--max-distance``).
METRES = _Metres(min=0)


def output_option(
    *,
    help: str,
    required: bool = True,
    file_okay: bool = True,
    dir_okay: bool = True,
    aliases: tuple[str, ...] = (),
) -> Callable[[F], F]:
    """``-o/--output``: the file or folder a command writes (parameter ``output``)."""
    return click.option(
        "-o",
        "--output",
        *aliases,
        "output",
        required=required,
        type=click.Path(file_okay=file_okay, dir_okay=dir_okay, path_type=Path),
        help=help,
    )


def owners_option(*, help: str, required: bool = False, exists: bool = False) -> Callable[[F], F]:
    """``--owners FILE``: owner polygons, read by the one owner-layer reader."""
    return click.option(
        "--owners",
        "owners",
        required=required,
        type=click.Path(exists=exists, dir_okay=False, path_type=Path),
        help=help,
    )


def districts_option(func: F) -> F:
    """``--districts FILE``: district polygons with a name column (default: bundled RegSO 2025)."""
    return click.option(
        "--districts",
        type=click.Path(dir_okay=False, path_type=Path),
        help="District polygons with a name column (kommundelar). "
        "Default: SCB RegSO 2025 for Huddinge (bundled).",
    )(func)


_PERIOD_OPTIONS = (
    ("--from", "date_from", "YYYY-MM-DD", "First day (with --to)."),
    ("--to", "date_to", "YYYY-MM-DD", "Last day, inclusive (with --from)."),
    ("--week", "week", "YYYY-Www", "One ISO week, e.g. 2025-W47."),
    ("--month", "month", "YYYY-MM", "One month, e.g. 2025-03."),
    ("--tertial", "tertial", "YYYY-Tn", "One tertial (T1 jan–apr, T2 maj–aug, T3 sep–dec)."),
    ("--years", "years", "YYYY[-YYYY]", "One year or a span of years, e.g. 2024-2025."),
)


def period_options(func: F) -> F:
    """Add the period options; the command receives them as one ``period`` (or None).

    Only one way of giving the period is accepted (``--from`` and ``--to`` together count as
    one); a bad value is a usage error naming the option.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for _, name, _, _ in _PERIOD_OPTIONS}
        try:
            kwargs["period"] = period_from_arguments(**values)
        except GeomapError as exc:
            raise click.UsageError(option_words(str(exc))) from None
        return func(*args, **kwargs)

    for flag, name, metavar, text in reversed(_PERIOD_OPTIONS):
        wrapper = click.option(flag, name, metavar=metavar, default=None, help=text)(wrapper)
    return wrapper  # type: ignore[return-value]


def option_words(message: str, command: click.Command | None = None) -> str:
    """Name the command's options where a library message names Python arguments in backticks.

    ``date_from`` becomes ``--from`` (the period options, or any option of ``command`` whose
    parameter has that name); other backticked names lose their backticks.

    Examples
    --------
    >>> option_words("`date_to` not given; give both `date_from` and `date_to`")
    '--to not given; give both --from and --to'
    """
    names = {name: flag for flag, name, _, _ in _PERIOD_OPTIONS}
    for param in command.params if command is not None else ():
        if isinstance(param, click.Option) and param.name:
            names.setdefault(param.name, max(param.opts, key=len))
    return re.sub(r"`([A-Za-z_][A-Za-z0-9_]*)`", lambda m: names.get(m[1], m[1]), message)


def verbosity_options(func: F) -> F:
    """Add ``-v/--verbose`` and ``-q/--quiet`` (counted) and configure logging on stderr."""

    def _callback(ctx: click.Context, param: click.Parameter, value: int) -> int:
        state = ctx.ensure_object(dict)
        state[param.name] = state.get(param.name, 0) + value
        level = logging.WARNING - 10 * state.get("verbose", 0) + 10 * state.get("quiet", 0)
        configure_logging(level)
        return value

    func = click.option(
        "-q",
        "--quiet",
        count=True,
        expose_value=False,
        callback=_callback,
        help="Less output: -q hides warnings, -qq also hides errors logged by geomap.",
    )(func)
    return click.option(
        "-v",
        "--verbose",
        count=True,
        expose_value=False,
        callback=_callback,
        help="More output on stderr: -v info, -vv debug.",
    )(func)


#: The command being run, so that messages logged by the library name its options.
RUNNING: dict[str, click.Command | None] = {"command": None}


class _OptionWordsFormatter(logging.Formatter):
    """Formats a record, naming the running command's options for backticked argument names."""

    def format(self, record: logging.LogRecord) -> str:
        return option_words(super().format(record), RUNNING["command"])


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of the record (tests swap it)."""

    _geomap = True

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, value: TextIO) -> None:
        pass


def _warning_to_log(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    """Show a Python warning as one ``geomap: WARNING:`` line, without source file and code.

    GDAL's warnings reach Python through pyogrio as ``RuntimeWarning``; printed the default way
    they name a line of ``contextlib.py``, which tells a user nothing.
    """
    text = str(message).strip()
    if issubclass(category, RuntimeWarning):
        text = f"GDAL: {text}"
    logging.getLogger("geomap.warnings").warning("%s", text)


def configure_logging(level: int) -> None:
    """Send geomap's log records, and Python warnings, to stderr at ``level`` (idempotent)."""
    warnings.showwarning = _warning_to_log
    logger = logging.getLogger("geomap")
    logger.setLevel(max(logging.DEBUG, min(level, logging.CRITICAL + 10)))
    if not any(getattr(h, "_geomap", False) for h in logger.handlers):
        handler = _StderrHandler()
        handler.setFormatter(_OptionWordsFormatter("geomap: %(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False


def check_output_folder(
    output: Path, *, overwrite: bool, protect: list[Path], kind: str = "report"
) -> None:
    """Refuse OUTPUT before any input is read, with fixes this command's user can follow.

    As :func:`geomap.io.atomic.check_output_dir`, except that a folder geomap did not write
    is refused without pointing to an option these commands do not have.
    """
    try:
        check_output_dir(output, overwrite=overwrite, kind=kind, protect=protect)
    except OutputExistsError as exc:
        if "`replace_foreign`" not in str(exc):
            raise
        msg = (
            f"{output} already exists and was not written by geomap (it has no {MARKER_NAME} "
            "file), so it is not replaced even with --overwrite; choose a new folder, or empty "
            "this one first"
        )
        raise click.UsageError(msg) from None

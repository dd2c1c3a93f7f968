"""Options shared by several ``geomap`` commands, defined once."""

from __future__ import annotations

import logging
import sys
import warnings
from collections.abc import Callable
from typing import Any, TextIO, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

overwrite_option = click.option(
    "--overwrite",
    is_flag=True,
    default=False,
    help="Replace existing outputs. Without it geomap refuses to write over anything.",
)


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
        handler.setFormatter(logging.Formatter("geomap: %(levelname)s: %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False

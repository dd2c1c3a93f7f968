"""The ``geomap`` command line: a thin layer over the Python API.

Exit codes: 0 success, 1 the work failed (bad input data, validation errors), 2 usage errors.
"""

from __future__ import annotations

import logging
import signal
import sys
from collections.abc import Sequence
from types import FrameType

import click
import pyogrio

from geomap.errors import GeomapError, OutputExistsError
from geomap.io.atomic import os_error_message
from geomap.io.vector import gdal_reason

from .options import RUNNING, configure_logging, option_words, verbosity_options

__all__ = ["cli", "main"]

log = logging.getLogger("geomap")


class _GeomapGroup(click.Group):
    """A click group that turns :class:`GeomapError` into a one-line message and an exit code."""

    def invoke(self, ctx: click.Context) -> object:
        leaf = _leaf_command(ctx, [*ctx._protected_args, *ctx.args])  # before click consumes them
        RUNNING["command"] = leaf
        try:
            return super().invoke(ctx)
        except OutputExistsError as exc:
            raise click.UsageError(option_words(str(exc), leaf), ctx) from None
        except GeomapError as exc:
            click.echo(f"geomap: error: {option_words(str(exc), leaf)}", err=True)
            ctx.exit(1)
        except OSError as exc:  # a disk or permission problem outside geomap's own checks
            if isinstance(exc, BrokenPipeError):
                raise
            click.echo(f"geomap: error: {os_error_message(exc)}", err=True)
            ctx.exit(1)
        except _GDAL_ERRORS as exc:  # GDAL failed reading or writing a file (e.g. a full disk)
            click.echo(f"geomap: error: {_gdal_words(exc)}", err=True)
            ctx.exit(1)
        return None


_GDAL_ERRORS = (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError)


def _gdal_words(exc: Exception) -> str:
    """One line for a GDAL failure that no check of geomap's caught first."""
    reason = gdal_reason(exc)
    if "disk is full" in reason or "No space left" in reason:
        return f"the disk is full ({reason}); free some space or write the outputs elsewhere"
    return f"GDAL could not read or write a file ({reason}); check the paths, free disk space and permissions"


def _leaf_command(ctx: click.Context, args: list[str]) -> click.Command | None:
    """Find the (sub)command that ``args`` run, so that its errors can name its options."""
    command: click.Command = ctx.command
    # An option (``geomap layers --help``) is not a subcommand name: resolving it would make click
    # parse it against the top-level context and print the top-level help.
    while isinstance(command, click.Group) and args and not args[0].startswith("-"):
        try:
            _, found, args = command.resolve_command(ctx, args)
        except click.ClickException:
            return None
        if found is None:
            return None
        command = found
    return command


@click.group(cls=_GeomapGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="geomap")
@verbosity_options
def cli() -> None:
    """Route remarks to landowners, map them and share maintenance layers (Huddinge)."""


def _register() -> None:
    # One module per command; each adds its command here.
    from . import categories, demo_data, lagesbild, layers, protokoll, route, utvardera
    from . import map as map_module
    from . import register as register_module

    cli.add_command(route.route_command)
    cli.add_command(categories.categories_command)
    cli.add_command(demo_data.demo_data_command)
    cli.add_command(layers.layers_group)
    cli.add_command(map_module.map_command)
    cli.add_command(lagesbild.lagesbild_command)
    cli.add_command(utvardera.utvardera_command)
    cli.add_command(register_module.register_group)
    cli.add_command(protokoll.protokoll_command)


def _terminate(signum: int, frame: FrameType | None) -> None:
    """Turn SIGTERM into :class:`SystemExit`, so that unfinished outputs are cleaned up."""
    click.echo("geomap: error: terminated (SIGTERM); unfinished outputs were removed", err=True)
    raise SystemExit(128 + signum)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point."""
    signal.signal(signal.SIGTERM, _terminate)
    configure_logging(logging.WARNING)
    cli.main(args=list(argv) if argv is not None else None, prog_name="geomap")


_register()

if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])

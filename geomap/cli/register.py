"""``geomap register``: the follow-up register (ärenderegister) of remarks and their owners."""

from __future__ import annotations

from pathlib import Path

import click

from geomap.core.owners import load_registry
from geomap.register import open_register
from geomap.register.ingest import ingest
from geomap.register.lists import write_lists
from geomap.register.open311 import export_open311
from geomap.register.overview import format_status_table, status_table
from geomap.register.privacy import load_privacy
from geomap.register.update import apply_list, reassign, unlink

from .options import check_output_folder, output_option, overwrite_option, verbosity_options

__all__ = ["register_group"]


def _register_option(func):  # type: ignore[no-untyped-def]
    return click.option(
        "--register",
        "register",
        required=True,
        metavar="R.gpkg|postgresql://…",
        help="The register: a GeoPackage file (created by the first ingest) or a PostgreSQL URL.",
    )(func)


def _privacy_option(func):  # type: ignore[no-untyped-def]
    return click.option(
        "--privacy",
        type=click.Path(dir_okay=False, exists=True, path_type=Path),
        help="Privacy policy TOML (default: the built-in one, as data/privacy.toml).",
    )(func)


def _register_files(register: str) -> list[Path]:
    """Return the register as a file an output folder must not replace (none for a URL)."""
    return [] if "://" in register else [Path(register)]


@click.group("register")
@verbosity_options
def register_group() -> None:
    """Follow remarks in the register: statuses of remarks across weekly runs, with the owners.

    \b
    Examples:
      geomap register ingest out/v47/routed.gpkg --register arenden.gpkg
      geomap register lists --register arenden.gpkg -o listor/v47
      geomap register update listor/v47/huge_bostader.xlsx --register arenden.gpkg
      geomap register status --register arenden.gpkg
      geomap register export open311 --register arenden.gpkg -o open311/
    """


@register_group.command("ingest")
@click.argument("routed", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_register_option
@click.option(
    "--registry",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Owner registry TOML (external owners, service levels); default: the one in ROUTED.",
)
@verbosity_options
def ingest_command(routed: Path, register: str, registry: Path | None) -> None:
    """Add the remarks of ROUTED (a routed.gpkg) to the register; the same file twice changes nothing."""
    owners = load_registry(registry) if registry is not None else None
    result = ingest(open_register(register), routed, registry=owners)
    click.echo(result.message())


@register_group.command("lists")
@_register_option
@output_option(
    help="Folder for the lists (<owner>.xlsx, <owner>.csv, _samordnare.xlsx).", file_okay=False
)
@_privacy_option
@click.option("--xlsx/--no-xlsx", default=True, help="Also write XLSX (CSV is always written).")
@overwrite_option
@verbosity_options
def lists_command(
    register: str, output: Path, privacy: Path | None, xlsx: bool, overwrite: bool
) -> None:
    """Write each owner's list of open remarks with the follow-up columns to fill in."""
    protect = _register_files(register)
    check_output_folder(output, overwrite=overwrite, protect=protect, kind="register-lists")
    written = write_lists(
        open_register(register),
        output,
        privacy=load_privacy(privacy),
        xlsx=xlsx,
        overwrite=overwrite,
    )
    click.echo(f"geomap: wrote {len(written)} lists to {output}", err=True)


@register_group.command("update")
@click.argument("returned", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_register_option
@click.option("--force", is_flag=True, help="Apply a list older than one applied already.")
@click.option("--by", "actor", help="Who answered (default: the list's owner id).")
@verbosity_options
def update_command(returned: Path, register: str, force: bool, actor: str | None) -> None:
    """Apply a list an owner returned (XLSX or CSV) in one transaction; prints what changed."""
    result = apply_list(open_register(register), returned, force=force, actor=actor)
    click.echo(result.message())


@register_group.command("reassign")
@click.argument("remark_id")
@_register_option
@click.option("--owner", required=True, help="Owner id to move the remark to.")
@click.option("--reason", required=True, help="Why (kept in the history).")
@verbosity_options
def reassign_command(remark_id: str, register: str, owner: str, reason: str) -> None:
    """Move REMARK_ID to another owner (e.g. after 'ej vårt ansvar')."""
    click.echo(reassign(open_register(register), remark_id, owner=owner, reason=reason))


@register_group.command("unlink")
@click.argument("remark_id")
@_register_option
@verbosity_options
def unlink_command(remark_id: str, register: str) -> None:
    """Undo the duplicate link of REMARK_ID."""
    click.echo(unlink(open_register(register), remark_id))


@register_group.command("status")
@_register_option
@verbosity_options
def status_command(register: str) -> None:
    """Print per owner: open, overdue, fixed, refused and median days to fix."""
    click.echo(format_status_table(status_table(open_register(register))))


@register_group.group("export")
def export_group() -> None:
    """Export the register in a standard form."""


@export_group.command("open311")
@_register_option
@output_option(help="Folder for services.json/.xml and requests.json/.xml.", file_okay=False)
@_privacy_option
@overwrite_option
@verbosity_options
def open311_command(register: str, output: Path, privacy: Path | None, overwrite: bool) -> None:
    """Write the register as Open311 GeoReport v2 files (JSON and XML)."""
    protect = _register_files(register)
    check_output_folder(output, overwrite=overwrite, protect=protect, kind="open311")
    files = export_open311(
        open_register(register), output, privacy=load_privacy(privacy), overwrite=overwrite
    )
    click.echo(f"geomap: wrote {', '.join(files)} to {output}", err=True)

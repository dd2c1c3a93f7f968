"""``geomap protokoll``: safety-walk protocols (HTML + PDF) per walk and per owner; the template."""

from __future__ import annotations

from pathlib import Path

import click

from geomap.core.routed import RoutedData, read_routed
from geomap.errors import InputError
from geomap.io.atomic import atomic_path
from geomap.protocols import write_protocols, write_template
from geomap.protocols.write import PROTOCOL_FORMATS

from .options import check_output_folder, output_option, overwrite_option, verbosity_options

__all__ = ["protokoll_command"]

_TEMPLATE = "mall"


@click.command("protokoll")
@click.argument("routed", type=click.Path(dir_okay=False))
@click.option(
    "--walk", "walk_ids", multiple=True, help="Only this walk id (repeat for several, or a,b)."
)
@click.option("--all", "all_walks", is_flag=True, help="Every walk in ROUTED.")
@output_option(
    help="Folder for the protocols (with 'mall': the template .xlsx to write).", file_okay=True
)
@click.option(
    "--walks",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Walk table (CSV, XLSX sheet 'Vandring', or GeoPackage layer 'vandringar'): date, "
    "start time, place, organiser, organisations per walk.",
)
@click.option(
    "--register",
    help="Follow-up register (arenden.gpkg or postgresql:// URL): each remark's status.",
)
@click.option(
    "--follow-up-months",
    "follow_up_months",
    type=click.IntRange(min=0, max=60),
    default=6,
    show_default=True,
    help="Follow-up date = walk date + this many months.",
)
@click.option("--no-owners", "no_owners", is_flag=True, help="Skip the per-owner sub-protocols.")
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["html", "pdf", "xlsx"]),
    help="Only these formats (repeat); default html, pdf and xlsx.",
)
@overwrite_option
@verbosity_options
def protokoll_command(
    routed: str,
    walk_ids: tuple[str, ...],
    all_walks: bool,
    output: Path,
    walks: Path | None,
    register: str | None,
    follow_up_months: int,
    no_owners: bool,
    formats: tuple[str, ...],
    overwrite: bool,
) -> None:
    """Write safety-walk protocols from ROUTED (a routed.gpkg), or with ROUTED = mall the template.

    One protocol per walk (header, overview map, one row per remark with the owner geomap routed
    it to, the reason, boundary flags, follow-up date and status) and one sub-protocol per owner
    holding only that owner's remarks: protokoll_<walk>.html/.pdf/.xlsx, protokoll_<walk>_<owner>.*

    \b
    Examples:
      geomap protokoll out/demo/routed.gpkg --all -o out/demo/protokoll
      geomap protokoll routed.gpkg --walk TV-2025-02 --register arenden.gpkg -o tv2
      geomap protokoll mall -o mall.xlsx
    """
    if routed == _TEMPLATE:  # as typed: a file named mall is ./mall
        _write_template(output, overwrite=overwrite)
        return
    path = Path(routed)
    if not path.is_file():
        raise click.UsageError(
            f"ROUTED {path} does not exist; give a routed.gpkg from 'geomap route'"
        )
    chosen = [w.strip() for given in walk_ids for w in given.split(",") if w.strip()]
    if bool(chosen) == all_walks:
        raise click.UsageError("give --walk ID (repeatable) or --all, not both and not neither")
    protect = [path, *(p for p in (walks,) if p is not None)]
    check_output_folder(output, overwrite=overwrite, protect=protect)
    data = read_routed(path)
    _check_walks(data, path)
    paths = write_protocols(
        data,
        output,
        walk_ids=chosen or None,
        walks=walks,
        register=register,
        follow_up_months=follow_up_months,
        formats=formats or PROTOCOL_FORMATS,
        owners=not no_owners,
        overwrite=overwrite,
        protect=protect,
    )
    files = [p for stem in paths.values() for p in stem.values()]
    click.echo(
        f"geomap: wrote {len(files)} files for {len(paths)} protocols into {output}", err=True
    )


def _write_template(output: Path, *, overwrite: bool) -> None:
    """Write the template to OUTPUT (an .xlsx), atomically; refuse every other option."""
    ctx = click.get_current_context()
    given = [
        max(param.opts, key=len)
        for param in ctx.command.params
        if isinstance(param, click.Option)
        and param.name not in {"output", "overwrite", "verbose", "quiet"}
        and ctx.get_parameter_source(param.name or "") is click.core.ParameterSource.COMMANDLINE
    ]
    if given:
        raise click.UsageError(
            f"'geomap protokoll mall' takes only -o and --overwrite, not {', '.join(given)}"
        )
    if output.suffix.lower() != ".xlsx":
        raise click.BadParameter(
            f"{output}: the template is an Excel workbook; give a name ending in .xlsx, "
            "e.g. mall.xlsx",
            param_hint="-o/--output",
        )
    if output.is_dir():
        raise click.BadParameter(
            f"{output} is a folder; give the name of the .xlsx to write, e.g. {output / 'mall.xlsx'}",
            param_hint="-o/--output",
        )
    with atomic_path(output, overwrite=overwrite) as tmp:  # creates the parent folders
        write_template(tmp)
    click.echo(f"geomap: wrote {output}", err=True)


def _check_walks(data: RoutedData, path: Path) -> None:
    """Refuse a ROUTED without safety-walk remarks, naming the file (exit 1)."""
    remarks = data.remarks
    if "walk_id" not in remarks or not remarks["walk_id"].notna().any():
        msg = (
            f"{path}: no safety-walk remarks (column walk_id is empty in every row); route a "
            "walk protocol (with a column vandring_id) first"
        )
        raise InputError(msg)

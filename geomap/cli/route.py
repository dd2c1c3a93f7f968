"""``geomap route``: route remarks to the responsible owners and write lists, GeoPackage and maps."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from geomap.core.crs import WORKING_CRS
from geomap.core.routed import RoutedData
from geomap.io.atomic import check_output_dir, output_lock
from geomap.maps import write_run_maps
from geomap.routing import route
from geomap.routing.outputs import write_outputs
from geomap.routing.summary import format_report

from .options import METRES, output_option, overwrite_option, owners_option, verbosity_options

log = logging.getLogger("geomap")

_existing = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("route")
@click.argument("inputs", nargs=-1, required=True, type=_existing)
@owners_option(help="Owner polygons (any vector format).", required=True, exists=True)
@click.option("--owners-layer", default=None, help="Layer of the owner file (default: the first).")
@click.option(
    "--owner-column", default=None, help="Owner id column (default: owner, agare, markagare …)."
)
@click.option(
    "--registry",
    type=_existing,
    default=None,
    help="Owner registry TOML (names, contacts, colours, priority).",
)
@click.option(
    "--responsibility",
    type=_existing,
    default=None,
    help="Maintenance-responsibility polygons (driftansvar); they win over ownership.",
)
@click.option(
    "--rules",
    type=_existing,
    default=None,
    help="Category rules TOML; they win over everything spatial.",
)
@click.option(
    "--crs",
    default=None,
    help="CRS of table coordinates, e.g. EPSG:3006 (default: inferred from the values).",
)
@click.option("--layer", default=None, help="Layer (or XLSX sheet) of the remark files.")
@click.option(
    "--source",
    type=click.Choice(["lagesbild", "trygghetsvandring", "felanmalan", "other"]),
    default=None,
    help="Source of remarks whose file has no source column.",
)
@click.option(
    "--working-crs", default=WORKING_CRS, show_default=True, help="CRS of the join and the outputs."
)
@click.option(
    "--tolerance",
    type=METRES,
    default=2.0,
    show_default=True,
    help="Metres within which another owner's land flags a remark as a boundary case.",
)
@click.option(
    "--max-distance",
    type=METRES,
    default=25.0,
    show_default=True,
    help="Metres within which a remark outside all polygons goes to the nearest owner.",
)
@output_option(help="Output directory (OUTDIR).", file_okay=False, aliases=("--outdir",))
@click.option(
    "--lists/--no-lists",
    default=True,
    show_default=True,
    help="Write per-owner work lists and unrouted.csv.",
)
@click.option(
    "--xlsx/--no-xlsx", default=True, show_default=True, help="Also write the lists as .xlsx."
)
@click.option(
    "--map/--no-map",
    "make_map",
    default=True,
    show_default=True,
    help="Write map.html and per-owner maps.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Threads for the join (default: all CPUs).",
)
@overwrite_option
@click.option(
    "--replace-non-geomap-dir",
    "replace_foreign",
    is_flag=True,
    default=False,
    help="With --overwrite, also replace an OUTDIR that geomap did not write (everything in it "
    "is deleted). Without it only folders with geomap's .geomap-output marker, or empty ones, "
    "are replaced.",
)
@verbosity_options
def route_command(
    inputs: tuple[Path, ...],
    owners: Path,
    owners_layer: str | None,
    owner_column: str | None,
    registry: Path | None,
    responsibility: Path | None,
    rules: Path | None,
    crs: str | None,
    layer: str | None,
    source: str | None,
    working_crs: str,
    tolerance: float,
    max_distance: float,
    output: Path,
    lists: bool,
    xlsx: bool,
    make_map: bool,
    workers: int | None,
    overwrite: bool,
    replace_foreign: bool,
) -> None:
    """Route remarks in INPUTS (vector files or CSV/XLSX tables) to the responsible owners.

    Writes OUTDIR/routed.gpkg, OUTDIR/owners/<owner>.csv|.xlsx, OUTDIR/unrouted.csv,
    OUTDIR/summary.json and OUTDIR/map.html, and prints counts per owner and route method.
    OUTDIR is never an input folder, is locked while the run writes it, and is replaced in one
    step only when complete.
    """
    files = [*inputs, owners, registry, responsibility, rules]
    used = _refuse_early(output, files, overwrite=overwrite, replace_foreign=replace_foreign)
    steps = ["läser och dirigerar", "skriver utdata"]
    with (
        output_lock(output),
        tqdm(total=len(steps), desc="geomap route", unit="steg", disable=None, leave=False) as bar,
    ):
        bar.set_postfix_str(steps[0])
        result = route(
            list(inputs),
            owners=owners,
            owners_layer=owners_layer,
            owner_column=owner_column,
            registry=registry,
            responsibility=responsibility,
            rules=rules,
            crs=crs,
            layer=layer,
            source=source,
            working_crs=working_crs,
            tolerance=tolerance,
            max_distance=max_distance,
            workers=workers,
        )
        bar.update()
        bar.set_postfix_str(steps[1])
        written = write_outputs(
            result,
            output,
            overwrite=overwrite,
            replace_foreign=replace_foreign,
            inputs=used,
            lists=lists,
            xlsx=xlsx,
            extra=_maps(result) if make_map else None,
        )
        bar.update()
    _print_report(result, written, output)


def _refuse_early(
    outdir: Path, files: list[Path | None], *, overwrite: bool, replace_foreign: bool
) -> list[Path]:
    """Check OUTDIR before reading anything; return the files it must not be or contain."""
    used = [path for path in files if path is not None]
    check_output_dir(
        outdir, overwrite=overwrite, kind="route", protect=used, replace_foreign=replace_foreign
    )
    return used


def _maps(result: Any) -> Callable[[Path], dict[str, Any]]:
    """Write the run's maps into the temporary OUTDIR; return their paths for the summary."""
    return lambda tmp: write_run_maps(RoutedData.from_result(result), tmp)


def _print_report(result: Any, written: dict[str, Any], outdir: Path) -> None:
    click.echo(format_report(result.summary, written, outdir))

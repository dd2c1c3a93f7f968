"""``geomap route``: route remarks to the responsible owners and write lists, GeoPackage and maps."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from geomap.io.atomic import check_writable
from geomap.routing.outputs import write_outputs
from geomap.routing import route
from geomap.routing.summary import format_table

from .options import overwrite_option, verbosity_options

log = logging.getLogger("geomap")

_existing = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("route")
@click.argument("inputs", nargs=-1, required=True, type=_existing)
@click.option(
    "--owners", "owners", required=True, type=_existing, help="Owner polygons (any vector format)."
)
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
    "--working-crs", default="EPSG:3011", show_default=True, help="CRS of the join and the outputs."
)
@click.option(
    "--tolerance",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    help="Metres within which another owner's land flags a remark as a boundary case.",
)
@click.option(
    "--max-distance",
    type=click.FloatRange(min=0),
    default=25.0,
    show_default=True,
    help="Metres within which a remark outside all polygons goes to the nearest owner.",
)
@click.option(
    "-o",
    "--outdir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Output directory.",
)
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
    outdir: Path,
    lists: bool,
    xlsx: bool,
    make_map: bool,
    workers: int | None,
    overwrite: bool,
) -> None:
    """Route remarks in INPUTS (vector files or CSV/XLSX tables) to the responsible owners.

    Writes OUTDIR/routed.gpkg, OUTDIR/owners/<owner>.csv|.xlsx, OUTDIR/unrouted.csv,
    OUTDIR/summary.json and OUTDIR/map.html, and prints counts per owner and route method.
    """
    check_writable(outdir, overwrite=overwrite)
    steps = ["läser och dirigerar", "skriver utdata"]
    with tqdm(total=len(steps), desc="geomap route", unit="steg", disable=None, leave=False) as bar:
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
            outdir,
            overwrite=overwrite,
            lists=lists,
            xlsx=xlsx,
            extra=_write_maps if make_map else None,
        )
        bar.update()
    _print_report(result, written, outdir)


def _write_maps(tmp: Path) -> dict[str, Any]:
    """The map outputs, written into the temporary output directory before it is moved."""
    from geomap.maps import read_routed, write_map, write_owner_maps

    routed = read_routed(tmp / "routed.gpkg")  # read once for both
    write_map(routed, tmp / "map.html")
    maps = write_owner_maps(routed, tmp / "owners")
    return {"map": "map.html", "owner_maps": {k: f"owners/{Path(v).name}" for k, v in maps.items()}}


def _print_report(result: Any, written: dict[str, Any], outdir: Path) -> None:
    summary = result.summary
    if summary.synthetic:
        click.echo("OBS: syntetiska demodata – inte verkliga fastighetsgränser eller händelser.")
    click.echo(
        f"Dirigerade {summary.total} anmärkningar ({summary.period_start or '?'} – {summary.period_end or '?'})."
    )
    click.echo("")
    click.echo(format_table(summary))
    click.echo("")
    click.echo(
        f"Gränsfall att kontrollera: {summary.boundary}; överlapp: {summary.overlap}; "
        f"ej dirigerade: {summary.unrouted} (varav utanför ägarskiktet {summary.outside_extent}, "
        f"utan koordinater {summary.missing_geometry})"
    )
    if summary.unknown_categories:
        shown = ", ".join(f"{k!r} ({v})" for k, v in list(summary.unknown_categories.items())[:6])
        click.echo(f"Okända kategorier (lägg till alias): {shown}")
    if summary.repaired_polygons or summary.dropped_polygons or summary.overlapping_polygons:
        click.echo(
            f"Ägarskiktet: {summary.repaired_polygons} ogiltiga polygoner reparerade, "
            f"{summary.dropped_polygons} tomma borttagna, {summary.overlapping_polygons} överlappar annan ägare"
        )
    for path in summary.axis_swapped_files:
        click.echo(f"Bytte X/Y (X = nordlig) i {path}")
    click.echo("")
    click.echo(f"Utdata i {outdir}/:")
    click.echo(f"  {written['routed']}  (alla anmärkningar, lager 'remarks')")
    if "owners" in written:
        click.echo(f"  owners/  ({len(written['owners'])} arbetslistor, CSV och XLSX)")
        click.echo(f"  {written['unrouted']}")
    if "map" in written:
        click.echo(
            f"  {written['map']}  (+ {len(written.get('owner_maps', {}))} kartor per ägare i owners/)"
        )
    click.echo(f"  {written['summary']}")

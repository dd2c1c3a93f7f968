"""``geomap utvardera``: before/after evaluation of measures (cameras, lighting, safer places)."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from geomap.core.words import format_number

from .options import (
    METRES,
    check_output_folder,
    districts_option,
    output_option,
    overwrite_option,
    verbosity_options,
)

log = logging.getLogger("geomap")

_existing = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("utvardera")
@click.argument("sites", type=_existing)
@click.option(
    "--remarks",
    "remarks",
    multiple=True,
    required=True,
    type=_existing,
    help="routed.gpkg written by 'geomap route' (repeat for several files).",
)
@click.option("--layer", default=None, help="Layer (or sheet) of SITES (default: the first).")
@click.option("--crs", default=None, help="CRS of coordinates in a SITES table, e.g. EPSG:3006.")
@click.option(
    "--radius",
    type=METRES,
    default=100.0,
    show_default=True,
    help="Radius of R round a point site (m).",
)
@click.option(
    "--buffer",
    type=METRES,
    default=200.0,
    show_default=True,
    help="Width of the ring D round R (m).",
)
@click.option(
    "--before", type=click.IntRange(min=1), default=12, show_default=True, help="Months before."
)
@click.option(
    "--after", type=click.IntRange(min=1), default=12, show_default=True, help="Months after."
)
@click.option(
    "--control",
    type=_existing,
    default=None,
    help="Control area polygon(s); with an id column, one per site. "
    "Default: the district outside every site's R and D that tracks R best before.",
)
@districts_option
@click.option(
    "--overlap",
    type=click.Choice(["error", "merge"]),
    default="error",
    show_default=True,
    help="Sites whose R and D overlap: stop with an error, or evaluate them as one site.",
)
@click.option(
    "--survey",
    type=_existing,
    default=None,
    help="Survey CSV/XLSX: id, omrade (R/D/C), period (före/efter), andel_trygga, antal_svar.",
)
@output_option(help="Output folder for utvardering.html, .pdf and .xlsx.", file_okay=False)
@overwrite_option
@verbosity_options
def utvardera_command(
    sites: Path,
    remarks: tuple[Path, ...],
    layer: str | None,
    crs: str | None,
    radius: float,
    buffer: float,
    before: int,
    after: int,
    control: Path | None,
    districts: Path | None,
    overlap: str,
    survey: Path | None,
    output: Path,
    overwrite: bool,
) -> None:
    """Evaluate measures in SITES before and after: did incidents fall in R relative to C.

    SITES (GeoPackage, GeoJSON or CSV) holds per measure: id, namn, geometry (point or
    polygon), installerad (date), typ and optionally kategorier (target categories). Writes
    OUTPUT/utvardering.html, utvardering.pdf and utvardering.xlsx (in Swedish).
    """
    inputs = [sites, *remarks, *(p for p in (control, districts, survey) if p is not None)]
    check_output_folder(output, overwrite=overwrite, protect=inputs)
    # lazily: scipy and statsmodels cost every command ~0.8 s
    from geomap.evaluation import evaluate, write_evaluation
    from geomap.evaluation.texts import VERDICT, WDQ_READING

    evaluation = evaluate(
        sites,
        list(remarks),
        radius=radius,
        buffer=buffer,
        before=before,
        after=after,
        control=control,
        districts=districts,
        overlap=overlap,
        survey=survey,
        sites_layer=layer,
        sites_crs=crs,
    )
    written = write_evaluation(evaluation, output, overwrite=overwrite, protect=inputs)
    for _, row in evaluation.measures.iterrows():  # one line per site
        click.echo(
            f"{row['site']}: RES {format_number(row['res'], decimals=2)} "
            f"({format_number(row['res_low'], decimals=2)}–{format_number(row['res_high'], decimals=2)}); "
            f"{VERDICT[row['verdict']]}; {WDQ_READING[row['wdq_reading']]}"
        )
    for path in written.values():
        click.echo(f"skrev {path}")

"""``geomap route``: route remarks to the responsible owners and write lists, GeoPackage and maps."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from geomap.core.crs import WORKING_CRS
from geomap.core.routed import RoutedData
from geomap.io.atomic import check_output_dir, output_lock
from geomap.maps import write_run_maps
from geomap.routing.stream import DEFAULT_BATCH_SIZE, route_to_files
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
@click.option(
    "--engine",
    type=click.Choice(["local", "dask"]),
    default="local",
    show_default=True,
    help="local: stream the inputs in batches on this machine (bounded memory). dask: "
    "partition the remarks spatially and route them on a dask cluster.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="With --engine dask: the dask scheduler to use (tcp://host:8786); without it geomap "
    "starts a local cluster of 2 worker processes.",
)
@click.option(
    "--format",
    "routed_format",
    type=click.Choice(["gpkg", "parquet", "both"]),
    default="gpkg",
    show_default=True,
    help="routed.gpkg, routed.parquet (GeoParquet 1.1, Hilbert order; with --engine dask a "
    "partitioned dataset routed.parquet/) or both.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Remarks read, routed and written at a time (memory grows with it, not with the input).",
)
@click.option(
    "--bbox",
    type=float,
    nargs=4,
    default=None,
    metavar="XMIN YMIN XMAX YMAX",
    help="Read only the remarks of vector files inside this box (in --working-crs).",
)
@click.option(
    "--overlap/--no-overlap",
    default=False,
    hidden=True,
    help="Read and route the next batch in a second thread while GDAL writes (pays only with "
    "idle cores; measured slower on the shared 2-core machine, so off by default).",
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
    engine: str,
    scheduler: str | None,
    routed_format: str,
    batch_size: int,
    bbox: tuple[float, float, float, float] | None,
    overlap: bool,
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
    if scheduler is not None and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    common = {k: v for k, v in locals().items() if k in _ENGINE_ARGUMENTS}
    common.update(
        format=routed_format,
        bbox=tuple(bbox) if bbox else None,
        maps=_stream_maps if make_map else None,
        protect=used,
    )
    with (
        output_lock(output),
        tqdm(total=1, desc="geomap route", unit="steg", disable=None, leave=False) as bar,
    ):
        bar.set_postfix_str("läser, dirigerar och skriver")
        if engine == "dask":
            from geomap.routing.distributed import route_distributed

            result = route_distributed(list(inputs), output, scheduler=scheduler, **common)
        else:
            result = route_to_files(list(inputs), output, overlap=overlap, **common)
        bar.update()
    click.echo(format_report(result.summary, result.written, output))


_ENGINE_ARGUMENTS = frozenset(
    {
        *("owners", "owners_layer", "owner_column", "registry", "responsibility", "rules", "crs"),
        *("layer", "source", "working_crs", "tolerance", "max_distance", "workers"),
        *("batch_size", "lists", "xlsx", "overwrite", "replace_foreign"),
    }
)


def _stream_maps(data: RoutedData, tmp: Path) -> dict[str, Any]:
    """Write the run's maps into the temporary OUTDIR; return their paths for the summary."""
    return write_run_maps(data, tmp)


def _refuse_early(
    outdir: Path, files: list[Path | None], *, overwrite: bool, replace_foreign: bool
) -> list[Path]:
    """Check OUTDIR before reading anything; return the files it must not be or contain."""
    used = [path for path in files if path is not None]
    check_output_dir(
        outdir, overwrite=overwrite, kind="route", protect=used, replace_foreign=replace_foreign
    )
    return used

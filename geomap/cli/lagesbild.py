"""``geomap lagesbild``: the lägesbild of a week, tertial, years or date range as HTML, PDF and XLSX."""

from __future__ import annotations

from pathlib import Path

import click

from geomap.core.periods import Period

from .options import (
    check_output_folder,
    districts_option,
    output_option,
    overwrite_option,
    period_options,
    verbosity_options,
)

__all__ = ["lagesbild_command"]


@click.command("lagesbild")
@click.argument(
    "routed", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@period_options
@output_option(
    help="Folder to write lagesbild.html, lagesbild.pdf and lagesbild.xlsx into.", file_okay=False
)
@districts_option
@click.option("--name-column", help="Column of --districts with the district names.")
@click.option(
    "--grouping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV/XLSX with two columns, district (RegSO) → kommundel: count per kommundel.",
)
@click.option(
    "--cell",
    type=click.FloatRange(min=10.0, max=5000.0),
    default=100.0,
    show_default=True,
    help="Grid cell side in metres for hot spots and density.",
)
@click.option(
    "--permutations",
    type=click.IntRange(min=99, max=99_999),
    default=999,
    show_default=True,
    help="Gi* permutations.",
)
@click.option(
    "--seed",
    type=int,
    default=12345,
    show_default=True,
    help="Seed of the Gi* permutations (fixed: the same data gives the same report).",
)
@click.option(
    "--register",
    "register",
    help="Follow-up register (arenden.gpkg or postgresql:// URL): adds open, overdue and fixed per owner.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice(["html", "pdf", "xlsx"]),
    help="Only these formats (repeat); default all three.",
)
@overwrite_option
@verbosity_options
def lagesbild_command(
    routed: tuple[Path, ...],
    period: Period | None,
    output: Path,
    districts: Path | None,
    name_column: str | None,
    grouping: Path | None,
    cell: float,
    permutations: int,
    seed: int,
    register: str | None,
    formats: tuple[str, ...],
    overwrite: bool,
) -> None:
    """Write the lägesbild of ROUTED (one or more routed.gpkg from 'geomap route') for one period.

    Counts per category, district and owner against the previous period, the mean of the last 8
    and a year earlier (Poisson flags); weekday × hour, months, daylight; Gi* hot spots (999
    permutations, FDR) with their owners, kernel density, PAI; top places; a map.

    \b
    Examples:
      geomap lagesbild out/demo/routed.gpkg --week 2025-W47 -o out/lagesbild/v47
      geomap lagesbild a/routed.gpkg b/routed.gpkg --tertial 2025-T3 -o t3
      geomap lagesbild routed.gpkg --years 2024-2025 --districts kommundelar.gpkg --name-column namn -o lb
    """
    if period is None:
        msg = "give the period: --week, --tertial, --years, --month, or --from with --to"
        raise click.UsageError(msg)
    protect = [*routed, *(p for p in (districts, grouping) if p is not None)]
    check_output_folder(output, overwrite=overwrite, protect=protect)  # refuse before reading
    from geomap.situation import write_lagesbild  # lazily: scipy.stats costs every command ~0.7 s

    paths = write_lagesbild(
        list(routed),
        period,
        output,
        formats=formats or ("html", "pdf", "xlsx"),
        overwrite=overwrite,
        districts=districts,
        name_column=name_column,
        grouping=grouping,
        cell=cell,
        permutations=permutations,
        seed=seed,
        register=register,
    )
    for path in paths.values():
        click.echo(f"geomap: wrote {path}", err=True)

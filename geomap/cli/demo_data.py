"""``geomap demo-data``: write the synthetic demo data set (or benchmark data) into a directory."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from geomap.demo import generate
from geomap.demo.generate import FORMATS, MAX_HISTORY_YEARS, MAX_PARCELS, MAX_POINTS, MIN_PARCELS

from .options import overwrite_option, verbosity_options

__all__ = ["demo_data_command"]

log = logging.getLogger("geomap")


@click.command("demo-data", short_help="Write synthetic demo data (SYNTHETIC) or benchmark data.")
@click.option(
    "-o",
    "--output",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write (refused if it exists, unless --overwrite).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=2025,
    show_default=True,
    help="Random seed; the same seed gives byte-identical files.",
)
@click.option(
    "--points",
    type=click.IntRange(0, MAX_POINTS),
    default=2000,
    show_default=True,
    help="Number of synthetic incidents (lägesbild).",
)
@click.option(
    "--parcels",
    type=click.IntRange(MIN_PARCELS, MAX_PARCELS),
    default=2000,
    show_default=True,
    help="Approximate number of synthetic owner parcels.",
)
@click.option(
    "--format",
    "incident_format",
    type=click.Choice(FORMATS),
    default="csv",
    show_default=True,
    help="Incidents as CSV (WGS84, like the real export), GeoPackage (EPSG:3011) or both.",
)
@click.option(
    "--history-years",
    type=click.IntRange(0, MAX_HISTORY_YEARS),
    default=5,
    show_default=True,
    help="Years of incident history before 2025 (--points incidents each; 0 = none).",
)
@click.option(
    "--geography",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="RegSO GeoPackage to build on. Default: the bundled SCB RegSO 2025 for Huddinge.",
)
@overwrite_option
@verbosity_options
def demo_data_command(
    out_dir: Path,
    seed: int,
    points: int,
    parcels: int,
    incident_format: str,
    history_years: int,
    geography: Path | None,
    overwrite: bool,
) -> None:
    """Write synthetic demo data (SYNTHETIC: not real property boundaries or incidents).

    Writes owner parcels, owner registry, category rules, maintenance responsibility, incidents
    (2025 and a history from 2020), the synthetic 2021 camera measures, safety-walk remarks and
    hard cases into OUT_DIR, built on real SCB RegSO 2025 geography.

    \b
    Examples:
      geomap demo-data --seed 2025 -o data --overwrite
      geomap demo-data --points 1000000 --parcels 20000 --format both --history-years 0 \
          -o bench-data
    """
    quiet = logging.getLogger("geomap").getEffectiveLevel() > logging.WARNING
    files = generate(
        out_dir,
        seed=seed,
        points=points,
        parcels=parcels,
        overwrite=overwrite,
        geography=geography,
        incident_format=incident_format,
        history_years=history_years,
        progress=not quiet,
    )
    for name, path in files.items():
        log.info("wrote %s (%s)", path, name)
    if not quiet:
        click.echo(f"geomap: wrote {len(files)} files into {out_dir} (seed {seed})", err=True)

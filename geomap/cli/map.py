"""``geomap map``: write an interactive HTML map (and per-owner maps) from a routed.gpkg."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from geomap.core.periods import Period
from geomap.io.atomic import check_writable
from geomap.maps import read_routed, write_map, write_owner_maps

from .options import (
    districts_option,
    output_option,
    overwrite_option,
    owners_option,
    period_options,
    verbosity_options,
)

__all__ = ["map_command"]


def _split(values: tuple[str, ...]) -> list[str] | None:
    items = [v.strip() for value in values for v in value.split(",") if v.strip()]
    return items or None


@click.command("map")
@click.argument("routed", type=click.Path(dir_okay=True, path_type=Path))
@output_option(help="HTML file to write (e.g. map.html).", required=False, dir_okay=False)
@click.option(
    "--per-owner",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write one map per owner into this directory (<owner>.html), only with its remarks.",
)
@owners_option(help="Owner polygons to show instead of the owners layer of ROUTED.")
@districts_option
@click.option(
    "--no-districts", is_flag=True, help="Show no districts and no municipality boundary."
)
@click.option("--title", help="Heading of the map (Swedish).")
@period_options
@click.option(
    "--category",
    "categories",
    multiple=True,
    help="Only these categories: code, Swedish label or alias (graffiti = klotter); repeat or "
    "separate with commas. 'geomap categories' lists them.",
)
@click.option(
    "--owner",
    "owner_ids",
    multiple=True,
    help="Only remarks routed to these owner ids ('-' = unrouted; repeat or use commas).",
)
@click.option(
    "--cdn",
    is_flag=True,
    help="Load Leaflet from unpkg.com instead of inlining it (smaller file; needs the network).",
)
@click.option(
    "--self-contained",
    is_flag=True,
    help="With --per-owner: inline Leaflet and the districts in every map, so each file opens "
    "alone (e.g. to send to one owner). Default: the maps share one copy in DIR/assets/.",
)
@overwrite_option
@verbosity_options
def map_command(
    routed: Path,
    output: Path | None,
    per_owner: Path | None,
    owners: Path | None,
    districts: Path | None,
    no_districts: bool,
    title: str | None,
    period: Period | None,
    categories: tuple[str, ...],
    owner_ids: tuple[str, ...],
    cdn: bool,
    self_contained: bool,
    overwrite: bool,
) -> None:
    """Write an interactive HTML map of ROUTED (the routed.gpkg from 'geomap route').

    The map opens by double-click, also with no network: Leaflet is inlined unless --cdn.
    Per-owner maps share one copy of Leaflet, the map script and the districts in
    DIR/assets/ (keep the folder together); --self-contained makes each one file.

    \b
    Examples:
      geomap map out/demo/routed.gpkg -o out/demo/map.html
      geomap map routed.gpkg -o v12.html --from 2025-03-17 --to 2025-03-23 --per-owner per_owner/
      geomap map routed.gpkg -o v47.html --week 2025-W47
      geomap map routed.gpkg --per-owner huge/ --owner huge_bostader --self-contained
    """
    out = output
    if out is None and per_owner is None:
        msg = "pass -o/--output MAP.html, --per-owner DIR, or both"
        raise click.UsageError(msg)
    if no_districts and districts is not None:
        msg = "--districts and --no-districts exclude each other"
        raise click.UsageError(msg)
    chosen_districts: Path | bool | None = False if no_districts else districts
    cats, ids = _split(categories), _split(owner_ids)
    options: dict[str, Any] = {
        "owners": owners,
        "districts": chosen_districts,
        "title": title,
        "date_from": None if period is None else period.start,
        "date_to": None if period is None else period.end,
        "categories": cats,
        "owner_ids": ids,
        "cdn": cdn,
        "overwrite": overwrite,
    }
    if out is not None:
        protect = [p for p in (routed, owners, districts) if p is not None]
        check_writable(out, overwrite=overwrite, protect=protect)  # refuse before reading anything
    data = read_routed(routed)  # read once, also when both kinds of map are written
    if out is not None:
        path = write_map(data, out, **options)
        click.echo(f"geomap: wrote {path} ({path.stat().st_size / 1e6:.1f} MB)", err=True)
    if per_owner is not None:
        shared = not (self_contained or cdn)
        paths = write_owner_maps(data, per_owner, **options, shared_assets=shared)
        click.echo(f"geomap: wrote {len(paths)} per-owner maps to {per_owner}", err=True)

"""``geomap categories``: list the controlled vocabulary of remark categories."""

from __future__ import annotations

from pathlib import Path

import click

from geomap.core.categories import load_categories

from .options import verbosity_options


@click.command("categories")
@click.option(
    "--vocabulary",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A category vocabulary TOML to list instead of the packaged one.",
)
@verbosity_options
def categories_command(vocabulary: Path | None) -> None:
    """List category codes, Swedish labels and the aliases that map to them."""
    cats = load_categories(vocabulary)
    click.echo(f"Kategorier (version {cats.version}):")
    for cat in cats.items:
        click.echo(f"  {cat.code:<18} {cat.label}")
        if cat.aliases:
            click.echo(f"  {'':<18} alias: {', '.join(cat.aliases)}")

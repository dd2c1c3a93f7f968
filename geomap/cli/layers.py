"""``geomap layers``: validate, translate and export maintenance layers in shared terms."""

from __future__ import annotations

import logging
from pathlib import Path

import click

from geomap.maintenance import (
    ExportInput,
    UnknownOwnerError,
    export_layers,
    known_owners,
    load_owner,
    load_vocabulary,
    read_layer,
    translate_layer,
    validate_layer,
    write_translated,
)
from geomap.maintenance.crosswalk import OwnerProfile
from geomap.maintenance.vocabulary import Vocabulary

from .options import districts_option, output_option, overwrite_option, verbosity_options

__all__ = ["layers_group"]

log = logging.getLogger("geomap")

_FILE = click.Path(dir_okay=False, path_type=Path)

_owner_option = click.option(
    "--owner",
    required=True,
    help="Owner id (huddinge_kommun, huddinge_samhallsfastigheter, huge_bostader).",
)
_vocabulary_option = click.option(
    "--vocabulary",
    type=_FILE,
    default=None,
    help="Vocabulary TOML (default: the bundled layers/vokabular.toml).",
)
_code_column_option = click.option(
    "--code-column", default=None, help="Column with the local codes (default: from owners.toml)."
)
_crosswalk_option = click.option(
    "--crosswalk", type=_FILE, default=None, help="Crosswalk CSV (default: layers/crosswalks/)."
)
_layer_option = click.option(
    "--layer", "layer_name", default=None, help="Read only this layer of the file."
)


def _profile(
    owner: str, vocabulary: Vocabulary, crosswalk: Path | None, code_column: str | None
) -> OwnerProfile:
    try:
        return load_owner(
            owner, crosswalk_path=crosswalk, code_column=code_column, vocabulary=vocabulary
        )
    except UnknownOwnerError as exc:
        raise click.BadParameter(str(exc), param_hint="--owner") from None


@click.group("layers")
def layers_group() -> None:
    """Maintenance layers (skötselprodukter) in the shared terminology and symbology."""


@layers_group.command("validate")
@click.argument("layer", type=_FILE)
@_owner_option
@_layer_option
@click.option(
    "--land",
    type=_FILE,
    default=None,
    help="Owner parcels (column 'owner'); default data/owners_synthetic.gpkg when present.",
)
@click.option("--no-land", is_flag=True, help="Skip the check against the owner's land.")
@click.option("--strict", is_flag=True, help="Features outside the owner's land are errors.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Report format on stdout.",
)
@click.option("--report", type=_FILE, default=None, help="Also write the JSON report here.")
@_code_column_option
@_crosswalk_option
@_vocabulary_option
@overwrite_option
@verbosity_options
@click.pass_context
def validate_command(
    ctx: click.Context,
    layer: Path,
    owner: str,
    layer_name: str | None,
    land: Path | None,
    no_land: bool,
    strict: bool,
    output_format: str,
    report: Path | None,
    code_column: str | None,
    crosswalk: Path | None,
    vocabulary: Path | None,
    overwrite: bool,
) -> None:
    """Check LAYER against OWNER's crosswalk, the vocabulary and the owner's land.

    Errors (exit 1): unknown or missing local codes, wrong geometry type for a product, empty or
    invalid geometry, overlapping surfaces. Warnings: features outside the owner's land.
    """
    from geomap.io.atomic import write_text_atomic

    voc = load_vocabulary(vocabulary)
    profile = _profile(owner, voc, crosswalk, code_column)
    result = validate_layer(
        read_layer(layer, layer=layer_name),
        profile,
        voc,
        land=land,
        check_land=not no_land,
        strict=strict,
    )
    click.echo(result.to_json() if output_format == "json" else result.to_table())
    if report is not None:
        inputs = [layer] if land is None else [layer, land]
        write_text_atomic(report, result.to_json() + "\n", overwrite=overwrite, protect=inputs)
        click.echo(f"Rapport: {report}", err=output_format == "json")
    if not result.ok:
        ctx.exit(1)


@layers_group.command("translate")
@click.argument("layer", type=_FILE)
@_owner_option
@output_option(help="Output GeoPackage (.gpkg).", dir_okay=False)
@_layer_option
@_code_column_option
@_crosswalk_option
@_vocabulary_option
@overwrite_option
@verbosity_options
def translate_command(
    layer: Path,
    owner: str,
    output: Path,
    layer_name: str | None,
    code_column: str | None,
    crosswalk: Path | None,
    vocabulary: Path | None,
    overwrite: bool,
) -> None:
    """Add shared codes and names to OWNER's LAYER; the local code and columns are kept."""
    from geomap.io.atomic import check_writable

    check_writable(output, overwrite=overwrite, protect=[layer])
    voc = load_vocabulary(vocabulary)
    profile = _profile(owner, voc, crosswalk, code_column)
    result = translate_layer(read_layer(layer, layer=layer_name), profile, voc)
    write_translated(result, output, voc, overwrite=overwrite)
    products = result.frame["produktkod"].nunique()
    click.echo(
        f"Översatt {layer} ({owner}): {len(result.frame)} objekt, {products} produkter, "
        f"vokabulär {voc.version} -> {output}"
    )


def _export_input(text: str, owners: list[str]) -> ExportInput:
    owner, sep, rest = text.partition("=")
    if sep and owner in owners:
        return ExportInput(rest, owner=owner)
    if sep and not Path(text).exists():
        msg = f"unknown owner {owner!r} in {text!r}; use one of {', '.join(owners)}"
        raise click.BadParameter(msg, param_hint="LAYER")
    return ExportInput(text)


def _frequencies(values: tuple[str, ...]) -> dict[str, float]:
    out: dict[str, float] = {}
    for text in values:
        code, sep, number = text.partition("=")
        try:
            value = float(number.replace(",", "."))
        except ValueError:
            value = -1.0
        if not sep or not code.strip() or not 0 <= value <= 365:
            msg = f"{text!r} is not CODE=TIMES (times per year 0–365), e.g. --frequency G2=18"
            raise click.BadParameter(msg, param_hint="--frequency")
        out[code.strip()] = value
    return out


@layers_group.command("export")
@click.argument("layers", nargs=-1, required=True)
@output_option(help="Output directory.", file_okay=False)
@click.option(
    "--areas",
    type=_FILE,
    default=None,
    help="Contract areas (polygons with a name column) for the quantity list; default: "
    "--districts, else SCB RegSO 2025 for Huddinge (bundled).",
)
@click.option("--name-column", default=None, help="Column of --areas with the area names.")
@districts_option
@click.option(
    "--frequency",
    "frequencies",
    multiple=True,
    metavar="CODE=TIMES",
    help="The contract's times per year for a product (repeatable), over owners.toml and the "
    "vocabulary.",
)
@click.option("--title", default="Skötselprodukter – gemensam terminologi", show_default=True)
@_vocabulary_option
@overwrite_option
@verbosity_options
def export_command(
    layers: tuple[str, ...],
    output: Path,
    areas: Path | None,
    name_column: str | None,
    districts: Path | None,
    frequencies: tuple[str, ...],
    title: str,
    vocabulary: Path | None,
    overwrite: bool,
) -> None:
    """Export LAYERS (translated files, or OWNER=PATH for raw ones) in the shared terminology.

    Writes a GeoPackage with QGIS default styles, a QGIS project with Swedish legend groups,
    .qml and .sld per layer, an HTML map with a legend and the tender-ready quantity list
    (mängdförteckning) as CSV and XLSX; invasive-species findings get their own layers and a
    yearly comparison (invasiva_per_ar.csv).
    """
    from geomap.io.atomic import check_writable

    if areas is not None and districts is not None:
        msg = "give the contract areas once: --areas or --districts, not both"
        raise click.UsageError(msg)
    check_writable(output, overwrite=overwrite)
    voc = load_vocabulary(vocabulary)
    owners = known_owners()
    inputs = [_export_input(text, owners) for text in layers]
    result = export_layers(
        inputs,
        output,
        vocabulary=voc,
        districts=areas or districts,
        area_column=name_column,
        frequencies=_frequencies(frequencies),
        title=title,
        overwrite=overwrite,
    )
    counts = ", ".join(f"{name} {n}" for name, n in result.feature_counts.items())
    click.echo(f"Export i gemensam terminologi (vokabulär {result.vocabulary_version}) -> {output}")
    click.echo(f"  objekt: {counts}")
    for unit, total in result.layer_totals.items():
        listed = result.quantity_totals.get(unit, 0.0)
        click.echo(f"  summa {unit}: lager {total:.2f}, mängdförteckning {listed:.2f}")
    for role, path in result.files.items():
        click.echo(f"  {role}: {path}")
    if result.synthetic:
        click.echo("  OBS: syntetiska demodata")

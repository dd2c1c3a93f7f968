"""The shared vocabulary file: loading, version, units, symbols and clear errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geomap.errors import ConfigError
from geomap.maintenance.vocabulary import (
    LINE_PATTERNS,
    MARKERS,
    POLYGON_PATTERNS,
    UNITS,
    default_vocabulary_path,
    load_vocabulary,
)

GOOD = """
version = "2030.2"
title = "Test"

[[product]]
code = "G2"
name = "Bruksgräsmatta"
group = "Gräsytor"
geometry = "polygon"
unit = "m²"
fill = "#A6D96A"
stroke = "#669a27"
stroke_width = 0.26
opacity = 0.85
pattern = "solid"
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "vokabular.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_vocabulary_has_version_and_every_shared_code() -> None:
    voc = load_vocabulary()
    assert re.fullmatch(r"\d{4}\.\d+", voc.version)
    assert voc.version == "2026.2"
    for code in ("G1", "G2", "G3", "G4", "B1", "B2.1", "B2.2", "H1", "H2", "T1", "Y1", "S", "LEK"):
        assert code in voc
    assert voc.source == default_vocabulary_path()


def test_every_product_has_unit_and_full_symbol() -> None:
    for product in load_vocabulary().values():
        assert product.unit == UNITS[product.geometry]
        assert re.fullmatch(r"#[0-9a-f]{6}", product.stroke)
        assert 0 < product.opacity <= 1 and product.stroke_width > 0
        if product.geometry == "polygon":
            assert re.fullmatch(r"#[0-9a-f]{6}", product.fill)
            assert product.pattern in POLYGON_PATTERNS
        elif product.geometry == "line":
            assert product.fill == "" and product.pattern in LINE_PATTERNS
        else:
            assert product.marker in MARKERS and product.size > 0


def test_colours_and_geometry_follow_the_reference_suggestions() -> None:
    voc = load_vocabulary()
    assert (voc["G1"].fill, voc["G1"].geometry) == ("#4daf4a", "polygon")
    assert (voc["H1"].colour, voc["H1"].geometry) == ("#00441b", "line")
    assert (voc["T1"].fill, voc["T1"].unit) == ("#006d2c", "st")
    assert voc["G2"].label == "G2 Bruksgräsmatta"


def test_custom_file_lowercases_colours(tmp_path: Path) -> None:
    voc = load_vocabulary(_write(tmp_path, GOOD))
    assert voc.version == "2030.2" and len(voc) == 1 and voc["G2"].fill == "#a6d96a"
    assert [p.code for p in voc.of_geometry("polygon")] == ["G2"]


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ('version = "2030.2"', 'version = "senaste"', r"field 'version' is 'senaste'"),
        ('version = "2030.2"', "", r"field 'version' is None"),
        ('geometry = "polygon"', 'geometry = "area"', r"geometry is 'area'; use polygon"),
        ('unit = "m²"', 'unit = "st"', r"unit is 'st'; polygon products use m²"),
        (
            'fill = "#A6D96A"',
            'fill = "green"',
            r"colour 'fill' is 'green'; write colours as #rrggbb",
        ),
        ("opacity = 0.85", "opacity = 2", r"field 'opacity' is 2; give a number from 0.0 to 1.0"),
        ('pattern = "solid"', 'pattern = "dots"', r"pattern is 'dots'"),
        ('name = "Bruksgräsmatta"', 'name = ""', r"field 'name' is ''"),
        (
            'pattern = "solid"',
            'pattern = "solid"\nlevels = "Hög"',
            r"field 'levels' is 'Hög'; give",
        ),
        ('pattern = "solid"', 'pattern = "solid"\nlevels = []', r"field 'levels' is \[\]; give"),
        (
            'pattern = "solid"',
            'pattern = "solid"\nfrequency = -1',
            r"field 'frequency' is -1; give a number from 0.0 to 365.0",
        ),
        ('pattern = "solid"', 'pattern = "solid"\ninvasive = "ja"', r"'invasive' is 'ja'; write"),
        ('title = "Test"', 'title = "Test"\ninvasive = 3', r"\[invasive\]: is 3; give a table"),
        (
            'title = "Test"',
            'title = "Test"\n[invasive]\nactions = ["grävd"]\nstatuses = ["ny"]\n'
            'treated_statuses = ["klar"]',
            r"treated_statuses \['klar'\] not in statuses; list them in statuses",
        ),
    ],
)
def test_bad_vocabulary_gives_clear_error(tmp_path: Path, old: str, new: str, match: str) -> None:
    path = _write(tmp_path, GOOD.replace(old, new))
    with pytest.raises(ConfigError, match=match):
        load_vocabulary(path)


def test_duplicate_code_missing_products_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"code 'G2' appears twice"):
        load_vocabulary(_write(tmp_path, GOOD + GOOD.split("\n", 3)[3]))
    with pytest.raises(ConfigError, match=r"no \[\[product\]\] tables"):
        load_vocabulary(_write(tmp_path, 'version = "2026.2"\n'))
    with pytest.raises(ConfigError, match=r"not a valid UTF-8 TOML vocabulary"):
        load_vocabulary(_write(tmp_path, "version = \n"))
    with pytest.raises(ConfigError, match=r"vocabulary file not found"):
        load_vocabulary(tmp_path / "nope.toml")


def test_levels_frequency_and_invasive_species() -> None:
    voc = load_vocabulary()
    assert voc["G2"].levels == ("Normal", "Hög") and voc["G2"].level == "Normal"
    assert voc["G1"].frequency == 25 and voc["NA2"].frequency == 0.2
    invasive = [p for p in voc.values() if p.invasive]
    assert {p.geometry for p in invasive} == {"polygon", "point"}
    species = {p.species for p in invasive}
    assert {
        "Impatiens glandulifera",
        "Heracleum mantegazzianum",
        "Reynoutria japonica",
        "Lupinus polyphyllus",
        "Rosa rugosa",
    } <= species
    on_eu_list = {p.species for p in invasive if "(EU) 2017/1263" in p.listed}
    assert on_eu_list == {"Impatiens glandulifera", "Heracleum mantegazzianum"}
    assert all(p.group == "Invasiva arter" and p.listed for p in invasive)
    assert voc.invasive.treated == ("åtgärdad", "utrotad")
    assert "grävd" in voc.invasive.actions and "täckt" in voc.invasive.actions
    assert [p.code for p in voc.of_geometry("point", invasive=True)][:2] == ["IN1.1", "IN2.1"]


def test_custom_file_defaults_for_the_new_fields(tmp_path: Path) -> None:
    voc = load_vocabulary(_write(tmp_path, GOOD))
    p = voc["G2"]
    assert (p.levels, p.frequency, p.invasive, p.species) == (("Normal",), 1.0, False, "")
    assert voc.invasive.actions == ()

from __future__ import annotations

import logging
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geomap.core.owners import (
    load_owner_layer,
    load_registry,
    owner_layer_from_frame,
    registry_from_frame,
    registry_from_ids,
)
from geomap.errors import ConfigError, CRSError, InputError

from tests.conftest import X0, Y0


def test_registry(registry_toml: Path) -> None:
    reg = load_registry(registry_toml)
    assert reg.synthetic
    assert reg.synthetic_label == "Syntetiska testdata"
    assert reg["huge"].name == "Huge Bostäder AB"
    assert reg["kommun"].priority == 1
    assert reg.to_frame()["colour"].str.match(r"^#[0-9a-f]{6}$").all()
    reg.require(["kommun", "huge"], where="test")
    with pytest.raises(ConfigError, match=r"owner ids not in the registry .*: okand"):
        reg.require(["kommun", "okand"], where="owner layer")


_A = '[[owner]]\nid = "a"\nname = "A"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", r"no \[\[owner\]\] entries"),
        ('[[owners]]\nid = "a"\n', r"no \[\[owner\]\] entries \(found 'owners'\)"),
        ('[[owner]]\nid = "a"\n', r"number 1 lacks name; add name = "),
        ('[[owner]]\nname = "A"\n', r"number 1 lacks id"),
        ('[[owner]]\nid = "  "\nname = "A"\n', r"number 1: id is empty"),
        (_A + 'colour = "red"\n', r"colour = 'red'; write it as \"#rrggbb\""),
        (_A + 'priority = "high"\n', r"priority = 'high' is a string; give a whole number"),
        (_A + "priority = 1.5\n", r"priority = 1\.5 is a float; give a whole number"),
        (_A + "priority = true\n", r"priority = true is a boolean; give a whole number"),
        (_A + "colour = 123\n", r"colour = 123 is an integer; write it as one string"),
        (_A + 'contact = ["x"]\n', r"contact = \['x'\] is an array"),
        ('[[owner]]\nid = 5\nname = "A"\n', r'number 1: id = 5 is an integer.*id = "5"'),
        ('[[owner]]\nid = ["a"]\nname = "A"\n', r"number 1: id = \['a'\] is an array"),
        ('[[owner]]\nid = "a"\nname = 7\n', r"number 1: name = 7 is an integer"),
        ('[[owner]]\nid = "a"\nname = {x = 1}\n', r"number 1: name = \{'x': 1\} is a table"),
        (
            'owner = ["a"]\n',
            r"owner = \['a'\] holds a string \(item 1\), not a table; write each owner",
        ),
        ('owner = "a"\n', r"owner = 'a' is a string, not a table"),
        ('[owner]\nid = "a"\nname = "A"\n', r"'owner' is a single table.*\[\[owner\]\]"),
        ('owner = {id = "a", name = "A"}\n', r"'owner' is a single table.*two brackets"),
        ('meta = "x"\n' + _A, r"meta = 'x' is a string, not a table; write it as a \[meta\]"),
        (_A + "[meta]\nsynthetic = 2\n", r"\[meta\]: synthetic = 2 is an integer.*= false"),
        (_A + '[meta]\nsynthetic = "kanske"\n', r"synthetic = 'kanske' is a string"),
        (_A + "[meta]\nsynthetic_label = 1\n", r"synthetic_label = 1 is an integer"),
        (_A + '[[owner]]\nid = "a"\nname = "B"\n', r"'a' is listed twice; keep one"),
        (_A + '[[owner]]\nid = "A"\nname = "B"\n', r"ids 'a' and 'A' differ only in case"),
        ('[[owner]]\nid = "a\\nb"\nname = "A"\n', r"the id holds a line break"),
        ("[[owner]\n", r"owners\.toml: the owner registry is not valid TOML \(.*line 1"),
    ],
)
def test_bad_registry(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "owners.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_registry(path)
    assert "\n" not in str(info.value)
    assert str(info.value).startswith(str(path))


def test_long_id_is_cut_in_messages(tmp_path: Path) -> None:
    path = tmp_path / "owners.toml"
    long_id = "x" * 300
    path.write_text(f'[[owner]]\nid = "{long_id}"\nname = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"name = 3 is an integer") as info:
        load_registry(path)
    assert len(str(info.value)) < len(str(path)) + 200


def test_ids_are_stripped(tmp_path: Path) -> None:
    path = tmp_path / "owners.toml"
    path.write_text('[[owner]]\nid = " kommun "\nname = " Huddinge kommun "\n', encoding="utf-8")
    reg = load_registry(path)
    assert reg.ids == ["kommun"]
    assert reg["kommun"].name == "Huddinge kommun"


@pytest.mark.parametrize(
    ("value", "synthetic"),
    [
        ("true", True),
        ("false", False),
        ('"false"', False),
        ('"False"', False),
        ('"NEJ"', False),
        ('"no"', False),
        ('"0"', False),
        ('"ja"', True),
        ('"Yes"', True),
        ('" 1 "', True),
        ('"true"', True),
    ],
)
def test_synthetic_accepts_words(tmp_path: Path, value: str, synthetic: bool) -> None:
    path = tmp_path / "owners.toml"
    path.write_text(f"[meta]\nsynthetic = {value}\n" + _A, encoding="utf-8")
    assert load_registry(path).synthetic is synthetic


def test_inline_array_of_tables_and_meta_array_are_read(tmp_path: Path) -> None:
    path = tmp_path / "owners.toml"
    path.write_text(
        'owner = [{id = "a", name = "A"}]\n[[meta]]\nsynthetic = true\n', encoding="utf-8"
    )
    reg = load_registry(path)
    assert reg.ids == ["a"] and reg.synthetic


def test_unknown_keys_are_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "owners.toml"
    path.write_text(_A + 'color = "#123456"\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="geomap"):
        reg = load_registry(path)
    assert reg["a"].colour != "#123456"
    assert "unknown key(s) color ignored" in caplog.text


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252"])
def test_registry_in_any_windows_encoding(
    tmp_path: Path, registry_toml: Path, encoding: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "owners.toml"
    text = registry_toml.read_text(encoding="utf-8").replace("\n", "\r\n")
    path.write_bytes(text.encode(encoding))
    with caplog.at_level(logging.INFO, logger="geomap"):
        reg = load_registry(path)
    assert reg["huge"].name == "Huge Bostäder AB"
    assert reg.synthetic_label == "Syntetiska testdata"
    if encoding.startswith("utf-8"):
        assert "not UTF-8" not in caplog.text
    else:
        assert f"read the owner registry as {encoding.removesuffix('-le')}" in caplog.text


def test_registry_from_ids_is_sorted_and_coloured() -> None:
    reg = registry_from_ids(["b", "a", "b"])
    assert reg.ids == ["a", "b"]
    assert reg["a"].colour != reg["b"].colour


def test_owner_layer_repairs_and_drops(tmp_path: Path) -> None:
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    frame = gpd.GeoDataFrame(
        {"Markägare": ["a", "b", "c"]},
        geometry=[shapely.box(X0, Y0, X0 + 5, Y0 + 5), bowtie, None],
        crs="EPSG:3006",
    )
    path = tmp_path / "o.gpkg"
    frame.to_file(path)
    layer = load_owner_layer(path)
    assert layer.repaired == 1
    assert layer.dropped_empty == 1
    assert layer.frame["owner"].tolist() == ["a", "b"]
    assert layer.frame.geometry.is_valid.all()
    assert layer.frame.crs.to_epsg() == 3011


def test_owner_layer_of_points_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "points.gpkg"
    gpd.GeoDataFrame({"owner": ["a"]}, geometry=[shapely.Point(X0, Y0)], crs=3011).to_file(path)
    with pytest.raises(
        InputError, match=r"points\.gpkg: the owner layer must hold polygons, found Point"
    ):
        load_owner_layer(path)


def test_owner_layer_without_owner_column(tmp_path: Path) -> None:
    path = tmp_path / "o.gpkg"
    gpd.GeoDataFrame(
        {"namn": ["a"]}, geometry=[shapely.box(X0, Y0, X0 + 1, Y0 + 1)], crs=3011
    ).to_file(path)
    with pytest.raises(InputError, match=r"no owner column among \[namn\].*`owner_column`"):
        load_owner_layer(path)
    with pytest.raises(InputError, match=r"has no column 'agare'"):
        load_owner_layer(path, owner_column="agare")
    assert load_owner_layer(path, owner_column="namn").frame["owner"].tolist() == ["a"]


def test_owner_layer_without_crs(tmp_path: Path) -> None:
    path = tmp_path / "o.shp"
    gpd.GeoDataFrame({"owner": ["a"]}, geometry=[shapely.box(X0, Y0, X0 + 1, Y0 + 1)]).to_file(path)
    with pytest.raises(CRSError, match=r"o\.shp: the owner layer has no CRS"):
        load_owner_layer(path)


def test_owner_layer_swapped_axes(tmp_path: Path) -> None:
    path = tmp_path / "o.gpkg"
    gpd.GeoDataFrame(
        {"owner": ["a"]}, geometry=[shapely.box(Y0, X0, Y0 + 5, X0 + 5)], crs=3011
    ).to_file(path)
    with pytest.raises(CRSError, match=r"x and y swapped"):
        load_owner_layer(path)


def test_missing_owner_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.gpkg: no such owner layer"):
        load_owner_layer(tmp_path / "nope.gpkg")


def test_owner_layer_from_frame_repairs_like_a_file() -> None:
    bowtie = shapely.Polygon([(X0, Y0), (X0 + 10, Y0 + 10), (X0 + 10, Y0), (X0, Y0 + 10)])
    frame = gpd.GeoDataFrame(
        {"agare": ["a", "b", "c"]},
        geometry=[bowtie, None, shapely.box(X0, Y0, X0 + 1, Y0 + 1)],
        crs=3006,
    )
    layer = owner_layer_from_frame(frame)
    assert (layer.repaired, layer.dropped_empty) == (1, 1)
    assert layer.frame["owner"].tolist() == ["a", "c"]
    assert layer.frame.crs.to_epsg() == 3011
    points = gpd.GeoDataFrame({"owner": ["a"]}, geometry=[shapely.Point(X0, Y0)], crs=3011)
    with pytest.raises(
        InputError, match=r"<GeoDataFrame>: the owner layer must hold polygons, found Point"
    ):
        owner_layer_from_frame(points)
    with pytest.raises(CRSError, match=r"<GeoDataFrame>: the owner layer has no CRS.*set_crs"):
        owner_layer_from_frame(points.set_crs(None, allow_override=True))


# --- load_registry: top-level entries that are not part of a registry (issue 9) ----------------
# Kept together at the end; tests of the owner layer belong above.

_REGISTRY_ONLY = "an owner registry holds only [[owner]] and [meta]"


@pytest.mark.parametrize(
    ("extra", "named", "fix"),
    [
        ('\n[rule]\ncategory = "klotter"\nowner = "kommun"\n', "table [rule]", "rules file"),
        (
            '\n[[rule]]\ncategory = "klotter"\nowner = "kommun"\n',
            "array of tables [[rule]]",
            "rules file",
        ),
        ('\n[[owners]]\nid = "x"\nname = "X"\n', "array of tables [[owners]]", _REGISTRY_ONLY),
        ("\n[Meta]\nsynthetic = false\n", "table [Meta]", _REGISTRY_ONLY),
    ],
    ids=["rule-table", "rule-array", "owners-typo", "meta-case"],
)
def test_registry_warns_about_tables_it_ignores(
    tmp_path: Path,
    registry_toml: Path,
    caplog: pytest.LogCaptureFixture,
    extra: str,
    named: str,
    fix: str,
) -> None:
    path = tmp_path / "with-extra.toml"
    path.write_text(registry_toml.read_text(encoding="utf-8") + extra, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="geomap"):
        reg = load_registry(path)
    assert reg.ids == load_registry(registry_toml).ids and reg.synthetic  # the rest still counts
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(
        f"{path}: {named} is not part of an owner registry and is ignored; "
    )
    assert fix in warnings[0]


def test_registry_rule_warning_points_to_the_rules_argument(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "owners.toml"
    path.write_text('version = "1"\n[[owner]]\nid = "a"\nname = "A"\n[rule]\nowner = "a"\n')
    with caplog.at_level(logging.WARNING, logger="geomap"):
        load_registry(path)
    assert [r.getMessage() for r in caplog.records] == [
        f"{path}: key version = '1' is not part of an owner registry and is ignored; "
        f"{_REGISTRY_ONLY}",
        f"{path}: table [rule] is not part of an owner registry and is ignored; "
        "category rules go in the rules file (`rules`)",
    ]


def test_registry_with_only_owner_and_meta_warns_nothing(
    registry_toml: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="geomap"):
        load_registry(registry_toml)
    assert not caplog.records


def test_registry_without_owners_is_refused_before_any_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\ncategory = "klotter"\nowner = "kommun"\n', encoding="utf-8")
    with (
        caplog.at_level(logging.WARNING, logger="geomap"),
        pytest.raises(ConfigError, match=r"rules\.toml: no \[\[owner\]\] entries \(found 'rule'\)"),
    ):
        load_registry(path)
    assert not caplog.records


@pytest.mark.parametrize("decoy", ["owner", "Owner"])
def test_owner_column_option_moves_another_owner_column_aside(
    tmp_path: Path, decoy: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "o.gpkg"
    gpd.GeoDataFrame(
        {"fastighetsagare": ["a", "b"], decoy: ["fel", "fel"]},
        geometry=[shapely.box(X0, Y0, X0 + 1, Y0 + 1), shapely.box(X0 + 1, Y0, X0 + 2, Y0 + 1)],
        crs=3011,
    ).to_file(path)
    with caplog.at_level(logging.WARNING):
        frame = load_owner_layer(path, owner_column="fastighetsagare").frame
    assert frame["owner"].tolist() == ["a", "b"]
    assert frame["input_owner"].tolist() == ["fel", "fel"]
    assert [c for c in frame.columns if c.casefold() == "owner"] == ["owner"]
    assert (
        f"column 'fastighetsagare' is used as owner id; its column '{decoy}' is kept as 'input_owner'"
        in caplog.text
    )


def test_owner_column_option_with_input_owner_taken_too() -> None:
    frame = gpd.GeoDataFrame(
        {"namn": ["a"], "owner": ["x"], "input_owner": ["y"]},
        geometry=[shapely.box(X0, Y0, X0 + 1, Y0 + 1)],
        crs=3011,
    )
    got = owner_layer_from_frame(frame, owner_column="namn").frame
    assert got[["owner", "input_owner", "input_owner_2"]].values.tolist() == [["a", "y", "x"]]


def test_priority_beyond_a_whole_number_of_32_bits_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "reg.toml"
    path.write_text(
        '[[owner]]\nid = "a"\nname = "A"\npriority = 99999999999999999999\n', encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"priority = 99999999999999999999 .*between -2147483648"):
        load_registry(path)


_B = '[[owner]]\nid = "b"\nname = "B AB"\n'


def test_registry_service_levels_and_external(tmp_path: Path) -> None:
    path = tmp_path / "owners.toml"
    path.write_text(
        _B + "external = true\nservice_days = 14\n"
        'service_days_by_category = { "Trasig belysning" = 7, graffiti = 3 }\n'
        '[[owner]]\nid = "c"\nname = "C"\n',
        encoding="utf-8",
    )
    reg = load_registry(path)
    b, c = reg["b"], reg["c"]
    assert (b.external, b.service_days, c.external, c.service_days) == (True, 14, False, None)
    assert b.category_service_days == (("belysning", 7), ("klotter", 3))
    assert (b.days_for("belysning"), b.days_for("klotter"), b.days_for("brand")) == (7, 3, 14)
    frame = reg.to_frame()
    assert frame["service_days_by_category"].tolist() == ["belysning=7;klotter=3", ""]
    back = registry_from_frame(frame)
    assert back["b"] == b and back["c"] == c  # the table form (routed.gpkg) keeps them


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "service_days = 0\n",
            r"service_days = 0 days; give a whole number of days from 1 to 3650",
        ),
        ('service_days = "14"\n', r"service_days = '14' \(a string\); give a whole number of days"),
        ("service_days = 4000\n", r"service_days = 4000 days; give a whole number of days"),
        ("external = 2\n", r"external = 2 is an integer.*external = true or external = false"),
        (
            "service_days_by_category = 7\n",
            r"service_days_by_category = 7 is an integer; write a table",
        ),
        (
            "service_days_by_category = { cykel = 7 }\n",
            r"names 'cykel', which is no category.*klotter",
        ),
        (
            "service_days_by_category = { klotter = -1 }\n",
            r"service_days_by_category\.klotter = -1 days",
        ),
    ],
)
def test_bad_service_levels(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "owners.toml"
    path.write_text(_B + text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_registry(path)
    assert str(info.value).startswith(f"{path}: [[owner]] number 1 (id 'b')")

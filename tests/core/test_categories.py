from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geomap.core.categories import load_categories, normalise_text
from geomap.errors import ConfigError


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Klotter", "klotter"),
        ("klotter/tags", "klotter"),
        ("GRAFFITI", "klotter"),
        ("Skadegörelse", "skadegorelse"),
        ("vandalism", "skadegorelse"),
        ("Nedskräpning", "nedskrapning"),
        ("Trasig belysning", "belysning"),
        ("Otrygg plats", "otrygg_plats"),
        ("Samling av ungdomar", "samling"),
        ("Hot mot personal", "hot_mot_personal"),
        ("  brand ", "brand"),
        ("Igenväxt buskage", "vegetation"),
        ("Narkotika", "narkotika"),
    ],
)
def test_aliases_map_to_codes(raw: str, code: str) -> None:
    result = load_categories().normalise(pd.Series([raw]))
    assert result["category"].iloc[0] == code
    assert bool(result["known"].iloc[0])


def test_unknown_is_kept_and_flagged() -> None:
    result = load_categories().normalise(pd.Series(["Övergiven cykel", None, ""]))
    assert result["category"].tolist() == ["Övergiven cykel", "ovrigt", "ovrigt"]
    # missing and empty categories are "Övrigt", a category of the vocabulary: not flagged
    assert result["known"].tolist() == [False, True, True]


def test_every_code_has_a_swedish_label() -> None:
    cats = load_categories()
    assert cats.version
    assert len(cats.codes()) == len(set(cats.codes())) >= 10
    assert cats.label("belysning") == "Trasig belysning"


def test_normalise_text_folds_swedish_letters() -> None:
    assert normalise_text("Önskad Åtgärd!") == "onskad atgard"


def test_conflicting_alias_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        '[[category]]\ncode = "a"\nlabel = "A"\naliases = ["x"]\n'
        '[[category]]\ncode = "b"\nlabel = "B"\naliases = ["x"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"alias 'x' is given for both 'a' and 'b'"):
        load_categories(path)


def test_bad_vocabulary_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[[category]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: the category vocabulary is not valid TOML"):
        load_categories(bad)
    incomplete = tmp_path / "incomplete.toml"
    incomplete.write_text('[[category]]\ncode = "a"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"number 1 needs both 'code' and 'label'"):
        load_categories(incomplete)
    with pytest.raises(ConfigError, match=r"missing\.toml: cannot read the category vocabulary"):
        load_categories(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[category]]\ncode = "a"\nlabel = "A"\naliases = "x"\n', r"\('a'\): aliases = 'x' is a"),
        ('[[category]]\ncode = "a"\nlabel = "A"\naliases = [1]\n', r"aliases = \[1\] is an array"),
        ('[[category]]\ncode = 1\nlabel = "A"\n', r"number 1: code = 1 is an integer"),
        ('[[category]]\ncode = "a"\nlabel = ["A"]\n', r"label = \['A'\] is an array"),
        ('[category]\ncode = "a"\nlabel = "A"\n', r"'category' is a single table"),
        ('category = ["a"]\n', r"category = \['a'\] holds a string"),
    ],
)
def test_vocabulary_of_wrong_types(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "c.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_categories(path)


def test_find_by_code_label_or_alias() -> None:
    cats = load_categories()
    assert cats.find("graffiti").code == "klotter"  # type: ignore[union-attr]
    assert cats.find("Trasig Belysning").code == "belysning"  # type: ignore[union-attr]
    assert cats.find("otrygg_plats").code == "otrygg_plats"  # type: ignore[union-attr]
    assert cats.find("cykel") is None


def test_vocabulary_in_utf16(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_bytes('[[category]]\ncode = "a"\nlabel = "Övrigt"\n'.encode("utf-16"))
    assert load_categories(path).label("a") == "Övrigt"


def test_duplicate_radius_and_window_per_category() -> None:
    rules = load_categories().duplicate_rules()
    assert rules.loc["belysning"].tolist() == [50.0, 30.0]  # a street light is a point asset
    assert (rules.drop(index="belysning")["radius_m"] == 250.0).all()
    assert (rules["window_days"] == 30.0).all()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('duplicate_radius_m = "50"\n', r"duplicate_radius_m = '50' is a string; give metres"),
        (
            "duplicate_radius_m = -1\n",
            r"duplicate_radius_m = -1 is an integer; give metres as a number from 0",
        ),
        (
            "duplicate_window_days = 2.5\n",
            r"duplicate_window_days = 2\.5 is a float; give a whole number",
        ),
        (
            "duplicate_window_days = 5000\n",
            r"duplicate_window_days = 5000 is an integer; give whole days",
        ),
    ],
)
def test_bad_duplicate_keys(tmp_path: Path, extra: str, message: str) -> None:
    path = tmp_path / "categories.toml"
    path.write_text('[[category]]\ncode = "a"\nlabel = "A"\n' + extra, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_categories(path)


def test_duplicate_keys_are_read_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "categories.toml"
    path.write_text(
        '[[category]]\ncode = "a"\nlabel = "A"\nduplicate_radius_m = 10.5\nduplicate_window_days = 7\n',
        encoding="utf-8",
    )
    assert load_categories(path).duplicate_rules().loc["a"].tolist() == [10.5, 7.0]

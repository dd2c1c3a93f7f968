from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geomap.core.categories import load_categories
from geomap.core.rules import CategoryRule, apply_rules, load_rules
from geomap.errors import ConfigError


def test_load_rules(rules_toml: Path) -> None:
    rules = load_rules(rules_toml)
    assert [r.owner for r in rules] == ["belysning", "elnat"]
    assert rules[1].match == "elskåp|nätstation"


def test_first_matching_rule_wins_and_match_is_case_insensitive() -> None:
    rules = [
        CategoryRule("klotter", "elnat", match="elskåp"),
        CategoryRule("klotter", "sanering"),
        CategoryRule("belysning", "ljus"),
    ]
    hit = apply_rules(
        pd.Series(["klotter", "klotter", "belysning", "brand", None]),
        pd.Series(["Tags på ELSKÅP", "på vägg", None, "", ""]),
        rules,
    )
    assert hit.tolist() == [0, 1, 2, -1, -1]


_R = '[[rule]]\ncategory = "klotter"\nowner = "y"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[rule]]\nowner = "x"\n', r"number 1 lacks category"),
        ('[[rule]]\ncategory = "klotter"\n', r"number 1 lacks owner"),
        ('[[rule]]\nowner = "x"\nnote = "n"\n', r"number 1 lacks category; add"),
        ("[[rule]]\n", r"number 1 lacks category and owner"),
        (
            _R + 'match = "("\n',
            r"number 1 \('klotter' → 'y'\): match = '\(' is not a valid regular expression",
        ),
        (_R + 'match = "[a-"\n', r"not a valid regular expression \(unterminated"),
        ("[[rule]\n", r"rules\.toml: the rules file is not valid TOML \(.*line 1"),
        ('[rule]\ncategory = "klotter"\nowner = "y"\n', r"'rule' is a single table"),
        ('rule = ["klotter"]\n', r"rule = \['klotter'\] holds a string \(item 1\)"),
        ('rule = "klotter"\n', r"rule = 'klotter' is a string, not a table"),
        ('[[rule]]\ncategory = ["klotter"]\nowner = "y"\n', r"category = \['klotter'\] is an"),
        ('[[rule]]\ncategory = 3\nowner = "y"\n', r"category = 3 is an integer"),
        ('[[rule]]\ncategory = "klotter"\nowner = 3\n', r"owner = 3 is an integer"),
        ('[[rule]]\ncategory = "klotter"\nowner = ""\n', r"owner is empty"),
        (_R + "match = 5\n", r"\('klotter' → 'y'\): match = 5 is an integer"),
        (_R + "note = true\n", r"note = true is a boolean"),
        (
            '[[rule]]\ncategory = "klottr"\nowner = "y"\n',
            r"category 'klottr' is not in the category vocabulary, so the rule could never "
            r"match; use one of skadegorelse, klotter, .*ovrigt",
        ),
    ],
)
def test_bad_rules(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as info:
        load_rules(path)
    assert "\n" not in str(info.value) and str(info.value).startswith(str(path))


@pytest.mark.parametrize(
    ("given", "code"),
    [
        ("klotter", "klotter"),
        ("Klotter", "klotter"),
        ("graffiti", "klotter"),
        ("Trasig belysning", "belysning"),
        ("Skadegörelse", "skadegorelse"),
        ("  otrygg plats ", "otrygg_plats"),
    ],
)
def test_rule_category_is_normalised_to_its_code(tmp_path: Path, given: str, code: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(f'[[rule]]\ncategory = "{given}"\nowner = "y"\n', encoding="utf-8")
    assert load_rules(path)[0].category == code


def test_rules_with_another_vocabulary(tmp_path: Path) -> None:
    vocabulary = tmp_path / "c.toml"
    vocabulary.write_text(
        '[[category]]\ncode = "cykel"\nlabel = "Övergiven cykel"\naliases = ["cykelvrak"]\n',
        encoding="utf-8",
    )
    path = tmp_path / "rules.toml"
    path.write_text('[[rule]]\ncategory = "Cykelvrak"\nowner = "y"\n', encoding="utf-8")
    assert load_rules(path, categories=load_categories(vocabulary))[0].category == "cykel"
    with pytest.raises(ConfigError, match=r"use one of skadegorelse"):
        load_rules(path)


def test_empty_match_matches_every_remark(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(_R + 'match = ""\n', encoding="utf-8")
    assert load_rules(path)[0].match is None


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1252"])
def test_rules_in_windows_encodings(tmp_path: Path, rules_toml: Path, encoding: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_bytes(rules_toml.read_text(encoding="utf-8").encode(encoding))
    rules = load_rules(path)
    assert rules[1].match == "elskåp|nätstation"
    assert rules[0].note == "gatubelysning sköts av belysningsenheten"


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: cannot read the rules file"):
        load_rules(tmp_path / "nope.toml")

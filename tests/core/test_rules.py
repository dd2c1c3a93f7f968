from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[rule]]\nowner = "x"\n', r"number 1 lacks category"),
        ('[[rule]]\ncategory = "x"\n', r"number 1 lacks owner"),
        ('[[rule]]\ncategory = "x"\nowner = "y"\nmatch = "("\n', r"invalid match pattern '\('"),
        ("[[rule]\n", r"not valid TOML"),
    ],
)
def test_bad_rules(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_rules(path)


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml: cannot read the rules file"):
        load_rules(tmp_path / "nope.toml")

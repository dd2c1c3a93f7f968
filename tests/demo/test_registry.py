"""Tests for geomap.demo.registry: owners.toml and rules.toml."""

from __future__ import annotations

import re
import tomllib

from geomap.core.categories import load_categories
from geomap.demo.registry import SYNTHETIC_LABEL, owners_toml, rules_toml
from geomap.demo.zones import LAND_USE_OWNER, OWNER_IDS


def test_owners_toml_is_synthetic_and_complete() -> None:
    data = tomllib.loads(owners_toml())
    assert data["meta"] == {"synthetic": True, "synthetic_label": SYNTHETIC_LABEL}
    ids = [o["id"] for o in data["owner"]]
    assert len(ids) == len(set(ids)) == 7
    assert set(OWNER_IDS) | {"huddinge_kommun_belysning", "ellevio"} == set(ids)
    assert set(LAND_USE_OWNER.values()) <= set(ids)
    for owner in data["owner"]:
        # the follow-up register's service levels (issue 11); `external` only where it is true
        required = {"id", "name", "contact", "colour", "priority", "service_days"}
        assert required <= set(owner) <= required | {"external", "service_days_by_category"}
        assert isinstance(owner["service_days"], int) and owner["service_days"] > 0
        assert owner.get("external", True) is True
        assert re.fullmatch(r"#[0-9a-fA-F]{6}", owner["colour"])
        assert owner["contact"].endswith("example.se")
        assert isinstance(owner["priority"], int)
    assert len({o["colour"].lower() for o in data["owner"]}) == 7


def test_rules_point_at_known_owners_and_categories() -> None:
    owners = {o["id"] for o in tomllib.loads(owners_toml())["owner"]}
    codes = set(load_categories().codes())
    rules = tomllib.loads(rules_toml())["rule"]
    assert rules[0] == {
        "category": "belysning",
        "owner": "huddinge_kommun_belysning",
        "note": rules[0]["note"],
    }
    for rule in rules:
        assert rule["owner"] in owners
        assert rule["category"] in codes
        assert rule["note"]
        if "match" in rule:
            re.compile(rule["match"])
    elskap = next(r for r in rules if r["category"] == "klotter")
    assert re.search(elskap["match"], "Klotter på ELSKÅP vid gångvägen", re.IGNORECASE)
    assert elskap["owner"] == "ellevio"

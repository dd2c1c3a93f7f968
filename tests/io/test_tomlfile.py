from __future__ import annotations

from pathlib import Path

import pytest

from geomap.errors import ConfigError
from geomap.io.tomlfile import load_toml


def test_load_toml(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text('[[owner]]\nid = "kommun"\n', encoding="utf-8")
    assert load_toml(path, what="owner registry", argument="registry") == {
        "owner": [{"id": "kommun"}]
    }


def test_errors(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"nope\.toml: cannot read the owner registry .*check `registry`"
    ):
        load_toml(tmp_path / "nope.toml", what="owner registry", argument="registry")
    bad = tmp_path / "bad.toml"
    bad.write_text("[[owner]\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.toml: the rules file is not valid TOML"):
        load_toml(bad, what="rules file", argument="rules")

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from geomap.errors import ConfigError
from geomap.io.tomlfile import ConfigEntry, decode_config, load_toml, sub_table, table_array


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


TEXT = '# Ägarregister\n[[owner]]\nid = "huge"\nname = "Huge Bostäder AB – Flemingsberg"\n'
EXPECTED = {"owner": [{"id": "huge", "name": "Huge Bostäder AB – Flemingsberg"}]}


@pytest.mark.parametrize(
    ("encoding", "logged"),
    [
        ("utf-8", None),
        ("utf-8-sig", None),
        ("utf-16", "utf-16"),
        ("utf-16-le", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("utf-32", "utf-32"),
        ("cp1252", "cp1252"),
    ],
)
def test_encodings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, encoding: str, logged: str | None
) -> None:
    path = tmp_path / "owners.toml"
    path.write_bytes(TEXT.replace("\n", "\r\n").encode(encoding))
    with caplog.at_level(logging.INFO, logger="geomap"):
        assert load_toml(path, what="owner registry", argument="registry") == EXPECTED
    if logged is None:
        assert "not UTF-8" not in caplog.text
    else:
        assert f"owners.toml: read the owner registry as {logged} (not UTF-8)" in caplog.text


def test_undecodable_bytes_are_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "owners.toml"
    path.write_bytes(b'id = "\x81\x8d"\n')  # neither UTF-8 nor cp1252
    with pytest.raises(
        ConfigError,
        match=r"owners\.toml: cannot decode the owner registry \(cp1252 fails at byte 6\); "
        r"save it as UTF-8",
    ):
        load_toml(path, what="owner registry", argument="registry")


def test_decode_config_prefers_utf8() -> None:
    assert decode_config("Ö".encode(), where="x") == ("Ö", "utf-8")
    assert decode_config(b"", where="x") == ("", "utf-8")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('[[owner]]\nid = "a"\nname = "A\n', 3),
        ("a = 1\na = 2\n", 2),
        ('[[owner]]\nid = "a"\n\n[[owner]\n', 4),
        ('x = "tab\x01"\n', 1),
    ],
)
def test_toml_errors_are_one_line_with_the_line(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(
        ConfigError, match=rf"bad\.toml: the rules file is not valid TOML \(.*line {line}"
    ) as info:
        load_toml(path, what="rules file", argument="rules")
    assert "\n" not in str(info.value)


def test_a_directory_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot read the rules file \(Is a directory\)"):
        load_toml(tmp_path, what="rules file", argument="rules")


@pytest.mark.parametrize(
    ("values", "key", "message"),
    [
        ({"n": "1"}, "n", r"e\.toml: \[x\]: n = '1' is a string; give a whole number"),
        ({"n": 1.0}, "n", r"n = 1\.0 is a float"),
        ({"n": False}, "n", r"n = false is a boolean"),
    ],
)
def test_config_entry_integer(values: dict[str, object], key: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        ConfigEntry(values, where="e.toml", label="[x]").integer(key, default=1)


@pytest.mark.parametrize("word", ["TRUE", "Ja", "yes", "1", True])
def test_config_entry_flag_true(word: object) -> None:
    assert ConfigEntry({"f": word}, where="e", label="x").flag("f", default=False) is True


@pytest.mark.parametrize("word", ["false", "NEJ", "No", "0", " false ", False])
def test_config_entry_flag_false(word: object) -> None:
    assert ConfigEntry({"f": word}, where="e", label="x").flag("f", default=True) is False


@pytest.mark.parametrize("word", ["kanske", "", 1, 0, 2.0, ["true"]])
def test_config_entry_flag_refuses_anything_else(word: object) -> None:
    with pytest.raises(ConfigError, match=r"e: x: f = .* write f = true or f = false"):
        ConfigEntry({"f": word}, where="e", label="x").flag("f", default=True)


def test_table_array_and_sub_table() -> None:
    assert table_array({}, "rule", where="r", what="rule") == []
    assert table_array({"rule": [{"a": 1}]}, "rule", where="r", what="rule") == [{"a": 1}]
    with pytest.raises(
        ConfigError, match=r"r: rule = \[\{'a': 1\}, 2\] holds an integer \(item 2\)"
    ):
        table_array({"rule": [{"a": 1}, 2]}, "rule", where="r", what="rule")
    assert sub_table({}, "meta", where="r") == {}
    with pytest.raises(ConfigError, match=r"r: meta = \[1\] is an array, not a table"):
        sub_table({"meta": [1]}, "meta", where="r")

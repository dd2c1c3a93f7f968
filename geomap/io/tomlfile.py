"""Reading the configuration files (owner registry, rules, category vocabulary, crosswalks).

Configuration files are edited by hand on Windows as often as anywhere else, so they are read as
UTF-8 (with or without BOM), UTF-16 (with BOM, or recognised by its zero bytes) and, when UTF-8
fails, cp1252; the encoding used is logged (info) when it is not plain UTF-8.
"""

from __future__ import annotations

import codecs
import logging
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from geomap.errors import ConfigError

__all__ = [
    "FALSE_WORDS",
    "TRUE_WORDS",
    "ConfigEntry",
    "decode_config",
    "load_toml",
    "read_config_text",
    "shown",
    "sub_table",
    "table_array",
    "toml_form",
    "toml_type",
    "warn_unknown_entries",
]

log = logging.getLogger(__name__)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts with FF FE
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_config(raw: bytes, *, where: str, what: str = "file") -> tuple[str, str]:
    r"""Decode the bytes of a configuration file; return the text and the encoding used.

    A BOM decides (UTF-8, UTF-16, UTF-32); without one, zero bytes at odd or even positions mean
    UTF-16 LE or BE, else UTF-8 is tried, then cp1252.

    Raises
    ------
    ConfigError
        The bytes are none of these encodings; the message names ``where``.

    Examples
    --------
    >>> decode_config("ägare".encode("cp1252"), where="a.toml")
    ('ägare', 'cp1252')
    >>> decode_config("ägare".encode("utf-16"), where="a.toml")
    ('ägare', 'utf-16')
    >>> decode_config(b"\xef\xbb\xbfid", where="a.toml")
    ('id', 'utf-8-sig')
    """
    encodings = [name for bom, name in _BOMS if raw.startswith(bom)][:1]
    if not encodings and b"\x00" in raw[:4096]:
        head = raw[:4096]
        odd_zeros = head[1::2].count(0) > head[0::2].count(0)
        encodings = ["utf-16-le" if odd_zeros else "utf-16-be"]
    reason = ""
    for encoding in encodings or ["utf-8", "cp1252"]:
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError as exc:
            reason = f"{encoding} fails at byte {exc.start}"
    msg = f"{where}: cannot decode the {what} ({reason}); save it as UTF-8"
    raise ConfigError(msg)


def read_config_text(path: str | os.PathLike[str], *, what: str, argument: str) -> str:
    r"""Read a configuration file as text in whatever encoding it was saved (see :func:`decode_config`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
    >>> _ = p.write_bytes("kod;ägare\n".encode("cp1252"))
    >>> read_config_text(p, what="crosswalk", argument="path")
    'kod;ägare\n'
    """
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        msg = f"{path}: cannot read the {what} ({exc.strerror}); check `{argument}`"
        raise ConfigError(msg) from None
    text, encoding = decode_config(raw, where=str(path), what=what)
    if encoding not in {"utf-8", "utf-8-sig"}:
        log.info("%s: read the %s as %s (not UTF-8)", path, what, encoding)
    return text.replace("\r\n", "\n")


def load_toml(path: str | os.PathLike[str], *, what: str, argument: str) -> dict[str, Any]:
    """Parse the TOML file at ``path``; errors name the file, what it is and the argument to check.

    The file may be UTF-8 (with or without BOM), UTF-16 or cp1252 (see :func:`decode_config`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.toml"
    >>> _ = p.write_text('version = "1"')
    >>> load_toml(p, what="rules file", argument="rules")
    {'version': '1'}
    """
    text = read_config_text(path, what=what, argument=argument)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        reason = " ".join(str(exc).split())
        msg = f"{path}: the {what} is not valid TOML ({reason}); fix that line"
        raise ConfigError(msg) from None


#: Words that mean yes / no in a flag written as text (TOML strings, ``run_info`` values).
TRUE_WORDS = frozenset({"true", "ja", "yes", "1"})
FALSE_WORDS = frozenset({"false", "nej", "no", "0"})


def toml_type(value: object) -> str:
    """Name the TOML type of a parsed value, with its article, for messages.

    Examples
    --------
    >>> toml_type(["a"]), toml_type(True), toml_type({"id": "a"})
    ('an array', 'a boolean', 'a table')
    """
    if isinstance(value, bool):
        return "a boolean"
    kinds = ((str, "a string"), (int, "an integer"), (float, "a float"), (list, "an array"))
    for kind, name in (*kinds, (dict, "a table")):
        if isinstance(value, kind):
            return name
    return "a date/time"


def toml_form(key: str, value: object) -> str:
    """Name a top-level entry as written: ``table [key]``, ``array of tables [[key]]``, ``key = ...``.

    Examples
    --------
    >>> toml_form("rule", {"owner": "a"}), toml_form("rule", [{"owner": "a"}])
    ('table [rule]', 'array of tables [[rule]]')
    >>> toml_form("version", "1")
    "key version = '1'"
    """
    if isinstance(value, dict):
        return f"table [{key}]"
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        return f"array of tables [[{key}]]"
    return f"key {key} = {shown(value, limit=30)}"


def warn_unknown_entries(
    data: Mapping[str, Any],
    known: Mapping[str, str],
    *,
    where: str,
    what: str,
    hints: Mapping[str, str] | None = None,
) -> list[str]:
    """Log a warning for each top-level key or table of ``data`` that is not in ``known``.

    ``known`` maps each known key to how it is written (``{"owner": "[[owner]]"}``), which the
    warning lists; ``hints`` maps a key that belongs elsewhere to where it goes. Keys are compared
    as they are (``[[Owner]]`` is unknown). Returns the unknown keys.

    Examples
    --------
    >>> warn_unknown_entries({"owner": [], "rule": {}}, {"owner": "[[owner]]"}, where="o.toml",
    ...                      what="an owner registry", hints={"rule": "rules go in the rules file"})
    ['rule']
    """
    unknown = [key for key in data if key not in known]
    for key in unknown:
        fix = (hints or {}).get(key) or f"{what} holds only {' and '.join(known.values())}"
        log.warning(
            "%s: %s is not part of %s and is ignored; %s",
            where,
            toml_form(_printable(key), data[key]),
            what,
            fix,
        )
    return unknown


def _printable(key: str) -> str:
    """Return ``key`` fit for a one-line message (a quoted key may hold line breaks)."""
    text = " ".join(key.split())
    return text if text == key and len(text) <= 60 else shown(key)


def shown(value: object, *, limit: int = 60) -> str:
    """Show a value in a message: its repr, cut to ``limit`` characters.

    Examples
    --------
    >>> shown("x" * 100, limit=10)
    "'xxxxxxxx…"
    >>> shown(True)
    'true'
    """
    text = ("true" if value else "false") if isinstance(value, bool) else repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def table_array(data: dict[str, Any], key: str, *, where: str, what: str) -> list[dict[str, Any]]:
    """Return the ``[[key]]`` array of tables of ``data`` (empty when absent), checking its type.

    A single ``[key]`` table, an inline table, an array of strings or a plain value is a
    :class:`ConfigError` that says to write ``[[key]]`` tables.

    Examples
    --------
    >>> table_array({"rule": [{"owner": "a"}]}, "rule", where="r.toml", what="rule")
    [{'owner': 'a'}]
    >>> table_array({"rule": {"owner": "a"}}, "rule", where="r.toml", what="rule")
    Traceback (most recent call last):
    geomap.errors.ConfigError: r.toml: 'rule' is a single table ([rule] or rule = {...}); write each rule as a [[rule]] table (two brackets)
    """
    value = data.get(key)
    if value is None:
        return []
    if isinstance(value, dict):
        msg = (
            f"{where}: {key!r} is a single table ([{key}] or {key} = {{...}}); "
            f"write each {what} as a [[{key}]] table (two brackets)"
        )
        raise ConfigError(msg)
    items = value if isinstance(value, list) else [value]
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            kind = toml_type(item)
            found = f"holds {kind} (item {n})" if items is value else f"is {kind}"
            msg = (
                f"{where}: {key} = {shown(value)} {found}, not a table; "
                f"write each {what} as a [[{key}]] table with its keys"
            )
            raise ConfigError(msg)
    return list(items)


def sub_table(data: dict[str, Any], key: str, *, where: str) -> dict[str, Any]:
    """Return the ``[key]`` table of ``data`` (empty when absent), checking its type.

    Examples
    --------
    >>> sub_table({"meta": "x"}, "meta", where="o.toml")
    Traceback (most recent call last):
    geomap.errors.ConfigError: o.toml: meta = 'x' is a string, not a table; write it as a [meta] table with its keys
    """
    value = data.get(key, {})
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        value = value[0]  # [[meta]] written for [meta]: the same content
    if not isinstance(value, dict):
        msg = (
            f"{where}: {key} = {shown(value)} is {toml_type(value)}, not a table; "
            f"write it as a [{key}] table with its keys"
        )
        raise ConfigError(msg)
    return value


class ConfigEntry:
    """One table of a configuration file with typed getters; errors name the file, entry and key.

    Examples
    --------
    >>> e = ConfigEntry({"id": "a", "priority": "1"}, where="o.toml", label="[[owner]] number 1")
    >>> e.text("id", required=True)
    'a'
    >>> e.integer("priority", default=100)
    Traceback (most recent call last):
    geomap.errors.ConfigError: o.toml: [[owner]] number 1: priority = '1' is a string; give a whole number without quotes, e.g. priority = 10
    """

    def __init__(self, values: dict[str, Any], *, where: str, label: str) -> None:
        self.values, self.where, self.label = values, where, label

    def fail(self, key: str, fix: str) -> ConfigError:
        """Return the error for ``key``: what was found there and ``fix``."""
        value = self.values.get(key)
        msg = f"{self.where}: {self.label}: {key} = {shown(value)} is {toml_type(value)}; {fix}"
        return ConfigError(msg)

    def text(self, key: str, *, required: bool = False, default: str = "") -> str:
        """Return the string at ``key``, stripped; numbers, arrays and tables are refused."""
        if key not in self.values:
            if required:
                msg = f'{self.where}: {self.label} lacks {key}; add {key} = "..."'
                raise ConfigError(msg)
            return default
        value = self.values[key]
        if not isinstance(value, str):
            plain = isinstance(value, int | float) and not isinstance(value, bool)
            example = value if plain else "..."
            raise self.fail(key, f'write it as one string in quotes, e.g. {key} = "{example}"')
        if required and not value.strip():
            msg = f"{self.where}: {self.label}: {key} is empty; fill it in"
            raise ConfigError(msg)
        return value.strip()

    def integer(self, key: str, *, default: int) -> int:
        """Return the whole number at ``key``; strings, floats and booleans are refused."""
        value = self.values.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(key, f"give a whole number without quotes, e.g. {key} = 10")
        if not -(2**31) <= value < 2**31:
            raise self.fail(
                key, f"give a whole number between -2147483648 and 2147483647, e.g. {key} = 10"
            )
        return value

    def flag(self, key: str, *, default: bool) -> bool:
        """Return the yes/no at ``key``: a boolean, or true/false/ja/nej/yes/no/1/0 as a string."""
        value = self.values.get(key, default)
        if isinstance(value, bool):
            return value
        word = value.strip().casefold() if isinstance(value, str) else None
        if word in TRUE_WORDS or word in FALSE_WORDS:
            return word in TRUE_WORDS
        raise self.fail(key, f"write {key} = true or {key} = false")

    def texts(self, key: str) -> tuple[str, ...]:
        """Return the array of strings at ``key`` (empty when absent), each stripped."""
        value = self.values.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(key, f'write an array of strings, e.g. {key} = ["a", "b"]')
        return tuple(v.strip() for v in value)

    def warn_unknown(self, known: tuple[str, ...]) -> None:
        """Log a warning for keys that are not in ``known`` (a typo such as ``color``)."""
        unknown = sorted(set(self.values) - set(known))
        if unknown:
            log.warning(
                "%s: %s: unknown key(s) %s ignored; known keys are %s",
                self.where,
                self.label,
                ", ".join(unknown),
                ", ".join(known),
            )

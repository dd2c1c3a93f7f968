"""Owners' local maintenance codes and the crosswalks that map them to the shared vocabulary.

Each owner keeps its own layer, column names and codes. ``layers/owners.toml`` says which column
holds the local code and which the feature id; ``layers/crosswalks/<owner>.csv`` maps local code to
shared code (many local codes may map to one shared code, never one local code to two).
"""

from __future__ import annotations

import csv
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from geomap.core.resources import layers_dir
from geomap.errors import ConfigError
from geomap.io.tomlfile import ConfigEntry, load_toml, read_config_text, shown, toml_type

from .vocabulary import Vocabulary

__all__ = [
    "Crosswalk",
    "OwnerProfile",
    "UnknownOwnerError",
    "known_owners",
    "load_crosswalk",
    "load_owner",
    "normalise_code",
]


class UnknownOwnerError(ConfigError):
    """The owner id is not one of the owners in ``layers/owners.toml``."""


def normalise_code(value: object) -> str:
    """Normalise a local code for matching: Unicode NFC, trimmed, single spaces, case-folded.

    Examples
    --------
    >>> normalise_code("  Gräs,  BRUKS ")
    'gräs, bruks'
    """
    text = unicodedata.normalize("NFC", str(value))
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class Crosswalk:
    """Local code → shared code for one owner.

    Examples
    --------
    >>> cw = load_crosswalk("huddinge_kommun")
    >>> cw.lookup("gräs-bruk"), cw.lookup("NOPE")
    ('G2', None)
    """

    owner: str
    mapping: dict[str, str] = field(repr=False)
    local_codes: dict[str, str] = field(repr=False)
    source: Path | None = None

    def lookup(self, local_code: object) -> str | None:
        """Return the shared code of ``local_code``, or ``None`` if the crosswalk lacks it."""
        if local_code is None or (isinstance(local_code, float) and pd.isna(local_code)):
            return None
        return self.mapping.get(normalise_code(local_code))

    def translate(self, codes: Iterable[object]) -> pd.Series:
        """Return the shared code of each local code (``None`` where unknown)."""
        series = pd.Series(list(codes), dtype=object)
        uniques = {value: self.lookup(value) for value in series.dropna().unique()}
        mapped = series.map(uniques).astype(object)
        return mapped.where(mapped.notna(), None)


@dataclass(frozen=True)
class OwnerProfile:
    """How one owner's maintenance layer is read (columns, crosswalk) and what it buys.

    ``frequencies`` (times per year) and ``levels`` (maintenance level) override the vocabulary's
    defaults per shared code, from the owner's ``frekvens`` and ``niva`` tables in
    ``owners.toml`` (the owner's *skötselplan*).

    Examples
    --------
    >>> p = load_owner("huge_bostader")
    >>> (p.code_column, p.crosswalk.lookup("G2.1"), p.frequencies["G2"])
    ('SM_KOD', 'G2', 18.0)
    """

    owner: str
    name: str
    code_column: str
    id_column: str
    crosswalk: Crosswalk
    frequencies: dict[str, float] = field(default_factory=dict)
    levels: dict[str, str] = field(default_factory=dict)


def _overrides(
    entry: dict[str, object], source: Path, owner: str, vocabulary: Vocabulary | None
) -> tuple[dict[str, float], dict[str, str]]:
    """Return the owner's checked ``frekvens`` and ``niva`` tables (shared code → value)."""
    frequencies: dict[str, float] = {}
    levels: dict[str, str] = {}
    for key in ("frekvens", "niva"):
        table = entry.get(key, {})
        if not isinstance(table, dict):
            msg = f"{source}: [owner.{owner}] {key} = {shown(table)} is {toml_type(table)}; write it as a table CODE = value"
            raise ConfigError(msg)
        for code, value in table.items():
            where = f"{source}: [owner.{owner}.{key}] {code} = {shown(value)}"
            if vocabulary is not None and code not in vocabulary:
                raise ConfigError(
                    f"{where}: {code!r} is not a shared code of vocabulary {vocabulary.version}; use a shared code"
                )
            if key == "frekvens":
                if (
                    isinstance(value, bool)
                    or not isinstance(value, int | float)
                    or not 0 <= value <= 365
                ):
                    raise ConfigError(
                        f"{where} is {toml_type(value)}; give times per year as a number from 0 to 365"
                    )
                frequencies[code] = float(value)
            else:
                allowed = vocabulary[code].levels if vocabulary is not None else None
                if not isinstance(value, str) or (allowed is not None and value not in allowed):
                    raise ConfigError(
                        f"{where}: not a level of {code}; use one of {list(allowed or [])}"
                    )
                levels[code] = value
    return frequencies, levels


def _owners_file(path: str | os.PathLike[str] | None) -> tuple[Path, dict[str, dict[str, object]]]:
    source = Path(path) if path is not None else layers_dir() / "owners.toml"
    data = load_toml(source, what="owner profile file", argument="owners_path")
    owners = data.get("owner", {})
    if not isinstance(owners, dict):
        msg = (
            f"{source}: owner = {shown(owners)} is {toml_type(owners)}; write one "
            "[owner.<id>] table per owner, see layers/owners.toml"
        )
        raise ConfigError(msg)
    for owner, entry in owners.items():
        if not isinstance(entry, dict):
            msg = (
                f"{source}: owner.{owner} = {shown(entry)} is {toml_type(entry)}; write it as "
                f"an [owner.{owner}] table with name, code_column, id_column and crosswalk"
            )
            raise ConfigError(msg)
    return source, owners


def known_owners(*, owners_path: str | os.PathLike[str] | None = None) -> list[str]:
    """Return the owner ids that have a profile, sorted.

    Examples
    --------
    >>> known_owners()
    ['huddinge_kommun', 'huddinge_samhallsfastigheter', 'huge_bostader']
    """
    return sorted(_owners_file(owners_path)[1])


def load_crosswalk(
    owner: str,
    *,
    path: str | os.PathLike[str] | None = None,
    vocabulary: Vocabulary | None = None,
) -> Crosswalk:
    """Read an owner's crosswalk CSV (``local_code``, ``shared_code``).

    The file may be UTF-8 (with or without BOM), UTF-16 or cp1252, with ``,``, ``;`` or tab
    between the fields (as Excel saves it).

    Parameters
    ----------
    owner : str
        Owner id; names the default file ``layers/crosswalks/<owner>.csv``.
    path : path-like, optional
        Another crosswalk file.
    vocabulary : Vocabulary, optional
        Shared codes are checked against it (default: the bundled vocabulary).

    Raises
    ------
    ConfigError
        Missing file or column, a shared code not in the vocabulary, or a local code mapped twice.

    Examples
    --------
    >>> load_crosswalk("huddinge_samhallsfastigheter").lookup("Asfalt, skolgård")
    'Y1'
    """
    from .vocabulary import load_vocabulary

    voc = vocabulary if vocabulary is not None else load_vocabulary()
    source = Path(path) if path is not None else layers_dir() / "crosswalks" / f"{owner}.csv"
    mapping: dict[str, str] = {}
    local_codes: dict[str, str] = {}
    for line, local, shared in _crosswalk_rows(source, owner):
        key = _checked_key(source, line, local, shared, voc, mapping)
        mapping[key] = shared
        local_codes[key] = local
    return Crosswalk(owner=owner, mapping=mapping, local_codes=local_codes, source=source)


def _crosswalk_rows(source: Path, owner: str) -> Iterator[tuple[int, str, str]]:
    """Yield (line number, local code, shared code) of each non-blank row of a crosswalk CSV."""
    if not source.is_file():
        msg = (
            f"{source}: crosswalk for owner {owner!r} not found; create it or pass its file "
            "(`path`, or `crosswalk_path` of load_owner)"
        )
        raise ConfigError(msg)
    text = read_config_text(source, what="crosswalk", argument="path")
    header = text.split("\n", 1)[0]
    dialect = max((",", ";", "\t"), key=header.count)  # Excel's "Unicode text" is tab-separated
    reader = csv.DictReader(io.StringIO(text), delimiter=dialect)
    missing = {"local_code", "shared_code"} - set(reader.fieldnames or ())
    if missing:
        msg = (
            f"{source}: column(s) {sorted(missing)} missing (header {reader.fieldnames}); "
            "a crosswalk needs local_code and shared_code"
        )
        raise ConfigError(msg)
    for line, row in enumerate(reader, start=2):
        local = (row.get("local_code") or "").strip()
        shared = (row.get("shared_code") or "").strip()
        if local or shared:
            yield line, local, shared


def _checked_key(
    source: Path, line: int, local: str, shared: str, voc: Vocabulary, mapping: dict[str, str]
) -> str:
    """Return the normalised key of ``local``; raise if the row cannot join ``mapping``."""
    if shared not in voc:
        msg = (
            f"{source}: line {line}: shared_code {shared!r} (for {local!r}) is not in "
            f"vocabulary {voc.version}; use a code from layers/vokabular.toml"
        )
        raise ConfigError(msg)
    key = normalise_code(local)
    if not key:
        msg = f"{source}: line {line}: empty local_code for {shared!r}; fill it in or drop it"
        raise ConfigError(msg)
    if key in mapping and mapping[key] != shared:
        msg = (
            f"{source}: line {line}: local code {local!r} maps to both {mapping[key]!r} and "
            f"{shared!r}; a local code maps to one shared code"
        )
        raise ConfigError(msg)
    return key


def load_owner(
    owner: str,
    *,
    owners_path: str | os.PathLike[str] | None = None,
    crosswalk_path: str | os.PathLike[str] | None = None,
    code_column: str | None = None,
    vocabulary: Vocabulary | None = None,
) -> OwnerProfile:
    """Return an owner's profile (name, code and id columns, crosswalk).

    Raises
    ------
    UnknownOwnerError
        ``owner`` has no profile in ``owners.toml``.

    Examples
    --------
    >>> load_owner("huddinge_kommun").code_column
    'skotselkod'
    """
    source, owners = _owners_file(owners_path)
    entry = owners.get(owner)
    if not isinstance(entry, dict):
        msg = (
            f"{source}: unknown owner {owner!r}; use one of {', '.join(sorted(owners))} "
            "or add an [owner.<id>] table"
        )
        raise UnknownOwnerError(msg)
    values = ConfigEntry(entry, where=str(source), label=f"[owner.{owner}]")
    default_file = f"crosswalks/{owner}.csv"
    crosswalk_file = crosswalk_path or source.parent / values.text(
        "crosswalk", default=default_file
    )
    frequencies, levels = _overrides(entry, source, owner, vocabulary)
    return OwnerProfile(
        owner=owner,
        name=values.text("name", default=owner),
        code_column=code_column or values.text("code_column"),
        id_column=values.text("id_column"),
        crosswalk=load_crosswalk(owner, path=crosswalk_file, vocabulary=vocabulary),
        frequencies=frequencies,
        levels=levels,
    )

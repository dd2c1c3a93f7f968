"""Owner profiles and crosswalks: many-to-one, normalisation, unknown codes and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from geomap.errors import ConfigError
from geomap.maintenance import load_vocabulary
from geomap.maintenance.crosswalk import (
    UnknownOwnerError,
    known_owners,
    load_crosswalk,
    load_owner,
    normalise_code,
)


def test_known_owners_and_profiles() -> None:
    assert known_owners() == ["huddinge_kommun", "huddinge_samhallsfastigheter", "huge_bostader"]
    columns = {o: load_owner(o).code_column for o in known_owners()}
    assert columns == {
        "huddinge_kommun": "skotselkod",
        "huddinge_samhallsfastigheter": "Produkt",
        "huge_bostader": "SM_KOD",
    }


def test_many_to_one_mapping() -> None:
    kommun = load_crosswalk("huddinge_kommun")
    assert kommun.lookup("GÅNGVÄG-ASFALT") == kommun.lookup("CYKELVÄG-ASFALT") == "Y1"
    huge = load_crosswalk("huge_bostader")
    assert {huge.lookup(c) for c in ("G2", "G2.1", "G2.2")} == {"G2"}
    shf = load_crosswalk("huddinge_samhallsfastigheter")
    assert shf.lookup("Asfalt") == shf.lookup("Asfalt, skolgård") == "Y1"
    assert shf.lookup("Gräs, bruks") == "G2"


def test_every_crosswalk_targets_the_vocabulary() -> None:
    voc = load_vocabulary()
    for owner in known_owners():
        assert set(load_crosswalk(owner).mapping.values()) <= set(voc)


def test_lookup_normalises_and_reports_unknown_as_none() -> None:
    shf = load_crosswalk("huddinge_samhallsfastigheter")
    assert shf.lookup("  gräs,   BRUKS ") == "G2"
    assert shf.lookup("Konstgräs") is None
    assert shf.lookup(None) is None and shf.lookup(float("nan")) is None
    assert shf.translate(["Häck", "Konstgräs", None]).tolist() == ["H1", None, None]
    assert normalise_code("A\u0308NG") == normalise_code("ÄNG") == "äng"


def _csv(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cw.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_semicolon_crosswalk_is_read(tmp_path: Path) -> None:
    cw = load_crosswalk("x", path=_csv(tmp_path, "local_code;shared_code\nGRÄS;G2\ngräs;G2\n"))
    assert cw.mapping == {"gräs": "G2"}


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("lokal;delad\nA;G2\n", r"column\(s\) \['local_code', 'shared_code'\] missing"),
        ("local_code,shared_code\nA,ZZ9\n", r"line 2: shared_code 'ZZ9' \(for 'A'\) is not in"),
        ("local_code,shared_code\nA,G2\na,G1\n", r"line 3: local code 'a' maps to both 'G2'"),
        ("local_code,shared_code\n,G2\n", r"line 2: empty local_code for 'G2'"),
    ],
)
def test_bad_crosswalk_gives_clear_error(tmp_path: Path, text: str, match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        load_crosswalk("x", path=_csv(tmp_path, text))


def test_unknown_owner_and_missing_crosswalk(tmp_path: Path) -> None:
    with pytest.raises(
        UnknownOwnerError, match=r"unknown owner 'parkbolaget'; use one of huddinge"
    ):
        load_owner("parkbolaget")
    with pytest.raises(ConfigError, match=r"crosswalk for owner 'x' not found"):
        load_crosswalk("x", path=tmp_path / "missing.csv")
    owners = tmp_path / "owners.toml"
    owners.write_text('[owner.a]\ncode_column = "K"\ncrosswalk = "cw.csv"\n', encoding="utf-8")
    _csv(tmp_path, "local_code,shared_code\nk1,H1\n")
    profile = load_owner("a", owners_path=owners, code_column="KOD")
    assert (profile.code_column, profile.crosswalk.lookup("K1")) == ("KOD", "H1")


@pytest.mark.parametrize(
    ("encoding", "delimiter"),
    [
        ("utf-8", ";"),
        ("utf-8-sig", ";"),
        ("cp1252", ";"),
        ("cp1252", ","),
        ("utf-16", "\t"),  # Excel's "Unicode text"
        ("utf-16", ";"),
        ("utf-16-le", ","),
    ],
)
def test_crosswalk_in_windows_encodings(tmp_path: Path, encoding: str, delimiter: str) -> None:
    text = f"local_code{delimiter}shared_code\r\nGräs, bruks{delimiter}G2\r\nHäck{delimiter}H1\r\n"
    if delimiter == ",":
        text = text.replace("Gräs, bruks", '"Gräs, bruks"')
    path = tmp_path / "cw.csv"
    path.write_bytes(text.encode(encoding))
    cw = load_crosswalk("x", path=path)
    assert cw.mapping == {"gräs, bruks": "G2", "häck": "H1"}
    assert cw.local_codes["häck"] == "Häck"


def test_undecodable_crosswalk_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "cw.csv"
    path.write_bytes(b"local_code;shared_code\n\x81;G2\n")
    with pytest.raises(
        ConfigError, match=r"cw\.csv: cannot decode the crosswalk .*save it as UTF-8"
    ):
        load_crosswalk("x", path=path)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ('owner = ["a"]\n', r"owner = \['a'\] is an array; write one \[owner\.<id>\] table"),
        ('owner = "a"\n', r"owner = 'a' is a string; write one \[owner\.<id>\] table"),
        ('[owner]\na = "x"\n', r"owner\.a = 'x' is a string; write it as an \[owner\.a\] table"),
        ("[owner.a]\ncode_column = 5\n", r"\[owner\.a\]: code_column = 5 is an integer"),
        ("[owner.a\n", r"owners\.toml: the owner profile file is not valid TOML"),
    ],
)
def test_bad_owner_profiles(tmp_path: Path, text: str, match: str) -> None:
    owners = tmp_path / "owners.toml"
    owners.write_text(text, encoding="utf-8")
    _csv(tmp_path, "local_code,shared_code\nk1,H1\n")
    with pytest.raises(ConfigError, match=match):
        load_owner("a", owners_path=owners, crosswalk_path=tmp_path / "cw.csv")


def test_owner_profiles_in_cp1252(tmp_path: Path) -> None:
    owners = tmp_path / "owners.toml"
    owners.write_bytes('[owner.a]\nname = "Ägare A"\ncrosswalk = "cw.csv"\n'.encode("cp1252"))
    _csv(tmp_path, "local_code,shared_code\nk1,H1\n")
    assert load_owner("a", owners_path=owners).name == "Ägare A"
    with pytest.raises(ConfigError, match=r"nope\.toml: cannot read the owner profile file"):
        known_owners(owners_path=tmp_path / "nope.toml")


def test_owner_frequencies_and_levels_from_owners_toml() -> None:
    voc = load_vocabulary()
    kommun = load_owner("huddinge_kommun", vocabulary=voc)
    assert kommun.frequencies == {"G1": 28.0, "G2": 14.0} and kommun.levels == {"G1": "Hög"}


_BASE = '[owner.a]\nid_column = "id"\ncode_column = "k"\ncrosswalk = "cw.csv"\n'


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ('frekvens = "ofta"\n', r"\[owner\.a\] frekvens = 'ofta' is a string; write it as a table"),
        ("frekvens = { G2 = 400 }\n", r"\[owner\.a\.frekvens\] G2 = 400 is an integer; give times"),
        ('frekvens = { G2 = "18" }\n', r"G2 = '18' is a string; give times per year as a number"),
        ("frekvens = { ZZ = 2 }\n", r"'ZZ' is not a shared code of vocabulary 2026\.2"),
        ('niva = { G2 = "Lyx" }\n', r"\[owner\.a\.niva\] G2 = 'Lyx': not a level of G2; use one"),
    ],
)
def test_bad_owner_frequencies_and_levels(tmp_path: Path, extra: str, match: str) -> None:
    owners = tmp_path / "owners.toml"
    owners.write_text(_BASE + extra, encoding="utf-8")
    _csv(tmp_path, "local_code,shared_code\nk1,H1\n")
    with pytest.raises(ConfigError, match=match):
        load_owner("a", owners_path=owners, vocabulary=load_vocabulary())

"""Tests for geomap.demo.generate: the files, determinism, overwrite rules and argument errors."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.demo import SYNTHETIC_LABEL, build, generate
from geomap.demo.responsibility import AGREEMENT_TYPE
from geomap.demo.streets import STREET_TYPE
from geomap.errors import InputError, OutputExistsError

SMALL = {"points": 300, "parcels": 300}
EXPECTED = {
    "huddinge_regso_2025.gpkg",
    "owners_synthetic.gpkg",
    "owners.toml",
    "rules.toml",
    "driftansvar_synthetic.gpkg",
    "lagesbild_2025_synthetic.csv",
    "lagesbild_2020_2024_synthetic.csv",
    "trygghetskameror_2021_synthetic.gpkg",
    "trygghetsvandringar_synthetic.gpkg",
    "hard_cases_synthetic.csv",
    "hard_cases_swapped_xy_synthetic.csv",
    "hard_cases_cp1252_synthetic.csv",
    "manifest_synthetic.json",
}
REPO_DATA = Path(__file__).resolve().parents[2] / "data"


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "a"
    generate(out, seed=2025, **SMALL)
    return out


def test_writes_every_file(first: Path) -> None:
    assert {p.name for p in first.iterdir()} == EXPECTED


def test_same_seed_gives_identical_bytes(first: Path, tmp_path: Path) -> None:
    again = tmp_path / "b"
    generate(again, seed=2025, **SMALL)
    assert _digests(first) == _digests(again)


def test_other_seed_gives_other_files(first: Path, tmp_path: Path) -> None:
    other = tmp_path / "c"
    generate(other, seed=2026, **SMALL)
    a, b = _digests(first), _digests(other)
    assert a["huddinge_regso_2025.gpkg"] == b["huddinge_regso_2025.gpkg"]  # real, copied
    assert a["owners.toml"] == b["owners.toml"]
    for name in (
        "owners_synthetic.gpkg",
        "lagesbild_2025_synthetic.csv",
        "hard_cases_synthetic.csv",
    ):
        assert a[name] != b[name]


def test_build_is_deterministic_in_memory() -> None:
    a = build(seed=9, points=50, parcels=150)
    b = build(seed=9, points=50, parcels=150)
    pd.testing.assert_frame_equal(a.incidents, b.incidents)
    pd.testing.assert_frame_equal(a.hard_cases, b.hard_cases)
    assert a.parcels.to_wkb().equals(b.parcels.to_wkb())


def test_points_do_not_move_the_parcels() -> None:
    a = build(seed=9, points=10, parcels=150)
    b = build(seed=9, points=500, parcels=150)
    assert a.parcels.to_wkb().equals(b.parcels.to_wkb())


def test_layers_crs_and_synthetic_marks(first: Path) -> None:
    layers = {
        "owners_synthetic.gpkg": ("owners", 3011),
        "driftansvar_synthetic.gpkg": ("driftansvar", 3011),
        "trygghetsvandringar_synthetic.gpkg": ("anmarkningar", 3006),
    }
    for name, (layer, epsg) in layers.items():
        info = pyogrio.read_info(first / name, layer=layer)
        assert info["crs"] == f"EPSG:{epsg}"
        assert "SYNTETISK" in info["layer_metadata"]["DESCRIPTION"]
        frame = gpd.read_file(first / name, layer=layer)
        assert (frame["syntetisk"] == "ja").all()
    owners = gpd.read_file(first / "owners_synthetic.gpkg", layer="owners")
    assert {"owner", "fastighet", "markanvandning", "syntetisk"} <= set(owners.columns)
    assert owners["fastighet"].str.startswith("Synt-").all()
    resp = gpd.read_file(first / "driftansvar_synthetic.gpkg")
    assert {"owner", "namn", "typ", "avtal", "markagare", "syntetisk"} <= set(resp.columns)
    agreements = resp[resp["typ"] == AGREEMENT_TYPE]
    assert 6 <= len(agreements) <= 10
    assert (agreements["owner"] != agreements["markagare"]).all()
    streets = resp[resp["typ"] == STREET_TYPE]
    assert len(streets) + len(agreements) == len(resp)
    assert 10 <= len(streets) <= 22  # one per RegSO that has street space
    assert (streets["owner"] == "huddinge_kommun").all()
    assert streets["namn"].str.startswith("gata/torg ").all() and streets["namn"].is_unique
    assert streets.is_valid.all()
    meta = tomllib.loads((first / "owners.toml").read_text("utf-8"))["meta"]
    assert meta["synthetic_label"] == SYNTHETIC_LABEL
    manifest = json.loads((first / "manifest_synthetic.json").read_text("utf-8"))
    assert manifest["synthetic"] is True and manifest["seed"] == 2025


def test_incident_csv_is_a_swedish_excel_export(first: Path) -> None:
    raw = (first / "lagesbild_2025_synthetic.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfarendenr;datum;kategori;")
    assert b"\r\n" in raw
    table = pd.read_csv(
        first / "lagesbild_2025_synthetic.csv", sep=";", decimal=",", encoding="utf-8-sig"
    )
    assert len(table) == SMALL["points"]
    assert table["latitud"].between(59.1, 59.35).all()
    assert table["longitud"].between(17.8, 18.2).all()
    first_row = raw.decode("utf-8-sig").splitlines()[1].split(";")
    assert len(first_row[5].split(",")[1]) == 7  # 7 decimals, decimal comma


def test_gpkg_format_writes_the_incidents_as_points(tmp_path: Path) -> None:
    files = generate(tmp_path / "g", seed=1, points=120, parcels=150, incident_format="gpkg")
    assert "lagesbild_2025_synthetic.csv" not in files
    frame = gpd.read_file(files["lagesbild_2025_synthetic.gpkg"], layer="lagesbild")
    assert len(frame) == 120 and frame.crs.to_epsg() == 3011
    both = generate(tmp_path / "h", seed=1, points=5, parcels=150, incident_format="both")
    assert {"lagesbild_2025_synthetic.csv", "lagesbild_2025_synthetic.gpkg"} <= set(both)
    history = gpd.read_file(files["lagesbild_2020_2024_synthetic.gpkg"], layer="lagesbild")
    assert len(history) == 5 * 120 and history.crs.to_epsg() == 3011  # appended year by year
    info = pyogrio.read_info(files["lagesbild_2020_2024_synthetic.gpkg"], layer="lagesbild")
    assert "SYNTETISK" in info["layer_metadata"]["DESCRIPTION"]
    assert pd.to_datetime(history["datum"]).dt.year.value_counts().to_dict() == dict.fromkeys(
        range(2020, 2025), 120
    )


def test_history_csv_is_one_export_with_one_header(first: Path) -> None:
    raw = (first / "lagesbild_2020_2024_synthetic.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfarendenr;datum;kategori;")
    assert raw.count(b"\xef\xbb\xbf") == 1 and raw.count(b"arendenr;") == 1
    table = pd.read_csv(
        first / "lagesbild_2020_2024_synthetic.csv", sep=";", decimal=",", encoding="utf-8-sig"
    )
    stamps = pd.to_datetime(table["datum"], format="%Y-%m-%d %H:%M")
    assert stamps.is_monotonic_increasing
    assert stamps.dt.year.value_counts().to_dict() == dict.fromkeys(
        range(2020, 2025), SMALL["points"]
    )
    assert table["arendenr"].is_unique
    assert table["arendenr"].iloc[0] == "LB-2020-00001"
    assert list(table.columns) == list(
        pd.read_csv(first / "lagesbild_2025_synthetic.csv", sep=";", nrows=0).columns.str.lstrip(
            "\ufeff"
        )
    )


def test_history_years_sets_the_span_and_zero_writes_none(tmp_path: Path) -> None:
    files = generate(tmp_path / "a", seed=1, points=10, parcels=150, history_years=2)
    assert "lagesbild_2023_2024_synthetic.csv" in files
    none = generate(tmp_path / "b", seed=1, points=10, parcels=150, history_years=0)
    assert not [n for n in none if n.startswith("lagesbild_20") and "2025" not in n]
    manifest = json.loads((tmp_path / "b" / "manifest_synthetic.json").read_text("utf-8"))
    assert manifest["history_years"] == []


def test_history_does_not_move_the_demo_year() -> None:
    a = build(seed=9, points=40, parcels=150, history_years=0)
    b = build(seed=9, points=40, parcels=150, history_years=5)
    pd.testing.assert_frame_equal(a.incidents, b.incidents)


def test_measures_file_is_what_the_evaluation_reads(first: Path) -> None:
    info = pyogrio.read_info(first / "trygghetskameror_2021_synthetic.gpkg", layer="atgarder")
    assert info["crs"] == "EPSG:3011" and info["geometry_type"] == "Point"
    assert "SYNTETISK" in info["layer_metadata"]["DESCRIPTION"]
    frame = gpd.read_file(first / "trygghetskameror_2021_synthetic.gpkg", layer="atgarder")
    assert list(frame.columns) == [
        "id", "namn", "installerad", "typ", "kategorier", "position_kalla", "syntetisk", "geometry",
    ]  # fmt: skip
    assert len(frame) == 9 and frame["id"].is_unique
    assert (frame["typ"] == "kamera").all() and frame["syntetisk"].eq(True).all()
    assert pd.api.types.is_datetime64_any_dtype(frame["installerad"])
    assert frame["installerad"].dt.year.eq(2021).all()
    fields = dict(zip(info["fields"], info["dtypes"], strict=True))
    assert fields["installerad"] == "datetime64[D]"  # a GeoPackage DATE, not text
    assert fields["syntetisk"] == "bool"  # Integer(Boolean)


def test_existing_directory_is_refused_without_overwrite(first: Path) -> None:
    with pytest.raises(OutputExistsError, match="already exists; pass `overwrite`"):
        generate(first, seed=2025, **SMALL)


def test_overwrite_replaces_only_generated_files(tmp_path: Path) -> None:
    out = tmp_path / "d"
    out.mkdir()
    (out / "skotsel_huge_synthetic.gpkg").write_text("someone else's file")
    (out / "owners.toml").write_text("old")
    generate(out, seed=2025, overwrite=True, **SMALL)
    assert (out / "skotsel_huge_synthetic.gpkg").read_text() == "someone else's file"
    assert (out / "owners.toml").read_text("utf-8").startswith("# Ägarregister")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # temp dir removed


def test_output_that_is_a_file_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    with pytest.raises(InputError, match=r"-o .*file: exists and is not a directory"):
        generate(target, overwrite=True, **SMALL)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"points": -1}, r"`points`: got -1"),
        ({"parcels": 5}, r"`parcels`: got 5; use an integer from 100"),
        ({"seed": -3}, r"`seed`: got -3"),
        ({"incident_format": "xlsx"}, r"`incident_format`: got 'xlsx'; use one of csv, gpkg, both"),
        ({"history_years": 11}, r"`history_years`: got 11; use an integer from 0 to 10"),
        ({"history_years": -1}, r"`history_years`: got -1"),
    ],
)
def test_bad_arguments_are_named(tmp_path: Path, kwargs: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        generate(tmp_path / "x", **kwargs)
    assert not (tmp_path / "x").exists()


def test_committed_demo_data_matches_the_generator(tmp_path: Path) -> None:
    """``geomap demo-data --seed 2025 -o data`` reproduces data/ byte for byte."""
    if not (REPO_DATA / "owners_synthetic.gpkg").is_file():
        pytest.skip("data/ has not been generated in this checkout")
    fresh = tmp_path / "data"
    generate(fresh, seed=2025)
    committed = _digests(REPO_DATA)
    for name, digest in _digests(fresh).items():
        assert committed.get(name) == digest, f"data/{name} differs from the generator's output"


@settings(max_examples=5, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), parcels=st.integers(100, 250))
def test_any_small_seed_gives_every_hard_case(seed: int, parcels: int) -> None:
    data = build(seed=seed, points=20, parcels=parcels)
    assert len(data.hard_cases) == 20
    assert data.hard_cases["testfall"].is_unique
    resp = data.responsibility
    agreements = resp[resp["typ"] == AGREEMENT_TYPE]
    assert 6 <= len(agreements) <= 10
    assert (agreements["owner"] != agreements["markagare"]).all()
    assert (resp.loc[resp["typ"] == STREET_TYPE, "owner"] == "huddinge_kommun").all()

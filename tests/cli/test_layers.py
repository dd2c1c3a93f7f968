"""``geomap layers validate|translate|export``: outputs, summaries and exit codes 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from geomap.cli import cli

from tests.maintenance.helpers import (
    findings_of,
    owner_layer,
    write_districts,
    write_layer,
    write_owners,
)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {
        o: write_layer(owner_layer(o), tmp_path / f"skotsel_{o}_synthetic.gpkg")
        for o in ("huddinge_kommun", "huddinge_samhallsfastigheter", "huge_bostader")
    }
    out["land"] = write_owners(tmp_path / "owners.gpkg")
    out["districts"] = write_districts(tmp_path / "districts.gpkg")
    return out


def _run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_validate_ok_table_and_json_report(files: dict[str, Path], tmp_path: Path) -> None:
    code, out, _ = _run(
        "layers",
        "validate",
        files["huddinge_kommun"],
        "--owner",
        "huddinge_kommun",
        "--land",
        files["land"],
        "--report",
        tmp_path / "r.json",
    )
    assert code == 0, out
    assert "0 fel, 0 varningar" in out and "Inga fel eller varningar." in out
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["ok"] and report["land_checked"] and report["vocabulary_version"] == "2026.2"


def test_validate_errors_exit_1_with_json(files: dict[str, Path], tmp_path: Path) -> None:
    frame = owner_layer("huge_bostader")
    frame.loc[[0, 1], "SM_KOD"] = "Q9"
    bad = write_layer(frame, tmp_path / "bad.gpkg")
    code, out, _ = _run(
        "layers", "validate", bad, "--owner", "huge_bostader", "--no-land", "--format", "json"
    )
    assert code == 1
    data = json.loads(out)
    assert data["findings"][0]["local_code"] == "Q9" and data["findings"][0]["count"] == 2
    assert data["findings"][0]["feature_ids"] == ["1", "2"]


def test_bad_inputs_give_one_line_errors(files: dict[str, Path], tmp_path: Path) -> None:
    code, _, err = _run("layers", "validate", files["huge_bostader"], "--owner", "parkbolaget")
    assert code == 2 and "unknown owner 'parkbolaget'" in err
    code, _, err = _run("layers", "validate", files["huge_bostader"], "--owner", "huddinge_kommun")
    assert code == 1
    assert err.startswith("geomap: error: ") and "column 'skotselkod'" in err
    assert "Traceback" not in err and err.count("\n") == 1
    code, _, err = _run("layers", "validate", tmp_path / "nope.gpkg", "--owner", "huge_bostader")
    assert code == 1 and "nope.gpkg: file not found" in err
    frame = owner_layer("huddinge_kommun")
    frame.loc[0, "geometry"] = frame.loc[0, "geometry"].centroid  # lawn as a point
    wrong = write_layer(frame, tmp_path / "wrong.gpkg")
    code, _, err = _run(
        "layers", "translate", wrong, "--owner", "huddinge_kommun", "-o", tmp_path / "w.gpkg"
    )
    assert code == 1 and "first: wrong_geometry G2" in err
    assert not (tmp_path / "w.gpkg").exists()


def test_translate_and_export_print_outputs(files: dict[str, Path], tmp_path: Path) -> None:
    translated = []
    for owner in ("huddinge_kommun", "huddinge_samhallsfastigheter"):
        target = tmp_path / f"{owner}_delad.gpkg"
        code, out, _ = _run("layers", "translate", files[owner], "--owner", owner, "-o", target)
        assert code == 0 and f"-> {target}" in out and "vokabulär 2026.2" in out
        translated.append(target)
    code, _, err = _run(
        "layers",
        "translate",
        files["huddinge_kommun"],
        "--owner",
        "huddinge_kommun",
        "-o",
        translated[0],
    )
    assert code == 2 and "already exists; pass --overwrite" in err
    out_dir = tmp_path / "export"
    code, out, err = _run(
        "layers",
        "export",
        *translated,
        f"huge_bostader={files['huge_bostader']}",
        "-o",
        out_dir,
        "--districts",
        files["districts"],
    )
    assert code == 0, err
    assert f"gpkg: {out_dir / 'skotselprodukter.gpkg'}" in out
    assert f"csv: {out_dir / 'mangdforteckning.csv'}" in out and "html:" in out
    assert "OBS: syntetiska demodata" in out
    for line in (x for x in out.splitlines() if "summa" in x):
        layer_total, listed_total = (p.split()[-1] for p in line.split(","))
        assert layer_total == listed_total
    code, _, err = _run("layers", "export", "nobody=x.gpkg", "-o", tmp_path / "e2")
    assert code == 2 and "unknown owner 'nobody'" in err


def test_export_with_contract_areas_frequency_and_invasive_findings(
    files: dict[str, Path], tmp_path: Path
) -> None:
    import csv
    import io

    import geopandas as gpd

    areas = gpd.read_file(files["districts"]).rename(columns={"regsonamn": "avtal"})
    areas["avtal"] = ["Avtal Väst", "Avtal Öst"]
    areas_file = tmp_path / "avtal.gpkg"
    areas.to_file(areas_file, layer="avtalsomraden")
    findings = write_layer(findings_of("huge_bostader"), tmp_path / "inv.gpkg")
    out_dir = tmp_path / "export"
    code, out, err = _run(
        "layers",
        "export",
        f"huge_bostader={files['huge_bostader']}",
        findings,
        "-o",
        out_dir,
        "--areas",
        areas_file,
        "--name-column",
        "avtal",
        "--frequency",
        "G2=7,5",
    )
    assert code == 0, err
    assert "invasive_csv:" in out and "qgs:" in out
    text = (out_dir / "mangdforteckning.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert {r[1] for r in rows[1:]} == {"Avtal Väst", "Avtal Öst", "Alla områden"}
    g2 = [r for r in rows if r[0] == "post" and r[3] == "G2"]
    assert g2 and {r[9] for r in g2} == {"7,50"}
    assert any(r[2] == "Invasiva arter" for r in rows)
    code, _, err = _run(
        "layers",
        "export",
        findings,
        "-o",
        tmp_path / "e3",
        "--frequency",
        "G2",
    )
    assert code == 2 and "'G2' is not CODE=TIMES" in err
    code, _, err = _run(
        "layers",
        "export",
        findings,
        "-o",
        tmp_path / "e4",
        "--areas",
        areas_file,
        "--districts",
        files["districts"],
    )
    assert code == 2 and "--areas or --districts, not both" in err
    code, _, err = _run("layers", "export", findings, "-o", tmp_path / "e5", "--frequency", "ZZ=1")
    assert code == 1 and "--frequency names ['ZZ'], not shared codes of vocabulary" in err

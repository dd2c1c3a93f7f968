"""Export: GeoPackage with default styles, QML/SLD, map, quantity list; read by GDAL and QGIS."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import textwrap
from contextlib import closing
from pathlib import Path

import pyogrio
import pytest

from geomap.errors import InputError, OutputExistsError
from geomap.maintenance import (
    ExportInput,
    export_layers,
    load_owner,
    load_vocabulary,
    read_layer,
    translate_layer,
    write_translated,
)
from geomap.maintenance.quantities import NO_DISTRICT
from geomap.maintenance.styles import qml_style

from tests.maintenance.helpers import (
    OWNER_IDS,
    findings_of,
    owner_layer,
    parcels_of,
    write_districts,
    write_layer,
)
from tests.maintenance.qgis_scripts import LAYOUT_SCRIPT

VOC = load_vocabulary()
QGIS_PYTHON = "/usr/bin/python3"


def _translated(tmp_path: Path, owner: str) -> Path:
    raw = write_layer(owner_layer(owner), tmp_path / f"{owner}_synthetic.gpkg")
    result = translate_layer(read_layer(raw), load_owner(owner), VOC)
    return write_translated(result, tmp_path / f"{owner}_delad.gpkg", VOC)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("export")
    inputs = [ExportInput(_translated(tmp, o)) for o in OWNER_IDS[:2]]
    raw_huge = write_layer(owner_layer("huge_bostader"), tmp / "huge_raw.gpkg")
    inputs.append(ExportInput(raw_huge, owner="huge_bostader"))
    for owner in OWNER_IDS:  # the invasive-species findings of all three owners
        inputs.append(ExportInput(write_layer(findings_of(owner), tmp / f"inv_{owner}.gpkg")))
    districts = write_districts(tmp / "districts.gpkg")
    return export_layers(inputs, tmp / "out", districts=districts)


def test_files_and_counts(exported) -> None:
    out = exported.directory
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            "skotselprodukter.gpkg",
            "skotselprodukter.qgs",
            "karta.html",
            "mangdforteckning.csv",
            "mangdforteckning.xlsx",
            "invasiva_per_ar.csv",
        ]
        + [f"skotsel_{k}.{e}" for k in ("yta", "linje", "punkt") for e in ("qml", "sld")]
        + [f"invasiva_{k}.{e}" for k in ("yta", "punkt") for e in ("qml", "sld")]
    )
    expected = sum(len(owner_layer(o)) for o in OWNER_IDS)
    invasive = exported.feature_counts["invasiva_yta"] + exported.feature_counts["invasiva_punkt"]
    assert sum(exported.feature_counts.values()) - invasive == expected
    assert invasive == exported.invasive_findings == sum(len(findings_of(o)) for o in OWNER_IDS)
    assert exported.synthetic and exported.vocabulary_version == "2026.2"
    assert set(
        pyogrio.read_dataframe(out / "skotselprodukter.gpkg", layer="skotsel_yta")["agare"]
    ) == set(OWNER_IDS)


def test_quantity_totals_equal_layer_totals(exported) -> None:
    assert exported.layer_totals.keys() == exported.quantity_totals.keys() == {"m²", "m", "st"}
    for unit, total in exported.layer_totals.items():
        assert exported.quantity_totals[unit] == pytest.approx(total, rel=1e-6)
    gpkg = exported.files["gpkg"]
    area = pyogrio.read_dataframe(gpkg, layer="skotsel_yta").geometry.area.sum()
    invasive = pyogrio.read_dataframe(gpkg, layer="invasiva_yta").geometry.area.sum()
    assert exported.quantity_totals["m²"] == pytest.approx(area + invasive, rel=1e-6)
    text = exported.files["csv"].read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    invasive_area = pyogrio.read_dataframe(gpkg, layer="invasiva_yta").geometry.area.sum()
    total_row = next(r for r in rows if r[0] == "kontrollsumma" and r[7] == "m²")
    assert float(total_row[8].replace(",", ".")) == pytest.approx(area + invasive_area, abs=0.01)


def test_layer_styles_and_export_info(exported) -> None:
    gpkg = exported.files["gpkg"]
    with closing(sqlite3.connect(gpkg)) as db:
        styles = db.execute(
            "SELECT f_table_name, f_geometry_column, styleQML, useAsDefault FROM layer_styles"
        ).fetchall()
    assert {(t, g, d) for t, g, _, d in styles} == {
        ("skotsel_yta", "geom", 1),
        ("skotsel_linje", "geom", 1),
        ("skotsel_punkt", "geom", 1),
        ("invasiva_yta", "geom", 1),
        ("invasiva_punkt", "geom", 1),
    }
    for table, _, qml, _ in styles:
        assert qml == qml_style(VOC, table) == (gpkg.parent / f"{table}.qml").read_text("utf-8")
    info = pyogrio.read_dataframe(gpkg, layer="export_info")
    values = dict(zip(info["key"], info["value"], strict=True))
    assert values["vokabular_version"] == "2026.2" and values["synthetic"] == "true"
    assert pyogrio.read_info(gpkg, layer="skotsel_yta")["geometry_type"] == "MultiPolygon"


def test_map_and_xlsx_record_version(exported) -> None:
    page = exported.files["html"].read_text(encoding="utf-8")
    assert "Vokabulär 2026.2" in page and "SYNTETISKA DEMODATA" in page
    from openpyxl import load_workbook

    info = load_workbook(exported.files["xlsx"])["Info"]
    assert ("Vokabulärversion", "2026.2") in [(r[0].value, r[1].value) for r in info.iter_rows()]


def test_bad_export_inputs(tmp_path: Path) -> None:
    raw = write_layer(owner_layer("huddinge_kommun"), tmp_path / "raw.gpkg")
    with pytest.raises(InputError, match=r"not in shared terms; translate it first"):
        export_layers([ExportInput(raw)], tmp_path / "o")
    old = _translated(tmp_path, "huddinge_kommun")
    frame = pyogrio.read_dataframe(old, layer="skotsel").assign(vokabular_version="2025.1")
    stale = write_layer(frame, tmp_path / "stale.gpkg")
    with pytest.raises(InputError, match=r"translated with vocabulary version\(s\) \['2025.1'\]"):
        export_layers([ExportInput(stale)], tmp_path / "o")
    export_layers([ExportInput(old)], tmp_path / "o")
    with pytest.raises(OutputExistsError, match=r"already exists; pass `overwrite`"):
        export_layers([ExportInput(old)], tmp_path / "o")
    with pytest.raises(InputError, match=r"no layers to export"):
        export_layers([], tmp_path / "o2")


def test_export_without_any_districts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import geomap.core.districts

    monkeypatch.setattr(geomap.core.districts, "data_path", lambda name: None)  # not bundled
    result = export_layers([ExportInput(_translated(tmp_path, "huddinge_kommun"))], tmp_path / "o")
    assert "the quantity list has no districts (pass `districts`)" in caplog.text
    text = result.files["csv"].read_text(encoding="utf-8-sig")
    districts = {r[1] for r in csv.reader(io.StringIO(text), delimiter=";")}
    assert districts == {"Avtalsområde", NO_DISTRICT, "Alla områden"}
    assert result.quantity_totals == pytest.approx(result.layer_totals)


# --- real clients: GDAL's ogrinfo and QGIS (Debian packages, installed by `make sysdeps`) ---------

needs_ogrinfo = pytest.mark.skipif(
    shutil.which("ogrinfo") is None, reason="GDAL ogrinfo (Debian gdal-bin) is not installed"
)


def _has_qgis() -> bool:
    if not Path(QGIS_PYTHON).exists():
        return False
    probe = subprocess.run(
        [QGIS_PYTHON, "-c", "import qgis.core"], capture_output=True, check=False
    )
    return probe.returncode == 0


needs_qgis = pytest.mark.skipif(
    not _has_qgis(), reason="QGIS (Debian python3-qgis, /usr/bin/python3) is not installed"
)


@pytest.mark.qgis
@needs_ogrinfo
def test_ogrinfo_reads_layers_styles_and_counts(exported) -> None:
    gpkg = str(exported.files["gpkg"])
    listing = subprocess.run(
        ["ogrinfo", "-ro", "-q", gpkg], capture_output=True, text=True, check=True
    ).stdout
    for name in ("skotsel_yta", "skotsel_linje", "skotsel_punkt", "export_info", "layer_styles"):
        assert name in listing
    summary = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", gpkg], capture_output=True, text=True, check=True
    ).stdout
    for name, count in exported.feature_counts.items():
        block = summary.split(f"Layer name: {name}\n", 1)[1]
        assert f"Feature Count: {count}\n" in block
    assert "vokabular_version=2026.2" in summary
    styles = subprocess.run(
        [
            "ogrinfo",
            "-ro",
            "-q",
            gpkg,
            "-sql",
            "SELECT f_table_name, useAsDefault FROM layer_styles ORDER BY f_table_name",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert styles.count("useAsDefault (Integer(Boolean)) = 1") == 5
    assert "f_table_name (String) = skotsel_yta" in styles


QGIS_SCRIPT = textwrap.dedent(
    """
    import json, os, sys
    from qgis.core import QgsApplication, QgsVectorLayer
    app = QgsApplication([], False)
    app.initQgis()
    out = {}
    def describe(name):
        layer = QgsVectorLayer(sys.argv[1] + "|layername=" + name, name, "ogr")
        renderer = layer.renderer()
        categories = {}
        if renderer is not None and renderer.type() == "categorizedSymbol":
            categories = {str(c.value()): [c.symbol().color().name(), c.label()]
                          for c in renderer.categories()}
        return {"valid": layer.isValid(), "count": layer.featureCount(),
                "renderer": renderer.type() if renderer else None,
                "attr": getattr(renderer, "classAttribute", lambda: None)(),
                "categories": categories}
    for name in sys.argv[2].split(","):
        out[name] = describe(name)
    print("JSON" + json.dumps(out), flush=True)
    app.exitQgis()
    os._exit(0)  # QGIS 3.22 may crash while tearing down Qt after exitQgis
    """
)


@pytest.mark.qgis
@needs_qgis
def test_qgis_opens_export_with_shared_symbology(exported, tmp_path: Path) -> None:
    script = tmp_path / "open_in_qgis.py"
    script.write_text(QGIS_SCRIPT, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    done = subprocess.run(
        [QGIS_PYTHON, str(script), str(exported.files["gpkg"]), ",".join(exported.feature_counts)],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.split("JSON", 1)[1])
    for name, count in exported.feature_counts.items():
        layer = result[name]
        assert layer["valid"] and layer["count"] == count
        assert layer["renderer"] == "categorizedSymbol" and layer["attr"] == "produktkod"
    yta = result["skotsel_yta"]["categories"]
    for code in ("G1", "G2", "G4", "Y1"):  # sampled products, G4 hatched
        assert yta[code] == [VOC[code].fill, VOC[code].label]
    assert result["skotsel_linje"]["categories"]["H1"][0] == VOC["H1"].stroke
    assert result["skotsel_punkt"]["categories"]["T1"][0] == VOC["T1"].fill


def _zoom(owner: str) -> str:
    """The first parcel of ``owner`` with a 15 m margin, as QGIS's ``xmin,ymin,xmax,ymax``."""
    xmin, ymin, xmax, ymax = parcels_of(owner)[0].bounds
    return ",".join(f"{v:.1f}" for v in (xmin - 15, ymin - 15, xmax + 15, ymax + 15))


@pytest.mark.qgis
@needs_qgis
def test_qgis_renders_the_project_layout_with_swedish_legend_groups(
    exported, tmp_path: Path
) -> None:
    """The export's QGIS project: Swedish names and groups; the layout is saved to look at."""
    artifacts = Path(__file__).resolve().parents[1] / "artifacts"
    artifacts.mkdir(exist_ok=True)
    png = artifacts / "skotsel_export_layout.png"
    script = tmp_path / "layout_in_qgis.py"
    script.write_text(LAYOUT_SCRIPT, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_RUNTIME_DIR": str(tmp_path)}
    done = subprocess.run(
        [QGIS_PYTHON, str(script), str(exported.files["qgs"]), str(png), _zoom("huddinge_kommun")],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.split("JSON", 1)[1])
    assert result["read"] and result["crs"] == "EPSG:3011" and result["export"] == 0
    assert result["groups"] == [
        ["Ytor", ["Skötselytor", "Invasiva arter – bestånd"]],
        ["Linjer", ["Skötsellinjer"]],
        ["Punkter", ["Skötselobjekt (punkter)", "Invasiva arter – fynd"]],
    ]
    assert result["order"] == [  # points on top, invasive findings over maintenance products
        "invasiva_punkt",
        "skotsel_punkt",
        "skotsel_linje",
        "invasiva_yta",
        "skotsel_yta",
    ]
    for name, count in exported.feature_counts.items():
        layer = result["layers"][name]
        assert layer["valid"] and layer["count"] == count
        assert layer["renderer"] == "categorizedSymbol"
    assert png.stat().st_size > 10_000
    widgets = result["layers"]["invasiva_punkt"]["widgets"]  # the owners edit in the same words
    assert widgets["status"] == ["ValueMap", list(VOC.invasive.statuses)]
    assert widgets["atgard"] == ["ValueMap", ["", *VOC.invasive.actions]]
    assert widgets["produktkod"][1][0] == "IN1.1 Jättebalsamin (fynd)"
    assert result["layers"]["skotsel_yta"]["widgets"] == {}


def test_invasive_findings_yearly_comparison_and_layers(exported) -> None:
    years = list(
        csv.reader(
            io.StringIO(exported.files["invasive_csv"].read_text("utf-8-sig")), delimiter=";"
        )
    )
    assert years[0][:5] == ["År", "Produktkod", "Art", "Ägare", "Enhet"]
    owners = {r[3] for r in years[1:]}
    assert len(owners) == 3
    found = sum(int(r[5]) for r in years[1:])
    assert found == exported.invasive_findings
    layer = pyogrio.read_dataframe(exported.files["gpkg"], layer="invasiva_punkt")
    assert {"fynddatum", "atgard", "atgardsdatum", "status"} <= set(layer.columns)
    assert "fynddatum" not in pyogrio.read_dataframe(exported.files["gpkg"], layer="skotsel_punkt")
    from openpyxl import load_workbook

    assert "Invasiva per år" in load_workbook(exported.files["xlsx"]).sheetnames


def test_bad_invasive_findings_are_refused(tmp_path: Path) -> None:
    frame = findings_of("huge_bostader")
    bad = frame.assign(status=["fel", *frame["status"].tolist()[1:]])
    with pytest.raises(
        InputError, match=r"column 'status', feature\(s\) 1 \('fel'\): missing or not one of"
    ):
        export_layers([ExportInput(write_layer(bad, tmp_path / "b.gpkg"))], tmp_path / "o")
    bad = frame.assign(fynddatum=["i fjol", *frame["fynddatum"].tolist()[1:]])
    with pytest.raises(
        InputError, match=r"column 'fynddatum', feature\(s\) 1 \('i fjol'\): not a date"
    ):
        export_layers([ExportInput(write_layer(bad, tmp_path / "c.gpkg"))], tmp_path / "o")
    with pytest.raises(
        InputError, match=r"invasive-species features lack column\(s\) \['status'\]"
    ):
        export_layers(
            [ExportInput(write_layer(frame.drop(columns="status"), tmp_path / "d.gpkg"))],
            tmp_path / "o",
        )


def test_exported_xlsx_has_formulas_only_in_the_amount_column(exported) -> None:
    from openpyxl import load_workbook

    from geomap.maintenance.tender import AMOUNT_HEADER, LIST_SHEET

    book = load_workbook(exported.files["xlsx"])
    sheet = book[LIST_SHEET]
    amount = [c.value for c in sheet[1]].index(AMOUNT_HEADER) + 1
    cells = [
        (ws.title, cell.column)
        for ws in book.worksheets
        for line in ws.iter_rows()
        for cell in line
        if cell.data_type == "f"
    ]
    assert len(cells) == sheet.max_row - 1 - 3  # every row but the three control sums
    assert set(cells) == {(LIST_SHEET, amount)}
    checks = [r for r in sheet.iter_rows(min_row=2) if r[0].value == "kontrollsumma"]
    listed = {r[7].value: r[8].value for r in checks}
    assert listed == pytest.approx(exported.layer_totals, rel=1e-9)

"""The written evaluation: HTML (offline, map), tagged PDF that renders, XLSX with every table."""

from __future__ import annotations

import shutil
import subprocess

import openpyxl
import pytest

from geomap.evaluation import evaluate, evaluation_report, write_evaluation

from .conftest import CENTRE, monthly_remarks, site_frame, write_routed


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("utv")
    routed = write_routed(tmp / "routed.gpkg", monthly_remarks(seed=4, r_effect=0.5))
    survey = tmp / "enkat.csv"
    survey.write_text(
        "id;period;andel_trygga;antal_svar\nA;före;0,55;150\nA;efter;0,68;160\n", encoding="utf-8"
    )
    ev = evaluate(site_frame(("A", "2021-06-15", CENTRE, "")), routed, survey=survey)
    return ev, write_evaluation(ev, tmp / "out")


def test_files(written):
    _, paths = written
    assert sorted(p.name for p in paths.values()) == [
        "utvardering.html",
        "utvardering.pdf",
        "utvardering.xlsx",
    ]


def test_xlsx_has_every_table(written):
    ev, paths = written
    book = openpyxl.load_workbook(paths["xlsx"], read_only=True)
    expected = {t.key for t in evaluation_report(ev).tables()}
    assert {
        "sammanfattning",
        "antal",
        "effekter",
        "wdd",
        "res_did",
        "manad_1",
        "trygghet",
    } <= expected
    assert expected <= set(book.sheetnames)
    assert book.sheetnames[0] == "Om rapporten"


def test_html_offline_with_map_and_banner(written):
    _, paths = written
    page = paths["html"].read_text(encoding="utf-8")
    assert "Syntetiska testdata" in page  # the routed data is synthetic
    assert "Karta över R, D och C" in page
    # offline: no external script or stylesheet; the page's CSP forbids fetching anything
    assert '<script src="http' not in page and 'stylesheet" href="http' not in page
    assert "Content-Security-Policy" in page
    assert "WDQ = (Da/Ca − Db/Cb) / (Ra/Ca − Rb/Cb)" in page
    assert "RES = (Rb · Ca)/(Ra · Cb)" in page


def test_report_names_the_control_and_its_choice(written):
    ev, _ = written
    report = evaluation_report(ev)
    site = next(s for s in report.sections if s.title.startswith("Plats A"))
    text = " ".join(site.text)
    assert ev.areas["control_name"].iloc[0] in text
    assert "Pearsons korrelation" in text or "flest anmärkningar" in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_pdf_is_tagged_and_renders(written, tmp_path):
    _, paths = written
    info = subprocess.run(
        ["pdfinfo", paths["pdf"]], capture_output=True, text=True, check=True
    ).stdout
    assert "Tagged:          yes" in info
    subprocess.run(
        ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "2", paths["pdf"], tmp_path / "p"],
        check=True,
    )
    assert len(list(tmp_path.glob("p-*.png"))) == 2

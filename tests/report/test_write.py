"""Writing reports: offline HTML, tagged PDF (checked with poppler) and XLSX that equals the HTML."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from geomap.errors import InputError, OutputExistsError
from geomap.report import Report, Section, Table, render_html, write_report, write_reports
from geomap.report.document import ABOUT_SHEET

from tests.report.helpers import html_tables as _html_tables
from tests.report.helpers import sample_report
from tests.report.helpers import sheet_texts as _sheet_texts

POPPLER = shutil.which("pdfinfo") and shutil.which("pdftotext") and shutil.which("pdftoppm")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("report") / "lagesbild"
    return write_report(sample_report(), out, stem="lagesbild")


def test_writes_three_files_in_a_marked_folder(written: dict[str, Path]) -> None:
    assert sorted(written) == ["html", "pdf", "xlsx"]
    folder = written["html"].parent
    assert sorted(p.name for p in folder.iterdir()) == [
        ".geomap-output",
        "lagesbild.html",
        "lagesbild.pdf",
        "lagesbild.xlsx",
    ]


def test_html_is_offline_swedish_and_accessible(written: dict[str, Path]) -> None:
    page = written["html"].read_text(encoding="utf-8")
    assert '<html lang="sv">' in page and "Content-Security-Policy" in page
    markup = re.sub(r"<script>.*?</script>", "", page, flags=re.DOTALL)  # Leaflet's own code aside
    assert "default-src 'none'" in html.unescape(page) and not re.search(
        r"""(src|href)=["']https?://""", markup
    )
    assert "Syntetiska data – inte verkliga händelser" in page
    assert page.count('<th scope="col"') > 0 and '<th scope="row"' in page and "<caption>" in page
    assert page.count("<svg") >= 3 and 'role="img"' in page
    assert "Belysning &lt;trasig&gt; &amp; &#39;släckt&#39;" in page  # text is escaped
    assert "L.map" in page and 'id="gm-report-maps"' in page  # Leaflet inlined for the map
    assert "Visar de 10 första av 30 rader; alla finns i kalkylbladet, blad manga_rader." in page


def test_every_html_table_equals_its_sheet(written: dict[str, Path]) -> None:
    tables = _html_tables(written["html"].read_text(encoding="utf-8"))
    book = openpyxl.load_workbook(written["xlsx"])
    report = sample_report()
    assert book.sheetnames == [ABOUT_SHEET, *(t.key for t in report.tables())]
    assert sorted(tables.tables) == sorted(t.key for t in report.tables())
    for key, rows in tables.tables.items():
        # the header and every row shown (a long table shows its first `max_rows`)
        assert _sheet_texts(book[key])[: len(rows)] == rows, key
    shown = {t.key: t.max_rows for t in report.tables()}
    assert all(
        len(rows) - 1 == min(shown[k] or 10**9, book[k].max_row - 1)
        for k, rows in tables.tables.items()
    )
    assert tables.captions["per_kategori"] == "Anmärkningar per kategori"
    # the Swedish forms really are there, not just equal
    row = tables.tables["per_kategori"][1]
    assert row[:6] == [
        "Klotter",
        "1\u00a0234",
        "\u221212,25",
        "99,6\u00a0%",
        "< 0,001",
        "17 november 2025",
    ]


def test_about_sheet(written: dict[str, Path]) -> None:
    sheet = openpyxl.load_workbook(written["xlsx"])[ABOUT_SHEET]
    rows = {str(r[0]): str(r[1]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Rapport"] == "Lägesbild vecka 47 2025" and rows["Period"] == "vecka 47 2025"
    assert rows["Metod"].startswith("Getis-Ord") and rows["Källa"].startswith("routed.gpkg")
    assert (
        rows["Data"].startswith("Syntetiska data")
        and rows["Skapad"] == "24 november 2025 kl. 09:00"
    )


@pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdfinfo, pdftotext, pdftoppm) absent")
def test_pdf_is_tagged_a4_swedish_and_renders(written: dict[str, Path], tmp_path: Path) -> None:
    pdf = written["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.MULTILINE)
    assert re.search(r"^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info, re.MULTILINE)
    assert re.search(r"^Title:\s+Lägesbild vecka 47 2025", info, re.MULTILINE)
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for phrase in (
        "Åtta anmärkningar i Flemingsberg",
        "Nedskräpning",
        "Områden",
        "Sida 1 av",
        "17 november 2025",
        "Syntetiska data",
    ):
        assert phrase in text, phrase
    assert "1\u00a0234" in text or "1 234" in text
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "sida")], check=True)
    pages = int(re.search(r"^Pages:\s+(\d+)", info, re.MULTILINE)[1])  # type: ignore[index]
    assert len(list(tmp_path.glob("sida-*.png"))) == pages >= 2


def test_pdf_has_no_script_and_a_static_map() -> None:
    from geomap.report.html import print_html

    page = print_html(sample_report())
    assert "<script" not in page and "gm-static-map" in page and "Heta celler: 99 %" in page


def test_refuses_to_overwrite_and_bad_arguments(tmp_path: Path) -> None:
    report = Report("R", [Section("S", blocks=[Table("a", "A", pd.DataFrame({"N": [1]}))])])
    out = tmp_path / "r"
    write_report(report, out, stem="r", formats=["html"])
    with pytest.raises(OutputExistsError, match="already exists; pass `overwrite`"):
        write_report(report, out, stem="r", formats=["html"])
    write_report(report, out, stem="r", formats=["xlsx"], overwrite=True)
    assert sorted(p.name for p in out.iterdir()) == [".geomap-output", "r.xlsx"]
    with pytest.raises(InputError, match=r"`formats`: \['docx'\]"):
        write_report(report, tmp_path / "x", stem="r", formats=["docx"])
    with pytest.raises(InputError, match=r"`stem`: '\.\./r' is not a plain file name"):
        write_report(report, tmp_path / "x", stem="../r")
    with pytest.raises(InputError, match="two reports share a name"):
        write_reports({"A": report, "a": report}, tmp_path / "x")
    source = tmp_path / "in" / "routed.gpkg"
    source.parent.mkdir()
    source.write_text("x")
    with pytest.raises(OutputExistsError):
        write_report(report, source.parent, stem="r", protect=[source], overwrite=True)
    assert not (tmp_path / "x").exists()


def test_many_points_are_sampled_in_the_map() -> None:
    from geomap.report.mapview import MAX_POINTS, leaflet_spec

    report = sample_report(points=MAX_POINTS + 10)
    view = report.sections[2].blocks[0]
    spec = leaflet_spec(view, "m")  # type: ignore[arg-type]
    assert len(spec["layers"][2]["features"]["features"]) == MAX_POINTS
    assert "visar 20\u00a0000 av 20\u00a0010" in render_html(report)

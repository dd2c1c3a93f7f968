"""Tests for geomap.protocols.write: HTML + tagged PDF per walk and per owner, one folder."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from geomap.errors import OutputExistsError
from geomap.protocols import write_protocols

from tests.protocols.helpers import routed_walks

needs_poppler = pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="poppler-utils missing")


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("p") / "protokoll"
    paths = write_protocols(routed_walks(["kommun", "huge", "kommun"]), out)
    return out, paths


def test_files_per_walk_and_owner(written: tuple[Path, dict]) -> None:
    out, paths = written
    assert sorted(paths) == ["protokoll_TV-1-486f7245", "protokoll_TV-1-486f7245_huge",
                             "protokoll_TV-1-486f7245_kommun"]  # fmt: skip
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [".geomap-output", *(f"{s}.{f}" for s in paths for f in ("html", "pdf", "xlsx"))]
    )


@needs_poppler
def test_pdfs_are_tagged_and_hold_the_swedish_text(written: tuple[Path, dict]) -> None:
    _, paths = written
    for stem, files in paths.items():
        info = subprocess.run(["pdfinfo", files["pdf"]], capture_output=True, text=True, check=True)
        assert "Tagged:          yes" in info.stdout, stem
        text = subprocess.run(
            ["pdftotext", files["pdf"], "-"], capture_output=True, text=True, check=True
        ).stdout
        text = " ".join(text.split())  # table headers may wrap over lines
        for words in ("Protokoll från trygghetsvandring", "Anmärkningar och ansvariga", "Önskad åtgärd",
                      "Ansvarig enligt geomap", "23 oktober 2025", "Syntetiska testdata"):  # fmt: skip
            assert words in text, (stem, words)
    huge = subprocess.run(["pdftotext", paths["protokoll_TV-1-486f7245_huge"]["pdf"], "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip
    assert "iakttagelse nummer 1 unik" in huge and "nummer 0 unik" not in huge


@needs_poppler
def test_pdf_pages_render(written: tuple[Path, dict], tmp_path: Path) -> None:
    _, paths = written
    pdf = paths["protokoll_TV-1-486f7245"]["pdf"]
    subprocess.run(["pdftoppm", "-png", "-r", "40", pdf, tmp_path / "page"], check=True)
    assert len(list(tmp_path.glob("page-*.png"))) >= 2


def test_refuses_existing_folder(written: tuple[Path, dict]) -> None:
    out, _ = written
    with pytest.raises(OutputExistsError, match="exists"):
        write_protocols(routed_walks(["kommun"]), out, formats=["html"])


def test_workbook_has_the_protocol_tables(written: tuple[Path, dict]) -> None:
    from openpyxl import load_workbook

    _, paths = written
    main = load_workbook(paths["protokoll_TV-1-486f7245"]["xlsx"], read_only=True)
    assert main.sheetnames == ["Om rapporten", "anmarkningar", "uppfoljning", "per_ansvarig"]
    owner = load_workbook(paths["protokoll_TV-1-486f7245_huge"]["xlsx"], read_only=True)
    rows = list(owner["anmarkningar"].iter_rows(values_only=True))
    assert len(rows) == 2 and "iakttagelse nummer 1 unik" in rows[1]

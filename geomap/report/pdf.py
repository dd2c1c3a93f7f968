"""The report as a tagged PDF: WeasyPrint with the PDF/UA-1 variant, A4, page numbers.

The PDF is laid out from the print variant of the HTML (:func:`geomap.report.html.print_html`):
the same text and tables, maps as static SVG, no script. ``pdf_variant="pdf/ua-1"`` makes
WeasyPrint write a tagged PDF (structure tree, language, title), so screen readers can read it;
``pdfinfo`` reports ``Tagged: yes``.

Examples
--------
>>> import tempfile, pathlib
>>> from geomap.report.document import Report, Section
>>> path = pathlib.Path(tempfile.mkdtemp()) / "r.pdf"
>>> render_pdf(Report("Lägesbild", [Section("Översikt", text=["Hej"])]), path)
>>> path.read_bytes()[:5]
b'%PDF-'
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

from geomap.report.document import Report
from geomap.report.html import print_html

__all__ = ["PDF_VARIANT", "render_pdf"]

#: The PDF variant WeasyPrint writes: PDF/UA-1 (tagged, accessible).
PDF_VARIANT = "pdf/ua-1"
_NOISY = ("weasyprint", "fontTools", "fontTools.subset", "fontTools.ttLib")


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Keep WeasyPrint's and fontTools' chatter (unsupported CSS, font subsetting) off the log."""
    loggers = [logging.getLogger(name) for name in _NOISY]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.ERROR)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def render_pdf(report: Report, path: Path) -> None:
    """Write ``report`` as a tagged A4 PDF (PDF/UA-1) to ``path`` (the caller makes it atomic).

    Parameters
    ----------
    report : Report
        The document.
    path : pathlib.Path
        The file to write.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from geomap.report.document import Section
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "r.pdf"
    >>> render_pdf(Report("R", [Section("S")]), p)
    >>> p.stat().st_size > 1000
    True
    """
    import weasyprint

    with _quiet():
        document = weasyprint.HTML(string=print_html(report), base_url=None)
        document.write_pdf(Path(path), pdf_variant=PDF_VARIANT, uncompressed_pdf=False)

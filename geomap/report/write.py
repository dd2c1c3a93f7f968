"""Write reports: ``<stem>.html``, ``<stem>.pdf`` and ``<stem>.xlsx`` in one atomic output folder.

The folder is written through :func:`geomap.io.atomic.atomic_dir` (kind ``"report"``): a failed
run leaves the previous folder as it was, an existing folder is replaced only with
``overwrite``, and a folder that is or holds an input (``protect``) is refused.

Examples
--------
>>> import tempfile, pathlib, pandas as pd
>>> from geomap.report.document import Report, Section, Table
>>> t = Table("antal", "Antal", pd.DataFrame({"Kategori": ["Klotter"], "Antal": [3]}))
>>> out = pathlib.Path(tempfile.mkdtemp()) / "rapport"
>>> paths = write_report(Report("Lägesbild", [Section("S", blocks=[t])]), out, stem="lagesbild",
...                      formats=("html", "xlsx"))
>>> sorted(p.name for p in paths.values())
['lagesbild.html', 'lagesbild.xlsx']
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from geomap.errors import InputError
from geomap.io.atomic import atomic_dir
from geomap.report.document import Report
from geomap.report.html import _generated, render_html
from geomap.report.pdf import render_pdf
from geomap.report.xlsx import write_xlsx_report

__all__ = [
    "FORMATS",
    "render_html",
    "render_pdf",
    "write_report",
    "write_reports",
    "write_xlsx_report",
]

#: The file formats a report is written in, in this order.
FORMATS = ("html", "pdf", "xlsx")
_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")


def _check(stems: Sequence[str], formats: Sequence[str]) -> tuple[str, ...]:
    if isinstance(formats, str):
        formats = (formats,)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        msg = f"`formats`: {list(formats)!r} — give one or more of {', '.join(FORMATS)}"
        raise InputError(msg)
    for stem in stems:
        if not isinstance(stem, str) or not _STEM.fullmatch(stem) or stem.endswith("."):
            msg = f"`stem`: {stem!r} is not a plain file name; use letters, digits, _ - and . (up to 100), e.g. 'lagesbild'"
            raise InputError(msg)
    folded = [s.casefold() for s in stems]
    if len(set(folded)) < len(folded):
        msg = f"`reports`: two reports share a name ({', '.join(stems)}), ignoring case; give each its own stem"
        raise InputError(msg)
    return tuple(dict.fromkeys(formats))


def _write_one(report: Report, folder: Path, stem: str, formats: Sequence[str]) -> dict[str, Path]:
    out: dict[str, Path] = {}
    for fmt in formats:
        path = folder / f"{stem}.{fmt}"
        if fmt == "html":
            path.write_text(render_html(report), encoding="utf-8")
        elif fmt == "pdf":
            render_pdf(report, path)
        else:
            write_xlsx_report(report, path, generated=_generated(report))
        out[fmt] = path
    return out


def write_reports(
    reports: Mapping[str, Report],
    outdir: str | os.PathLike[str],
    *,
    formats: Sequence[str] = FORMATS,
    overwrite: bool = False,
    protect: Sequence[Path] = (),
) -> dict[str, dict[str, Path]]:
    """Write several reports (file stem → report) into one new output folder, atomically.

    Parameters
    ----------
    reports : mapping of str to Report
        File stem (``"lagesbild"``, ``"protokoll_V12"``) → report.
    outdir : str or os.PathLike
        The output folder; it is replaced as a whole.
    formats : sequence of str, default ("html", "pdf", "xlsx")
        Which files to write per report.
    overwrite : bool, default False
        Replace an existing folder that geomap wrote.
    protect : sequence of pathlib.Path, default ()
        Inputs the folder must not be, hold or lie in.

    Returns
    -------
    dict
        Stem → format → path of the written file (in its final place).

    Raises
    ------
    InputError
        If a stem is not a plain file name, two stems clash or a format is unknown.
    OutputExistsError
        If ``outdir`` exists and ``overwrite`` is not given, or it holds an input.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from geomap.report.document import Report, Section
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "protokoll"
    >>> paths = write_reports({"a": Report("A", [Section("S")]), "b": Report("B", [Section("S")])},
    ...                       out, formats=["html"])
    >>> sorted(p.name for p in out.iterdir())
    ['.geomap-output', 'a.html', 'b.html']
    """
    chosen = _check(list(reports), formats)
    final = Path(outdir)
    written: dict[str, dict[str, Path]] = {}
    with atomic_dir(final, overwrite=overwrite, kind="report", protect=protect) as tmp:
        for stem, report in reports.items():
            paths = _write_one(report, tmp, stem, chosen)
            written[stem] = {fmt: final / path.name for fmt, path in paths.items()}
    return written


def write_report(
    report: Report,
    outdir: str | os.PathLike[str],
    *,
    stem: str,
    formats: Sequence[str] = FORMATS,
    overwrite: bool = False,
    protect: Sequence[Path] = (),
) -> dict[str, Path]:
    """Write one report as ``<stem>.html|.pdf|.xlsx`` into a new output folder, atomically.

    Parameters and errors as :func:`write_reports`.

    Returns
    -------
    dict of str to pathlib.Path
        Format → written file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from geomap.report.document import Section
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "r"
    >>> write_report(Report("R", [Section("S")]), out, stem="r", formats=["xlsx"])["xlsx"].name
    'r.xlsx'
    """
    return write_reports(
        {stem: report}, outdir, formats=formats, overwrite=overwrite, protect=protect
    )[stem]

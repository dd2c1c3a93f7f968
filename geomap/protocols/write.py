"""Write the protocols: per walk ``protokoll_<walk>.html``/``.pdf``/``.xlsx``, and per owner.

Everything goes into one output folder, written atomically
(:func:`geomap.report.write_reports`, :func:`geomap.io.atomic.atomic_dir`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from geomap.core.routed import RoutedData
from geomap.protocols.build import build_protocols
from geomap.register import Register
from geomap.report import Report, write_reports

__all__ = ["PROTOCOL_FORMATS", "write_protocols"]

#: Formats of a protocol unless told otherwise: HTML to read, PDF to send and file, and XLSX
#: (its tables, one sheet each, e.g. to note the owners' answers at the follow-up meeting; the
#: HTML page says the tables are in the workbook beside it).
PROTOCOL_FORMATS = ("html", "pdf", "xlsx")


def write_protocols(
    routed: str | os.PathLike[str] | RoutedData,
    outdir: str | os.PathLike[str],
    *,
    walk_ids: Sequence[str] | None = None,
    walks: str | os.PathLike[str] | pd.DataFrame | None = None,
    register: str | os.PathLike[str] | Register | None = None,
    follow_up_months: int = 6,
    formats: Sequence[str] = PROTOCOL_FORMATS,
    owners: bool = True,
    overwrite: bool = False,
    protect: Sequence[Path] = (),
) -> dict[str, dict[str, Path]]:
    """Write the protocol of each walk (and, with ``owners``, one per owner) into ``outdir``.

    Parameters
    ----------
    routed, walk_ids, walks, register, follow_up_months
        As for :func:`geomap.protocols.build_protocols`.
    outdir : str or os.PathLike
        The output folder, written as a whole (refused if it exists, unless ``overwrite``).
    formats : sequence of str, default ("html", "pdf", "xlsx")
        Any of ``html``, ``pdf``, ``xlsx``.
    owners : bool, default True
        Also write each owner's sub-protocol (``protokoll_<walk>_<owner>``).
    overwrite : bool, default False
        Replace an existing folder that geomap wrote.
    protect : sequence of pathlib.Path, default ()
        Inputs the folder must not be, hold or lie in (``routed`` and ``walks`` are added).

    Returns
    -------
    dict
        File stem → format → path.

    Examples
    --------
    >>> paths = write_protocols("out/demo/routed.gpkg", "out/demo/protokoll")  # doctest: +SKIP
    >>> sorted(paths)[0]  # doctest: +SKIP
    'protokoll_TV-2025-01-018769ab'
    """
    protocols = build_protocols(
        routed, walk_ids=walk_ids, walks=walks, register=register, follow_up_months=follow_up_months
    )
    reports: dict[str, Report] = {}
    for protocol in protocols:
        reports[protocol.stem] = protocol.report
        if owners:
            reports.update(dict(protocol.owners.values()))
    inputs = [Path(p) for p in (routed, walks) if isinstance(p, (str, os.PathLike))]
    return write_reports(
        reports, outdir, formats=formats, overwrite=overwrite, protect=[*protect, *inputs]
    )

"""The lägesbild as a :class:`~geomap.report.Report`: build it, or build and write it.

Examples
--------
>>> from geomap.core.periods import iso_week
>>> report = build_lagesbild(["out/demo/routed.gpkg"], iso_week("2025-W47"))  # doctest: +SKIP
>>> [s.title for s in report.sections]  # doctest: +SKIP
['Sammanfattning', 'Antal och förändring', 'När', 'Var', 'Platser och ägare']
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from geomap.core.districts import Geography
from geomap.core.periods import Period
from geomap.core.routed import RoutedData
from geomap.core.words import format_number, format_p_value, period_text
from geomap.errors import InputError
from geomap.report import Report, Section, Table, write_report
from geomap.report.write import FORMATS
from geomap.situation.counting import comparison, counts_section
from geomap.situation.data import load_geography, load_runs, read_grouping
from geomap.situation.frame import Situation, prepare
from geomap.situation.places import places_section
from geomap.situation.when import when_section
from geomap.situation.where import where_section

__all__ = ["KIND_TITLES", "build_lagesbild", "write_lagesbild"]

log = logging.getLogger(__name__)

#: Title of the report by the kind of period.
KIND_TITLES = {
    "week": "Lägesbild",
    "tertial": "Lägesbild",
    "years": "Övergripande lägesbild",
    "year": "Övergripande lägesbild",
}
_PathOrRun = str | os.PathLike[str] | RoutedData


def _summary(situation: Situation, *, history: int) -> Section:
    total, periods = _total(situation, history)
    row = total.iloc[0] if len(total) else None
    n = int(situation.now.sum())
    text = [f"Under {period_text(situation.period)} kom {format_number(n)} anmärkningar in."]
    if row is not None:
        text.append(
            f"Föregående period ({periods.get('previous')}): {format_number(row['Föregående'])}; medel för referensperioderna: "
            f"{format_number(row['Medel ref.-perioder'], decimals=1)}; samma period året innan: {format_number(row['Året innan'])}."
        )
        if row["Bedömning"]:
            text.append(
                f"Antalet är {row['Bedömning']} jämfört med referensperioderna (tvåsidigt Poisson-test, {format_p_value(row['p-värde'])})."
            )
    if situation.runs.duplicates:
        text.append(
            f"{format_number(situation.runs.duplicates)} anmärkningar fanns i flera routade filer och räknas en gång."
        )
    return Section(
        "Sammanfattning",
        text=text,
        blocks=[
            Table(
                "totalt",
                "Totalt antal anmärkningar",
                total,
                formats={
                    "Medel ref.-perioder": "decimal1",
                    "Mot medel (%)": "decimal1",
                    "Mot året innan (%)": "decimal1",
                    "p-värde": "p",
                },
            )
        ],
    )


def _total(situation: Situation, history: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    remarks = situation.remarks.assign(alla="Alla anmärkningar")
    frame, periods = comparison(
        Situation(situation.runs, situation.period, remarks, situation.now, situation.geography),
        "alla",
        history=history,
    )
    return frame.rename(columns={"Alla": "Urval"}), periods


def _register_section(register: Any, situation: Situation) -> Section:
    from geomap.register import open_register

    store = open_register(register) if isinstance(register, str | os.PathLike) else register
    frame = store.remarks_frame(
        today=min(situation.period.end + dt.timedelta(days=1), dt.date.today())
    )
    fixed = pd.to_datetime(frame["fixed_date"], errors="coerce")
    if isinstance(fixed.dtype, pd.DatetimeTZDtype):
        fixed = fixed.dt.tz_convert("Europe/Stockholm").dt.tz_localize(None)
    period = situation.period
    in_period = fixed.dt.normalize().between(pd.Timestamp(period.start), pd.Timestamp(period.end))
    frame = frame.assign(fixed_now=in_period.to_numpy(dtype=bool))
    names = (
        frame["owner_name"].astype("string").fillna(frame["owner"].astype("string")).fillna("okänd")
    )
    table = frame.groupby(names.to_numpy()).agg(
        Öppna=("open", "sum"),
        Försenade=("overdue", "sum"),
        Åtgärdade_i_perioden=("fixed_now", "sum"),
    )
    table = (
        table.rename_axis("Ägare")
        .reset_index()
        .rename(columns={"Åtgärdade_i_perioden": "Åtgärdade i perioden"})
    )
    table = table.astype(
        {"Öppna": "int64", "Försenade": "int64", "Åtgärdade i perioden": "int64"}
    ).sort_values("Öppna", ascending=False, kind="stable")
    text = [
        f"Ärenderegistret: {format_number(int(table['Öppna'].sum()))} öppna ärenden, varav {format_number(int(table['Försenade'].sum()))} försenade; {format_number(int(table['Åtgärdade i perioden'].sum()))} åtgärdade under perioden."
    ]
    return Section(
        "Uppföljning",
        text=text,
        blocks=[
            Table(
                "uppfoljning",
                "Uppföljning per ägare (ärenderegistret)",
                table.reset_index(drop=True),
            )
        ],
    )


def _method(situation: Situation, hot_method: str, history: int) -> list[str]:
    return [
        f"Period: {period_text(situation.period)} ({situation.period.start.isoformat()} – {situation.period.end.isoformat()}), lokal tid i Sverige.",
        f"Jämförelser: föregående period, medel för de {history} perioderna av samma längd före, och samma period året innan. "
        "Ett antal markeras ovanligt högt eller lågt när det tvåsidiga exakta Poisson-testet mot medlet ger p ≤ 0,05 (p = min(1, 2 · min(P(X ≤ k), P(X ≥ k)))); "
        "perioder före datats första dag räknas inte. Varje antal testas för sig.",
        hot_method,
        "Kärnskattning: Gauss-kärna, bandbredden anges i avsnittet Var. PAI (Chainey m.fl. 2008): andel av periodens anmärkningar i förra periodens heta rutor delat med rutornas andel av ytan.",
        "Områden: den polygon som innehåller anmärkningen; anmärkningar utan läge eller utanför alla områden redovisas som ”utanför områdena”. Ägare: den ägare geomap dirigerade anmärkningen till.",
    ]


def _sources(situation: Situation) -> list[str]:
    out = [f"Dirigerade anmärkningar: {', '.join(situation.runs.sources)} (geomap route)."]
    if situation.geography is not None:
        out.append(
            f"Områden: {situation.geography.attribution or situation.geography.path or 'egen områdesfil'}."
        )
    return out


def build_lagesbild(
    routed: Sequence[_PathOrRun],
    period: Period,
    *,
    districts: str | os.PathLike[str] | Geography | None = None,
    name_column: str | None = None,
    grouping: str | os.PathLike[str] | dict[str, str] | None = None,
    cell: float = 100.0,
    permutations: int = 999,
    seed: int = 12345,
    register: Any = None,
    history: int = 8,
) -> Report:
    """Build the lägesbild of ``period`` from routed runs.

    Parameters
    ----------
    routed : sequence of path or RoutedData
        ``routed.gpkg`` files (or runs in memory); a remark in several is counted once.
    period : Period
        The period (:func:`geomap.core.periods.iso_week`, ``tertial``, ``years``, ``date_range``).
    districts : path or Geography, optional
        District polygons (kommundelar); default the bundled SCB RegSO 2025.
    name_column : str, optional
        Column of ``districts`` with the names.
    grouping : path or dict, optional
        Table (CSV/XLSX, two columns) or mapping district → kommundel; counts are per kommundel.
    cell : float, default 100.0
        Grid cell side in metres for hot spots and density.
    permutations, seed : int
        Gi* permutations (default 999) and the fixed seed.
    register : path, URL or Register, optional
        The follow-up register; adds open, overdue and fixed per owner.
    history : int, default 8
        Reference periods of the same length for the mean.

    Returns
    -------
    Report

    Raises
    ------
    InputError
        If an input cannot be read, or ``period`` is not a Period.

    Examples
    --------
    >>> from geomap.core.periods import tertial
    >>> report = build_lagesbild(["out/demo/routed.gpkg"], tertial("2025-T3"))  # doctest: +SKIP
    >>> report.title  # doctest: +SKIP
    'Lägesbild tertial 3 2025'
    """
    if not isinstance(period, Period):
        msg = f"`period`: {period!r} is not a period; give e.g. geomap.core.periods.iso_week('2025-W47')"
        raise InputError(msg)
    runs = load_runs(routed)
    geography = load_geography(districts, name_column=name_column)
    groups = read_grouping(grouping) if isinstance(grouping, str | os.PathLike) else grouping
    situation = prepare(runs, period, geography, grouping=groups)
    where, hot_method = where_section(situation, cell=cell, permutations=permutations, seed=seed)
    sections = [
        _summary(situation, history=history),
        counts_section(situation, history=history),
        when_section(situation),
        where,
        places_section(situation, cell=cell),
    ]
    if register is not None:
        sections.append(_register_section(register, situation))
    title = f"{KIND_TITLES.get(period.kind, 'Lägesbild')} {period_text(period)}"
    area = "kommundelar" if groups or districts is not None else "områden (SCB RegSO 2025)"
    return Report(
        title,
        sections,
        subtitle=f"Huddinge kommun – anmärkningar per {area} och ägare",
        method=_method(situation, hot_method, history),
        sources=_sources(situation),
        synthetic=runs.synthetic,
        synthetic_label=runs.synthetic_label,
        period=period_text(period),
    )


def write_lagesbild(
    routed: Sequence[_PathOrRun],
    period: Period,
    outdir: str | os.PathLike[str],
    *,
    formats: Sequence[str] = FORMATS,
    overwrite: bool = False,
    **options: Any,
) -> dict[str, Path]:
    """Build the lägesbild and write ``lagesbild.html``, ``.pdf`` and ``.xlsx`` into ``outdir``.

    ``options`` are those of :func:`build_lagesbild`. The inputs are protected: ``outdir`` may not
    be, hold or lie in one of them.

    Returns
    -------
    dict of str to pathlib.Path
        Format → written file.

    Examples
    --------
    >>> from geomap.core.periods import iso_week
    >>> paths = write_lagesbild(["out/demo/routed.gpkg"], iso_week("2025-W47"), "out/lb")  # doctest: +SKIP
    >>> sorted(p.name for p in paths.values())  # doctest: +SKIP
    ['lagesbild.html', 'lagesbild.pdf', 'lagesbild.xlsx']
    """
    report = build_lagesbild(routed, period, **options)
    protect = [Path(p) for p in routed if not isinstance(p, RoutedData)]
    return write_report(
        report, outdir, stem="lagesbild", formats=formats, overwrite=overwrite, protect=protect
    )

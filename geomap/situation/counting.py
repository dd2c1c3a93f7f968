"""Section "Antal och förändring": counts per category, district and owner against reference periods.

Each table compares the period with the previous period, the mean of the last ``history``
periods of the same length and the same period a year earlier
(:func:`geomap.stats.counts.period_comparison`); a count that is unusual under a Poisson model of
the reference periods is marked *ovanligt högt/lågt* with its p-value.
"""

from __future__ import annotations

import pandas as pd

from geomap.core.words import format_number, period_text
from geomap.report import Chart, Section, Table, bar_chart
from geomap.situation.frame import Situation
from geomap.stats.counts import FLAG_HIGH, FLAG_LOW, period_comparison

__all__ = ["COMPARISON_COLUMNS", "comparison", "counts_section", "cross_table"]

#: Swedish headers of a comparison table, after the group column.
COMPARISON_COLUMNS = {
    "now": "Antal",
    "previous": "Föregående",
    "mean_history": "Medel ref.-perioder",
    "year_earlier": "Året innan",
    "change_mean_pct": "Mot medel (%)",
    "change_year_pct": "Mot året innan (%)",
    "p_value": "p-värde",
    "flag": "Bedömning",
}
_FORMATS = {
    "Antal": "heltal",
    "Föregående": "heltal",
    "Medel ref.-perioder": "decimal1",
    "Året innan": "heltal",
    "Mot medel (%)": "decimal1",
    "Mot året innan (%)": "decimal1",
    "p-värde": "p",
    "Bedömning": "text",
}
_CROSS_ROWS = 40


def comparison(
    situation: Situation, by: str, *, history: int = 8
) -> tuple[pd.DataFrame, dict[str, object]]:
    """Return the comparison of ``by`` groups (Swedish headers, largest count first) and its periods.

    Examples
    --------
    >>> # see tests/situation/test_build.py for a worked case
    """
    table = period_comparison(situation.remarks, situation.period, by=by, history=history)
    periods = dict(table.attrs.get("periods", {}))
    frame = table.reset_index()
    frame = frame.rename(columns={frame.columns[0]: by})[[by, *COMPARISON_COLUMNS]]
    frame = frame.rename(columns={by: by.capitalize(), **COMPARISON_COLUMNS})
    frame = frame.sort_values(["Antal", frame.columns[0]], ascending=[False, True], kind="stable")
    return frame.reset_index(drop=True), periods


def _table(
    situation: Situation, by: str, key: str, title: str, *, history: int
) -> tuple[Table, pd.DataFrame, dict[str, object]]:
    frame, periods = comparison(situation, by, history=history)
    note = f"Referensperioder: {_reference_text(periods)}. p-värdet är ett tvåsidigt exakt Poisson-test mot medel för referensperioderna."
    return Table(key, title, frame, formats=_FORMATS, note=note), frame, periods


def _reference_text(periods: dict[str, object]) -> str:
    history = [str(h) for h in periods.get("history") or []]  # type: ignore[attr-defined]
    span = (
        f"{history[-1]} – {history[0]}"
        if len(history) > 1
        else (history[0] if history else "inga (data saknas)")
    )
    year = periods.get("year_earlier") or "saknas i data"
    return f"föregående {periods.get('previous', '–')}; medel för {len(history)} perioder ({span}); året innan {year}"


def cross_table(situation: Situation) -> Table:
    """Return the counts by category × district × owner in the period (combinations with remarks).

    The HTML and PDF show the largest rows; the XLSX sheet holds all of them.

    Examples
    --------
    >>> from geomap.situation.frame import example_situation
    >>> int(cross_table(example_situation()).frame["Antal"].sum())
    20
    """
    current = situation.current
    counts = current.groupby(["kategori", "område", "ägare"], observed=True, dropna=False).size()
    frame = (
        counts.rename("Antal")
        .reset_index()
        .rename(columns={"kategori": "Kategori", "område": "Område", "ägare": "Ägare"})
    )
    frame = frame.sort_values(
        ["Antal", "Kategori", "Område", "Ägare"], ascending=[False, True, True, True], kind="stable"
    )
    return Table(
        "kategori_omrade_agare",
        "Anmärkningar per kategori, område och ägare",
        frame.reset_index(drop=True),
        formats={"Antal": "heltal"},
        max_rows=_CROSS_ROWS,
    )


def _flag_sentences(frame: pd.DataFrame, what: str) -> list[str]:
    out = []
    for flag in (FLAG_HIGH, FLAG_LOW):
        rows = frame[frame["Bedömning"] == flag]
        if len(rows):
            names = ", ".join(
                f"{g} ({format_number(n)})"
                for g, n in zip(rows.iloc[:, 0], rows["Antal"], strict=True)
            )
            out.append(f"{what.capitalize()} med {flag} antal: {names}.")
    return out


def counts_section(situation: Situation, *, history: int = 8) -> Section:
    """Return the section with the comparison tables, a chart per category and the cross table.

    Examples
    --------
    >>> from geomap.situation.frame import example_situation
    >>> [t.key for t in counts_section(example_situation()).blocks[1:4]]
    ['per_kategori', 'per_omrade', 'per_agare']
    """
    category, cat_frame, periods = _table(
        situation, "kategori", "per_kategori", "Anmärkningar per kategori", history=history
    )
    district, dis_frame, _ = _table(
        situation, "område", "per_omrade", "Anmärkningar per område", history=history
    )
    owner, own_frame, _ = _table(
        situation, "ägare", "per_agare", "Anmärkningar per ansvarig ägare", history=history
    )
    top = cat_frame.head(15)
    chart_frame = top[["Kategori", "Antal", "Medel ref.-perioder"]].reset_index(drop=True)
    svg = bar_chart(
        chart_frame["Kategori"].astype(str).tolist(),
        {
            period_text(situation.period): chart_frame["Antal"].tolist(),
            "Medel ref.-perioder": chart_frame["Medel ref.-perioder"].fillna(0).tolist(),
        },
        title="Antal per kategori jämfört med referensperioderna",
        horizontal=True,
    )
    chart_table = Table(
        "diagram_kategori",
        "Antal per kategori och medel för referensperioderna",
        chart_frame,
        formats={"Medel ref.-perioder": "decimal1"},
    )
    chart = Chart(
        "Antal per kategori",
        svg,
        chart_table,
        description=f"De {len(chart_frame)} största kategorierna",
    )
    text = [f"Jämförelsen: {_reference_text(periods)}."]
    for frame, what in ((cat_frame, "kategorier"), (dis_frame, "områden"), (own_frame, "ägare")):
        text.extend(_flag_sentences(frame, what))
    return Section(
        "Antal och förändring",
        text=text,
        blocks=[chart, category, district, owner, cross_table(situation)],
    )

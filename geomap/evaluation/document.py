"""The evaluation report in Swedish: :func:`evaluation_report` builds it, :func:`write_evaluation` writes it.

``utvardering.html`` (offline, with a map of R, D and C), ``utvardering.pdf`` (tagged) and
``utvardering.xlsx`` (every table) in one output folder, through :mod:`geomap.report`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from geomap.core.categories import load_categories
from geomap.core.words import format_date, format_number, format_percent, plural
from geomap.report import Chart, MapLayer, MapView, Report, Section, Table, line_chart, write_report

from .pipeline import Evaluation
from .texts import (
    AREA_NAMES,
    CONTROL_METHOD,
    FORMULAS,
    METHOD,
    VERDICT,
    VERDICT_SHORT,
    WDQ_READING,
    WDQ_SHORT,
)

__all__ = ["STEM", "evaluation_report", "write_evaluation"]

#: File stem of the outputs.
STEM = "utvardering"
_COLOURS = {"R": "#d55e00", "D": "#e69f00", "C": "#0072b2"}


def _level(evaluation: Evaluation) -> str:
    return format_percent(float(evaluation.settings.get("level", 0.95)))


def _category_text(categories: tuple[str, ...]) -> str:
    vocabulary = load_categories()
    return ", ".join(vocabulary.label(c) for c in categories) if categories else "alla kategorier"


def _columns(source: pd.DataFrame, names: dict[str, str]) -> pd.DataFrame:
    """Return a new table of ``source``'s columns: report heading → source column, in order."""
    return pd.DataFrame({heading: source[column].to_numpy() for heading, column in names.items()})


def _summary_table(ev: Evaluation) -> Table:
    m, a = ev.measures, ev.areas
    interval = [
        f"{format_number(lo, decimals=2)}–{format_number(hi, decimals=2)}"
        for lo, hi in zip(m["res_low"], m["res_high"], strict=True)
    ]
    frame = pd.DataFrame(
        {
            "Plats": a["name"].to_numpy(),
            "Installerad": a["installed_first"].dt.date.to_numpy(),
            "R före": m["rb"].to_numpy(),
            "R efter": m["ra"].to_numpy(),
            "RES": m["res"].to_numpy(),
            "Intervall": interval,
            "Bedömning": [VERDICT_SHORT[v] for v in m["verdict"]],
            "Förskjutning eller spridning": [WDQ_SHORT[r] for r in m["wdq_reading"]],
        }
    )
    formats = {"RES": "decimal2", "Intervall": "text"}
    note = f"RES med {_level(ev)}-intervall; R före/efter = antal anmärkningar av målkategorierna."
    return Table("sammanfattning", "Sammanfattning per plats", frame, formats=formats, note=note)


def _counts_table(ev: Evaluation) -> Table:
    c = ev.counts.copy()
    labels = load_categories()
    c["Kategori"] = c["category"].map(
        lambda code: {"*": "Målkategorier totalt", "**": "Alla kategorier"}.get(
            code, labels.label(code)
        )
    )
    c["col"] = c["area"] + " " + c["period"].map({"before": "före", "after": "efter"})
    c["rank"] = c["category"].map({"*": 0, "**": 1}).fillna(2)
    wide = c.pivot_table(
        index=["site", "rank", "Kategori"],
        columns="col",
        values="count",
        aggfunc="sum",
        fill_value=0,
    )
    order = [f"{x} {p}" for x in ("R", "D", "C") for p in ("före", "efter")]
    wide = wide.reindex(columns=order, fill_value=0).reset_index().drop(columns="rank")
    wide = wide.rename(columns={"site": "Plats"})
    wide.columns = [str(col) for col in wide.columns]
    note = "R = behandlingsområde, D = buffertzon, C = kontrollområde; per målkategori, målkategorierna totalt och alla kategorier."
    return Table("antal", "Antal anmärkningar i R, D och C före och efter", wide, note=note)


def _effects_table(ev: Evaluation) -> Table:
    m = ev.measures
    frame = _columns(
        m,
        {
            "Plats": "site",
            "Bruttoeffekt": "gross",
            "Nettoeffekt": "net",
            "Nettoeffekt i D": "buffer_net",
            "Total nettoeffekt": "total_net",
            "Framgångsmått": "success",
            "Buffertmått": "buffer_measure",
            "WDQ": "wdq",
        },
    )
    frame["Tolkning"] = [WDQ_READING[r] for r in m["wdq_reading"]]
    formats = {"Framgångsmått": "decimal2", "Buffertmått": "decimal2", "WDQ": "decimal2"}
    note = "Bowers & Johnson (2003): effekter positiva = färre än kontrollområdets utveckling förutsäger."
    return Table("effekter", "Brutto- och nettoeffekt, WDQ", frame, formats=formats, note=note)


def _wdd_table(ev: Evaluation) -> Table:
    m = ev.measures
    frame = _columns(
        m,
        {
            "Plats": "site",
            "WDD R": "wdd_r",
            "SE R": "wdd_r_se",
            "Z R": "wdd_r_z",
            "R lägre": "wdd_r_low",
            "R övre": "wdd_r_high",
            "WDD D": "wdd_d",
            "SE D": "wdd_d_se",
            "WDD R+D": "wdd",
            "SE R+D": "wdd_se",
            "Z R+D": "wdd_z",
            "R+D lägre": "wdd_low",
            "R+D övre": "wdd_high",
        },
    )
    formats = {c: "decimal2" if c.startswith("Z") else "decimal1" for c in frame.columns[1:]}
    note = f"Wheeler & Ratcliffe (2018), kontrollen skalad efter yta; negativt = färre; intervall {_level(ev)}."
    return Table("wdd", "Viktad förskjutningsdifferens (WDD)", frame, formats=formats, note=note)


def _res_table(ev: Evaluation) -> Table:
    m = ev.measures
    frame = _columns(
        m,
        {
            "Plats": "site",
            "RES": "res",
            "RES lägre": "res_low",
            "RES övre": "res_high",
            "p (RES)": "res_p",
            "IRR": "irr",
            "IRR lägre": "irr_low",
            "IRR övre": "irr_high",
            "p (IRR)": "irr_p",
        },
    )
    frame["Modell"] = (
        m["did_model"].map({"poisson": "Poisson", "negbin": "negativ binomial"}).to_numpy()
    )
    frame["χ²/df"] = m["dispersion"].to_numpy()
    frame["Varning"] = np.where(m["small"], "någon cell under 5: ingen bedömning", "")
    formats = dict.fromkeys(
        ("RES", "RES lägre", "RES övre", "IRR", "IRR lägre", "IRR övre", "χ²/df"), "decimal2"
    )
    formats |= {"p (RES)": "p", "p (IRR)": "p"}
    note = f"RES > 1 och IRR < 1 = färre i R relativt C; intervall {_level(ev)}."
    return Table(
        "res_did",
        "Relativ effektstorlek (RES) och skillnad-i-skillnader (IRR)",
        frame,
        formats=formats,
        note=note,
    )


def _map(ev: Evaluation) -> MapView:
    a = ev.areas
    layers = []
    for code, geoms in (("C", a["control"]), ("D", a["ring"]), ("R", a.geometry)):
        frame = gpd.GeoDataFrame(
            {"plats": a["name"].to_numpy(), "omrade": AREA_NAMES[code]},
            geometry=geoms.to_numpy(),
            crs=a.crs,
        )
        if code == "C":
            frame = frame.assign(plats=a["control_name"].to_numpy()).dissolve(
                by="plats", as_index=False
            )
            frame["omrade"] = AREA_NAMES["C"]
        layers.append(
            MapLayer(
                AREA_NAMES[code],
                frame,
                kind="polygons",
                colour=_COLOURS[code],
                label_column="plats",
                popup_columns=["plats", "omrade"],
            )
        )
    return MapView(
        "Karta över R, D och C",
        layers,
        description="Behandlingsområden R, buffertzoner D och kontrollområden C för alla platser.",
    )


def _site_section(ev: Evaluation, k: int) -> Section:
    a, m = ev.areas.iloc[k], ev.measures.iloc[k]
    rows = ev.monthly[ev.monthly["site"] == a["site"]]
    wide = rows.pivot_table(index="month", columns="area", values="count", aggfunc="sum").reindex(
        columns=["R", "D", "C"]
    )
    scale = m["rb"] / m["cb"] if m["cb"] else np.nan
    frame = pd.DataFrame(
        {
            "Månad": wide.index.date,
            "R": wide["R"].to_numpy(),
            "D": wide["D"].to_numpy(),
            "C": wide["C"].to_numpy(),
            "C skalad till R": wide["C"].to_numpy() * scale,
        }
    )
    table = Table(
        f"manad_{k + 1}",
        f"Antal per månad: {a['name']}",
        frame,
        formats={"C skalad till R": "decimal1"},
        note="C skalad = C · Rb/Cb, så att kontrollens utveckling syns på R:s nivå.",
    )
    svg = line_chart(
        list(frame["Månad"]),
        {
            "R": frame["R"].tolist(),
            "D": frame["D"].tolist(),
            "C · Rb/Cb": frame["C skalad till R"].tolist(),
        },
        title=f"Per månad: {a['name']}",
        ylabel="Antal",
        marker=a["installed_first"].date(),
        marker_label="Installation",
    )
    correlation = format_number(a["correlation"], decimals=2)
    text = [
        f"Installerad {format_date(a['installed_first'])}"
        + (
            f"–{format_date(a['installed_last'])} (sammanslagna platser: {', '.join(a['members'])})"
            if len(a["members"]) > 1
            else ""
        )
        + f"; typ: {a['kind'] or 'ej angiven'}; målkategorier: {_category_text(a['categories'])}.",
        f"Kontrollområde: {a['control_name']}, {CONTROL_METHOD[a['control_method']].format(correlation=correlation)}.",
        f"Bedömning: {VERDICT[m['verdict']]}. RES = {format_number(m['res'], decimals=2)} ({format_number(m['res_low'], decimals=2)}–{format_number(m['res_high'], decimals=2)}). {WDQ_READING[m['wdq_reading']]}.",
    ]
    chart = Chart(
        f"Antal per månad i R, D och C: {a['name']}",
        svg,
        table,
        description="Streckad linje: installationen.",
    )
    return Section(f"{a['name']} ({a['site']})", text=text, blocks=[chart])


def _survey_section(ev: Evaluation) -> Section | None:
    if ev.survey is None:
        return None
    s = ev.survey
    frame = _columns(
        s,
        {
            "Plats": "site",
            "Andel trygga före": "share_before",
            "Svar före": "n_before",
            "Andel trygga efter": "share_after",
            "Svar efter": "n_after",
            "Skillnad": "difference",
            "z": "z",
            "p": "p",
        },
    )
    frame.insert(1, "Område", s["area"].map(AREA_NAMES).to_numpy())
    formats = {
        "Andel trygga före": "procent",
        "Andel trygga efter": "procent",
        "Skillnad": "procent",
        "z": "decimal2",
        "p": "p",
    }
    table = Table(
        "trygghet",
        "Upplevd trygghet före och efter",
        frame,
        formats=formats,
        note="z-test för två andelar (statsmodels proportions_ztest).",
    )
    return Section(
        "Upplevd trygghet",
        text=["Invånarnas upplevda trygghet enligt enkäten, bredvid anmärkningarna."],
        blocks=[table],
    )


def _overview(ev: Evaluation) -> Section:
    counts = ev.measures["verdict"].value_counts()
    text = [
        f"{plural(len(ev.areas), 'plats', 'platser')} utvärderade med {ev.settings['before']} månader före och {ev.settings['after']} månader efter installationen.",
        f"Anmärkningarna omfattar {format_date(ev.first_day)}–{format_date(ev.last_day)}; {plural(ev.without_time, 'anmärkning utan tid', 'anmärkningar utan tid')} och {plural(ev.without_position, 'utan position', 'utan position')} har lämnats utanför.",
        "Bedömning per plats (RES): "
        + ", ".join(f"{VERDICT_SHORT[v].lower()} {int(counts.get(v, 0))}" for v in VERDICT)
        + ".",
    ]
    return Section("Sammanfattning", text=text, blocks=[_summary_table(ev), _map(ev)])


def evaluation_report(evaluation: Evaluation) -> Report:
    """Return the Swedish report of an evaluation (tables, map, one chart per site, formulas).

    Examples
    --------
    >>> report = evaluation_report(ev)  # doctest: +SKIP
    >>> [s.title for s in report.sections][:2]  # doctest: +SKIP
    ['Sammanfattning', 'Mått per plats']
    """
    ev = evaluation
    sections = [
        _overview(ev),
        Section(
            "Mått per plats",
            text=["Alla mått räknas på platsens målkategorier; formlerna står under Metod."],
            blocks=[_counts_table(ev), _effects_table(ev), _wdd_table(ev), _res_table(ev)],
        ),
        *[_site_section(ev, k) for k in range(len(ev.areas))],
    ]
    survey = _survey_section(ev)
    if survey is not None:
        sections.append(survey)
    settings = {
        **ev.settings,
        "radius": format_number(ev.settings["radius"]),
        "buffer": format_number(ev.settings["buffer"]),
        "level": _level(ev),
    }
    return Report(
        "Utvärdering av åtgärder före och efter",
        sections,
        subtitle=f"{plural(len(ev.areas), 'plats', 'platser')} · {ev.settings['before']} månader före och {ev.settings['after']} efter · R {settings['radius']} m, D {settings['buffer']} m",
        method=[*(p.format(**settings) for p in METHOD), *FORMULAS],
        sources=[
            *ev.sources,
            "Distrikt för automatiskt kontrollområde: SCB RegSO 2025 (CC0), om inte annat anges.",
        ],
        synthetic=ev.synthetic,
        synthetic_label=ev.synthetic_label,
        period=f"{format_date(ev.first_day)}–{format_date(ev.last_day)}",
    )


def write_evaluation(
    evaluation: Evaluation,
    outdir: str | os.PathLike[str],
    *,
    formats: Sequence[str] = ("html", "pdf", "xlsx"),
    overwrite: bool = False,
    protect: Sequence[Path] = (),
) -> dict[str, Path]:
    """Write ``utvardering.html``, ``.pdf`` and ``.xlsx`` into a new output folder ``outdir``.

    Parameters
    ----------
    evaluation : Evaluation
        From :func:`geomap.evaluation.evaluate`.
    outdir : str or os.PathLike
        The output folder (replaced as a whole, atomically).
    formats : sequence of str, optional
        Any of ``html``, ``pdf``, ``xlsx``.
    overwrite : bool, optional
        Replace an existing folder that geomap wrote.
    protect : sequence of pathlib.Path, optional
        Inputs the folder must not be or hold.

    Returns
    -------
    dict of str to pathlib.Path
        Format → written file.

    Examples
    --------
    >>> paths = write_evaluation(ev, "out/utvardering", formats=["html"])  # doctest: +SKIP
    >>> paths["html"].name  # doctest: +SKIP
    'utvardering.html'
    """
    report = evaluation_report(evaluation)
    return write_report(
        report, outdir, stem=STEM, formats=formats, overwrite=overwrite, protect=protect
    )

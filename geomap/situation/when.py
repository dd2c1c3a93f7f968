"""Section "När": weekday × hour, the month profile of longer periods, daylight or dark.

Times at exactly 00:00 mean "time unknown" (:mod:`geomap.stats.temporal`); they are left out of
the hour table and of daylight, and the text says how many.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from pyproj import Transformer

from geomap.core.crs import WORKING_CRS
from geomap.core.words import format_number, format_percent
from geomap.report import Chart, Section, Table, bar_chart, heatmap
from geomap.situation.frame import Situation
from geomap.stats.temporal import daylight, month_profile, weekday_hour

__all__ = ["MONTH_PROFILE_FROM_DAYS", "when_section"]

#: Periods of at least this many days get a month profile.
MONTH_PROFILE_FROM_DAYS = 60


def _weekday_hour(current: pd.DataFrame) -> tuple[Chart, dict[str, int]]:
    matrix = weekday_hour(current["timestamp"])
    counts = {str(k): int(v) for k, v in matrix.attrs.items()}
    shown = matrix.copy()
    shown.columns = [str(c) for c in shown.columns]
    table = Table(
        "veckodag_timme",
        "Anmärkningar per veckodag och timme",
        shown.reset_index(names="Veckodag").rename_axis(columns=None),
        note="Lokal tid (Europe/Stockholm). Anmärkningar utan klockslag ingår inte.",
    )
    svg = heatmap(shown, title="Veckodag och timme", xlabel="Timme", ylabel="")
    return Chart(
        "Veckodag och timme", svg, table, description="Antal anmärkningar per veckodag och timme"
    ), counts


def _months(current: pd.DataFrame) -> Chart:
    profile = month_profile(current["timestamp"], by_year=True)
    frame = profile.reset_index()
    frame = frame.rename(columns={frame.columns[0]: "År"}).rename_axis(columns=None)
    frame["År"] = frame["År"].astype(str)
    series = {str(year): profile.loc[year].tolist() for year in profile.index}
    svg = bar_chart([str(m) for m in profile.columns], series, title="Anmärkningar per månad")
    table = Table("per_manad", "Anmärkningar per månad och år", frame)
    return Chart(
        "Anmärkningar per månad", svg, table, description="Antal per kalendermånad, ett fält per år"
    )


def _lon_lat(current: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    to_wgs = Transformer.from_crs(WORKING_CRS, "EPSG:4326", always_xy=True)
    lon, lat = to_wgs.transform(
        current["x"].to_numpy(dtype=float), current["y"].to_numpy(dtype=float)
    )
    lon, lat = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    # A remark without a point is still in Huddinge: use the municipality's centre for the sun.
    missing = ~np.isfinite(lon) | ~np.isfinite(lat)
    lon[missing], lat[missing] = 17.98, 59.24
    return lon, lat


def _daylight(current: pd.DataFrame) -> Table:
    lon, lat = _lon_lat(current)
    light = daylight(current["timestamp"].reset_index(drop=True), lon, lat)
    counts = light.value_counts().reindex(["dagsljus", "mörker", "okänd"], fill_value=0)
    known = counts[["dagsljus", "mörker"]].sum()
    share = (counts / known).where(counts.index != "okänd") if known else counts * np.nan
    frame = pd.DataFrame(
        {
            "Ljus": ["Dagsljus", "Mörker", "Okänd tid"],
            "Antal": counts.to_numpy(),
            "Andel av kända": share.to_numpy(dtype=float),
        }
    )
    note = "Dagsljus: solens mitt över −0,833° (från soluppgång till solnedgång, NOAA:s solformler). Andelen räknas på anmärkningar med känt klockslag."
    return Table(
        "dagsljus_morker",
        "Dagsljus eller mörker",
        frame,
        formats={"Andel av kända": "procent"},
        note=note,
    )


def when_section(situation: Situation) -> Section:
    """Return the section on when remarks happen.

    Examples
    --------
    >>> from geomap.situation.frame import example_situation
    >>> [getattr(b, "title", "") for b in when_section(example_situation()).blocks]
    ['Veckodag och timme', 'Dagsljus eller mörker']
    """
    current = situation.current
    chart, counts = _weekday_hour(current)
    light = _daylight(current)
    blocks: list[Chart | Table] = [chart]
    if situation.period.days >= MONTH_PROFILE_FROM_DAYS:
        blocks.append(_months(current))
    blocks.append(light)
    text = [
        f"{format_number(counts.get('counted', 0))} anmärkningar har ett klockslag; {format_number(counts.get('unknown_time', 0))} saknar klockslag (registrerade kl. 00:00) och {format_number(counts.get('missing', 0))} saknar datum.",
    ]
    shares = light.frame["Andel av kända"].to_numpy(dtype=float)
    if light.frame["Antal"].iloc[:2].sum():
        text.append(f"Av dem med känt klockslag skedde {format_percent(shares[1])} i mörker.")
    return Section("När", text=text, blocks=blocks)

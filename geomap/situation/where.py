"""Section "Var": hot spots on a grid (Gi* with FDR classes), kernel density, PAI and the map.

The grid covers the municipality (cells whose centre lies in it, empty cells counted). Gi* runs
on the period's counts; only cells with a remark of their own in the period are tested and the
false-discovery rate is controlled over those m cells (:func:`geomap.stats.hotspots.getis_ord`,
"Tested cells"; m is stated in the method text); significant hot cells (*het*, class 90/95/99 %) that touch (queen
contiguity) form one hot spot, listed with its district, main categories, the owners its remarks
were routed to and the owners of the land it covers (area shares of the routed run's owner
polygons). Weekly reports compare with the 4 weeks before, each tested on its own: a hot spot is
*ny* when none of its cells was hot in any of them, else *kvarstående*; cells hot in one of those
weeks but not now are *försvunna*. PAI: this period's share of remarks in last period's hot cells ÷ their share of area.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy.sparse.csgraph import connected_components

from geomap.core.crs import WORKING_CRS
from geomap.core.periods import Period
from geomap.core.words import format_number, period_text
from geomap.report import MapLayer, MapView, Section, Table
from geomap.report.mapview import MAX_POINTS
from geomap.situation.frame import Situation
from geomap.stats.grid import cell_area, cell_indices, make_grid
from geomap.stats.hotspots import (
    BANDWIDTH_RULES,
    compare_hotspots,
    getis_ord,
    kde,
    pai,
    queen_adjacency,
)

__all__ = ["CLASS_COLOURS", "HOTSPOT_WEEKS", "HotSpots", "hot_spots", "where_section"]

#: Colour of each significance class of a hot cell.
CLASS_COLOURS = {"99 %": "#b2182b", "95 %": "#ef8a62", "90 %": "#fddbc7"}
_CLASS_ORDER = {"99 %": 0, "95 %": 1, "90 %": 2, "": 3}
#: Weeks before a weekly report whose hot spots decide new, persistent and gone.
HOTSPOT_WEEKS = 4
_GONE_COLOUR = "#7f7f7f"
_SAMPLE_SEED = 20251201
_DENSITY_COLOURS = ("#deebf7", "#9ecae1", "#3182bd")


@dataclass
class HotSpots:
    """Gi* of one period on the grid: the result table, the hot mask and the counts.

    Examples
    --------
    >>> HotSpots(pd.DataFrame(), np.zeros(2, dtype=bool), np.zeros(2, dtype=int)).hot.tolist()
    [False, False]
    """

    result: pd.DataFrame
    hot: np.ndarray
    counts: np.ndarray


def _grid(situation: Situation, cell: float) -> gpd.GeoDataFrame:
    if situation.geography is not None and len(situation.geography.boundary):
        return make_grid(situation.geography.boundary.to_crs(WORKING_CRS), cell=cell)
    xy = situation.remarks[["x", "y"]].dropna().to_numpy()
    bounds = (*xy.min(axis=0), *xy.max(axis=0)) if len(xy) else (0.0, 0.0, cell, cell)
    return make_grid(tuple(float(b) for b in bounds), cell=cell, crs=WORKING_CRS)


def hot_spots(
    grid: gpd.GeoDataFrame, positions: np.ndarray, mask: np.ndarray, *, permutations: int, seed: int
) -> HotSpots:
    """Run Gi* on the counts of the remarks in ``mask`` (``positions``: cell of each remark, -1 outside).

    Examples
    --------
    >>> from geomap.stats.grid import make_grid
    >>> grid = make_grid((0.0, 0.0, 500.0, 500.0))
    >>> spots = hot_spots(grid, np.array([0, 0, 6, -1]), np.array([True, True, True, True]), permutations=99, seed=1)
    >>> spots.counts[[0, 6]].tolist(), int(spots.hot.sum())
    ([2, 1], 0)
    """
    chosen = positions[mask & (positions >= 0)]
    counts = np.bincount(chosen, minlength=len(grid)).astype(np.int64)
    result = getis_ord(grid, counts, permutations=permutations, seed=seed)
    hot = (result["kind"].to_numpy() == "het") & (result["p_fdr_class"].to_numpy() != "")
    return HotSpots(result, hot, counts)


def _period_mask(situation: Situation, periods: list[Period]) -> np.ndarray:
    mask = np.zeros(len(situation.remarks), dtype=bool)
    for period in periods:
        mask |= period.contains(situation.remarks["timestamp"])
    return mask


def _top(values: pd.Series, n: int = 3) -> str:
    counts = values.value_counts()
    return ", ".join(f"{k} ({format_number(v)})" for k, v in counts.head(n).items())


def _land_owners(
    situation: Situation,
    grid: gpd.GeoDataFrame,
    cells: np.ndarray,
    labels: np.ndarray,
    clusters: int,
) -> list[str]:
    owners = situation.runs.owners
    if owners is None or not len(cells):
        return ["okänd (ingen ägarkarta i körningen)"] * clusters
    geoms = grid.geometry.to_numpy()[cells]
    polygons = owners.geometry.to_numpy()
    left, right = shapely.STRtree(polygons).query(geoms, predicate="intersects")
    areas = shapely.area(shapely.intersection(geoms[left], polygons[right]))
    ids = owners["owner"].astype(str)
    names = ids.map(situation.runs.names).fillna(ids).to_numpy()
    frame = pd.DataFrame({"cluster": labels[left], "owner": names[right], "area": areas})
    total = pd.Series(shapely.area(geoms)).groupby(labels).sum()
    by_owner = frame.groupby(["cluster", "owner"])["area"].sum()
    shares = by_owner / total.reindex(by_owner.index.get_level_values(0)).to_numpy()
    texts = {}
    for c, part in shares.groupby(level=0):
        part = part.droplevel(0).sort_values(ascending=False)
        part = part[part >= 0.05].head(4)
        texts[c] = ", ".join(f"{o} ({format_number(v * 100)} %)" for o, v in part.items())
    return [texts.get(c) or "ingen ägarpolygon" for c in range(clusters)]


def _clusters(grid: gpd.GeoDataFrame, hot: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    cells = np.flatnonzero(hot)
    if not len(cells):
        return cells, cells, 0
    adjacency = queen_adjacency(grid)[cells][:, cells]
    n, labels = connected_components(adjacency, directed=False)
    return cells, labels, int(n)


_HOT_COLUMNS = [
    "Rutor",
    "Anmärkningar",
    "Klass",
    "Område",
    "Vanligaste kategorier",
    "Dirigerade till",
    "Markägare (andel av ytan)",
    "Jämfört med referensveckorna",
]


def _main_value(values: pd.Series) -> str:
    counts = values.value_counts()
    return str(counts.index[0]) if len(counts) else ""


def _cluster_rows(
    situation: Situation,
    grid: gpd.GeoDataFrame,
    spots: HotSpots,
    positions: np.ndarray,
    change: pd.Series | None,
) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per hot spot (connected hot cells) and the hot cells' positions."""
    cells, labels, n = _clusters(grid, spots.hot)
    cluster_of = np.full(len(grid), -1)
    cluster_of[cells] = labels
    current = situation.remarks.loc[situation.now]
    here = positions[situation.now]
    member = np.where(here >= 0, cluster_of[here.clip(min=0)], -1)
    classes = spots.result["p_fdr_class"].to_numpy()
    status = None if change is None else change.to_numpy()
    land = _land_owners(situation, grid, cells, labels, n)
    rows = []
    for c in range(n):  # one pass per hot spot, not per remark
        in_cells = cells[labels == c]
        remarks = current.loc[member == c]
        persistent = status is not None and bool((status[in_cells] == "kvarstående").any())
        rows.append(
            (
                len(in_cells),
                int(spots.counts[in_cells].sum()),
                min(classes[in_cells], key=lambda k: _CLASS_ORDER[k]),
                _main_value(remarks["område"]),
                _top(remarks["kategori"]),
                _top(remarks["ägare"]),
                land[c],
                "" if status is None else ("kvarstående" if persistent else "ny"),
            )
        )
    frame = pd.DataFrame(rows, columns=_HOT_COLUMNS)
    return (frame if change is not None else frame.drop(columns=_HOT_COLUMNS[-1])), cells


def _hot_table(
    situation: Situation,
    grid: gpd.GeoDataFrame,
    spots: HotSpots,
    positions: np.ndarray,
    change: pd.Series | None,
) -> tuple[Table, gpd.GeoDataFrame]:
    frame, cells = _cluster_rows(situation, grid, spots, positions, change)
    frame = frame.sort_values(["Anmärkningar", "Rutor"], ascending=False, kind="stable")
    frame = frame.reset_index(drop=True)
    frame.insert(0, "Het punkt", np.arange(1, len(frame) + 1))
    classes = spots.result["p_fdr_class"].to_numpy()[cells]
    cell_frame = gpd.GeoDataFrame(
        {
            "Klass": classes,
            "Anmärkningar": spots.counts[cells],
            "färg": [CLASS_COLOURS[k] for k in classes],
        },
        geometry=grid.geometry.to_numpy()[cells],
        crs=grid.crs,
    )
    table = Table(
        "heta_punkter",
        "Heta punkter (Gi*, signifikanta efter FDR)",
        frame,
        formats={"Het punkt": "heltal", "Rutor": "heltal", "Anmärkningar": "heltal"},
        note="En het punkt är sammanhängande heta rutor. Markägare: andel av punktens yta enligt ägarkartan i routed.gpkg.",
    )
    return table, cell_frame


def _pai_table(
    spots_prev: HotSpots, spots_now: HotSpots, grid: gpd.GeoDataFrame, previous: Period
) -> Table:
    area = cell_area(grid)
    value = pai(spots_prev.hot, spots_now.counts, area, area * len(grid))
    total = spots_now.counts.sum()
    hits = spots_now.counts[spots_prev.hot].sum()
    frame = pd.DataFrame(
        {
            "Mått": [
                f"Heta rutor {period_text(previous)}",
                "Andel av periodens anmärkningar i dem",
                "Andel av kommunens yta",
                "PAI (andel anmärkningar ÷ andel yta)",
            ],
            "Värde": [
                float(spots_prev.hot.sum()),
                hits / total if total else np.nan,
                spots_prev.hot.sum() / len(grid),
                value,
            ],
        }
    )
    texts = ["heltal", "procent", "procent", "decimal2"]
    frame["Värde"] = [_as_text(v, f) for v, f in zip(frame["Värde"], texts, strict=True)]
    return Table(
        "traffsakerhet_pai",
        "Träffsäkerhet för förra periodens heta punkter (PAI)",
        frame,
        note="PAI > 1: de heta rutorna fångade fler anmärkningar än deras yta ger. Chainey m.fl. 2008.",
    )


def _as_text(value: float, fmt: str) -> str:
    from geomap.report import format_value

    return format_value(value, fmt)


def _density_layer(grid: gpd.GeoDataFrame, density: pd.Series) -> gpd.GeoDataFrame:
    values = density.to_numpy(dtype=float)
    positive = values[values > 0]
    if not len(positive):
        return gpd.GeoDataFrame({"Täthet": [], "färg": []}, geometry=[], crs=grid.crs)
    cuts = np.quantile(positive, [0.90, 0.95, 0.99])
    level = np.searchsorted(cuts, values, side="right") - 1
    keep = level >= 0
    return gpd.GeoDataFrame(
        {
            "Täthet": [f"{format_number(v, decimals=1)} per km²" for v in values[keep]],
            "färg": np.asarray(_DENSITY_COLOURS, dtype=object)[level[keep]],
        },
        geometry=grid.geometry.to_numpy()[keep],
        crs=grid.crs,
    )


def _points_layer(situation: Situation) -> MapLayer:
    current = situation.current
    current = current[np.isfinite(current["x"].to_numpy()) & np.isfinite(current["y"].to_numpy())]
    total = len(current)
    if total > MAX_POINTS:  # sample before building geometries: the map shows MAX_POINTS
        keep = np.sort(np.random.default_rng(_SAMPLE_SEED).choice(total, MAX_POINTS, replace=False))
        current = current.iloc[keep]
    names = {"remark_id": "Id", "kategori": "Kategori", "ägare": "Ägare", "område": "Område"}
    points = gpd.GeoDataFrame(
        current[list(names)].rename(columns=names),
        geometry=shapely.points(current["x"].to_numpy(), current["y"].to_numpy()),
        crs=WORKING_CRS,
    )
    return MapLayer(
        "Periodens anmärkningar",
        points,
        colour="#0072b2",
        label_column="Kategori",
        popup_columns=list(names.values()),
        total=total,
    )


def _map(
    situation: Situation,
    grid: gpd.GeoDataFrame,
    hot_cells: gpd.GeoDataFrame,
    density: gpd.GeoDataFrame,
    gone: gpd.GeoDataFrame | None,
) -> MapView:
    layers = []
    if situation.geography is not None:
        districts = situation.geography.districts.to_crs(WORKING_CRS)[["name", "geometry"]].rename(
            columns={"name": "Område"}
        )
        layers.append(
            MapLayer("Områden", districts, kind="polygons", colour="#555555", label_column="Område")
        )
    layers.append(_points_layer(situation))  # below the cells, so hot cells stay visible
    legend_density = dict(
        zip(_DENSITY_COLOURS, ("översta 10 %", "översta 5 %", "översta 1 %"), strict=True)
    )
    layers.append(
        MapLayer(
            "Täthet (kärnskattning)",
            density,
            kind="cells",
            colour_column="färg",
            label_column="Täthet",
            legend=legend_density,
        )
    )
    if gone is not None and len(gone):
        layers.append(MapLayer("Försvunna heta rutor", gone, kind="cells", colour=_GONE_COLOUR))
    legend_hot = {c: f"{k} (het)" for k, c in CLASS_COLOURS.items()}
    layers.append(
        MapLayer(
            "Heta rutor",
            hot_cells,
            kind="cells",
            colour_column="färg",
            label_column="Klass",
            popup_columns=["Klass", "Anmärkningar"],
            legend=legend_hot,
        )
    )
    return MapView(
        f"Karta {period_text(situation.period)}",
        layers,
        description="Områden, täthet, heta rutor och periodens anmärkningar",
    )


def _none_significant(attrs: Mapping[Any, Any], permutations: int) -> str:
    floor = attrs.get("fdr_floor_cells")
    tested = attrs.get("tested")
    return (
        "Ingen het punkt är signifikant efter korrektionen. Med "
        f"{format_number(permutations)} permutationer är det minsta möjliga p-värdet "
        f"{format_number(1 / (permutations + 1), decimals=4)}, och bland {format_number(tested)} testade rutor "
        "(rutor med minst en egen anmärkning i perioden) "
        f"krävs minst {format_number(floor)} rutor med det värdet för att något ska bli signifikant på "
        "95-procentsnivån; se tätheten på kartan för var anmärkningarna samlas."
    )


def _weekly_change(
    situation: Situation,
    grid: gpd.GeoDataFrame,
    positions: np.ndarray,
    spots: tuple[HotSpots, HotSpots],
    permutations: int,
    seed: int,
) -> tuple[pd.Series, gpd.GeoDataFrame]:
    """New/persistent/gone per cell against each of the :data:`HOTSPOT_WEEKS` weeks before.

    Each reference week is tested on its own (same power as this week); a cell hot in at least
    one of them counts as hot before. ``spots`` are this week's and last week's results.
    """
    now, last = spots
    weeks = situation.period.references(HOTSPOT_WEEKS)[1:]
    before = [last.hot] + [
        hot_spots(
            grid, positions, _period_mask(situation, [w]), permutations=permutations, seed=seed
        ).hot
        for w in weeks
    ]
    change = compare_hotspots(now.hot, before, cells=grid["cell_id"])
    lost = change.to_numpy() == "försvunnen"
    return change, gpd.GeoDataFrame(geometry=grid.geometry.to_numpy()[lost], crs=grid.crs)


def _where_text(
    table: Table,
    now: HotSpots,
    cell: float,
    bandwidth: tuple[float, str],
    change: pd.Series | None,
    permutations: int,
) -> list[str]:
    result = now.result
    cold = int(((result["kind"] == "kall") & (result["p_fdr_class"] != "")).sum())
    text = [
        f"{format_number(len(table.frame))} heta punkter ({format_number(int(now.hot.sum()))} rutor om {format_number(cell)} m) är signifikanta efter korrektion för många test; {format_number(cold)} kalla rutor.",
        f"Kärnskattningen (Gauss) har bandbredden {format_number(bandwidth[0])} m ({BANDWIDTH_RULES.get(bandwidth[1], bandwidth[1])}).",
    ]
    if result.attrs.get("note"):
        text.append(
            "Gi* kunde inte testas: för få anmärkningar eller rutor med grannar i perioden."
        )
    elif not len(table.frame):
        text.append(_none_significant(result.attrs, permutations))
    if change is not None:
        counts = change.value_counts()
        text.append(
            f"Jämfört med de {HOTSPOT_WEEKS} veckorna före (var för sig): {format_number(int(counts.get('ny', 0)))} nya, {format_number(int(counts.get('kvarstående', 0)))} kvarstående och {format_number(int(counts.get('försvunnen', 0)))} försvunna heta rutor."
        )
    return text


def where_section(
    situation: Situation,
    *,
    cell: float = 100.0,
    permutations: int = 999,
    seed: int = 12345,
) -> tuple[Section, str]:
    """Return the section on where remarks happen and the method sentence on the hot spots.

    Examples
    --------
    >>> from geomap.situation.frame import example_situation
    >>> section, method = where_section(example_situation(), permutations=99)
    >>> [getattr(b, "key", "karta") for b in section.blocks], "Benjamini" in method
    (['heta_punkter', 'traffsakerhet_pai', 'karta'], True)
    """
    grid = _grid(situation, cell)
    positions = cell_indices(
        situation.remarks["x"].to_numpy(dtype=float),
        situation.remarks["y"].to_numpy(dtype=float),
        grid,
    )
    now = hot_spots(grid, positions, situation.now, permutations=permutations, seed=seed)
    previous = situation.period.previous()
    before = hot_spots(
        grid, positions, _period_mask(situation, [previous]), permutations=permutations, seed=seed
    )
    change, gone = None, None
    if situation.period.kind == "week":
        change, gone = _weekly_change(situation, grid, positions, (now, before), permutations, seed)
    table, hot_cells = _hot_table(situation, grid, now, positions, change)
    xy = situation.current[["x", "y"]].dropna().to_numpy()
    density, bandwidth, rule = kde(xy, grid)
    blocks: list[Table | MapView] = [
        table,
        _pai_table(before, now, grid, previous),
        _map(situation, grid, hot_cells, _density_layer(grid, density), gone),
    ]
    text = _where_text(table, now, cell, (bandwidth, rule), change, permutations)
    return Section("Var", text=text, blocks=blocks), _method_text(
        cell, len(grid), permutations, seed, int(now.result.attrs.get("tested", 0))
    )


def _method_text(cell: float, cells: int, permutations: int, seed: int, tested: int) -> str:
    """Return the method sentence on the hot spots, with the tested-cell rule and m."""
    return (
        f"Heta punkter: rutnät med {format_number(cell)} m rutor över kommunen ({format_number(cells)} rutor, tomma rutor räknas), lokal Getis-Ord Gi* "
        f"med binära grannvikter (drottninggrannar), {format_number(permutations)} permutationer och fast slumpfrö {seed}. "
        "Bara rutor med minst en egen anmärkning i perioden testas (en ruta utan anmärkningar omkring sig kan aldrig bli het); "
        f"i perioden var det m = {format_number(tested)} rutor. Övriga rutor testas inte och blir aldrig signifikanta, "
        "och kalla rutor söks bara bland de testade. "
        f"p-värdena korrigeras för många test med false discovery rate, falsk upptäcktsandel (Benjamini–Hochberg), över de {format_number(tested)} testade rutorna "
        "och redovisas i klasserna 99, 95 och 90 %. Urvalet bygger bara på rutans eget antal, som permutationstestet håller fast, "
        "så varje testad rutas p-värde gäller oförändrat (oberoende filtrering, Bourgon, Gentleman & Huber 2010); "
        "att korrektionen håller när grannskapen överlappar är prövat med simulering, inte bevisat."
    )

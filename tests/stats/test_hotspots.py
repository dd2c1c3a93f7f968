"""Hot spots: Gi* against esda, FDR classes, planted clusters, KDE, PAI, new/persistent/gone."""

from __future__ import annotations

import warnings
from typing import Any

import esda
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from libpysal.weights import Queen, lat2W
from statsmodels.stats.multitest import multipletests

from geomap.errors import InputError
from geomap.stats.grid import count_in_cells as _count_in_cells
from geomap.stats.grid import make_grid
from geomap.stats.hotspots import (
    _draws,
    bh_reject,
    compare_hotspots,
    getis_ord,
    kde,
    pai,
    queen_adjacency,
    queen_weights,
    significance_classes,
)


def _esda(y: np.ndarray, grid: Any, *, permutations: int = 999, seed: int = 12345) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return esda.G_Local(
            y.astype(float),
            queen_weights(grid),
            transform="B",
            permutations=permutations,
            star=True,
            seed=seed,
            n_jobs=1,
        )


def count_in_cells(points: np.ndarray, grid: Any) -> pd.Series:
    """Counts per cell as a Series (``count_in_cells`` without ``by``)."""
    counts = _count_in_cells(points, grid)
    assert isinstance(counts, pd.Series)
    return counts


def _tie_aware(local: Any) -> np.ndarray:
    """The p-value of the module docstring, from esda's own simulated statistics."""
    sims, observed = local.rGs, local.Gs[:, None]
    ge, le = (sims >= observed).sum(1), (sims <= observed).sum(1)
    return (np.minimum(ge, le) + 1) / (sims.shape[1] + 1)


# --- weights ------------------------------------------------------------------------------


def test_queen_adjacency_equals_libpysal_on_a_lattice() -> None:
    grid = make_grid((0.0, 0.0, 700.0, 500.0))  # 5 rows × 7 columns, row-major from the south
    mine = queen_adjacency(grid).toarray()
    assert (mine == lat2W(5, 7, rook=False).full()[0]).all()


def test_queen_adjacency_equals_polygon_contiguity_on_a_clipped_grid() -> None:
    grid = make_grid(shapely.Point(0, 0).buffer(520).union(shapely.box(600, -50, 900, 50)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the box's cells form a separate component
        reference = Queen.from_dataframe(grid, use_index=False).full()[0]
    assert (queen_adjacency(grid).toarray() == reference).all()


def test_empty_grid_has_empty_weights() -> None:
    grid = make_grid((0.0, 0.0, 100.0, 100.0)).iloc[:0]
    assert queen_adjacency(grid).shape == (0, 0)


# --- Gi* equals esda ------------------------------------------------------------------------


def test_draws_are_esdas() -> None:
    from esda.crand import vec_permutations

    assert (_draws(8, 57, 99, 7) == vec_permutations(8, 57, 99, 7)).all()


@pytest.mark.parametrize("seed", [12345, 1])
def test_gi_star_equals_a_direct_esda_computation(seed: int) -> None:
    # A clipped grid (cells with 3 … 8 neighbours) with clustered counts.
    grid = make_grid(shapely.Point(500, 500).buffer(470), cell=100.0)
    rng = np.random.default_rng(seed)
    y = rng.poisson(0.6, len(grid))
    y[grid.eval("row == 5 and col in (4, 5, 6)").to_numpy()] += 6
    local = _esda(y, grid, seed=seed)
    result = getis_ord(grid, y, seed=seed)
    np.testing.assert_allclose(result["gi"], local.Gs)
    np.testing.assert_allclose(result["gi_z"], local.Zs)
    # Our p-value from esda's own simulations (the same draws): equal for every cell …
    np.testing.assert_allclose(result["p_sim"], _tie_aware(local))
    # … and equal to esda's p_sim wherever no simulation ties the observed value.
    ties = (local.rGs == local.Gs[:, None]).any(1)
    np.testing.assert_allclose(result["p_sim"][~ties], local.p_sim[~ties], rtol=1e-6)
    # The classes follow from those p-values by Benjamini–Hochberg (statsmodels' fdr_bh) over
    # the tested cells (those with a remark of their own), or over all cells with min_count=0.
    p = _tie_aware(local)
    every = getis_ord(grid, y, seed=seed, min_count=0)
    for frame, tested in ((result, y >= 1), (every, np.ones(len(y), dtype=bool))):
        expected = np.full(len(p), "", dtype=object)
        for label, q in (("90 %", 0.10), ("95 %", 0.05), ("99 %", 0.01)):
            expected[
                np.flatnonzero(tested)[multipletests(p[tested], alpha=q, method="fdr_bh")[0]]
            ] = label
        assert frame["p_fdr_class"].tolist() == expected.tolist()
        assert frame.attrs["tested"] == tested.sum() == frame["tested"].sum()
    hot = result["kind"] == "het"
    assert hot.any() and (result.loc[hot, "gi_z"] > 0).all()


def test_p_sim_equals_esdas_when_no_simulation_ties() -> None:
    grid = make_grid(shapely.Point(500, 500).buffer(470), cell=100.0)
    y = np.random.default_rng(5).integers(0, 10**9, len(grid))  # sums never tie
    local = _esda(y, grid, permutations=199, seed=99)
    result = getis_ord(grid, y, permutations=199, seed=99)
    assert not (local.rGs == local.Gs[:, None]).any()
    np.testing.assert_allclose(result["p_sim"], local.p_sim, rtol=1e-6)
    np.testing.assert_allclose(result["gi_z"], local.Zs)


def test_fdr_threshold_agrees_with_esda_fdr() -> None:
    grid = make_grid((0.0, 0.0, 1500.0, 1500.0))
    y = np.random.default_rng(3).poisson(0.4, len(grid))
    y[[112, 113, 127, 128, 142, 143]] += 7
    local = _esda(y, grid)
    for q in (0.01, 0.05, 0.10):
        # esda: reject p < threshold (its Bonferroni fallback, when nothing passes, rejects none
        # here since every p_sim is at least 1/1000 > q/m).
        threshold = esda.fdr(local.p_sim, q)
        assert (bh_reject(local.p_sim, q) == (local.p_sim < threshold)).all()
    assert bh_reject(local.p_sim, 0.05).sum() > 10


def test_bh_reject_by_hand() -> None:
    # m = 5, q = 0.05: thresholds r q / m = 0.01, 0.02, 0.03, 0.04, 0.05.
    # Sorted p: 0.005 ≤ 0.01 ✓, 0.03 > 0.02, 0.031 ≤ 0.03? no (0.031 > 0.03), 0.04 ≤ 0.04 ✓,
    # 0.2 > 0.05: the largest passing rank is r = 4, so every p ≤ 0.04 is rejected.
    p = np.array([0.04, 0.005, 0.2, 0.031, 0.03])
    assert bh_reject(p, 0.05).tolist() == [True, True, False, True, True]
    assert bh_reject(np.array([0.5, np.nan]), 0.05).tolist() == [False, False]
    assert bh_reject(np.array([]), 0.05).tolist() == []


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(1, 1000), min_size=1, max_size=80))
def test_bh_equals_statsmodels_and_classes_nest(hits: list[int]) -> None:
    p = np.array(hits) / 1000.0  # discrete like permutation p-values, with ties
    for q in (0.01, 0.05, 0.10):
        assert (bh_reject(p, q) == multipletests(p, alpha=q, method="fdr_bh")[0]).all()
    assert (bh_reject(p, 0.01) <= bh_reject(p, 0.05)).all()
    assert (bh_reject(p, 0.05) <= bh_reject(p, 0.10)).all()
    classes = significance_classes(p)
    assert set(classes) <= {"99 %", "95 %", "90 %", ""}


def test_classes_without_fdr_use_raw_levels() -> None:
    p = np.array([0.01, 0.0100001, 0.05, 0.1, 0.1000001])
    assert significance_classes(p, fdr=False).tolist() == ["99 %", "95 %", "95 %", "90 %", ""]


# --- planted cluster / uniform pattern --------------------------------------------------------


def _points(rng: np.random.Generator, n: int, side: float) -> np.ndarray:
    return rng.uniform(0, side, (n, 2))


def test_planted_cluster_is_found_at_95_percent() -> None:
    rng = np.random.default_rng(2025)
    grid = make_grid((0.0, 0.0, 2000.0, 2000.0))  # 400 cells
    background = _points(rng, 400, 2000.0)
    cluster = rng.normal((1050.0, 1050.0), 60.0, (80, 2))  # about 4 cells around (1050, 1050)
    counts = count_in_cells(np.vstack([background, cluster]), grid)
    result = getis_ord(grid, counts)
    centre = grid.index[(grid["row"] == 10) & (grid["col"] == 10)][0]
    assert result.loc[centre, "kind"] == "het"
    assert result.loc[centre, "p_fdr_class"] in ("95 %", "99 %")
    hot = result[result["p_fdr_class"].isin(["95 %", "99 %"]) & (result["kind"] == "het")]
    rows, cols = grid.loc[hot.index, "row"], grid.loc[hot.index, "col"]
    assert rows.between(8, 12).all() and cols.between(8, 12).all()  # nothing far from the plant


@pytest.mark.parametrize("points", [300, 3000])
def test_uniform_pattern_has_no_significant_cell_after_fdr(points: int) -> None:
    rng = np.random.default_rng(7)
    grid = make_grid((0.0, 0.0, 2000.0, 2000.0))
    counts = count_in_cells(_points(rng, points, 2000.0), grid)
    result = getis_ord(grid, counts)
    assert (result["p_fdr_class"] == "").all()
    assert (getis_ord(grid, counts, alpha_fdr=False)["p_fdr_class"] != "").any()  # raw p would


def test_isolated_single_remarks_are_not_hot_spots() -> None:
    grid = make_grid((0.0, 0.0, 2000.0, 2000.0))
    y = np.zeros(len(grid), dtype=int)
    y[[21, 105, 250, 377]] = 1
    result = getis_ord(grid, y)
    assert (result["kind"] == "").all()
    # The remark's own cell stays fixed in the permutations: no draw is below it.
    assert (result.loc[[21, 105, 250, 377], "p_sim"] > 0.5).all()
    # Cells with no remark around them are no cold spots (ties count on both sides).
    assert (result.loc[result["gi"] == 0, "p_sim"] > 0.5).all()


# --- tested cells: only cells with remarks of their own ----------------------------------------

_SPARSE = (0.0, 0.0, 12000.0, 11800.0)  # 14 160 cells of 100 m, the size of Huddinge's grid


def _sparse_week(seed: int, *, cluster: bool) -> np.ndarray:
    """40 points: uniform, or 32 uniform and a tight cluster of 8 (σ = 60 m)."""
    rng = np.random.default_rng(seed)
    if not cluster:
        return rng.uniform((0.0, 0.0), (12000.0, 11800.0), (40, 2))
    background = rng.uniform((0.0, 0.0), (12000.0, 11800.0), (32, 2))
    return np.vstack([background, rng.normal((6050.0, 6050.0), 60.0, (8, 2))])


def test_only_cells_with_remarks_of_their_own_are_tested() -> None:
    grid = make_grid((0.0, 0.0, 1000.0, 1000.0))
    y = np.zeros(100, dtype=int)
    y[[0, 44, 45]] = [1, 3, 2]
    result = getis_ord(grid, y)
    assert result.index[result["tested"]].tolist() == [0, 44, 45]
    assert result.attrs["tested"] == 3 and result.attrs["min_count"] == 1
    assert result.attrs["fdr_floor_cells"] == 1  # ceil(3 / (0.05 · 1000))
    neighbourhood = queen_adjacency(grid) @ y + y
    # Cells with an empty neighbourhood: Gi* at its minimum 0, upper tail 1, not tested.
    empty = neighbourhood == 0
    assert (result.loc[empty, "gi"] == 0).all() and not result.loc[empty, "tested"].any()
    # Cells with remarks around but none of their own: p_sim is given but they are not tested.
    around = (neighbourhood > 0) & (y == 0)
    assert result.loc[around, "p_sim"].notna().all() and not result.loc[around, "tested"].any()
    assert (result.loc[~result["tested"], "p_fdr_class"] == "").all()
    assert (result.loc[~result["tested"], "kind"] == "").all()
    # min_count raises the bar; 0 tests every cell with neighbours.
    assert getis_ord(grid, y, min_count=2).attrs["tested"] == 2
    assert getis_ord(grid, y, min_count=0).attrs["tested"] == 100


def test_nothing_tested_when_no_cell_reaches_min_count() -> None:
    grid = make_grid((0.0, 0.0, 500.0, 500.0))
    y = np.zeros(25, dtype=int)
    y[12] = 1
    result = getis_ord(grid, y, min_count=2)
    assert result.attrs["tested"] == 0 and (result["p_fdr_class"] == "").all()
    assert (
        result.attrs["note"] == "no cell with neighbours holds 2 or more remarks: nothing to test"
    )


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
def test_sparse_week_cluster_is_found_at_95_percent(seed: int) -> None:
    grid = make_grid(_SPARSE)
    counts = count_in_cells(_sparse_week(seed, cluster=True), grid)
    result = getis_ord(grid, counts)
    hot = result[(result["kind"] == "het") & result["p_fdr_class"].isin(["95 %", "99 %"])]
    assert len(hot) >= 3
    centre = grid.loc[hot.index, ["row", "col"]]
    assert centre["row"].between(58, 62).all() and centre["col"].between(58, 62).all()
    assert result.attrs["tested"] <= 40
    # Corrected over all 14 160 cells, the same week has no hot spot (the problem).
    assert (getis_ord(grid, counts, min_count=0)["p_fdr_class"] == "").all()


def test_sparse_uniform_weeks_stay_clean() -> None:
    grid = make_grid(_SPARSE)
    adjacency = queen_adjacency(grid)
    false_neighbourhood = 0
    for seed in range(20):
        counts = count_in_cells(_sparse_week(seed, cluster=False), grid).to_numpy()
        result = getis_ord(grid, counts)
        assert (result["p_fdr_class"] == "").all(), seed
        # Selecting on the neighbourhood total instead would pick the tested statistic itself:
        # the empty cells next to an isolated remark (p ≈ 8 · 40 / 14 160) all pass BH.
        selected = (adjacency @ counts + counts) >= 1
        p = np.where(selected, result["p_sim"].to_numpy(), np.nan)
        false_neighbourhood += bool(bh_reject(p, 0.05).sum() > 100)
    assert false_neighbourhood >= 15


# --- edge cases --------------------------------------------------------------------------------


def test_no_remarks_gives_a_clear_empty_result() -> None:
    grid = make_grid((0.0, 0.0, 500.0, 500.0))
    result = getis_ord(grid, count_in_cells(np.empty((0, 2)), grid))
    assert result["p_sim"].isna().all() and result["gi_z"].isna().all()
    assert (result["p_fdr_class"] == "").all() and (result["kind"] == "").all()
    assert result.attrs["note"] == "no remarks in the period: nothing to test"
    assert result.attrs["tested"] == 0


def test_one_cell_and_two_cells() -> None:
    one = make_grid((0.0, 0.0, 100.0, 100.0))
    result = getis_ord(one, np.array([5]))
    assert result.attrs["note"] == "fewer than two cells: nothing to compare"
    assert result["kind"].tolist() == [""]
    two = make_grid((0.0, 0.0, 200.0, 100.0))  # fewer cells than queen neighbours
    result = getis_ord(two, np.array([5, 0]), permutations=99)
    assert result["p_sim"].notna().all() and (result["kind"] == "").all()


def test_empty_grid() -> None:
    grid = make_grid((0.0, 0.0, 100.0, 100.0)).iloc[:0]
    assert getis_ord(grid, np.array([], dtype=int)).empty


def test_islands_are_not_tested() -> None:
    area = shapely.box(0, 0, 300, 300).union(shapely.box(1000, 1000, 1100, 1100))
    grid = make_grid(area)
    y = np.array([0, 1, 0, 2, 9, 1, 0, 1, 0, 30])
    result = getis_ord(grid, y, alpha_fdr=False, min_count=0)
    assert np.isnan(result["p_sim"].iloc[-1]) and result["kind"].iloc[-1] == ""
    assert result.attrs["tested"] == 9
    # By default only the 5 cells with remarks of their own are tested; the island never is.
    result = getis_ord(grid, y, alpha_fdr=False)
    assert result.attrs["tested"] == 5 and not result["tested"].iloc[-1]


def test_equal_counts_everywhere_have_no_z() -> None:
    grid = make_grid((0.0, 0.0, 500.0, 500.0))
    result = getis_ord(grid, np.full(25, 3), permutations=99)
    assert result["gi_z"].isna().all() and (result["kind"] == "").all()


def test_counts_series_is_aligned_by_cell_id() -> None:
    grid = make_grid((0.0, 0.0, 500.0, 500.0))
    counts = pd.Series(np.arange(25), index=pd.Index(np.arange(25), name="cell_id"))
    shuffled = counts.sample(frac=1.0, random_state=1)
    a, b = getis_ord(grid, counts, permutations=99), getis_ord(grid, shuffled, permutations=99)
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.parametrize(
    ("counts", "permutations", "match"),
    [
        (np.zeros(3), 99, r"`counts`: 3 values for a grid of 4 cells"),
        (np.array([0, -1, 0, 0]), 99, r"`counts`: cell 1 has -1.0; give whole counts ≥ 0"),
        (np.array([0, 0.5, 0, 0]), 99, r"`counts`: cell 1 has 0.5"),
        (np.array([0, np.nan, 0, 0]), 99, r"`counts`: cell 1 has nan"),
        (np.zeros(4), 0, r"`permutations`: 0 is not a whole number ≥ 1"),
        (np.zeros(4), 9.5, r"`permutations`: 9.5 is not a whole number ≥ 1"),
    ],
)
def test_getis_ord_rejects(counts: np.ndarray, permutations: int, match: str) -> None:
    grid = make_grid((0.0, 0.0, 200.0, 200.0))
    with pytest.raises(InputError, match=match):
        getis_ord(grid, counts, permutations=permutations)


@pytest.mark.parametrize("min_count", [-1, 1.5, True])
def test_getis_ord_rejects_min_count(min_count: object) -> None:
    grid = make_grid((0.0, 0.0, 200.0, 200.0))
    with pytest.raises(InputError, match=r"`min_count`: .* is not a whole number ≥ 0; give e.g. 1"):
        getis_ord(grid, np.zeros(4), min_count=min_count)  # type: ignore[arg-type]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=16, max_size=16), st.integers(0, 2**31 - 1))
def test_p_values_lie_on_the_permutation_lattice(values: list[int], seed: int) -> None:
    grid = make_grid((0.0, 0.0, 400.0, 400.0))
    result = getis_ord(grid, np.array(values), permutations=49, seed=seed)
    if sum(values) == 0:
        assert result["p_sim"].isna().all()
        return
    p = result["p_sim"].to_numpy()
    assert ((p >= 1 / 50) & (p <= 1)).all()
    np.testing.assert_allclose(p * 50, np.round(p * 50))
    # hot cells lie above, cold cells below their own expectation (raw Gi* is not comparable
    # across cells: a corner's neighbourhood has 4 cells, an inner cell's 9)
    assert (result.loc[result["kind"] == "het", "gi_z"] > 0).all()
    assert (result.loc[result["kind"] == "kall", "gi_z"] < 0).all()


def test_a_corner_cell_can_be_hot_with_a_gi_below_the_median() -> None:
    # found by hypothesis on a fresh clone: cell 0 (a corner) is hot at 90 % with Gi* 0.44 below
    # the grid's median Gi* 0.47, because its 4-cell neighbourhood holds 4 of the 18 remarks
    grid = make_grid((0.0, 0.0, 400.0, 400.0))
    values = np.array([1, 1, 1, 1, 4, 2, 4, 3, 0, 0, 0, 0, 0, 0, 0, 1])
    result = getis_ord(grid, values, permutations=49, seed=14958)
    assert result.loc[0, "kind"] == "het" and result.loc[0, "gi_z"] > 0
    assert result.loc[0, "gi"] < result["gi"].median()


# --- kernel density -------------------------------------------------------------------------


@pytest.mark.parametrize("bandwidth", [None, 60.0, 250.0])
def test_kde_integrates_to_the_number_of_points(bandwidth: float | None) -> None:
    rng = np.random.default_rng(11)
    grid = make_grid((0.0, 0.0, 5000.0, 5000.0))
    xy = rng.normal(2500.0, 400.0, (500, 2))
    density, h, rule = kde(xy, grid, bandwidth=bandwidth)
    per_cell_km2 = 0.01
    assert density.sum() * per_cell_km2 == pytest.approx(500, rel=1e-3)
    assert (density >= 0).all() and density.index.name == "cell_id"
    assert rule == ("given" if bandwidth else "silverman")
    if bandwidth is None:
        # Silverman in 2-D by hand: σ = √((σx² + σy²)/2) with σ per axis min(sd, IQR/1.349).
        spread = [
            min(np.std(v, ddof=1), np.subtract(*np.percentile(v, [75, 25])) / 1.349) for v in xy.T
        ]
        assert h == pytest.approx(np.sqrt((spread[0] ** 2 + spread[1] ** 2) / 2) * 500 ** (-1 / 6))


def test_kde_peak_is_where_the_points_are() -> None:
    grid = make_grid((0.0, 0.0, 2000.0, 2000.0))
    density, _, _ = kde(np.array([[1550.0, 450.0]] * 5 + [[1560.0, 440.0]]), grid, bandwidth=100.0)
    peak = grid.loc[density.to_numpy().argmax()]
    assert (peak["row"], peak["col"]) == (4, 15)


def test_kde_loses_what_falls_outside_a_clipped_grid() -> None:
    grid = make_grid(shapely.box(0, 0, 1000, 1000).difference(shapely.box(500, 0, 1000, 1000)))
    density, _, _ = kde(np.array([[500.0, 500.0]]), grid, bandwidth=100.0)
    assert density.sum() * 0.01 == pytest.approx(0.5, abs=0.01)


def test_kde_without_points_and_with_one_point() -> None:
    grid = make_grid((0.0, 0.0, 500.0, 500.0))
    density, h, rule = kde(np.empty((0, 2)), grid)
    assert (density == 0).all() and (h, rule) == (100.0, "cell")
    big = make_grid((-1000.0, -1000.0, 1500.0, 1500.0))
    density, h, rule = kde(np.array([[250.0, 250.0], [250.0, 250.0]]), big)
    assert rule == "cell" and density.sum() * 0.01 == pytest.approx(2, rel=1e-3)


@pytest.mark.parametrize(
    ("bandwidth", "match"),
    [
        (0.0, r"`bandwidth`: 0.0 is not a bandwidth"),
        (-3, r"`bandwidth`: -3 is not a bandwidth"),
        ("200", r"`bandwidth`: '200' is not a bandwidth"),
        (1e7, r"`bandwidth`: 10000000 m on 100 m cells needs a raster"),
    ],
)
def test_kde_rejects(bandwidth: object, match: str) -> None:
    grid = make_grid((0.0, 0.0, 500.0, 500.0))
    with pytest.raises(InputError, match=match):
        kde(np.array([[1.0, 1.0]]), grid, bandwidth=bandwidth)  # type: ignore[arg-type]


# --- PAI --------------------------------------------------------------------------------------


def test_pai_by_hand() -> None:
    # 10 cells of 1 ha in an area of 20 ha; the 2 hot cells hold 6 of 15 incidents:
    # share of incidents 6/15 = 0.4, share of area 2 ha / 20 ha = 0.1, PAI = 0.4 / 0.1 = 4.
    mask = np.zeros(10, dtype=bool)
    mask[[0, 3]] = True
    counts = np.array([4, 1, 1, 2, 1, 1, 1, 2, 1, 1])
    assert pai(mask, counts, 10_000.0, 200_000.0) == pytest.approx(4.0)
    assert pai(pd.Series(mask), pd.Series(counts), 10_000.0, 100_000.0) == pytest.approx(2.0)


@pytest.mark.parametrize(
    ("mask", "counts", "total_area"),
    [
        ([False, False], [1, 2], 2.0),  # no hot cell
        ([True, False], [0, 0], 2.0),  # no incident now
        ([True, False], [1, 2], 0.0),  # no area
    ],
)
def test_pai_is_nan_when_undefined(mask: list[bool], counts: list[int], total_area: float) -> None:
    assert np.isnan(pai(np.array(mask), np.array(counts), 1.0, total_area))


def test_pai_rejects_misaligned_inputs() -> None:
    with pytest.raises(InputError, match=r"`hot_cells_mask` has 2 cells but `counts_now` 3"):
        pai(np.array([True, False]), np.array([1, 2, 3]), 1.0, 3.0)


# --- new / persistent / gone ------------------------------------------------------------------


def test_compare_hotspots_with_masks_and_min_periods() -> None:
    now = pd.Series([True, True, False, False, True], index=pd.Index([10, 11, 12, 13, 14]))
    refs = [
        np.array([True, False, True, False, False]),
        np.array([True, True, False, False, False]),
    ]
    assert compare_hotspots(now, refs).tolist() == [
        "kvarstående",
        "kvarstående",
        "försvunnen",
        "",
        "ny",
    ]
    strict = compare_hotspots(now, refs, min_periods=2)
    assert strict.tolist() == ["kvarstående", "ny", "", "", "ny"]
    assert strict.index.tolist() == [10, 11, 12, 13, 14]


def test_compare_hotspots_without_references_calls_every_hot_spot_new() -> None:
    assert compare_hotspots({3}, [], cells=[1, 2, 3]).tolist() == ["", "", "ny"]


@pytest.mark.parametrize(
    ("current", "references", "kwargs", "match"),
    [
        ({1}, [], {}, r"`cells`: not given, but `current` is a set of cell ids"),
        (
            np.array([True]),
            [np.array([True, False])],
            {},
            r"`references\[0\]`: a mask of 2 cells for 1",
        ),
        (np.array([True]), [], {"min_periods": 0}, r"`min_periods`: 0 is not a whole number ≥ 1"),
    ],
)
def test_compare_hotspots_rejects(
    current: object, references: list[object], kwargs: dict[str, int], match: str
) -> None:
    with pytest.raises(InputError, match=match):
        compare_hotspots(current, references, **kwargs)  # type: ignore[arg-type]

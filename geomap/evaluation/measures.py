"""Every before/after measure per site, from the counts of its target categories.

The formulas are in :mod:`geomap.stats.beforeafter`; this module applies them to all sites at
once (one array element per site) and adds the verdict. The WDD puts the control on the scale
of R and D by area (Wheeler's area weights): ``WDD = ΔR + ΔD − ΔC·(A_R + A_D)/A_C``, with one
control for both R and D.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geomap.stats.beforeafter import (
    MIN_CELL,
    effects,
    poisson_did,
    relative_effect_size,
    small_cells,
    wdd,
    wdq,
)

__all__ = ["VERDICTS", "site_measures"]

#: Verdict codes: fewer in R relative to C (RES interval above 1), more (below 1), no clear
#: change, or too few remarks (a cell below ``MIN_CELL``) for any verdict.
VERDICTS = ("decrease", "increase", "no_clear_change", "too_few")


def _cells(areas: gpd.GeoDataFrame, counts: pd.DataFrame) -> pd.DataFrame:
    target = counts[counts["category"] == "*"]
    wide = target.pivot_table(
        index="site", columns=["area", "period"], values="count", aggfunc="sum"
    )
    wide.columns = [f"{col[0]}{col[1][0]}" for col in wide.columns]  # Rb, Ra, Db, Da, Cb, Ca
    return wide.reindex(areas["site"]).reset_index().rename(columns=str.lower)


def _did(
    monthly: pd.DataFrame, site: str, level: float
) -> tuple[float, float, float, float, str, float]:
    rows = monthly[(monthly["site"] == site) & monthly["area"].isin(["R", "C"])]
    r = poisson_did(
        rows["count"], rows["area"].eq("R").astype(int), rows["after"].astype(int), level=level
    )
    return r.irr, r.low, r.high, r.p, r.model, r.dispersion


def site_measures(
    areas: gpd.GeoDataFrame, counts: pd.DataFrame, monthly: pd.DataFrame, *, level: float = 0.95
) -> pd.DataFrame:
    """Return one row per site with its counts and every measure.

    Parameters
    ----------
    areas : geopandas.GeoDataFrame
        Sites with R (geometry), ``ring`` and ``control`` polygons.
    counts : pandas.DataFrame
        From :func:`geomap.evaluation.evaluate` (category ``"*"``: all target categories).
    monthly : pandas.DataFrame
        Monthly counts of the target categories (``site``, ``area``, ``after``, ``count``).
    level : float, optional
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``site``, ``rb`` … ``ca``, ``gross``, ``net``, ``buffer_net``, ``total_net``,
        ``success``, ``buffer_measure``, ``wdq``, ``wdq_reading``, ``wdd_r``, ``wdd_r_se``,
        ``wdd_r_z``, ``wdd_r_low``, ``wdd_r_high``, ``wdd_d``, ``wdd_d_se``, ``wdd``, ``wdd_se``,
        ``wdd_z``, ``wdd_low``, ``wdd_high``, ``res``, ``res_low``, ``res_high``, ``res_p``,
        ``irr``, ``irr_low``, ``irr_high``, ``irr_p``, ``did_model``, ``dispersion``,
        ``small``, ``verdict``, and the areas ``area_r``, ``area_d``, ``area_c`` (m²).

    Examples
    --------
    >>> site_measures(ev.areas, ev.counts, ev.monthly)["verdict"].tolist()  # doctest: +SKIP
    ['decrease']
    """
    m = _cells(areas, counts)
    rb, ra, db, da, cb, ca = (
        m[c].to_numpy(dtype=float) for c in ("rb", "ra", "db", "da", "cb", "ca")
    )
    a_r, a_d, a_c = _area_sizes(areas)
    e, q = effects(rb, ra, db, da, cb, ca), wdq(rb, ra, db, da, cb, ca)
    w = wdd(
        (rb, ra),
        (cb, ca),
        displaced=(db, da),
        displaced_control=None,
        area_weights=(1, a_c / a_r, 1, a_c / a_d),
        level=level,
    )
    res = relative_effect_size(rb, ra, cb, ca, level=level)
    did = _did_frame(monthly, m["site"], level)
    small = np.asarray(small_cells(rb, ra, db, da, cb, ca, minimum=MIN_CELL), dtype=bool)
    verdict = _verdict(small, res.low, res.high)
    out = m.assign(
        gross=e.gross, net=e.net, buffer_net=e.buffer, total_net=e.total_net,
        success=q.success, buffer_measure=q.buffer, wdq=q.value, wdq_reading=q.reading,
        wdd_r=w.local, wdd_r_se=w.local_se, wdd_r_z=w.local_z, wdd_r_low=w.local_low, wdd_r_high=w.local_high,
        wdd_d=w.displacement, wdd_d_se=w.displacement_se,
        wdd=w.total, wdd_se=w.total_se, wdd_z=w.z, wdd_low=w.low, wdd_high=w.high,
        res=res.res, res_low=res.low, res_high=res.high, res_p=res.p,
        small=small, verdict=verdict, area_r=a_r, area_d=a_d, area_c=a_c,
    )  # fmt: skip
    return pd.concat([out, did], axis=1)


def _area_sizes(areas: gpd.GeoDataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the areas (m²) of R, D and C per site."""
    a_r = shapely.area(areas.geometry.to_numpy())
    a_d = shapely.area(areas["ring"].to_numpy())
    a_c = shapely.area(areas["control"].to_numpy())
    return a_r, a_d, a_c


def _did_frame(monthly: pd.DataFrame, sites: pd.Series, level: float) -> pd.DataFrame:
    """Return the difference-in-differences columns, one row per site."""
    return pd.DataFrame(
        [_did(monthly, s, level) for s in sites],
        columns=["irr", "irr_low", "irr_high", "irr_p", "did_model", "dispersion"],
    )


def _verdict(small: np.ndarray, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Return each site's verdict from the small-cell flags and the RES interval."""
    return np.select(
        [small, low > 1, high < 1], ["too_few", "decrease", "increase"], "no_clear_change"
    )

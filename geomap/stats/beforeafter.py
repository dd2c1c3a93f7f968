"""Before/after measures of a place-based intervention: counts in R (treatment), D (buffer), C (control).

Pure computations on counts; no files, no geography. The letters follow Bowers & Johnson (2003):
``R`` is the treatment area, ``D`` the displacement buffer around it, ``C`` the control area;
suffix ``b`` is the before window and ``a`` the after window (``rb`` = count in R before).
Every function takes numbers or equally shaped arrays (one value per site) and returns the same.

Measures and their sign conventions (each as published):

* :func:`effects`: gross effect ``Rb − Ra``, net effect ``Rb·Ca/Cb − Ra`` and total net effect
  ``(Rb·Ca/Cb − Ra) + (Db·Ca/Cb − Da)``; positive = fewer remarks than the control predicts.
* :func:`wdq`: the weighted displacement quotient ``(Da/Ca − Db/Cb) / (Ra/Ca − Rb/Cb)`` (Bowers &
  Johnson 2003); interpretable only when R improved relative to C (denominator < 0).
* :func:`wdd`: the weighted displacement difference ``(Ra − Rb) − (Ca − Cb) + (Da − Db) − (Cda − Cdb)``
  with Poisson variance (Wheeler & Ratcliffe 2018); negative = fewer.
* :func:`relative_effect_size`: ``RES = (Rb·Ca)/(Ra·Cb)`` with ``Var(ln RES) = 1/Rb + 1/Ra + 1/Cb + 1/Ca``
  (Welsh & Farrington, Campbell reviews); RES > 1 = fewer in R relative to C.
* :func:`poisson_did`: a difference-in-differences Poisson regression on monthly counts
  (negative binomial when over-dispersed), reported as an incident rate ratio; IRR < 1 = fewer.
* :func:`two_proportions`: the two-proportion z-test of a survey share before and after.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import stats

from geomap.errors import InputError

__all__ = [
    "DISPERSION_LIMIT",
    "MIN_CELL",
    "DiDResult",
    "Effects",
    "ProportionTest",
    "RESResult",
    "WDDResult",
    "WDQResult",
    "effects",
    "poisson_did",
    "relative_effect_size",
    "small_cells",
    "two_proportions",
    "wdd",
    "wdq",
    "wdq_reading",
]

#: A count below this in any cell gives a warning instead of a verdict.
MIN_CELL = 5
#: Pearson χ²/df above this makes :func:`poisson_did` fit a negative binomial model.
DISPERSION_LIMIT = 1.5

Number = Any  # a float or a numpy array of floats (one per site)


def _arr(value: npt.ArrayLike) -> np.ndarray:
    return np.asarray(value, dtype="float64")


def _out(value: np.ndarray) -> Number:
    """Return a 0-d result as a plain float, an array as it is."""
    return float(value) if np.ndim(value) == 0 else value


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den != 0, num / np.where(den != 0, den, 1.0), np.nan)


def _z_value(level: float) -> float:
    if not 0 < level < 1:
        msg = (
            f"`level`: {level!r} is not a confidence level; give a share between 0 and 1, e.g. 0.95"
        )
        raise InputError(msg)
    return float(stats.norm.ppf(0.5 + level / 2))


@dataclass(frozen=True)
class Effects:
    """Gross, net and total net effect (positive = fewer remarks than expected).

    Attributes
    ----------
    gross : float or numpy.ndarray
        ``Rb − Ra``.
    net : float or numpy.ndarray
        ``Rb·Ca/Cb − Ra``: what R would have had with the control's trend, minus what it had.
    buffer : float or numpy.ndarray
        ``Db·Ca/Cb − Da``, the same for the buffer D (negative = displacement into D).
    total_net : float or numpy.ndarray
        ``net + buffer`` (Bowers & Johnson 2003).
    """

    gross: Number
    net: Number
    buffer: Number
    total_net: Number


def effects(
    rb: npt.ArrayLike,
    ra: npt.ArrayLike,
    db: npt.ArrayLike,
    da: npt.ArrayLike,
    cb: npt.ArrayLike,
    ca: npt.ArrayLike,
) -> Effects:
    """Return gross, net and total net effect of an intervention (Bowers & Johnson 2003).

    Parameters
    ----------
    rb, ra, db, da, cb, ca : array_like
        Counts in R, D and C before (``b``) and after (``a``). ``Cb = 0`` makes the net effects NaN.

    Returns
    -------
    Effects
        Floats for numbers, arrays for arrays.

    Examples
    --------
    >>> e = effects(100, 60, 80, 70, 200, 190)
    >>> e.gross, e.net, e.buffer, e.total_net
    (40.0, 35.0, 6.0, 41.0)
    """
    rb_, ra_, db_, da_, cb_, ca_ = map(_arr, (rb, ra, db, da, cb, ca))
    trend = _ratio(ca_, cb_)
    net = rb_ * trend - ra_
    buffer = db_ * trend - da_
    return Effects(_out(rb_ - ra_), _out(net), _out(buffer), _out(net + buffer))


@dataclass(frozen=True)
class WDQResult:
    """The weighted displacement quotient and its parts.

    Attributes
    ----------
    success : float or numpy.ndarray
        ``Ra/Ca − Rb/Cb`` (negative = R improved relative to C).
    buffer : float or numpy.ndarray
        ``Da/Ca − Db/Cb`` (negative = D improved relative to C).
    value : float or numpy.ndarray
        ``buffer / success``; NaN when ``success`` is not negative (not interpretable).
    reading : str or numpy.ndarray
        A code from :func:`wdq_reading`.
    """

    success: Number
    buffer: Number
    value: Number
    reading: Any


#: Reading codes of the WDQ (Bowers & Johnson 2003, table 1).
WDQ_READINGS = (
    "diffusion_greater",  # WDQ > 1: diffusion of benefit larger than the direct effect
    "diffusion",  # 0 < WDQ ≤ 1: diffusion of benefit
    "none",  # WDQ = 0: neither displacement nor diffusion
    "displacement",  # −1 < WDQ < 0: displacement, smaller than the direct effect
    "displacement_greater",  # WDQ ≤ −1: displacement at least as large as the direct effect
    "not_interpretable",  # R did not improve relative to C (success measure ≥ 0)
    "undefined",  # a control count is zero
)


def wdq_reading(success: npt.ArrayLike, value: npt.ArrayLike) -> Any:
    """Return the reading code of a WDQ (Bowers & Johnson 2003, table 1).

    Parameters
    ----------
    success : array_like
        The success measure ``Ra/Ca − Rb/Cb``.
    value : array_like
        The quotient.

    Returns
    -------
    str or numpy.ndarray
        One of ``WDQ_READINGS`` per value.

    Examples
    --------
    >>> wdq_reading(-0.2, 0.5), wdq_reading(-0.2, -0.5), wdq_reading(0.1, float("nan"))
    ('diffusion', 'displacement', 'not_interpretable')
    """
    s, q = _arr(success), _arr(value)
    codes = np.select(
        [np.isnan(s), s >= 0, q > 1, q > 0, q == 0, q > -1],
        [
            "undefined",
            "not_interpretable",
            "diffusion_greater",
            "diffusion",
            "none",
            "displacement",
        ],
        default="displacement_greater",
    )
    return str(codes) if codes.ndim == 0 else codes


def wdq(
    rb: npt.ArrayLike,
    ra: npt.ArrayLike,
    db: npt.ArrayLike,
    da: npt.ArrayLike,
    cb: npt.ArrayLike,
    ca: npt.ArrayLike,
) -> WDQResult:
    """Return the weighted displacement quotient ``(Da/Ca − Db/Cb) / (Ra/Ca − Rb/Cb)``.

    Bowers & Johnson (2003): the denominator (success measure) is negative when R improved
    relative to C; only then is the quotient read. A positive WDQ means the buffer improved too
    (diffusion of benefit), a negative one that it worsened (displacement); below −1 the
    displacement outweighs the direct effect.

    Parameters
    ----------
    rb, ra, db, da, cb, ca : array_like
        Counts in R, D and C before (``b``) and after (``a``).

    Returns
    -------
    WDQResult
        Success measure, buffer measure, quotient (NaN when not interpretable) and reading.

    Examples
    --------
    >>> w = wdq(100, 60, 80, 70, 200, 190)
    >>> round(w.value, 6), w.reading
    (0.171429, 'diffusion')
    """
    rb_, ra_, db_, da_, cb_, ca_ = map(_arr, (rb, ra, db, da, cb, ca))
    success = _ratio(ra_, ca_) - _ratio(rb_, cb_)
    buffer = _ratio(da_, ca_) - _ratio(db_, cb_)
    value = np.where(success < 0, _ratio(buffer, np.where(success < 0, success, 1.0)), np.nan)
    return WDQResult(_out(success), _out(buffer), _out(value), wdq_reading(success, value))


@dataclass(frozen=True)
class WDDResult:
    """The weighted displacement difference (negative = fewer remarks), with Poisson inference.

    Attributes
    ----------
    local, local_se : float
        ``ΔR − ΔC`` and its standard error.
    displacement, displacement_se : float
        ``ΔD − ΔCd`` and its standard error.
    total, total_se : float
        ``local + displacement`` and its standard error.
    z : float
        ``total / total_se``.
    low, high : float
        Confidence interval of ``total`` at ``level``.
    local_z, local_low, local_high : float
        The same for ``local``.
    level : float
        Confidence level.
    """

    local: Number
    local_se: Number
    displacement: Number
    displacement_se: Number
    total: Number
    total_se: Number
    z: Number
    low: Number
    high: Number
    local_z: Number
    local_low: Number
    local_high: Number
    level: float


def wdd(
    treated: tuple[npt.ArrayLike, npt.ArrayLike],
    control: tuple[npt.ArrayLike, npt.ArrayLike],
    *,
    displaced: tuple[npt.ArrayLike, npt.ArrayLike] = (0, 0),
    displaced_control: tuple[npt.ArrayLike, npt.ArrayLike] | None = (0, 0),
    area_weights: tuple[Any, Any, Any, Any] = (1, 1, 1, 1),
    level: float = 0.95,
) -> WDDResult:
    """Return the weighted displacement difference test (Wheeler & Ratcliffe 2018).

    ``WDD = (Ra/wR − Rb/wR) − (Ca/wC − Cb/wC) + (Da/wD − Db/wD) − (Cda/wCd − Cdb/wCd)``, with
    the Poisson variance ``Var = Σ count / w²``. Area weights ``w`` (Wheeler's extension for areas
    of different size) put every area on the scale of the area with weight 1.

    Parameters
    ----------
    treated, control : tuple of array_like
        ``(before, after)`` counts in R and C.
    displaced : tuple of array_like, optional
        ``(before, after)`` counts in the buffer D; ``(0, 0)`` leaves displacement out.
    displaced_control : tuple of array_like or None, optional
        ``(before, after)`` counts in a control area for D. None uses ``control`` again (one
        control for both): its change is then subtracted twice, and its variance counted with
        the combined weight ``(1/wC + 1/wCd)²`` rather than as two independent areas.
    area_weights : tuple of 4 array_like, optional
        ``(wR, wC, wD, wCd)``, e.g. each area divided by the area of R.
    level : float, optional
        Confidence level of the intervals.

    Returns
    -------
    WDDResult
        Local, displacement and total estimates with standard errors, Z and intervals.

    Examples
    --------
    >>> r = wdd((207, 110), (308, 318), displaced=(178, 157), displaced_control=(150, 140))
    >>> r.total, r.total_se ** 2, round(r.z, 2)
    (-118.0, 1568.0, -2.98)
    """
    z = _z_value(level)
    w_r, w_c, w_d, w_cd = map(_arr, area_weights)
    (rb, ra), (cb, ca), (db, da) = (
        tuple(map(_arr, pair)) for pair in (treated, control, displaced)
    )
    local = (ra - rb) / w_r - (ca - cb) / w_c
    local_var = (ra + rb) / w_r**2 + (ca + cb) / w_c**2
    shift, disp_var, total_var = _wdd_displacement(
        (rb, ra), (cb, ca), (db, da), displaced_control, (w_r, w_c, w_d, w_cd), local_var
    )
    return _wdd_result(local, np.sqrt(local_var), shift, disp_var, np.sqrt(total_var), z, level)


def _wdd_displacement(
    treated: tuple[np.ndarray, np.ndarray],
    control: tuple[np.ndarray, np.ndarray],
    displaced: tuple[np.ndarray, np.ndarray],
    displaced_control: tuple[npt.ArrayLike, npt.ArrayLike] | None,
    weights: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    local_var: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the displacement estimate, its variance and the variance of the total WDD."""
    (rb, ra), (cb, ca), (db, da) = treated, control, displaced
    w_r, w_c, w_d, w_cd = weights
    if displaced_control is None:
        shift = (da - db) / w_d - (ca - cb) / w_cd
        disp_var = (da + db) / w_d**2
        total_var = (ra + rb) / w_r**2 + disp_var + (ca + cb) * (1 / w_c + 1 / w_cd) ** 2
        disp_var = disp_var + (ca + cb) / w_cd**2
    else:
        cdb, cda = map(_arr, displaced_control)
        shift = (da - db) / w_d - (cda - cdb) / w_cd
        disp_var = (da + db) / w_d**2 + (cda + cdb) / w_cd**2
        total_var = local_var + disp_var
    return shift, disp_var, total_var


def _wdd_result(
    local: np.ndarray,
    local_se: np.ndarray,
    shift: np.ndarray,
    disp_var: np.ndarray,
    se: np.ndarray,
    z: float,
    level: float,
) -> WDDResult:
    """Return the WDD estimates with standard errors, Z values and intervals."""
    total = local + shift
    return WDDResult(
        local=_out(local),
        local_se=_out(local_se),
        displacement=_out(shift),
        displacement_se=_out(np.sqrt(disp_var)),
        total=_out(total),
        total_se=_out(se),
        z=_out(_ratio(total, se)),
        low=_out(total - z * se),
        high=_out(total + z * se),
        local_z=_out(_ratio(local, local_se)),
        local_low=_out(local - z * local_se),
        local_high=_out(local + z * local_se),
        level=level,
    )


@dataclass(frozen=True)
class RESResult:
    """The relative effect size with its interval (RES > 1 = fewer remarks in R relative to C).

    Attributes
    ----------
    res : float or numpy.ndarray
        ``(Rb·Ca)/(Ra·Cb)``; NaN when a count is zero.
    log_se : float or numpy.ndarray
        ``sqrt(1/Rb + 1/Ra + 1/Cb + 1/Ca)``.
    low, high : float or numpy.ndarray
        ``exp(ln RES ∓ z·log_se)``.
    z, p : float or numpy.ndarray
        ``ln RES / log_se`` and its two-sided p-value.
    level : float
        Confidence level.
    """

    res: Number
    log_se: Number
    low: Number
    high: Number
    z: Number
    p: Number
    level: float


def relative_effect_size(
    rb: npt.ArrayLike,
    ra: npt.ArrayLike,
    cb: npt.ArrayLike,
    ca: npt.ArrayLike,
    *,
    level: float = 0.95,
) -> RESResult:
    """Return the relative effect size ``RES = (Rb·Ca)/(Ra·Cb)`` with its confidence interval.

    The odds-ratio measure of the Campbell reviews of CCTV and street lighting (Welsh &
    Farrington); ``Var(ln RES) = 1/Rb + 1/Ra + 1/Cb + 1/Ca``. Any zero count makes it NaN.

    Parameters
    ----------
    rb, ra, cb, ca : array_like
        Counts in R and C before (``b``) and after (``a``).
    level : float, optional
        Confidence level.

    Returns
    -------
    RESResult
        RES, standard error of its logarithm, interval, Z and p.

    Examples
    --------
    >>> r = relative_effect_size(100, 60, 200, 190)
    >>> round(r.res, 4), round(r.low, 4), round(r.high, 4)
    (1.5833, 1.0864, 2.3075)
    """
    z = _z_value(level)
    rb_, ra_, cb_, ca_ = map(_arr, (rb, ra, cb, ca))
    valid = (rb_ > 0) & (ra_ > 0) & (cb_ > 0) & (ca_ > 0)
    safe = [np.where(valid, v, 1.0) for v in (rb_, ra_, cb_, ca_)]
    log_res = np.where(valid, np.log(safe[0] * safe[3] / (safe[1] * safe[2])), np.nan)
    log_se = np.where(valid, np.sqrt(sum(1 / v for v in safe)), np.nan)
    zed = log_res / log_se
    return RESResult(
        res=_out(np.exp(log_res)),
        log_se=_out(log_se),
        low=_out(np.exp(log_res - z * log_se)),
        high=_out(np.exp(log_res + z * log_se)),
        z=_out(zed),
        p=_out(2 * stats.norm.sf(np.abs(zed))),
        level=level,
    )


def small_cells(*counts: npt.ArrayLike, minimum: int = MIN_CELL) -> Any:
    """Tell where any of the counts is below ``minimum`` (too few to give a verdict).

    Examples
    --------
    >>> small_cells(10, 4, 20, 30), small_cells(10, 5, 20, 30)
    (True, False)
    """
    low = np.zeros(np.broadcast(*map(_arr, counts)).shape, dtype=bool)
    for value in counts:
        low = low | (_arr(value) < minimum)
    return bool(low) if low.ndim == 0 else low


@dataclass(frozen=True)
class DiDResult:
    """Incident rate ratio of a difference-in-differences count model (IRR < 1 = fewer in R).

    Attributes
    ----------
    irr, low, high, p : float
        ``exp(β)`` of the treated × after term, its interval and two-sided p-value (NaN when the
        model cannot be fitted, e.g. a group with no remarks at all).
    model : str
        ``"poisson"`` or ``"negbin"`` (negative binomial, NB2).
    dispersion : float
        Pearson χ²/df of the Poisson fit; above ``DISPERSION_LIMIT`` the negative binomial is used.
    alpha : float
        The negative binomial's over-dispersion parameter (0 for Poisson).
    months : int
        Number of monthly observations used.
    level : float
        Confidence level.
    """

    irr: float
    low: float
    high: float
    p: float
    model: str
    dispersion: float
    alpha: float
    months: int
    level: float


def _design(treated: np.ndarray, after: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones_like(treated), treated, after, treated * after])


def poisson_did(
    counts: npt.ArrayLike,
    treated: npt.ArrayLike,
    after: npt.ArrayLike,
    *,
    level: float = 0.95,
    dispersion_limit: float = DISPERSION_LIMIT,
) -> DiDResult:
    """Fit ``log E[y] = β0 + β1·treated + β2·after + β3·treated·after`` to monthly counts.

    Poisson GLM first; when its Pearson χ²/df exceeds ``dispersion_limit`` (the counts vary
    more between months than a Poisson model allows) a negative binomial (NB2) model with the
    same terms is fitted by maximum likelihood instead. ``exp(β3)`` is the incident rate ratio.

    Parameters
    ----------
    counts : array_like
        One count per area and month.
    treated, after : array_like
        1 for the treatment area (0 for the control), 1 for a month after the installation.
    level : float, optional
        Confidence level.
    dispersion_limit : float, optional
        Pearson χ²/df above which the negative binomial model is used.

    Returns
    -------
    DiDResult
        IRR with interval and p-value, the model used and the dispersion.

    Examples
    --------
    >>> y = [10, 12, 11, 9, 5, 6, 4, 5, 20, 22, 21, 19, 20, 21, 22, 19]
    >>> t = [1] * 8 + [0] * 8
    >>> a = [0, 0, 0, 0, 1, 1, 1, 1] * 2
    >>> r = poisson_did(y, t, a)
    >>> r.model, round(r.irr, 3)
    ('poisson', 0.476)
    """
    z = _z_value(level)
    y, t, a = _arr(counts), _arr(treated), _arr(after)
    months = len(y)
    groups = pd.DataFrame({"y": y, "t": t, "a": a}).groupby(["t", "a"])["y"].sum()
    if len(groups) < 4 or (groups <= 0).any():
        return DiDResult(
            math.nan, math.nan, math.nan, math.nan, "poisson", math.nan, 0.0, months, level
        )
    return _fit_did(y, _design(t, a), dispersion_limit=dispersion_limit, z=z, level=level)


def _fit_did(
    y: np.ndarray, exog: np.ndarray, *, dispersion_limit: float, z: float, level: float
) -> DiDResult:
    """Fit the Poisson GLM, or the NB2 model when overdispersed, and return the IRR."""
    import statsmodels.api as sm
    from statsmodels.discrete.discrete_model import NegativeBinomial

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = sm.GLM(y, exog, family=sm.families.Poisson()).fit()
        dispersion = float(fit.pearson_chi2 / fit.df_resid) if fit.df_resid > 0 else math.nan
        model, alpha = "poisson", 0.0
        beta, se, p = float(fit.params[3]), float(fit.bse[3]), float(fit.pvalues[3])
        if dispersion > dispersion_limit:
            nb = NegativeBinomial(y, exog, loglike_method="nb2").fit(disp=0, maxiter=200)
            model, alpha = "negbin", float(nb.params[-1])
            beta, se, p = float(nb.params[3]), float(nb.bse[3]), float(nb.pvalues[3])
    return DiDResult(
        irr=math.exp(beta),
        low=math.exp(beta - z * se),
        high=math.exp(beta + z * se),
        p=p,
        model=model,
        dispersion=dispersion,
        alpha=alpha,
        months=len(y),
        level=level,
    )


@dataclass(frozen=True)
class ProportionTest:
    """Two-proportion z-test of a survey share (after minus before).

    Attributes
    ----------
    before, after : float
        The shares (0–1).
    difference : float
        ``after − before``.
    z, p : float
        The test statistic (pooled standard error) and its two-sided p-value.
    """

    before: float
    after: float
    difference: float
    z: float
    p: float


def two_proportions(
    share_before: float, n_before: int, share_after: float, n_after: int
) -> ProportionTest:
    """Test whether a share (e.g. residents feeling safe) differs after from before.

    Uses ``statsmodels.stats.proportion.proportions_ztest`` with the pooled standard error; the
    counts are ``round(share · n)``.

    Parameters
    ----------
    share_before, share_after : float
        Shares between 0 and 1.
    n_before, n_after : int
        Number of answers (> 0).

    Returns
    -------
    ProportionTest
        Shares, difference, z and p.

    Raises
    ------
    InputError
        If a share is outside 0–1 or an ``n`` is not positive.

    Examples
    --------
    >>> t = two_proportions(0.60, 200, 0.70, 200)
    >>> round(t.z, 4), round(t.p, 4)
    (2.0966, 0.036)
    """
    from statsmodels.stats.proportion import proportions_ztest

    for name, share, n in (
        ("share_before", share_before, n_before),
        ("share_after", share_after, n_after),
    ):
        if not 0 <= share <= 1 or not n > 0:
            msg = f"`{name}`: share {share!r} of n = {n!r} answers; give a share between 0 and 1 and n > 0"
            raise InputError(msg)
    hits = np.array([round(share_after * n_after), round(share_before * n_before)])
    total = np.array([n_after, n_before])
    if hits.sum() in (0, total.sum()):
        return ProportionTest(share_before, share_after, share_after - share_before, 0.0, 1.0)
    z, p = proportions_ztest(hits, total)
    return ProportionTest(share_before, share_after, share_after - share_before, float(z), float(p))

"""Before/after measures against hand-computed values and the worked examples of the method papers.

Where each expected number comes from is said at each test. Bowers & Johnson (2003) give their
formulas but no worked example we could find in the stored literature, so their measures are
checked on small tables computed by hand here (the fractions are written out).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geomap.errors import InputError
from geomap.stats.beforeafter import (
    effects,
    poisson_did,
    relative_effect_size,
    small_cells,
    two_proportions,
    wdd,
    wdq,
    wdq_reading,
)

# A small table used throughout (computed by hand):
# R: 100 before, 60 after; D: 80 before, 70 after; C: 200 before, 190 after.
RB, RA, DB, DA, CB, CA = 100, 60, 80, 70, 200, 190


def test_effects_by_hand():
    # gross = Rb − Ra = 40; control trend Ca/Cb = 190/200 = 0.95;
    # net = 100·0.95 − 60 = 35; buffer = 80·0.95 − 70 = 6; total net = 41.
    e = effects(RB, RA, DB, DA, CB, CA)
    assert (e.gross, e.net, e.buffer, e.total_net) == pytest.approx((40, 35, 6, 41))


def test_effects_vectorised_and_zero_control():
    e = effects([RB, 10], [RA, 5], [DB, 1], [DA, 1], [CB, 0], [CA, 3])
    assert e.net[0] == pytest.approx(35)
    assert math.isnan(e.net[1])  # Cb = 0: no control trend


def test_wdq_diffusion_by_hand():
    # success = Ra/Ca − Rb/Cb = 60/190 − 100/200 = (12000 − 19000)/38000 = −7000/38000
    # buffer  = Da/Ca − Db/Cb = 70/190 − 80/200 = (14000 − 15200)/38000 = −1200/38000
    # WDQ = 1200/7000 = 6/35 > 0: diffusion of benefit
    w = wdq(RB, RA, DB, DA, CB, CA)
    assert w.success == pytest.approx(-7000 / 38000)
    assert w.buffer == pytest.approx(-1200 / 38000)
    assert w.value == pytest.approx(6 / 35)
    assert w.reading == "diffusion"


def test_wdq_displacement_by_hand():
    # Da = 95: buffer = (95·200 − 80·190)/38000 = 3800/38000; WDQ = 3800/−7000 = −19/35
    w = wdq(RB, RA, DB, 95, CB, CA)
    assert w.value == pytest.approx(-19 / 35)
    assert w.reading == "displacement"
    # total net effect = 35 + (80·0.95 − 95) = 16: displacement ate part of the effect
    assert effects(RB, RA, DB, 95, CB, CA).total_net == pytest.approx(16)


@pytest.mark.parametrize(
    ("da", "reading", "value"),
    [
        # Da = 120: buffer = (24000 − 15200)/38000 = 8800/38000; WDQ = −8800/7000 = −44/35 ≤ −1
        (120, "displacement_greater", -44 / 35),
        # Da = 76: buffer = (15200 − 15200)/38000 = 0: neither displacement nor diffusion
        (76, "none", 0.0),
        # Da = 30: buffer = (6000 − 15200)/38000 = −9200/38000; WDQ = 9200/7000 = 46/35 > 1
        (30, "diffusion_greater", 46 / 35),
    ],
)
def test_wdq_sign_conventions(da, reading, value):
    w = wdq(RB, RA, DB, da, CB, CA)
    assert w.reading == reading
    assert w.value == pytest.approx(value)


def test_wdq_not_interpretable_when_r_did_not_improve():
    # Ra = Rb = 100 while C fell 200 → 190: success = 100/190 − 100/200 > 0
    w = wdq(100, 100, DB, DA, CB, CA)
    assert w.success > 0
    assert math.isnan(w.value)
    assert w.reading == "not_interpretable"


def test_wdq_undefined_with_zero_control():
    assert wdq(10, 5, 5, 5, 0, 4).reading == "undefined"


def test_wdq_reading_vectorised():
    codes = wdq_reading(np.array([-0.1, -0.1, 0.2]), np.array([0.5, -2.0, np.nan]))
    assert codes.tolist() == ["diffusion", "displacement_greater", "not_interpretable"]


def test_wdd_paper_example():
    # Wheeler & Ratcliffe (2018), worked example with displacement areas: control 308 → 318,
    # treated 207 → 110, displacement control 150 → 140, displacement 178 → 157; the paper gives
    # WDD = −118, variance 1568, Z = −2.98 and the 95 % interval −196 to −40 (as reproduced in
    # the ptools test "Est & Variance Paper", tests/testthat/test-wdd.R).
    r = wdd((207, 110), (308, 318), displaced=(178, 157), displaced_control=(150, 140))
    assert r.total == -118
    assert r.total_se == pytest.approx(math.sqrt(1568))
    assert round(r.z, 2) == -2.98
    assert (round(r.low), round(r.high)) == (-196, -40)
    # local part by hand: (110 − 207) − (318 − 308) = −107; displacement: −21 − (−10) = −11
    assert (r.local, r.displacement) == (-107, -11)


def test_wdd_area_weights_example():
    # Wheeler's extension to areas of different size (blog post 2021-02-23, ptools test
    # "Area Weights"): weights control 0.9, treated 1.2, displacement control 1.6, displacement 1.5.
    r = wdd(
        (207, 110),
        (308, 318),
        displaced=(178, 157),
        displaced_control=(150, 140),
        area_weights=(1.2, 0.9, 1.5, 1.6),
    )
    assert r.total == pytest.approx(-99.69444444)
    assert r.total_se == pytest.approx(35.4280755)
    assert r.z == pytest.approx(-2.813995483)
    assert (r.low, r.high) == pytest.approx((-169.1321965, -30.25669241))


def test_wdd_readme_example_90_percent():
    # ptools README: wdd(c(20,20), c(20,10)) → local −10 (SE 8.4), Z −1.195229, 90 % −23.76 … 3.76
    r = wdd((20, 10), (20, 20), level=0.90)
    assert r.local == -10
    assert r.local_se == pytest.approx(8.366600)
    assert r.z == pytest.approx(-1.195229)
    assert (r.low, r.high) == pytest.approx((-23.761833, 3.761833))


def test_wdd_shared_control_counts_its_variance_once_with_both_weights():
    # By hand: ΔR = −10, ΔD = +5, ΔC = 0 → total −5; the same C is subtracted twice, so
    # Var = (20 + 10) + (10 + 15) + (20 + 20)·(1 + 1)² = 30 + 25 + 160 = 215.
    r = wdd((20, 10), (20, 20), displaced=(10, 15), displaced_control=None)
    assert r.total == -5
    assert r.total_se**2 == pytest.approx(215)
    assert r.local_se**2 == pytest.approx(70)


def test_res_by_hand():
    # RES = (Rb·Ca)/(Ra·Cb) = (100·190)/(60·200) = 19/12 = 1.58333;
    # Var(ln RES) = 1/100 + 1/60 + 1/200 + 1/190 = 0.0369298; SE = 0.192171;
    # 95 %: exp(ln(19/12) ∓ 1.959964·0.192171) = 1.0864 … 2.3075
    r = relative_effect_size(RB, RA, CB, CA)
    assert r.res == pytest.approx(19 / 12)
    assert r.log_se**2 == pytest.approx(1 / 100 + 1 / 60 + 1 / 200 + 1 / 190)
    assert (r.low, r.high) == pytest.approx((1.0864, 2.3075), abs=1e-4)
    assert r.p < 0.05  # the interval excludes 1


def test_res_interval_is_symmetric_on_the_log_scale():
    r = relative_effect_size(30, 20, 40, 45)
    assert math.log(r.high) - math.log(r.res) == pytest.approx(math.log(r.res) - math.log(r.low))


def test_res_zero_count_is_nan():
    r = relative_effect_size(10, 0, 20, 20)
    assert math.isnan(r.res) and math.isnan(r.low)


@given(st.lists(st.integers(1, 500), min_size=4, max_size=4))
def test_res_swapping_before_and_after_inverts_it(counts):
    rb, ra, cb, ca = counts
    forward = relative_effect_size(rb, ra, cb, ca)
    backward = relative_effect_size(ra, rb, ca, cb)
    assert forward.res * backward.res == pytest.approx(1)
    assert forward.log_se == pytest.approx(backward.log_se)


@given(st.lists(st.integers(0, 500), min_size=8, max_size=8))
def test_wdd_variance_is_the_sum_of_counts(counts):
    rb, ra, cb, ca, db, da, cdb, cda = counts
    r = wdd((rb, ra), (cb, ca), displaced=(db, da), displaced_control=(cdb, cda))
    assert r.total_se**2 == pytest.approx(sum(counts))
    assert r.total == (ra - rb) - (ca - cb) + (da - db) - (cda - cdb)


def test_level_must_be_a_share():
    with pytest.raises(InputError, match="`level`: 95 is not a confidence level"):
        relative_effect_size(1, 2, 3, 4, level=95)


def test_small_cells():
    assert small_cells(10, 4, 20, 30)
    assert not small_cells(5, 5, 5, 5)
    assert small_cells([10, 10], [10, 3]).tolist() == [False, True]


def _monthly(rng, months, r_rate, c_rate, effect, *, shape=None):
    """Monthly counts for R and C, the last half after the installation (effect on R only)."""
    after = np.r_[np.zeros(months // 2), np.ones(months // 2)]
    mean_r = r_rate * np.where(after == 1, effect, 1.0)
    mean_c = np.full(months, c_rate)
    means = np.r_[mean_r, mean_c]
    if shape is not None:  # gamma-Poisson mixture: over-dispersed counts
        means = rng.gamma(shape, means / shape)
    y = rng.poisson(means)
    return y, np.r_[np.ones(months), np.zeros(months)], np.r_[after, after]


def test_did_poisson_irr_equals_one_over_res():
    # Saturated Poisson model with equal windows: the MLE of exp(β3) is (Ra/Rb)/(Ca/Cb) = 1/RES.
    y = [10, 12, 11, 9, 5, 6, 4, 5, 20, 22, 21, 19, 20, 21, 22, 19]
    t = [1] * 8 + [0] * 8
    a = [0, 0, 0, 0, 1, 1, 1, 1] * 2
    r = poisson_did(y, t, a)
    # Rb = 42, Ra = 20, Cb = 82, Ca = 82 → IRR = (20/42)/(82/82) = 0.47619
    assert r.model == "poisson"
    assert r.irr == pytest.approx(20 / 42, rel=1e-6)
    assert r.irr == pytest.approx(1 / relative_effect_size(42, 20, 82, 82).res, rel=1e-6)


def test_did_finds_a_known_effect():
    # Synthetic monthly counts (seed 12): R 20 a month, C 40 a month, 24 months before and
    # after, the after-months of R multiplied by 0.6. The 95 % interval covers 0.6 and excludes 1.
    y, t, a = _monthly(np.random.default_rng(12), 48, 20, 40, 0.6)
    r = poisson_did(y, t, a)
    assert r.model == "poisson"
    assert r.low < 0.6 < r.high < 1
    assert r.p < 0.001


def test_did_uses_negative_binomial_when_over_dispersed():
    # Gamma-Poisson counts (shape 2: variance ≈ mean + mean²/2) are over-dispersed: Pearson
    # χ²/df ≫ 1.5, so the negative binomial model is used; its interval covers the true 0.5 and
    # is wider than the (falsely precise) Poisson interval on the same counts.
    y, t, a = _monthly(np.random.default_rng(7), 48, 30, 30, 0.5, shape=2.0)
    r = poisson_did(y, t, a)
    assert r.dispersion > 1.5
    assert r.model == "negbin"
    assert r.alpha > 0
    assert r.low < 0.5 < r.high
    naive = poisson_did(y, t, a, dispersion_limit=math.inf)
    assert naive.model == "poisson"
    assert r.high / r.low > naive.high / naive.low


def test_did_without_remarks_in_a_group_is_nan():
    # R has no remarks at all after the installation: the model has no finite estimate
    r = poisson_did([3, 4, 0, 0, 5, 6, 7, 8], [1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 1, 1] * 2)
    assert math.isnan(r.irr)


def test_two_proportions_by_hand():
    # 60 % of 200 before (120), 70 % of 200 after (140): pooled share 260/400 = 0.65;
    # SE = sqrt(0.65·0.35·(1/200 + 1/200)) = 0.047697; z = 0.10/0.047697 = 2.0966; p = 0.0360.
    t = two_proportions(0.60, 200, 0.70, 200)
    assert t.difference == pytest.approx(0.10)
    assert t.z == pytest.approx(2.0966, abs=1e-4)
    assert t.p == pytest.approx(0.0360, abs=1e-4)


@pytest.mark.parametrize(
    ("args", "match"),
    [
        ((1.2, 100, 0.5, 100), "`share_before`: share 1.2 of n = 100"),
        ((0.5, 100, 0.5, 0), "`share_after`: share 0.5 of n = 0"),
    ],
)
def test_two_proportions_refuses_bad_input(args, match):
    with pytest.raises(InputError, match=match):
        two_proportions(*args)

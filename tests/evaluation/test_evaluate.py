"""`geomap.evaluation.evaluate` on synthetic remarks with known effects (fixed seeds)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geomap.errors import InputError
from geomap.evaluation import evaluate
from geomap.evaluation.controls import REST_NAME

from .conftest import CENTRE, CONTROL, CRS, monthly_remarks, site_frame


def _row(ev, site="A"):
    return ev.measures.set_index("site").loc[site]


def _count(ev, site, area, period, category="*"):
    c = ev.counts
    sel = (
        (c["site"] == site)
        & (c["area"] == area)
        & (c["period"] == period)
        & (c["category"] == category)
    )
    return int(c.loc[sel, "count"].sum())


def test_counts_agree_with_distances_computed_independently(one_site, control_frame):
    remarks = monthly_remarks(seed=3)
    ev = evaluate(one_site, remarks, control=control_frame)
    # independent count: distance to the site, local month, windows 2020-06…2021-05 and 2021-07…2022-06
    d = np.hypot(remarks.geometry.x - CENTRE[0], remarks.geometry.y - CENTRE[1])
    month = pd.to_datetime(remarks["timestamp"]).dt.to_period("M")
    before = (month >= pd.Period("2020-06")) & (month <= pd.Period("2021-05"))
    after = (month >= pd.Period("2021-07")) & (month <= pd.Period("2022-06"))
    in_c = shapely.contains_xy(CONTROL, remarks.geometry.x, remarks.geometry.y)
    for area, mask in (("R", d <= 100), ("D", (d > 100) & (d <= 300)), ("C", in_c)):
        assert _count(ev, "A", area, "before") == int((mask & before).sum())
        assert _count(ev, "A", area, "after") == int((mask & after).sum())


def test_install_month_is_left_out(one_site, control_frame):
    remarks = monthly_remarks(seed=3)
    june = pd.to_datetime(remarks["timestamp"]).dt.to_period("M") == pd.Period("2021-06")
    ev = evaluate(one_site, remarks, control=control_frame)
    monthly = ev.monthly[ev.monthly["site"] == "A"]
    assert pd.Timestamp("2021-06-01") not in set(monthly["month"])
    assert len(monthly) == 3 * 24  # R, D, C × 12 + 12 months
    total = ev.counts.query("category == '*'")["count"].sum()
    ev_without = evaluate(one_site, remarks[~june], control=control_frame)
    assert ev_without.counts.query("category == '*'")["count"].sum() == total


def test_planted_drop_is_found(one_site, control_frame):
    ev = evaluate(one_site, monthly_remarks(seed=4, r_effect=0.5), control=control_frame)
    m = _row(ev)
    assert m["res_low"] > 1
    assert m["verdict"] == "decrease"
    assert m["irr_high"] < 1
    assert m["wdd_r_high"] < 0  # WDD: negative = fewer


def test_displacement_gives_negative_wdq(one_site, control_frame):
    ev = evaluate(
        one_site, monthly_remarks(seed=5, r_effect=0.5, d_effect=1.6), control=control_frame
    )
    m = _row(ev)
    assert m["wdq"] < 0
    assert m["wdq_reading"] in {"displacement", "displacement_greater"}
    assert m["buffer_net"] < 0


def test_no_effect_gives_no_verdict_of_change(one_site, control_frame):
    ev = evaluate(one_site, monthly_remarks(seed=6), control=control_frame)
    m = _row(ev)
    assert m["res_low"] < 1 < m["res_high"]
    assert m["verdict"] == "no_clear_change"


def test_small_cells_give_a_warning_not_a_verdict(one_site, control_frame):
    ev = evaluate(
        one_site, monthly_remarks(seed=7, r_rate=0.3, r_effect=0.2), control=control_frame
    )
    m = _row(ev)
    assert m["small"]
    assert m["verdict"] == "too_few"


def test_remarks_without_time_are_left_out_and_counted(one_site, control_frame):
    remarks = monthly_remarks(seed=3)
    blank = remarks.iloc[:7].assign(timestamp=None)
    ev = evaluate(one_site, pd.concat([remarks, blank], ignore_index=True), control=control_frame)
    assert ev.without_time == 7


def test_target_categories_only(control_frame):
    sites = site_frame(("A", "2021-06-15", CENTRE, "klotter"))
    remarks = pd.concat(
        [
            monthly_remarks(seed=8, category="klotter", r_effect=0.4),
            monthly_remarks(seed=9, category="samling"),
        ],
        ignore_index=True,
    )
    ev = evaluate(sites, remarks, control=control_frame)
    assert _count(ev, "A", "R", "before") == _count(ev, "A", "R", "before", "klotter")
    assert _count(ev, "A", "R", "before", "**") > _count(ev, "A", "R", "before")
    assert _row(ev)["verdict"] == "decrease"


def test_polygon_site_keeps_its_polygon(control_frame):
    square = shapely.box(CENTRE[0] - 50, CENTRE[1] - 50, CENTRE[0] + 50, CENTRE[1] + 50)
    ev = evaluate(
        site_frame(("P", "2021-06-15", square, "")), monthly_remarks(seed=3), control=control_frame
    )
    assert ev.areas.geometry.iloc[0].area == pytest.approx(10_000)


def test_automatic_control_is_a_district_outside_every_site(one_site):
    ev = evaluate(one_site, monthly_remarks(seed=10))
    a = ev.areas.iloc[0]
    assert a["control_method"] in {"correlation", "largest"}
    assert not a["control"].intersects(a["outer"])
    assert a["control_name"]
    # it had at least as many remarks before as R and D together
    assert _count(ev, "A", "C", "before") >= _count(ev, "A", "R", "before") + _count(
        ev, "A", "D", "before"
    )


def test_rest_of_municipality_is_a_candidate():
    assert "Övriga kommunen" in REST_NAME


# --- overlapping sites ----------------------------------------------------------------------


def _two_sites():
    return site_frame(
        ("A", "2021-06-15", CENTRE, ""), ("B", "2021-08-20", CENTRE + np.array([250.0, 0.0]), "")
    )


def test_overlapping_sites_are_refused_by_default(control_frame):
    with pytest.raises(
        InputError,
        match=r"sites A \(Plats A\) and B \(Plats B\): their areas R∪D .* overlap by .* m².*`overlap` to 'merge'",
    ):
        evaluate(_two_sites(), monthly_remarks(seed=3), control=control_frame)


def test_overlapping_sites_merged_are_counted_once(control_frame):
    remarks = monthly_remarks(seed=3)
    ev = evaluate(_two_sites(), remarks, control=control_frame, overlap="merge")
    assert ev.areas["site"].tolist() == ["A + B"]
    # windows: before ends before the first install (June), after starts after the last (August)
    a = ev.areas.iloc[0]
    assert (a["installed_first"], a["installed_last"]) == (
        pd.Timestamp("2021-06-15"),
        pd.Timestamp("2021-08-20"),
    )
    x, y = remarks.geometry.x, remarks.geometry.y
    d_a = np.hypot(x - CENTRE[0], y - CENTRE[1])
    d_b = np.hypot(x - CENTRE[0] - 250, y - CENTRE[1])
    month = pd.to_datetime(remarks["timestamp"]).dt.to_period("M")
    after = (month >= pd.Period("2021-09")) & (month <= pd.Period("2022-08"))
    in_r = (d_a <= 100) | (d_b <= 100)
    in_d = ~in_r & ((d_a <= 300) | (d_b <= 300))
    assert _count(ev, "A + B", "R", "after") == int((in_r & after).sum())
    assert _count(ev, "A + B", "D", "after") == int((in_d & after).sum())


# --- edge cases: each a clear message ---------------------------------------------------------


def test_site_outside_the_remarks(control_frame):
    far = site_frame(("Z", "2021-06-15", CENTRE + np.array([40_000.0, 0.0]), ""))
    with pytest.raises(
        InputError, match=r"site Z \(Plats Z\) at x 191000, y 6568000 .* lies outside the remarks"
    ):
        evaluate(far, monthly_remarks(seed=3), control=control_frame)


def test_site_without_after_data_yet(control_frame):
    late = site_frame(("L", "2022-06-10", CENTRE, ""))
    with pytest.raises(
        InputError, match=r"site L .*no complete after window yet.*shorten `after` to 6 months"
    ):
        evaluate(late, monthly_remarks(seed=3), control=control_frame)


def test_site_before_the_data(control_frame):
    early = site_frame(("E", "2020-05-10", CENTRE, ""))
    with pytest.raises(
        InputError,
        match=r"site E .*the before window starts 1 maj 2019.*shorten `before` to 4 months",
    ):
        evaluate(early, monthly_remarks(seed=3), control=control_frame)


def test_zero_counts_in_r(one_site, control_frame):
    remarks = monthly_remarks(seed=3)
    d = np.hypot(remarks.geometry.x - CENTRE[0], remarks.geometry.y - CENTRE[1])
    with pytest.raises(
        InputError,
        match=r"site A: no remarks in R in the before or the after window.*larger `radius`",
    ):
        evaluate(one_site, remarks[d > 100], control=control_frame)


def test_zero_counts_in_control(one_site):
    empty = gpd.GeoDataFrame(
        {"namn": ["Tomt"]}, geometry=[shapely.box(150_000, 6_560_000, 150_500, 6_560_500)], crs=CRS
    )
    with pytest.raises(
        InputError,
        match=r"site A: the control area Tomt has no remarks in the before window; pass `control`",
    ):
        evaluate(one_site, monthly_remarks(seed=3), control=empty)


def test_control_overlapping_a_site_is_refused(one_site):
    bad = gpd.GeoDataFrame(
        {"namn": ["Nära"]}, geometry=[shapely.Point(*CENTRE).buffer(500)], crs=CRS
    )
    with pytest.raises(InputError, match=r"the control area of site A overlaps the R∪D of site A"):
        evaluate(one_site, monthly_remarks(seed=3), control=bad)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"radius": 0}, r"`radius`: 0 m is not a distance"),
        ({"buffer": -5}, r"`buffer`: -5 m is not a distance"),
        ({"before": 0}, r"`before`: 0 is not a number of months"),
        ({"overlap": "skip"}, r"`overlap`: 'skip' is not known; use one of error, merge"),
        ({"level": 1.5}, r"`level`: 1.5 is not a confidence level"),
    ],
)
def test_bad_arguments(one_site, control_frame, kwargs, match):
    with pytest.raises(InputError, match=match):
        evaluate(one_site, monthly_remarks(seed=3), control=control_frame, **kwargs)


def test_remarks_without_needed_columns(one_site, control_frame):
    remarks = monthly_remarks(seed=3).drop(columns=["category"])
    with pytest.raises(InputError, match=r"`remarks`: the remarks lack column\(s\) category"):
        evaluate(one_site, remarks, control=control_frame)

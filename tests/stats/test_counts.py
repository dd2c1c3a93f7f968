"""Poisson flags and period comparisons (geomap.stats.counts)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.core.periods import date_range, iso_week, month, tertial, years
from geomap.errors import InputError
from geomap.stats.counts import FLAG_HIGH, FLAG_LOW, period_comparison, poisson_flags

# --- Poisson flags, computed by hand ---------------------------------------------------------


def _poisson_cdf(k: int, mu: float) -> float:
    return sum(math.exp(-mu) * mu**i / math.factorial(i) for i in range(k + 1))


def test_poisson_flag_high_by_hand() -> None:
    # Reference weeks 1, 2, 3 → expected μ = 2. Observed k = 6.
    # P(X ≥ 6) = 1 − e^−2 (1 + 2 + 2 + 4/3 + 2/3 + 4/15) = 1 − 0.135335 · 7.266667 = 0.016564
    # P(X ≤ 6) = 0.995466, so p = min(1, 2 · 0.016564) = 0.033128 ≤ 0.05: "ovanligt högt".
    flags = poisson_flags(pd.Series({"klotter": 6}), pd.DataFrame({"klotter": [1, 2, 3]}))
    row = flags.loc["klotter"]
    assert row["expected"] == 2.0
    assert row["p_value"] == pytest.approx(
        2 * (1 - math.exp(-2) * (1 + 2 + 2 + 4 / 3 + 2 / 3 + 4 / 15))
    )
    assert row["p_value"] == pytest.approx(0.033128, abs=1e-6)
    assert row["flag"] == FLAG_HIGH == "ovanligt högt"


def test_poisson_flag_low_by_hand() -> None:
    # μ = (3 + 4 + 5) / 3 = 4, k = 0: P(X ≤ 0) = e^−4 = 0.018316, p = 0.036631: "ovanligt lågt".
    flags = poisson_flags(np.array([0]), np.array([[3], [4], [5]]))
    assert flags.loc[0, "p_value"] == pytest.approx(2 * math.exp(-4))
    assert flags.loc[0, "flag"] == FLAG_LOW == "ovanligt lågt"


def test_poisson_usual_counts_are_not_flagged() -> None:
    # μ = 3, k = 3: P(X ≤ 3) = 13 e^−3 = 0.647232, P(X ≥ 3) = 1 − 8.5 e^−3 = 0.576810,
    # p = min(1, 2 · 0.576810) = 1.
    # μ = 3, k = 7: P(X ≥ 7) = 1 − P(X ≤ 6) = 0.033509, p = 0.067018 > 0.05: no flag at 5 %,
    # but a flag at alpha = 0.10.
    observed = pd.Series({"a": 3, "b": 7})
    reference = pd.DataFrame({"a": [3, 3], "b": [2, 4]})
    flags = poisson_flags(observed, reference)
    assert flags.loc["a", "p_value"] == 1.0 and flags.loc["a", "flag"] == ""
    assert flags.loc["b", "p_value"] == pytest.approx(2 * (1 - _poisson_cdf(6, 3.0)))
    assert flags.loc["b", "flag"] == ""
    assert poisson_flags(observed, reference, alpha=0.10).loc["b", "flag"] == FLAG_HIGH


def test_no_reference_means_no_test() -> None:
    # μ = 0 (never seen before) and no covered reference period: no model, no flag.
    reference = pd.DataFrame({"new": [0, 0], "old": [np.nan, np.nan]})
    flags = poisson_flags(pd.Series({"new": 2, "old": 1}), reference)
    assert flags["p_value"].isna().all() and (flags["flag"] == "").all()
    assert flags.loc["new", "expected"] == 0.0 and np.isnan(flags.loc["old", "expected"])


def test_uncovered_periods_are_left_out_and_missing_groups_count_zero() -> None:
    reference = pd.DataFrame({"a": [np.nan, 4.0, 2.0]})  # first period not covered by the data
    flags = poisson_flags(pd.Series({"a": 3, "b": 1}), reference)
    assert flags.loc["a", "expected"] == 3.0
    assert flags.loc["b", "expected"] == 0.0  # b was never seen in the covered periods


def test_no_reference_periods_at_all() -> None:
    flags = poisson_flags(np.array([1, 2]), np.empty((0, 2)))
    assert flags["expected"].isna().all() and (flags["flag"] == "").all()


@pytest.mark.parametrize(
    ("observed", "reference", "alpha", "match"),
    [
        ([1, 2], np.zeros((3, 3)), 0.05, r"`reference`: shape \(3, 3\) does not fit 2 groups"),
        ([-1], np.zeros((3, 1)), 0.05, r"a count is negative"),
        ([1], np.zeros((3, 1)), 1.5, r"`alpha`: 1.5 is not a significance level"),
        ([1], np.zeros((3, 1)), 0, r"`alpha`: 0 is not a significance level"),
    ],
)
def test_poisson_flags_rejects(
    observed: list[int], reference: np.ndarray, alpha: float, match: str
) -> None:
    with pytest.raises(InputError, match=match):
        poisson_flags(observed, reference, alpha=alpha)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 60), st.floats(0.1, 40.0))
def test_two_sided_p_matches_its_definition(k: int, mu: float) -> None:
    p = poisson_flags(np.array([k]), np.array([[mu]])).loc[0, "p_value"]
    low = _poisson_cdf(k, mu)
    high = 1 - _poisson_cdf(k - 1, mu) if k > 0 else 1.0
    assert p == pytest.approx(min(1.0, 2 * min(low, high)), abs=1e-9)


# --- period comparison -------------------------------------------------------------------------


def _remarks(stamps: list[str], **columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"timestamp": pd.to_datetime(stamps, format="mixed"), **columns})


def test_weekly_comparison_across_iso_week_53() -> None:
    # 2021-W01 runs 2021-01-04 … 2021-01-10; the week before is 2020-W53 (2020-12-28 … 2021-01-03)
    # and the same week a year earlier 2020-W01 (2019-12-30 … 2020-01-05).
    remarks = _remarks(
        [
            "2021-01-04 10:00",
            "2021-01-10 23:59",
            "2021-01-03 12:00",
            "2020-12-28 08:00",
            "2020-01-01 12:00",
        ],
        category=["klotter", "klotter", "klotter", "belysning", "klotter"],
    )
    table = period_comparison(
        remarks, iso_week("2021-W01"), by="category", covered_from=dt.date(2019, 1, 1)
    )
    assert table.attrs["periods"]["previous"] == "vecka 53 2020"
    assert table.attrs["periods"]["year_earlier"] == "vecka 1 2020"
    assert table.attrs["periods"]["history"][:2] == ["vecka 53 2020", "vecka 52 2020"]
    assert table.loc["klotter", ["now", "previous", "year_earlier"]].tolist() == [2.0, 1.0, 1.0]
    assert table.loc["klotter", "mean_history"] == pytest.approx(1 / 8)
    assert table.loc["belysning", ["now", "previous"]].tolist() == [0.0, 1.0]
    assert table.loc["klotter", "change_previous"] == 1.0
    assert table.loc["klotter", "change_previous_pct"] == 100.0
    assert table.loc["klotter", "change_mean_pct"] == pytest.approx(1500.0)
    assert np.isnan(table.loc["belysning", "change_year_pct"])  # nothing a year earlier


def test_week_53_a_year_earlier_is_week_52() -> None:
    remarks = _remarks(["2026-12-30 12:00", "2025-12-24 12:00"])
    table = period_comparison(remarks, iso_week("2026-W53"), covered_from=dt.date(2025, 1, 1))
    assert table.attrs["periods"]["year_earlier"] == "vecka 52 2025"
    assert table.loc["alla", ["now", "year_earlier"]].tolist() == [1.0, 1.0]


def test_tertial_comparison() -> None:
    remarks = _remarks(
        [
            "2025-01-15",
            "2025-04-30 23:00",
            "2024-12-31 23:00",
            "2024-09-01",
            "2024-02-29",
            "2022-05-01",
        ]
    )
    table = period_comparison(remarks, tertial("2025-T1"), history=3)
    periods = table.attrs["periods"]
    assert periods["previous"] == "tertial 3 2024" and periods["year_earlier"] == "tertial 1 2024"
    assert periods["history"] == ["tertial 3 2024", "tertial 2 2024", "tertial 1 2024"]
    row = table.loc["alla"]
    assert [row["now"], row["previous"], row["year_earlier"]] == [2.0, 2.0, 1.0]
    assert row["mean_history"] == 1.0  # (2 + 0 + 1) / 3


def test_leap_day_range_and_month() -> None:
    remarks = _remarks(["2024-02-29 12:00", "2023-02-28 09:00", "2024-02-01 08:00"])
    span = date_range("2024-02-01", "2024-02-29")
    table = period_comparison(remarks, span, history=1, covered_from=dt.date(2023, 1, 1))
    assert table.attrs["periods"]["year_earlier"] == "2023-02-01 – 2023-02-28"
    assert table.loc["alla", ["now", "year_earlier"]].tolist() == [2.0, 1.0]
    by_month = period_comparison(
        remarks, month("2024-02"), history=12, covered_from=dt.date(2023, 1, 1)
    )
    assert by_month.attrs["periods"]["year_earlier"] == "februari 2023"
    assert by_month.loc["alla", ["now", "previous", "year_earlier"]].tolist() == [2.0, 0.0, 1.0]


def test_two_year_view_leaves_out_periods_the_data_does_not_cover() -> None:
    remarks = _remarks(["2024-03-01", "2025-07-01", "2023-05-05"])
    table = period_comparison(remarks, years("2024-2025"))
    periods = table.attrs["periods"]
    # Data starts 2023-05-05: 2022–2023 (previous) and 2023–2024 (a year earlier) start before it.
    assert periods["history_covered"] == 0 and periods["history"] == []
    assert periods["year_earlier"] is None
    row = table.loc["alla"]
    assert row["now"] == 2.0 and np.isnan(row["previous"]) and np.isnan(row["mean_history"])
    assert np.isnan(row["p_value"]) and row["flag"] == ""


def test_aware_timestamps_count_by_their_stockholm_date() -> None:
    # 2025-11-16 23:30Z is Monday 2025-11-17 00:30 in Stockholm: week 47, not 46.
    remarks = pd.DataFrame({"timestamp": pd.to_datetime(["2025-11-16T23:30Z"])})
    table = period_comparison(remarks, iso_week("2025-W47"), covered_from=dt.date(2025, 1, 1))
    assert table.loc["alla", ["now", "previous"]].tolist() == [1.0, 0.0]


def test_several_group_columns_and_missing_values() -> None:
    remarks = _remarks(
        ["2025-11-17", "2025-11-18", "2025-11-10", "2025-11-19"],
        district=["Flemingsberg", "Flemingsberg", "Visättra", None],
        owner=["kommun", "huge", "kommun", "kommun"],
    )
    table = period_comparison(
        remarks, iso_week("2025-W47"), by=["district", "owner"], covered_from=dt.date(2025, 1, 1)
    )
    assert table.index.names == ["district", "owner"]
    assert table.loc[("Flemingsberg", "huge"), "now"] == 1.0
    assert table.loc[("Visättra", "kommun"), ["now", "previous"]].tolist() == [0.0, 1.0]
    assert table.loc[("", "kommun"), "now"] == 1.0


def test_groups_never_seen_are_left_out_and_no_data_gives_an_empty_table() -> None:
    remarks = _remarks(["2020-01-01"], category=["klotter"])
    table = period_comparison(remarks, iso_week("2025-W47"), by="category")
    assert table.empty
    assert period_comparison(_remarks([]), iso_week("2025-W47")).empty


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"by": "kategori"}, r"`remarks`: no column 'kategori' \(columns: timestamp\)"),
        ({"timestamp": "tid"}, r"`remarks`: no column 'tid'"),
        ({"history": 0}, r"`history`: 0 is not a whole number ≥ 1"),
        ({"alpha": 2.0}, r"`alpha`: 2.0 is not a significance level"),
    ],
)
def test_period_comparison_rejects(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InputError, match=match):
        period_comparison(_remarks(["2025-11-17"]), iso_week("2025-W47"), **kwargs)  # type: ignore[arg-type]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.datetimes(dt.datetime(2024, 6, 1), dt.datetime(2026, 6, 1)), max_size=40),
    st.sampled_from(["2025-W01", "2025-W47", "2026-W01"]),
)
def test_counts_equal_period_contains(stamps: list[dt.datetime], week: str) -> None:
    remarks = pd.DataFrame({"timestamp": pd.Series(stamps, dtype="datetime64[ns]")})
    period = iso_week(week)
    table = period_comparison(remarks, period, covered_from=dt.date(2024, 1, 1))
    expected = [int(period.contains(remarks["timestamp"]).sum())]
    expected += [int(p.contains(remarks["timestamp"]).sum()) for p in period.references(8)]
    assert int(table["now"].sum()) == expected[0]
    if not table.empty:
        assert table.loc["alla", "mean_history"] == pytest.approx(np.mean(expected[1:]))

"""Symbols that can be told apart: CIEDE2000 against Sharma et al. (2005), and the shipped check."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.maintenance import load_vocabulary
from geomap.maintenance.symbols import (
    MIN_DELTA_E,
    SIZE_TOLERANCE_MM,
    ciede2000,
    delta_e,
    hex_to_lab,
    symbol_conflicts,
)

# Table 1 of G. Sharma, W. Wu, E. N. Dalal, Color Res. Appl. 30 (1), 2005: L1 a1 b1 L2 a2 b2 ΔE00.
SHARMA_2005 = [
    (50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425),
    (50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615),
    (50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412),
    (50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000),
    (50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669),
    (50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195),
    (50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045),
    (50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461),
    (50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065),
    (50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492),
    (50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977),
    (50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030),
    (50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000),
    (50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000),
    (60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644),
    (63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630),
    (61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731),
    (35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645),
    (22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373),
    (36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146),
    (90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441),
    (90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381),
    (6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377),
    (2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082),
]


def test_ciede2000_matches_the_34_pairs_of_sharma_2005() -> None:
    data = np.array(SHARMA_2005)
    got = ciede2000(data[:, 0:3], data[:, 3:6])
    np.testing.assert_allclose(got, data[:, 6], atol=5e-5)


def test_lab_of_srgb_primaries() -> None:
    # Reference values (D65): Bruce Lindbloom's calculator, sRGB companding.
    lab = hex_to_lab(["#ff0000", "#00ff00", "#0000ff", "#808080"])
    np.testing.assert_allclose(
        lab,
        [[53.24, 80.09, 67.20], [87.73, -86.18, 83.18], [32.30, 79.19, -107.86], [53.59, 0, 0]],
        atol=0.02,
    )


hex_colour = st.integers(0, 0xFFFFFF).map(lambda v: f"#{v:06x}")


@settings(max_examples=60, deadline=None)
@given(hex_colour, hex_colour)
def test_delta_e_is_symmetric_and_zero_only_for_equal_colours(c1: str, c2: str) -> None:
    d = delta_e(c1, c2)
    assert d == pytest.approx(delta_e(c2, c1), abs=1e-9)
    assert d >= 0
    assert (d == 0) == (c1 == c2)


def test_shipped_vocabulary_symbols_can_be_told_apart() -> None:
    conflicts = symbol_conflicts(load_vocabulary())
    assert not conflicts, "\n".join(str(c) for c in conflicts)


def test_the_check_finds_same_symbols_and_close_neighbours() -> None:
    voc = load_vocabulary()
    t4, t5 = voc["T4"], voc["T5"]
    products = dict(voc.products)
    # T6 drawn like T4 but 0.4 mm larger, with another outline: the "same green triangle".
    products["T6"] = dataclasses.replace(
        t4, code="T6", size=t4.size + SIZE_TOLERANCE_MM - 0.1, stroke="#fdb863"
    )
    # G3 one shade away from G2 but hatched: distinct symbol, yet too close a neighbour.
    products["G3"] = dataclasses.replace(voc["G3"], fill=voc["G2"].fill)
    broken = dataclasses.replace(voc, products=products)
    found = {(c.kind, c.first, c.second) for c in symbol_conflicts(broken)}
    assert ("same", "T4", "T6") in found
    assert ("neighbours", "G2", "G3") in found
    assert ("same", "T5", "T6") not in found  # star and triangle differ
    assert all(c.delta_e < MIN_DELTA_E for c in symbol_conflicts(broken))
    assert "same shape 'triangle'" in str(
        next(c for c in symbol_conflicts(broken) if c.second == "T6" and c.first == "T4")
    )
    assert t5.marker == "star"

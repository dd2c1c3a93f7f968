from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geomap.io.sanitize import FORMULA_PREFIXES, neutralise_formulas, owner_file_stem


@pytest.mark.parametrize(
    "text", ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]
)
def test_formulas_are_neutralised(text: str) -> None:
    out = neutralise_formulas(pd.DataFrame({"a": [text]}))
    assert out["a"].iloc[0] == "'" + text


def test_numbers_and_plain_text_untouched() -> None:
    frame = pd.DataFrame({"n": [-1.5, 2.0], "t": ["ok", None]})
    out = neutralise_formulas(frame)
    assert out["n"].tolist() == [-1.5, 2.0]
    assert out["t"].iloc[0] == "ok"


@given(st.text())
def test_no_cell_starts_a_formula(text: str) -> None:
    out = neutralise_formulas(pd.DataFrame({"a": [text]}))["a"].iloc[0]
    assert not out.startswith(FORMULA_PREFIXES)


@given(st.text(min_size=1))
def test_owner_file_stem_is_safe(name: str) -> None:
    stem = owner_file_stem(name)
    assert stem
    assert stem not in {".", ".."}
    assert all(c.isascii() and (c.isalnum() or c in "_-") for c in stem)


def test_owner_file_stem_keeps_plain_ids_and_separates_collisions() -> None:
    assert owner_file_stem("huge_bostader") == "huge_bostader"
    assert owner_file_stem("a/b") != owner_file_stem("a\\b")
    assert "/" not in owner_file_stem("../../etc/passwd")

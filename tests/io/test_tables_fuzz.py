"""Fuzzing the table reader: whatever the bytes, `read_table` reads them or raises `InputError`."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.errors import InputError
from geomap.io.tables import read_table

_CELL = st.text(alphabet=st.sampled_from("ab1 ,.;\t|\"'\r\n\x00åÖé€-"), max_size=12)


@st.composite
def _tables(draw: st.DrawFn) -> bytes:
    """Delimited text that looks like a table: rows of cells, some ragged, in some encoding."""
    delimiter = draw(st.sampled_from([";", ",", "\t", "|", " "]))
    width = draw(st.integers(min_value=1, max_value=5))
    rows = draw(
        st.lists(
            st.lists(_CELL, min_size=max(width - 1, 0), max_size=width + 1), min_size=0, max_size=6
        )
    )
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(delimiter.join(row) for row in rows)
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16"]))
    return text.encode(encoding, errors="replace")


_INPUTS = st.one_of(
    st.binary(max_size=200),
    st.binary(max_size=60).map(lambda raw: b"\xef\xbb\xbf" + raw),
    st.text(max_size=120).map(lambda text: text.encode("utf-8")),
    st.text(max_size=120).map(lambda text: text.encode("utf-8", errors="surrogatepass")),
    _tables(),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_INPUTS, st.sampled_from([".csv", ".txt", ".tsv"]))
def test_read_table_raises_only_input_error(raw: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"remarks{suffix}"
        path.write_bytes(raw)
        try:
            frame, how = read_table(path)
        except InputError as exc:
            assert str(path) in str(exc)
        else:
            assert len(frame) > 0
            assert set(how) >= {"encoding", "delimiter"}


@settings(max_examples=50, deadline=None)
@given(st.binary(max_size=200))
def test_random_bytes_as_xlsx_raise_only_input_error(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "remarks.xlsx"
        path.write_bytes(raw)
        try:
            read_table(path)
        except InputError as exc:
            assert str(path) in str(exc)

"""The GeoPackage register as GIS clients see it, and the duplicate links' invariants."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geomap.register import open_register
from geomap.register.duplicates import find_duplicates
from geomap.register.ingest import ingest


@pytest.mark.qgis
@pytest.mark.skipif(shutil.which("ogrinfo") is None, reason="needs gdal-bin (ogrinfo)")
def test_gdal_opens_the_register_as_layers(tmp_path: Path, weeks: dict[int, Path]) -> None:
    target = tmp_path / "arenden.gpkg"
    ingest(open_register(target), weeks[1])
    listing = subprocess.run(
        ["ogrinfo", "-ro", "-q", str(target)], capture_output=True, text=True, check=True
    ).stdout
    assert "remarks (Point)" in listing and "events (None)" in listing
    assert "imports (None)" in listing
    summary = subprocess.run(
        ["ogrinfo", "-ro", "-so", str(target), "remarks"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Feature Count: 6" in summary and "SWEREF99 18 00" in summary
    with sqlite3.connect(target) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not list(tmp_path.glob(".arenden.new-*"))  # the new register was renamed into place


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 600),
            st.floats(0, 600),
            st.integers(0, 90),
            st.sampled_from(["klotter", "belysning"]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_links_point_at_an_earlier_open_first_report_nearby(
    rows: list[tuple[float, float, int, str]],
) -> None:
    frame = pd.DataFrame(
        {
            "remark_id": [f"R{i:03d}" for i in range(len(rows))],
            "e": [r[0] for r in rows],
            "n": [r[1] for r in rows],
            "timestamp": pd.Timestamp("2025-01-01")
            + pd.to_timedelta([r[2] for r in rows], unit="D"),
            "category": [r[3] for r in rows],
            "open": True,
            "duplicate_of": None,
            "duplicate_unlinked": 0,
        }
    )
    links = find_duplicates(frame, np.ones(len(frame), dtype=bool))
    by_id = frame.set_index("remark_id")
    for index, target in links.items():
        row, first = frame.loc[index], by_id.loc[target]
        assert target not in set(links.index.map(frame["remark_id"]))  # a root, never a duplicate
        assert first["category"] == row["category"]
        assert (first["timestamp"], target) < (row["timestamp"], row["remark_id"])
    roots = frame.drop(index=links.index)  # no first report has an earlier first report near it
    radius = {"klotter": 250.0, "belysning": 50.0}
    for _, a in roots.iterrows():
        for _, b in roots.iterrows():
            earlier = (b["timestamp"], b["remark_id"]) < (a["timestamp"], a["remark_id"])
            near = np.hypot(a["e"] - b["e"], a["n"] - b["n"]) <= radius[a["category"]]
            recent = (a["timestamp"] - b["timestamp"]).days <= 30
            assert not (earlier and near and recent and a["category"] == b["category"])


def test_remarks_without_a_point_or_time_are_never_linked() -> None:
    import warnings

    frame = pd.DataFrame(
        {
            "remark_id": ["a", "b", "c", "d"],
            "e": [0.0, np.nan, 10.0, 5.0],
            "n": [0.0, np.nan, 0.0, 0.0],
            "timestamp": pd.to_datetime(["2025-06-01", "2025-06-02", None, "2025-06-03"]),
            "category": "klotter",
            "open": True,
            "duplicate_of": None,
            "duplicate_unlinked": 0,
        }
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no cast of NaN coordinates
        links = find_duplicates(frame, np.ones(4, dtype=bool))
    assert links.to_dict() == {3: "a"}

"""The bundled demo data's hard cases come out of ``geomap route`` as documented.

Each hard-case row carries a ``testfall`` code (see data/README.md); this test routes the three
hard-case files (plain, swapped X/Y, cp1252) together with the demo owners, responsibility layer and
rules, and checks every case.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geomap.routing import RouteResult, route
from geomap.routing.outputs import write_outputs

DATA = Path(__file__).resolve().parents[2] / "data"
FILES = [
    "hard_cases_synthetic.csv",
    "hard_cases_swapped_xy_synthetic.csv",
    "hard_cases_cp1252_synthetic.csv",
]


@pytest.fixture(scope="module")
def routed() -> RouteResult:
    return route(
        [DATA / f for f in FILES],
        owners=DATA / "owners_synthetic.gpkg",
        registry=DATA / "owners.toml",
        responsibility=DATA / "driftansvar_synthetic.gpkg",
        rules=DATA / "rules.toml",
    )


def cases(result: RouteResult) -> pd.DataFrame:
    return result.remarks.set_index(["source_file", "testfall"])


@pytest.mark.parametrize("file", FILES)
def test_hard_cases(routed: RouteResult, file: str) -> None:
    r = cases(routed).loc[file]
    flags = r["flags"].fillna("")

    assert r.loc["agande_inne", "route_method"] == "ownership"
    assert flags["agande_inne"] == ""

    for case in ("grans_delad_kant", "grans_inom_1m"):
        assert r.loc[case, "route_method"] == "ownership"
        assert "boundary" in flags[case]
        assert len(r.loc[case, "candidates"].split(";")) == 2
        assert "kontrollera" in r.loc[case, "reason"]
    assert r.loc["grans_inom_1m", "owner"] == "huddinge_kommun"
    assert set(r.loc["grans_delad_kant", "candidates"].split(";")) == {
        "huddinge_samhallsfastigheter",
        "privat",
    }

    for case in ("narmast_gata_kort", "narmast_gata_lang"):
        assert r.loc[case, "route_method"] == "nearest"
        assert 0 < r.loc[case, "distance_m"] <= 25
        assert "närmaste mark ägs av" in r.loc[case, "reason"]
    assert r.loc["narmast_gata_kort", "distance_m"] == pytest.approx(3.3, abs=0.2)

    assert r.loc["sjo_utan_agare", "route_method"] == "unrouted"
    assert r.loc["sjo_utan_agare", "reason"] == "Ingen ägarpolygon inom 25 m"
    for case in ("utanfor_stockholm", "utanfor_botkyrka", "utanfor_nara_gransen"):
        assert r.loc[case, "route_method"] == "unrouted"
        assert pd.isna(r.loc[case, "owner"])
        assert r.loc[case, "reason"]
    assert "outside_extent" in flags["utanfor_stockholm"]

    assert r.loc["driftansvar", "route_method"] == "responsibility"
    assert r.loc["driftansvar", "owner"] != r.loc["driftansvar", "land_owner"]
    assert r.loc["regel_belysning", ["route_method", "owner"]].tolist() == [
        "category_rule",
        "huddinge_kommun_belysning",
    ]
    assert r.loc["regel_elskap", ["route_method", "owner"]].tolist() == ["category_rule", "ellevio"]
    assert "overlap" in flags["overlapp"]
    assert r.loc["fluga_reparerad", "route_method"] == "ownership"
    assert r.loc["tomma_koordinater", "route_method"] == "unrouted"
    assert "invalid_geometry" in flags["tomma_koordinater"]
    assert r.loc["html_i_text", "description"] == "<script>alert('x')</script><b>fet</b>"
    assert "unknown_category" in flags["okand_kategori"]


def test_swapped_file_is_fixed_and_matches_the_plain_one(routed: RouteResult) -> None:
    assert [Path(p).name for p in routed.summary.axis_swapped_files] == [
        "hard_cases_swapped_xy_synthetic.csv"
    ]
    assert any("X = northing); swapped them" in w for w in routed.summary.warnings)
    plain = cases(routed).loc[FILES[0]][["owner", "route_method", "flags"]]
    swapped = cases(routed).loc[FILES[1]][["owner", "route_method", "flags"]]
    pd.testing.assert_frame_equal(plain, swapped)


def test_cp1252_file_reads_swedish_text(routed: RouteResult) -> None:
    info = next(i for i in routed.inputs if i.path.endswith(FILES[2]))
    assert info.encoding == "cp1252"
    assert info.delimiter == ";"
    places = cases(routed).loc[FILES[2], "place"].dropna()
    assert any("å" in p or "ä" in p or "ö" in p for p in places)


def test_formulas_neutralised_in_owner_lists(routed: RouteResult, tmp_path: Path) -> None:
    write_outputs(routed, tmp_path / "out")
    texts = []
    for csv in (tmp_path / "out" / "owners").glob("*.csv"):
        texts += (
            pd.read_csv(csv, sep=";", encoding="utf-8-sig", dtype=str)["Beskrivning"]
            .dropna()
            .tolist()
        )
    formulas = [t for t in texts if "HYPERLINK" in t or "cmd" in t]
    assert formulas
    assert all(t.startswith("'") for t in formulas)

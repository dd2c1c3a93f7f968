"""Tests for geomap.protocols.build: one protocol per walk, one sub-protocol per owner."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geomap.errors import InputError
from geomap.protocols import NOT_IN_REGISTER, build_protocols, protocol_stem
from geomap.protocols.rows import FOLLOW_UP, OBSERVATION, OWNER, STATUS
from geomap.report import MapView, Report, Table, render_html

from tests.protocols.helpers import NAMES, OWNERS, routed_walks


def _tables(report: Report) -> dict[str, pd.DataFrame]:
    return {t.key: t.frame for t in report.tables()}


def _maps(report: Report) -> list[MapView]:
    return [b for s in report.sections for b in s.blocks if isinstance(b, MapView)]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    owners=st.lists(st.sampled_from([*(o.id for o in OWNERS), None]), min_size=1, max_size=14),
    walks=st.lists(st.sampled_from(["TV-1", "TV-2"]), min_size=14, max_size=14),
)
def test_sub_protocols_hold_no_other_owners_rows(
    owners: list[str | None], walks: list[str]
) -> None:
    routed = routed_walks(owners, walk_ids=walks[: len(owners)])
    remarks = routed.remarks
    for protocol in build_protocols(routed):
        here = remarks[remarks["walk_id"] == protocol.walk_id]
        assert sorted(_tables(protocol.report)["anmarkningar"][OBSERVATION]) == sorted(
            here["description"]
        )
        assert set(protocol.owners) == set(here["owner"].dropna())
        for owner, (stem, report) in protocol.owners.items():
            assert stem == protocol_stem(protocol.walk_id, owner)
            mine = here[here["owner"] == owner]
            tables = _tables(report)
            assert sorted(tables["anmarkningar"][OBSERVATION]) == sorted(mine["description"])
            assert (tables["anmarkningar"][OWNER] == NAMES[owner]).all()
            assert (tables["uppfoljning"][OWNER] == NAMES[owner]).all()
            assert "per_ansvarig" not in tables
            layers = {layer.name: layer.frame for layer in _maps(report)[0].layers}
            assert sorted(layers["Anmärkningar"]["Iakttagelse"]) == sorted(mine["description"])
            if "Ägarnas mark" in layers:
                assert set(layers["Ägarnas mark"]["Ägare"]) == {NAMES[owner]}


def test_sub_protocol_html_shows_no_other_owners_text() -> None:
    routed = routed_walks(["kommun", "huge", "kommun", None])
    (protocol,) = build_protocols(routed)
    html = render_html(protocol.owners["huge"][1])
    assert "iakttagelse nummer 1 unik" in html
    for i in (0, 2, 3):
        assert f"iakttagelse nummer {i} unik" not in html
    assert "Huddinge kommun – " not in html and "Ej dirigerade" not in html


def test_header_follow_up_and_status() -> None:
    (protocol,) = build_protocols(routed_walks(["kommun", "huge"]))
    text = " ".join(protocol.report.sections[0].text)
    for part in ("Plats: Torget", "Datum: 23 april 2025", "Starttid: 19:00", "Ljus vid starten: dagsljus",
                 "Arrangör: Huddinge kommun", "Deltagande organisationer: Huddinge kommun, Polisen"):  # fmt: skip
        assert part in text
    assert "Anna Andersson" not in render_html(protocol.report)  # a person's name: never shown
    follow = _tables(protocol.report)["uppfoljning"]
    assert (follow[FOLLOW_UP] == pd.Timestamp("2025-10-23")).all()
    assert (follow[STATUS] == NOT_IN_REGISTER).all()
    (three,) = build_protocols(routed_walks(["kommun"]), follow_up_months=3)
    assert (_tables(three.report)["uppfoljning"][FOLLOW_UP] == pd.Timestamp("2025-07-23")).all()


def test_dark_walk_in_december() -> None:
    routed = routed_walks(["kommun"], extra={"walk_date": ["2025-12-01"], "tid": ["18:00"]})
    (protocol,) = build_protocols(routed)
    assert "Ljus vid starten: mörker" in " ".join(protocol.report.sections[0].text)


def test_positive_remarks_are_kept_everywhere() -> None:
    routed = routed_walks(["kommun", "huge"], categories=["Positivt", "klotter"],
                          extra={"flags": ["unknown_category", ""]})  # fmt: skip
    (protocol,) = build_protocols(routed)
    seen = _tables(protocol.report)["anmarkningar"]
    assert seen["Kategori"].tolist() == ["Positivt", "Klotter"]
    assert (_tables(protocol.report)["uppfoljning"]["Flaggor"] == "").all()  # no "okänd kategori"
    assert "varav 1 positiv" in " ".join(protocol.report.sections[0].text)
    assert _tables(protocol.owners["kommun"][1])["anmarkningar"]["Kategori"].tolist() == [
        "Positivt"
    ]


def test_walk_table_wins_over_remark_columns() -> None:
    walks = pd.DataFrame(
        {"date": [pd.Timestamp("2025-05-02")], "time": ["20:15"], "place": ["Parken"],
         "organiser": ["Polisen"], "organisations": [None]},
        index=pd.Index(["TV-1"], name="walk_id"),
    )  # fmt: skip
    (protocol,) = build_protocols(routed_walks(["kommun"]), walks=walks)
    text = " ".join(protocol.report.sections[0].text)
    assert "Plats: Parken" in text and "Starttid: 20:15" in text and "Arrangör: Polisen" in text
    assert "Datum: 2 maj 2025" in text and "Polisen" in text
    assert (_tables(protocol.report)["uppfoljning"][FOLLOW_UP] == pd.Timestamp("2025-11-02")).all()


def test_owner_file_stems_are_safe() -> None:
    (protocol,) = build_protocols(routed_walks(["Hyresvärd Å"]))
    stem, _ = protocol.owners["Hyresvärd Å"]
    assert stem.startswith("protokoll_TV-1-") and "/" not in stem and len(stem) <= 100
    assert stem.isascii()


def test_only_chosen_walks() -> None:
    routed = routed_walks(["kommun", "huge"], walk_ids=["A", "B"])
    assert [p.walk_id for p in build_protocols(routed, walk_ids=["B"])] == ["B"]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"walk_ids": ["X"]}, r"`walk_ids`: no walk 'X'.*the walks are TV-1"),
        ({"follow_up_months": -1}, r"`follow_up_months`: -1 is not a whole number"),
        ({"follow_up_months": 2.5}, r"`follow_up_months`: 2.5"),
    ],
)
def test_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(InputError, match=match):
        build_protocols(routed_walks(["kommun"]), **kwargs)


def test_no_walk_remarks() -> None:
    routed = routed_walks(["kommun"])
    routed.remarks["walk_id"] = None
    with pytest.raises(InputError, match=r"`routed`: no safety-walk remarks"):
        build_protocols(routed)


def test_table_keys_are_sheet_names() -> None:
    (protocol,) = build_protocols(routed_walks(["kommun", "huge"]))
    assert all(isinstance(t, Table) and len(t.key) <= 31 for t in protocol.report.tables())


def test_status_from_the_register(tmp_path: Path) -> None:
    from geomap.register import STATUS_LABELS, ingest, open_register

    routed = routed_walks(["kommun", "huge"])
    path = routed.write(tmp_path / "routed.gpkg")
    register = open_register(tmp_path / "arenden.gpkg")
    ingest(register, path, now="2025-04-24T08:00:00+02:00")
    (protocol,) = build_protocols(path, register=tmp_path / "arenden.gpkg")
    status = _tables(protocol.report)["uppfoljning"][STATUS]
    assert status.isin(list(STATUS_LABELS.values())).all() and NOT_IN_REGISTER not in set(status)
    assert "Uppföljningsregister: arenden.gpkg" in protocol.report.sources
    only_first = routed_walks(["kommun", "huge", "huge"])  # the third remark is not in the register
    (later,) = build_protocols(only_first, register=register)
    assert _tables(later.report)["uppfoljning"][STATUS].tolist()[2] == NOT_IN_REGISTER


def test_positive_colour_is_no_owners_colour() -> None:
    import dataclasses

    from geomap.core.owners import OwnerRegistry

    routed = routed_walks(["kommun", "huge"], categories=["Positivt", "klotter"])
    green = [dataclasses.replace(o, colour="#009e73") if o.id == "kommun" else o for o in OWNERS]
    routed = dataclasses.replace(routed, registry=OwnerRegistry(tuple(green)))
    (protocol,) = build_protocols(routed)
    (points,) = [
        layer for layer in _maps(protocol.report)[0].layers if layer.name == "Anmärkningar"
    ]
    assert points.frame["färg"].tolist()[0] != "#009e73"
    assert "Positiv iakttagelse" in points.legend.values()


def test_one_walk_id_as_text() -> None:
    routed = routed_walks(["kommun", "huge"], walk_ids=["A", "BC"])
    assert [p.walk_id for p in build_protocols(routed, walk_ids="BC")] == ["BC"]


def test_walk_without_date_time_or_positions(tmp_path: Path) -> None:
    routed = routed_walks(["kommun", None], extra={"walk_date": [None, None], "tid": [None, None]})
    routed.remarks["timestamp"] = pd.NaT
    routed.remarks.geometry = [None, None]
    (protocol,) = build_protocols(routed)
    text = " ".join(protocol.report.sections[0].text)
    assert (
        "Datum: okänt" in text and "Starttid: okänd" in text and "Ljus vid starten: okänd" in text
    )
    follow = _tables(protocol.report)["uppfoljning"]
    assert follow[FOLLOW_UP].isna().all() and follow[OWNER].tolist() == [
        "Huddinge kommun",
        "Ej dirigerade",
    ]
    html = render_html(protocol.report)
    assert "Ej dirigerade" in html
    from geomap.protocols import write_protocols

    paths = write_protocols(routed, tmp_path / "p", formats=["html", "pdf"])
    assert all(p.stat().st_size > 0 for files in paths.values() for p in files.values())

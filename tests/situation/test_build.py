"""The lägesbild built from a run in code: counts, flags, hot spots with owners, outputs."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geomap.core.periods import iso_week, tertial, years
from geomap.errors import InputError
from geomap.report import Report
from geomap.situation import build_lagesbild, write_lagesbild
from geomap.situation.data import read_grouping

from tests.report.helpers import assert_html_equals_xlsx
from tests.situation.helpers import geography, routed

WEEK = iso_week("2025-W47")


def _tables(report: Report) -> dict[str, pd.DataFrame]:
    return {t.key: t.frame for t in report.tables()}


@pytest.fixture(scope="module")
def weekly() -> Report:
    run = routed()
    run.remarks.loc[[0, 1], "timestamp"] = pd.Timestamp("2025-11-18 12:00")  # unrouted, boundary
    return build_lagesbild([run], WEEK, districts=geography())


def test_sections_and_synthetic(weekly: Report) -> None:
    assert [s.title for s in weekly.sections] == [
        "Sammanfattning",
        "Antal och förändring",
        "När",
        "Var",
        "Platser och ägare",
    ]
    assert weekly.synthetic and weekly.banner == "Syntetiska testdata"
    assert weekly.title == "Lägesbild vecka 47 2025" and weekly.period == "vecka 47 2025"
    assert any("999 permutationer" in m and "Benjamini" in m for m in weekly.method)


def test_counts_equal_a_direct_count(weekly: Report) -> None:
    remarks = routed().remarks
    remarks.loc[[0, 1], "timestamp"] = pd.Timestamp("2025-11-18 12:00")
    days = pd.to_datetime(remarks["timestamp"]).dt.normalize()
    in_week = days.between(pd.Timestamp("2025-11-17"), pd.Timestamp("2025-11-23"))
    previous = days.between(pd.Timestamp("2025-11-10"), pd.Timestamp("2025-11-16"))
    tables = _tables(weekly)
    total = tables["totalt"].iloc[0]
    assert total["Antal"] == in_week.sum() and total["Föregående"] == previous.sum()
    history = [
        days.between(
            pd.Timestamp("2025-11-10") - pd.Timedelta(weeks=k),
            pd.Timestamp("2025-11-16") - pd.Timedelta(weeks=k),
        ).sum()
        for k in range(8)
    ]
    assert total["Medel ref.-perioder"] == pytest.approx(np.mean(history))
    assert total["Bedömning"] == "ovanligt högt" and total["p-värde"] < 0.001
    per_category = tables["per_kategori"].set_index("Kategori")
    assert (
        per_category.loc["Klotter", "Antal"] == (in_week & (remarks["category"] == "klotter")).sum()
    )
    assert per_category.loc["Klotter", "Bedömning"] == "ovanligt högt"
    cross = tables["kategori_omrade_agare"]
    assert cross["Antal"].sum() == in_week.sum() and list(cross.columns) == [
        "Kategori",
        "Område",
        "Ägare",
        "Antal",
    ]


def test_planted_cluster_is_a_hot_spot_with_its_land_owner(weekly: Report) -> None:
    spots = _tables(weekly)["heta_punkter"]
    assert len(spots) >= 1
    first = spots.iloc[0]
    assert first["Klass"] in ("95 %", "99 %") and first["Område"] == "Väst"
    assert first["Markägare (andel av ytan)"] == "huge (100 %)"
    assert (
        first["Vanligaste kategorier"].startswith("Klotter")
        and first["Jämfört med referensveckorna"] == "ny"
    )
    pai = _tables(weekly)["traffsakerhet_pai"]
    assert pai["Mått"].iloc[3].startswith("PAI")


def test_when_and_places(weekly: Report) -> None:
    tables = _tables(weekly)
    hours = tables["veckodag_timme"]
    assert (
        list(hours.columns[:2]) == ["Veckodag", "0"] and hours["Veckodag"].tolist()[0] == "måndag"
    )
    assert "per_manad" not in tables  # a week has no month profile
    places = tables["platser"]
    assert places.iloc[0]["Plats"] == "Torget" and places.iloc[0]["Anmärkningar"] == 60
    check = tables["att_kontrollera"].set_index("Id")
    assert (
        check.loc["LB-00000", "Läge"] == "ej dirigerad"
        and check.loc["LB-00000", "Skäl eller kandidater"] == "utanför ägarlagret"
    )
    assert (
        check.loc["LB-00001", "Läge"] == "vid gräns"
        and check.loc["LB-00001", "Skäl eller kandidater"] == "huge, kommun"
    )


def test_longer_periods_have_a_month_profile_and_no_new_gone() -> None:
    report = build_lagesbild([routed()], years("2024-2025"), districts=geography(), permutations=99)
    tables = _tables(report)
    months = tables["per_manad"]
    assert months["År"].tolist() == ["2024", "2025"] and months.iloc[:, 1:].to_numpy().sum() == len(
        routed().remarks
    )
    assert "Jämfört med referensveckorna" not in tables["heta_punkter"].columns
    assert report.title == "Övergripande lägesbild 2024–2025"
    assert (
        build_lagesbild(
            [routed()], tertial("2025-T3"), districts=geography(), permutations=99
        ).title
        == "Lägesbild tertial 3 2025"
    )


def test_a_remark_in_two_runs_counts_once(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        twice = build_lagesbild([routed(), routed()], WEEK, districts=geography(), permutations=99)
    assert "counted once" in caplog.text
    assert (
        _tables(twice)["totalt"]["Antal"].iloc[0]
        == _tables(build_lagesbild([routed()], WEEK, districts=geography(), permutations=99))[
            "totalt"
        ]["Antal"].iloc[0]
    )


def test_grouping_table(tmp_path: Path) -> None:
    path = tmp_path / "grupper.csv"
    path.write_text("regso;kommundel\nVäst;Hela\nÖst;Hela\n", encoding="utf-8")
    assert read_grouping(path) == {"Väst": "Hela", "Öst": "Hela"}
    report = build_lagesbild(
        [routed()], WEEK, districts=geography(), grouping=path, permutations=99
    )
    assert _tables(report)["per_omrade"]["Område"].tolist() == ["Hela"]
    bad = tmp_path / "en.csv"
    bad.write_text("regso\nVäst\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"en\.csv: found only one column"):
        read_grouping(bad)
    clash = tmp_path / "två.csv"
    clash.write_text("regso;kommundel\nVäst;A\nVäst;B\n", encoding="utf-8")
    with pytest.raises(InputError, match="gives districts two groups \\(Väst\\)"):
        read_grouping(clash)


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="`period`: '2025-W47' is not a period"):
        build_lagesbild([routed()], "2025-W47")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"`routed`: give a list of one or more routed\.gpkg"):
        build_lagesbild([], WEEK)


class _Register:
    def remarks_frame(self, *, today: object = None) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "owner": ["huge", "huge", "kommun"],
                "owner_name": ["Huge Bostäder AB", "Huge Bostäder AB", "Huddinge kommun"],
                "open": [True, False, True],
                "overdue": [True, False, False],
                "fixed_date": [pd.NaT, pd.Timestamp("2025-11-19"), pd.NaT],
            }
        )


def test_register_section() -> None:
    report = build_lagesbild(
        [routed()], WEEK, districts=geography(), permutations=99, register=_Register()
    )
    table = _tables(report)["uppfoljning"].set_index("Ägare")[
        ["Öppna", "Försenade", "Åtgärdade i perioden"]
    ]
    rows = {str(k): v.tolist() for k, v in table.iterrows()}
    assert rows == {"Huge Bostäder AB": [1, 1, 1], "Huddinge kommun": [1, 0, 0]}


@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="poppler-utils absent")
def test_write_lagesbild(tmp_path: Path) -> None:
    paths = write_lagesbild(
        [routed()], WEEK, tmp_path / "lb", districts=geography(), permutations=99
    )
    assert sorted(p.name for p in paths.values()) == [
        "lagesbild.html",
        "lagesbild.pdf",
        "lagesbild.xlsx",
    ]
    assert assert_html_equals_xlsx(paths["html"], paths["xlsx"]) >= 10
    info = subprocess.run(
        ["pdfinfo", str(paths["pdf"])], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^Tagged:\s+yes", info, re.MULTILINE)
    text = subprocess.run(
        ["pdftotext", str(paths["pdf"]), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert (
        "Lägesbild vecka 47 2025" in text
        and "Heta punkter" in text
        and "Väst" in text
        and "måndag" in text
    )


def test_register_section_from_a_real_register(tmp_path: Path) -> None:
    from geomap.register import ingest, open_register

    path = routed().write(tmp_path / "routed.gpkg")
    target = tmp_path / "arenden.gpkg"
    ingest(open_register(target), path)
    report = build_lagesbild([path], WEEK, districts=geography(), permutations=99, register=target)
    table = _tables(report)["uppfoljning"]
    state = open_register(target).remarks_frame()
    assert table["Öppna"].sum() == state["open"].sum() > 0  # the register's own count
    assert table["Försenade"].sum() == state["overdue"].sum()
    assert list(table.columns) == ["Ägare", "Öppna", "Försenade", "Åtgärdade i perioden"]

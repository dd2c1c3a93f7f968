"""Tests for geomap.maps.render and geomap.maps.html: writing map files from a routed.gpkg."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import geopandas as gpd
import pytest

from geomap.core.districts import read_districts
from geomap.errors import InputError, OutputExistsError
from geomap.maps import (
    build_map_html,
    owner_file_stem,
    read_routed,
    write_map,
    write_owner_maps,
)

from tests.maps.helpers import MALICIOUS, REGISTRY, copy_regso, make_remarks, write_routed

EXTERNAL = re.compile(r"<(?:script|link)\b[^>]*(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I)


def payload_of(page: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="geomap-data">(.*?)</script>', page, re.S
    )
    assert match is not None
    return json.loads(match.group(1))


@pytest.fixture
def routed(tmp_path: Path) -> Path:
    remarks = make_remarks()
    remarks.loc[0, "description"] = MALICIOUS
    return write_routed(tmp_path / "routed.gpkg", remarks)


def test_write_map_is_self_contained(routed: Path, tmp_path: Path) -> None:
    out = write_map(routed, tmp_path / "map.html", districts=False)
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="sv">' in page
    assert not EXTERNAL.search(page)
    assert "Content-Security-Policy" in page and "script-src 'sha256-" in html.unescape(page)
    assert "BSD-2-Clause" in page and "MIT" in page  # asset notice
    data = payload_of(page)
    assert data["r"]["n"] == 20
    assert data["banner"] == "SYNTETISKA TESTDATA"
    assert data["period"] == "2025-03-01 – 2025-12-31"


def test_malicious_text_is_never_markup(routed: Path, tmp_path: Path) -> None:
    page = write_map(routed, tmp_path / "map.html", districts=False).read_text(encoding="utf-8")
    assert MALICIOUS not in page
    assert "window.__pwned" in page  # present, but only as escaped JSON text
    assert MALICIOUS in payload_of(page)["str"]


def test_cdn_variant_is_small(routed: Path, tmp_path: Path) -> None:
    inline = write_map(routed, tmp_path / "a.html", districts=False)
    cdn = write_map(routed, tmp_path / "b.html", districts=False, cdn=True)
    assert "https://unpkg.com/leaflet@1.9.3/dist/leaflet.js" in cdn.read_text(encoding="utf-8")
    assert cdn.stat().st_size < inline.stat().st_size - 150_000


def test_no_banner_for_real_data(tmp_path: Path) -> None:
    routed = write_routed(tmp_path / "r.gpkg", synthetic=False)
    page = write_map(routed, tmp_path / "m.html", districts=False).read_text(encoding="utf-8")
    assert payload_of(page)["banner"] is None


def test_filters_and_title(routed: Path, tmp_path: Path) -> None:
    out = write_map(
        routed,
        tmp_path / "m.html",
        districts=False,
        title="Vecka 12 <b>",
        date_from="2025-03-01",
        date_to="2025-03-31",
        categories=["klotter", "Belysning"],
        owner_ids=["huge", "hsab"],
    )
    page = out.read_text(encoding="utf-8")
    data = payload_of(page)
    assert data["title"] == "Vecka 12 <b>" and "<title>Vecka 12 &lt;b&gt;</title>" in page
    assert data["period"] == "2025-03-01 – 2025-03-31"
    expected = [f"{o}-{k:03d}" for o in ("hsab", "huge") for k in (0, 1, 3)]  # March 1, 11, 31
    assert sorted(data["r"]["id"]) == expected
    assert {o["id"] for o in data["owners"]} == {"huge", "hsab"}
    assert len(data["geo"]["owners"]["features"]) == 2


def test_refuses_to_overwrite(routed: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.html"
    out.write_text("old", encoding="utf-8")
    with pytest.raises(OutputExistsError, match=r"map\.html already exists; pass `overwrite`"):
        write_map(routed, out, districts=False)
    assert out.read_text(encoding="utf-8") == "old"
    write_map(routed, out, districts=False, overwrite=True)
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_bad_inputs(routed: Path, tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.gpkg: file not found"):
        write_map(tmp_path / "missing.gpkg", tmp_path / "m.html")
    with pytest.raises(InputError, match="`date_from`: '2025-02-30' is not a date"):
        write_map(routed, tmp_path / "m.html", districts=False, date_from="2025-02-30")
    with pytest.raises(InputError, match="`date_to`: '31/3' is not a date"):
        write_owner_maps(routed, tmp_path / "o", districts=False, date_to="31/3")
    with pytest.raises(InputError, match="`date_from` 2025-05-01 is after `date_to` 2025-04-01"):
        write_map(
            routed,
            tmp_path / "m.html",
            districts=False,
            date_from="2025-05-01",
            date_to="2025-04-01",
        )
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"`out_dir`: .*file is a file; pass a directory"):
        write_owner_maps(routed, tmp_path / "file", districts=False)
    with pytest.raises(InputError, match=r"nada\.gpkg: district file not found"):
        write_map(routed, tmp_path / "m.html", districts=tmp_path / "nada.gpkg")
    assert not (tmp_path / "m.html").exists() and not (tmp_path / "o").exists()


def test_owner_polygons_override(routed: Path, tmp_path: Path) -> None:
    owners = gpd.read_file(routed, layer="owners").iloc[:1]
    owners.to_file(tmp_path / "o.gpkg", layer="parcels")
    page = write_map(routed, tmp_path / "m.html", districts=False, owners=tmp_path / "o.gpkg")
    assert len(payload_of(page.read_text(encoding="utf-8"))["geo"]["owners"]["features"]) == 1
    gpd.GeoDataFrame(owners.rename(columns={"owner": "x"})).to_file(tmp_path / "bad.gpkg")
    with pytest.raises(InputError, match="has no owner column among"):
        write_map(routed, tmp_path / "x.html", districts=False, owners=tmp_path / "bad.gpkg")


def test_maps_from_one_read_equal_maps_from_the_file(routed: Path, tmp_path: Path) -> None:
    data = read_routed(routed)
    all_owners = len(data.owners)
    gpd.read_file(routed, layer="owners").iloc[:1].to_file(tmp_path / "o.gpkg", layer="parcels")
    one = write_map(data, tmp_path / "one.html", districts=False, owners=tmp_path / "o.gpkg")
    assert len(payload_of(one.read_text(encoding="utf-8"))["geo"]["owners"]["features"]) == 1
    assert len(data.owners) == all_owners  # the caller's data is not changed by owners=
    from_data = write_map(data, tmp_path / "a.html", districts=False)
    from_file = write_map(routed, tmp_path / "b.html", districts=False)
    assert payload_of(from_data.read_text(encoding="utf-8")) == payload_of(
        from_file.read_text(encoding="utf-8")
    )
    per_owner = write_owner_maps(data, tmp_path / "per", districts=False)
    assert sorted(per_owner) == sorted(write_owner_maps(routed, tmp_path / "per2", districts=False))


def test_districts_from_regso(routed: Path, tmp_path: Path) -> None:
    regso = copy_regso(tmp_path)
    if regso is None:
        pytest.skip("RegSO GeoPackage not available")
    geo = read_districts(regso)
    assert geo.districts is not None and len(geo.districts) == 22
    assert "Flemingsberg västra" in set(geo.districts["name"])
    data = payload_of(
        write_map(routed, tmp_path / "m.html", districts=regso).read_text(encoding="utf-8")
    )
    assert len(data["districts"]) == 22 and len(data["geo"]["boundary"]["features"]) == 1


@pytest.mark.parametrize(
    ("owner", "stem"),
    [
        ("huge", "huge"),
        ("Huge Bostäder AB", "Huge_Bostader_AB-"),
        ("../x/y", "x_y-"),
        ("<>", "agare-"),
    ],
)
def test_owner_file_stem(owner: str, stem: str) -> None:
    assert owner_file_stem(owner).startswith(stem)
    assert re.fullmatch(r"[A-Za-z0-9_-]+", owner_file_stem(owner))


def test_per_owner_maps_are_isolated(routed: Path, tmp_path: Path) -> None:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "huge.csv").write_text("lista", encoding="utf-8")
    paths = write_owner_maps(routed, tmp_path / "lists", districts=False)
    assert sorted(paths) == ["hsab", "huge", "kommun"]
    assert (tmp_path / "lists" / "huge.csv").read_text(encoding="utf-8") == "lista"
    names = dict(zip(REGISTRY["owner"], REGISTRY["name"], strict=True))
    for owner, path in paths.items():
        page = path.read_text(encoding="utf-8")
        data = payload_of(page)
        assert {o["id"] for o in data["owners"]} == {owner}
        assert all(i.startswith(f"{owner}-") for i in data["r"]["id"])
        assert len(data["geo"]["owners"]["features"]) == 1
        assert names[owner] in data["title"]
        data_text = page.split('id="geomap-data">', 1)[1].split("</script>", 1)[0]
        for other in set(names) - {owner}:
            assert f'"{other}' not in data_text and f"{other};" not in data_text, path.name
            assert names[other] not in page, f"{names[other]} leaks into {path.name}"
            assert f"Beskrivning {other}" not in page and f"Plats {other}" not in page
        assert "Ingen ägare hittades" not in page  # unrouted remarks are in nobody's map


def test_per_owner_refuses_to_overwrite(routed: Path, tmp_path: Path) -> None:
    write_owner_maps(routed, tmp_path / "o", districts=False)
    with pytest.raises(OutputExistsError, match="already exists"):
        write_owner_maps(routed, tmp_path / "o", districts=False)
    assert len(write_owner_maps(routed, tmp_path / "o", districts=False, overwrite=True)) == 3


def test_build_map_html_from_frames() -> None:
    page = build_map_html(
        make_remarks(),
        owners=None,
        registry=REGISTRY,
        districts=None,
        title="T",
        synthetic_label=None,
    )
    assert payload_of(page)["title"] == "T"

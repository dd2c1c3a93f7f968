"""The maintenance HTML map: self-contained, escaped, Swedish legend with version and quantities."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geomap.maintenance import load_vocabulary
from geomap.maintenance.htmlmap import leaflet_style, marker_svg, render_map, swatch_svg

from tests.maintenance.helpers import X0, Y0, districts_frame

VOC = load_vocabulary()
EVIL = '</script><img src=x onerror="window.__pwned=1">'


def _layers() -> dict[str, gpd.GeoDataFrame]:
    yta = gpd.GeoDataFrame(
        {
            "produktkod": ["G2", "G4"],
            "produktnamn": ["Bruksgräsmatta", "Äng"],
            "agare_namn": [EVIL, "B"],
            "lokal_kod": [EVIL, "ÄNG"],
            "lokal_id": ["1", "2"],
            "mangd": [1234.5, 10.0],
            "enhet": ["m²", "m²"],
        },
        geometry=[shapely.box(X0, Y0, X0 + 10, Y0 + 10), shapely.box(X0 + 20, Y0, X0 + 30, Y0 + 1)],
        crs=3011,
    )
    return {"skotsel_yta": yta, "skotsel_punkt": yta.iloc[:0]}


def test_map_is_self_contained_and_escaped() -> None:
    page = render_map(
        _layers(),
        VOC,
        title=f"Karta {EVIL}",
        synthetic=True,
        districts=districts_frame().rename(columns={"regsonamn": "distrikt"}),
    )
    assert "<script src=" not in page and 'rel="stylesheet" href="http' not in page
    assert "L.map(" in page and "leaflet" in page.lower()
    assert EVIL not in page  # neither in the title nor in the embedded data
    assert "Karta &lt;/script&gt;" in page
    assert "\\u003c/script\\u003e" in page
    assert "SYNTETISKA DEMODATA" in page and "Vokabulär 2026.2" in page
    assert "Väster" in page or "V\\u00e4ster" in page


def test_page_shell_policy_allows_only_its_own_scripts() -> None:
    page = render_map(_layers(), VOC, title="T")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="sv">' in page
    match = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert match is not None
    policy = html.unescape(match.group(1))
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 2  # Leaflet and the page's own script
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        assert f"'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy and "img-src data:;" in policy  # no tiles, no network
    assert 'name="generator" content="geomap ' in page


def test_legend_lists_present_products_in_shared_terms_with_quantity() -> None:
    page = render_map(_layers(), VOC)
    codes = re.findall(r'data-code="([^"]+)"', page)
    assert codes == ["G2", "G4"]
    assert "G2 Bruksgräsmatta" in page and "1 234 m²" in page
    assert "<h3>Gräsytor</h3>" in page and "SYNTETISKA" not in page


@pytest.mark.parametrize("code", ["T1", "T2", "T3", "T4", "T5", "LEK"])
def test_marker_svgs_use_vocabulary_colours(code: str) -> None:
    product = VOC[code]
    svg = marker_svg(product)
    assert svg.startswith("<svg") and f'fill="{product.fill}"' in svg
    assert f'stroke="{product.stroke}"' in svg
    assert leaflet_style(product)["svg"] == svg and swatch_svg(product) == svg


def test_line_style_dash() -> None:
    assert leaflet_style(VOC["H2"])["dashArray"] == "8 4"
    assert 'stroke-dasharray="8 4"' in swatch_svg(VOC["H2"])
    assert leaflet_style(VOC["H1"])["dashArray"] is None


def _chromium() -> str | None:
    import shutil

    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )


@pytest.mark.browser
@pytest.mark.skipif(_chromium() is None, reason="Chromium (Debian package chromium) is absent")
def test_map_renders_offline_with_vocabulary_fills(tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    layers = _layers()
    points = layers["skotsel_yta"].assign(
        produktkod="T1", geometry=layers["skotsel_yta"].geometry.centroid, enhet="st"
    )
    page_html = render_map({**layers, "skotsel_punkt": points}, VOC, title="Test")
    path = tmp_path / "karta.html"
    path.write_text(page_html, encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=_chromium())
        page = browser.new_page()
        errors: list[str] = []
        requests: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.route("http*://**", lambda route: (requests.append(route.request.url), route.abort()))
        page.goto(path.as_uri())
        page.wait_for_selector("path.leaflet-interactive")
        fills = page.eval_on_selector_all(
            "path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))"
        )
        markers = page.locator(".gm-icon svg").count()
        window_pwned = page.evaluate("() => window.__pwned === undefined")
        page.locator(".gm-icon").first.click()  # popup with escaped texts
        popup = page.locator(".leaflet-popup-content").inner_text()
        page.wait_for_timeout(400)  # the popup's fade-in
        artifacts = Path(__file__).resolve().parents[1] / "artifacts"
        artifacts.mkdir(exist_ok=True)
        page.screenshot(path=str(artifacts / "maintenance_map.png"))
        browser.close()
    assert errors == [] and requests == []
    assert sorted(fills) == sorted([VOC["G2"].fill, "url(#gm-p-G4)"])
    assert markers == 2 and window_pwned
    assert "Ägare:" in popup and "Mängd:" in popup

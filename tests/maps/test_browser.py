"""The HTML maps in a real browser: headless Chromium (Debian ``chromium``) driven by Playwright.

The network is off (offline context, every http(s) request aborted): the maps must work without it.
Screenshots go to ``tests/artifacts/`` for a person to look at.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from geomap.core.labels import FLAG_LABELS, METHOD_LABELS, SOURCE_LABELS, UNROUTED_OWNER_LABEL
from geomap.maps import write_map, write_owner_maps

from tests.maps.helpers import MALICIOUS, copy_regso, make_remarks, write_routed

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

if not Path(CHROMIUM).exists():  # pragma: no cover - make test installs it (scripts/sysdeps.sh)
    pytest.skip("Chromium (Debian package chromium) is absent", allow_module_level=True)


@dataclass
class Maps:
    overview: Path
    owners: dict[str, Path]
    shared: dict[str, Path]  # per-owner maps linking one shared copy of their scripts


@dataclass
class Page:
    page: Any
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def maps(tmp_path_factory: pytest.TempPathFactory) -> Maps:
    tmp = tmp_path_factory.mktemp("maps")
    remarks = make_remarks()
    remarks.loc[0, "description"] = MALICIOUS
    remarks.loc[0, "action"] = "<b>fet</b> & 'citat'"
    routed = write_routed(tmp / "routed.gpkg", remarks)
    districts = copy_regso(tmp)
    return Maps(
        overview=write_map(routed, tmp / "map.html", districts=districts or False),
        owners=write_owner_maps(routed, tmp / "owners", districts=districts or False),
        shared=write_owner_maps(
            routed, tmp / "shared", districts=districts or False, shared_assets=True
        ),
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def _open(browser: Any, path: Path, fragment: str = "") -> Iterator[Page]:
    context = browser.new_context(
        offline=True,
        locale="sv-SE",
        timezone_id="Europe/Stockholm",
        viewport={"width": 1400, "height": 900},
    )
    page = context.new_page()
    result = Page(page)
    page.route(re.compile(r"^https?://"), lambda route: route.abort())
    page.on("request", lambda r: result.requests.append(r.url))
    page.on(
        "console",
        lambda m: result.errors.append(m.text) if m.type in {"error", "warning"} else None,
    )
    page.on("pageerror", lambda e: result.errors.append(str(e)))
    page.goto(path.as_uri() + fragment)
    _wait_ready(page)
    yield result
    context.close()


def _wait_ready(page: Any) -> None:
    # No wait_for_function: the page's Content-Security-Policy forbids eval.
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=20_000)


@pytest.fixture
def overview(browser: Any, maps: Maps) -> Iterator[Page]:
    yield from _open(browser, maps.overview)


def _screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def _markers_in(page: Any, owner: str) -> int:
    """Zoom to an owner's box of the fixture; count the markers and clusters drawn inside it."""
    from pyproj import Transformer

    from tests.maps.helpers import OWNER_BOXES

    x0, y0, x1, y1 = OWNER_BOXES[owner]
    lon0, lat0 = Transformer.from_crs(3011, 4326, always_xy=True).transform(x0, y0)
    lon1, lat1 = Transformer.from_crs(3011, 4326, always_xy=True).transform(x1, y1)
    return int(
        page.evaluate(
            """([lat0, lon0, lat1, lon1]) => new Promise((resolve) => {
                const m = window.geomap.map, box = L.latLngBounds([[lat0, lon0], [lat1, lon1]]);
                const count = () => {
                    let n = 0;
                    m.eachLayer((l) => {
                        if (l instanceof L.Marker && box.contains(l.getLatLng())) n++;
                    });
                    resolve(n);
                };
                m.once('moveend', () => setTimeout(count, 300));
                m.fitBounds(box, {animate: false});
            })""",
            [lat0, lon0, lat1, lon1],
        )
    )


def test_loads_offline_without_errors(overview: Page) -> None:
    page = overview.page
    assert overview.errors == []
    assert [u for u in overview.requests if u.startswith("http")] == []
    assert page.evaluate("L.version") == "1.9.3"
    assert page.evaluate("window.geomap.map instanceof L.Map")
    assert page.evaluate("typeof L.MarkerClusterGroup") == "function"
    assert page.locator(".leaflet-marker-icon").count() > 0  # clusters or markers drawn
    legend = page.locator(".gm-legend").inner_text()
    assert legend.startswith("Teckenförklaring")
    assert f"Svart kant: {FLAG_LABELS['boundary']}" in legend
    assert page.locator("#gm-banner").is_visible()
    assert page.locator("#gm-banner").inner_text() == "SYNTETISKA TESTDATA"
    assert page.locator("#gm-period").inner_text() == "Period: 2025-03-01 – 2025-12-31"
    assert page.locator(".leaflet-tile").count() == 0  # no background tiles offline
    if page.evaluate("Object.keys(window.geomap.counts().districts).length"):
        assert (
            "Områden: SCB RegSO 2025" in page.locator(".leaflet-control-attribution").inner_text()
        )
    _screenshot(page, "maps_overview.png")


def test_counts_are_shown(overview: Page) -> None:
    page = overview.page
    assert page.locator(".gm-count").inner_text() == "Visar 20 av 20 anmärkningar"
    owners = page.locator(".gm-row[data-owner]")
    assert owners.all_inner_texts() == [
        "Huddinge kommun\n6",
        "Huge Bostäder AB\n6",
        "Huddinge Samhällsfastigheter AB\n6",
        f"{UNROUTED_OWNER_LABEL}\n2",
    ]
    counts = page.evaluate("window.geomap.counts()")
    assert counts["owners"] == {"kommun": 6, "huge": 6, "hsab": 6, "": 2}
    assert counts["categories"]["klotter"] == 6
    if counts[
        "districts"
    ]:  # RegSO present: the owners' boxes lie in Sjödalen, Flemingsberg, Skogås
        assert sum(counts["districts"].values()) >= 18
        page.locator("summary", has_text="Anmärkningar per område").click()
        assert page.locator(".gm-districts tr").count() == 22


def test_toggling_an_owner_hides_its_remarks(overview: Page) -> None:
    page = overview.page
    assert _markers_in(page, "huge") > 0
    page.locator(".gm-row[data-owner='huge'] input").click()
    _wait_ready(page)
    assert page.locator(".gm-count").inner_text() == "Visar 14 av 20 anmärkningar"
    assert page.evaluate("window.geomap.counts().owners.huge") == 0
    assert _markers_in(page, "huge") == 0
    assert _markers_in(page, "kommun") > 0
    _screenshot(page, "maps_owner_hidden.png")
    page.locator(".gm-row[data-owner='huge'] input").click()
    _wait_ready(page)
    assert _markers_in(page, "huge") > 0
    assert overview.errors == []


def test_category_and_date_filters(overview: Page) -> None:
    page = overview.page
    page.locator(".gm-row[data-category='klotter'] input").click()
    _wait_ready(page)
    assert page.evaluate("window.geomap.visibleCount()") == 14
    page.locator(".gm-dates input").nth(0).fill("2025-03-11")
    _wait_ready(page)
    page.locator(".gm-dates input").nth(1).fill("2025-03-21")
    _wait_ready(page)
    # March 11 (belysning) and 21 (nedskräpning) for each of the three owners; undated ones hidden.
    assert page.evaluate("window.geomap.visibleCount()") == 6
    assert overview.errors == []


def test_popup_shows_malicious_text_as_text(overview: Page) -> None:
    page = overview.page
    assert page.evaluate("new Promise((r) => window.geomap.openPopup('kommun-000', r))") is None
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    text = popup.inner_text()
    assert MALICIOUS in text
    assert "<b>fet</b> & 'citat'" in text
    boundary = FLAG_LABELS["boundary"].capitalize()
    for label in ("Beskrivning", "Önskad åtgärd", "Ägare", "Dirigerad via", boundary, "Datum"):
        assert label in text
    assert f"{boundary}\nNej" in text
    assert METHOD_LABELS["nearest"] in text and "Huddinge kommun" in text and "12,5 m" in text
    assert f"Källa\n{SOURCE_LABELS['trygghetsvandring']}" in text
    assert popup.locator("img, script, b").count() == 0
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned === undefined")
    assert overview.errors == []
    _screenshot(page, "maps_popup.png")


def test_boundary_remark_popup_lists_candidates(overview: Page) -> None:
    page = overview.page
    page.evaluate("new Promise((r) => window.geomap.openPopup('huge-001', r))")
    text = page.locator(".leaflet-popup-content").inner_text()
    assert f"{FLAG_LABELS['boundary'].capitalize()}\nJa" in text
    assert f"Dirigerad via\n{METHOD_LABELS['ownership']}" in text
    assert f"Källa\n{SOURCE_LABELS['lagesbild']}" in text
    assert "Huge Bostäder AB, Huddinge kommun" in text  # candidates by name


def test_heat_map_toggle(overview: Page) -> None:
    page = overview.page
    page.get_by_text("Värmekarta").click()
    _wait_ready(page)
    painted = page.evaluate(
        """() => { const c = document.querySelector('canvas.gm-heat');
        if (!c) return false;
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) return true; } return false; }"""
    )
    assert painted
    _screenshot(page, "maps_heat.png")
    assert overview.errors == []


def test_per_owner_map(browser: Any, maps: Maps) -> None:
    opened = _open(browser, maps.owners["huge"])
    owner_page = next(opened)
    page = owner_page.page
    assert owner_page.errors == []
    assert page.locator(".gm-count").inner_text() == "Visar 6 av 6 anmärkningar"
    assert page.locator(".gm-row[data-owner]").all_inner_texts() == ["Huge Bostäder AB\n6"]
    assert "Huge Bostäder AB" in page.locator("#gm-title").inner_text()
    _screenshot(page, "maps_owner_huge.png")
    next(opened, None)


def test_content_security_policy_blocks_injected_handlers(browser: Any, maps: Maps) -> None:
    opened = _open(browser, maps.overview)
    page = next(opened).page
    page.evaluate(
        """() => { const d = document.createElement('div');
        d.innerHTML = '<img src="data:," onerror="window.__pwned = 3">';
        document.body.appendChild(d); }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned === undefined")
    next(opened, None)


def test_work_list_link_opens_the_remark(browser: Any, maps: Maps) -> None:
    # The link of a work list's "Karta" column: <stem>.html#anmarkning=<url-encoded remark id>.
    opened = _open(browser, maps.owners["huge"], "#anmarkning=huge%2D003")
    owner_page = next(opened)
    page = owner_page.page
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=10_000)
    text = popup.inner_text()
    assert "ID\nhuge-003" in text
    assert "Beskrivning huge nummer 3" in text
    assert page.evaluate("window.geomap.map.getZoom()") >= 16
    page.evaluate("window.location.hash = '#anmarkning=saknas'")
    page.locator(".gm-note", has_text="Anmärkning saknas finns inte").wait_for(timeout=5_000)
    assert owner_page.errors == []
    _screenshot(page, "maps_owner_link.png")
    next(opened, None)


def test_owner_maps_with_shared_assets_open_offline_and_draw(browser: Any, maps: Maps) -> None:
    """Maps that link the folder's one copy of Leaflet, map script and districts work offline."""
    folder = maps.shared["huge"].parent
    assets = sorted(p.name for p in (folder / "assets").iterdir())
    assert [a for a in assets if a.startswith("leaflet-")] == [
        "leaflet-1.9.3.css",
        "leaflet-1.9.3.js",
    ]
    for owner, path in maps.shared.items():
        html = path.read_text(encoding="utf-8")
        assert "<script>" not in html  # no inline script at all: only the data block and files
        assert path.stat().st_size < maps.owners[owner].stat().st_size / 5
    opened = _open(browser, maps.shared["huge"], "#anmarkning=huge%2D003")
    owner_page = next(opened)
    page = owner_page.page
    assert owner_page.errors == []
    assert [u for u in owner_page.requests if not u.startswith("file://")] == []
    assert {u.rsplit("/", 1)[1] for u in owner_page.requests if "/assets/" in u} == set(assets)
    assert page.evaluate("L.version") == "1.9.3"
    assert page.locator(".leaflet-marker-icon").count() > 0
    assert page.locator(".gm-count").inner_text() == "Visar 6 av 6 anmärkningar"
    assert page.locator(".gm-row[data-owner]").all_inner_texts() == ["Huge Bostäder AB\n6"]
    page.locator(".leaflet-popup-content").wait_for(timeout=10_000)
    assert "ID\nhuge-003" in page.locator(".leaflet-popup-content").inner_text()
    self_contained = next(_open(browser, maps.owners["huge"])).page
    shared_counts = page.evaluate("window.geomap.counts().districts")
    assert shared_counts == self_contained.evaluate("window.geomap.counts().districts")
    page.evaluate(
        """() => { const d = document.createElement('div');
        d.innerHTML = '<img src="data:," onerror="window.__pwned = 3">';
        document.body.appendChild(d); }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.__pwned === undefined")  # the policy is still strict
    _screenshot(page, "maps_owner_shared_assets.png")
    next(opened, None)

"""A report page in headless Chromium (Playwright), offline: no script errors, the map draws."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geomap.report import write_report

from tests.report.helpers import sample_report

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

if not Path(CHROMIUM).exists():  # pragma: no cover - make test installs it
    pytest.skip("Chromium (Debian package chromium) is absent", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def open_offline(browser: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    """Open ``path`` with the network off; return the page, its errors and its web requests."""
    context = browser.new_context(
        offline=True, locale="sv-SE", viewport={"width": 1300, "height": 900}
    )
    page = context.new_page()
    errors: list[str] = []
    requests: list[str] = []

    def _refuse(route: Any) -> None:
        requests.append(route.request.url)
        route.abort()

    page.route(re.compile(r"^https?://"), _refuse)
    page.on("console", lambda m: errors.append(m.text) if m.type in {"error", "warning"} else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_selector("body[data-ready='1']", state="attached", timeout=20_000)
    return page, errors, requests


def map_state(page: Any) -> dict[str, Any]:
    """What the first report map drew: layer count, marker and path elements, canvas size."""
    element = page.locator(".gm-map").first
    return {
        "drawn": element.get_attribute("data-drawn"),
        "canvas": page.locator(".gm-map canvas").count(),
        "interactive": page.locator(".gm-map .leaflet-interactive").count(),
        "box": element.bounding_box(),
    }


def test_report_opens_offline_and_its_map_draws(browser: Any, tmp_path: Path) -> None:
    paths = write_report(sample_report(), tmp_path / "r", stem="lagesbild", formats=["html"])
    page, errors, requests = open_offline(browser, paths["html"])
    try:
        assert errors == [] and requests == []
        state = map_state(page)
        assert state["drawn"] == "3" and state["canvas"] >= 1 and state["box"]["height"] > 300
        # The canvas holds drawn pixels (districts, cells, points), not a blank rectangle.
        filled = page.evaluate(
            "() => { const c = document.querySelector('.gm-map canvas');"
            " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
            " let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }"
        )
        assert filled > 500
        assert (
            page.locator("table[data-sheet]").count() == 5
            and page.locator("svg[role='img']").count() == 3
        )
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator(".gm-mapview").screenshot(path=str(ARTIFACTS / "report_map.png"))
    finally:
        page.context.close()

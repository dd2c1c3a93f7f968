"""lagesbild.html in headless Chromium, offline: no script errors, its map draws its layers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from geomap.core.periods import iso_week
from geomap.situation import write_lagesbild

from tests.situation.helpers import geography, routed

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

if not Path(CHROMIUM).exists():  # pragma: no cover - make test installs it
    pytest.skip("Chromium (Debian package chromium) is absent", allow_module_level=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    from tests.report.test_browser import ARGS

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


def test_lagesbild_opens_offline_and_its_map_draws(browser: Any, tmp_path: Path) -> None:
    from tests.report.test_browser import map_state, open_offline

    paths = write_lagesbild(
        [routed()],
        iso_week("2025-W47"),
        tmp_path / "lb",
        districts=geography(),
        formats=["html"],
    )
    page, errors, requests = open_offline(browser, paths["html"])
    try:
        assert errors == [] and requests == []
        state = map_state(page)
        # districts, density, hot cells, gone cells (when any) and the week's remarks
        assert int(state["drawn"]) >= 4 and state["canvas"] >= 1 and state["box"]["height"] > 300
        assert (
            "Heta rutor: 95 % (het)" in page.locator(".gm-legend").inner_text()
            or "Heta rutor: 99 % (het)" in page.locator(".gm-legend").inner_text()
        )
        assert page.locator("table[data-sheet='heta_punkter'] tbody tr").count() >= 1
        ARTIFACTS.mkdir(exist_ok=True)
        page.locator(".gm-mapview").screenshot(path=str(ARTIFACTS / "lagesbild_map.png"))
    finally:
        page.context.close()

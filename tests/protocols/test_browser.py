"""A protocol page in headless Chromium (Playwright), offline: no script errors, the map draws."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from geomap.protocols import write_protocols

from tests.protocols.helpers import routed_walks
from tests.report.test_browser import ARTIFACTS, browser, open_offline

pytestmark = pytest.mark.browser

__all__ = ["browser"]  # the fixture, shared with the report's browser test


def test_protocol_and_sub_protocol_open_offline(browser: Any, tmp_path: Path) -> None:
    paths = write_protocols(
        routed_walks(["kommun", "huge", "kommun"], categories=["Positivt", "klotter", "klotter"]),
        tmp_path / "p",
        formats=["html"],
    )
    for stem, files in paths.items():
        page, errors, requests = open_offline(browser, files["html"])
        try:
            assert errors == [] and requests == [], stem
            drawn = page.locator(".gm-map").first.get_attribute("data-drawn")
            assert drawn is not None and int(drawn) >= 1, stem
            filled = page.evaluate(
                "() => { const c = document.querySelector('.gm-map canvas');"
                " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                " let n = 0; for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) n++; } return n; }"
            )
            assert filled > 100, stem  # points and land drawn, not a blank canvas
            sheets = page.locator("table[data-sheet]").count()
            assert sheets == (3 if stem.endswith("-486f7245") else 2), stem
            if stem.endswith("_huge"):
                assert "iakttagelse nummer 0 unik" not in page.content()
                ARTIFACTS.mkdir(exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "protocol_owner.png"), full_page=True)
        finally:
            page.context.close()

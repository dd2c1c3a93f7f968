"""One table of Swedish labels: lists, summary.json, map popups and legend use the same words.

Every label of route methods, flags and sources is read from ``geomap.core.labels`` and looked
for in what a real ``geomap route`` run wrote.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from geomap.cli import cli
from geomap.core.labels import FLAG_LABELS, LABELS, METHOD_LABELS, SOURCE_LABELS

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("labels") / "out"
    data = ROOT / "data"
    result = CliRunner().invoke(
        cli,
        [
            "route",
            str(data / "lagesbild_2025_synthetic.csv"),
            str(data / "trygghetsvandringar_synthetic.gpkg"),
            str(data / "hard_cases_synthetic.csv"),
            "--owners",
            str(data / "owners_synthetic.gpkg"),
            "--registry",
            str(data / "owners.toml"),
            "--responsibility",
            str(data / "driftansvar_synthetic.gpkg"),
            "--rules",
            str(data / "rules.toml"),
            "-o",
            str(out),
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def _list_rows(out: Path) -> list[dict[str, str]]:
    rows: list[dict[str, str]] = []
    for path in [*sorted((out / "owners").glob("*.csv")), out / "unrouted.csv"]:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows += list(csv.DictReader(handle, delimiter=";"))
    return rows


def test_lists_use_the_table(run: Path) -> None:
    rows = _list_rows(run)
    methods = {r["Dirigerad via"] for r in rows}
    assert methods == set(METHOD_LABELS.values())  # the demo has every route method
    assert {r["Källa"] for r in rows} <= set(SOURCE_LABELS.values())
    assert {SOURCE_LABELS["lagesbild"], SOURCE_LABELS["trygghetsvandring"]} <= {
        r["Källa"] for r in rows
    }
    words = {w for r in rows for w in r["Flaggor"].split(", ") if w}
    assert words <= set(FLAG_LABELS.values())
    assert {FLAG_LABELS["boundary"], FLAG_LABELS["unknown_category"]} <= words


def test_summary_json_carries_the_table(run: Path) -> None:
    summary = json.loads((run / "summary.json").read_text(encoding="utf-8"))
    assert summary["labels"] == {kind: dict(table) for kind, table in LABELS.items()}
    assert set(summary["by_method"]) <= set(summary["labels"]["method"])


def _payload(page: str) -> dict:
    match = re.search(
        r'<script type="application/json" id="geomap-data">(.*?)</script>', page, re.S
    )
    assert match is not None
    return json.loads(match.group(1))


def test_map_payload_carries_the_table(run: Path) -> None:
    """``map.html`` holds the labels; per-owner pages take them from the folder's shared file."""
    (shared,) = (run / "owners" / "assets").glob("geografi-*.js")
    text = shared.read_text(encoding="utf-8")
    common = json.loads(text.removeprefix("window.geomapShared = ").rstrip().removesuffix(";"))
    for page in [run / "map.html", *sorted((run / "owners").glob("*.html"))]:
        payload = _payload(page.read_text(encoding="utf-8"))
        labels = common["labels"] if payload.get("shared") else payload["labels"]
        assert labels == {kind: dict(table) for kind, table in LABELS.items()}


@pytest.mark.browser
def test_map_popups_and_legend_show_the_table(run: Path) -> None:
    if not Path(CHROMIUM).exists():  # pragma: no cover - make test installs it
        pytest.skip("Chromium (Debian package chromium) is absent")
    from playwright.sync_api import sync_playwright

    rows = _list_rows(run)
    boundary = next(r for r in rows if FLAG_LABELS["boundary"] in r["Flaggor"])
    walk = next(r for r in rows if r["Källa"] == SOURCE_LABELS["trygghetsvandring"])
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_context(offline=True).new_page()
        page.goto((run / "map.html").as_uri())
        page.wait_for_selector("body[data-ready='1']", state="attached", timeout=20_000)
        legend = page.locator(".gm-legend").inner_text()
        assert FLAG_LABELS["boundary"] in legend
        texts = {}
        for row in (boundary, walk):
            page.evaluate(f"new Promise((r) => window.geomap.openPopup({row['Id']!r}, r))")
            popup = page.locator(".leaflet-popup-content").filter(has_text=row["Id"])
            texts[row["Id"]] = popup.inner_text()
        browser.close()
    assert f"{FLAG_LABELS['boundary'].capitalize()}\nJa" in texts[boundary["Id"]]
    assert boundary["Dirigerad via"] in texts[boundary["Id"]]
    assert f"Källa\n{SOURCE_LABELS['trygghetsvandring']}" in texts[walk["Id"]]
    assert walk["Dirigerad via"] in texts[walk["Id"]]

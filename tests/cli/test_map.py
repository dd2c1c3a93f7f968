"""Tests for ``geomap map``: options, exit codes and refusal to overwrite."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from geomap.cli import cli

from tests.maps.helpers import write_routed


@pytest.fixture
def routed(tmp_path: Path) -> Path:
    return write_routed(tmp_path / "routed.gpkg")


def run(*args: object) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["map", *map(str, args)])
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def test_map_and_per_owner(routed: Path, tmp_path: Path) -> None:
    code, out = run(
        routed, "-o", tmp_path / "map.html", "--per-owner", tmp_path / "owners", "--no-districts"
    )
    assert code == 0, out
    assert (tmp_path / "map.html").stat().st_size > 150_000  # one file, Leaflet inlined
    assert sorted(p.name for p in (tmp_path / "owners").iterdir()) == [
        "assets",  # the one copy of Leaflet, map script and districts the maps share
        "hsab.html",
        "huge.html",
        "kommun.html",
    ]
    page = (tmp_path / "owners" / "huge.html").read_text(encoding="utf-8")
    assert '<script src="assets/leaflet-1.9.3.js"></script>' in page
    assert len(page) < 30_000


def test_per_owner_self_contained_for_one_owner(routed: Path, tmp_path: Path) -> None:
    code, out = run(
        routed,
        "--per-owner",
        tmp_path / "one",
        "--owner",
        "huge",
        "--self-contained",
        "--no-districts",
    )
    assert code == 0, out
    assert [p.name for p in (tmp_path / "one").iterdir()] == ["huge.html"]
    page = (tmp_path / "one" / "huge.html").read_text(encoding="utf-8")
    assert "L.MarkerClusterGroup" in page and 'src="assets/' not in page


def test_filters_and_cdn(routed: Path, tmp_path: Path) -> None:
    code, out = run(
        routed,
        "-o",
        tmp_path / "m.html",
        "--no-districts",
        "--cdn",
        "--title",
        "Vecka 12",
        "--from",
        "2025-03-01",
        "--to",
        "2025-04-30",
        "--category",
        "klotter,belysning",
        "--owner",
        "huge",
    )
    assert code == 0, out
    assert "unpkg.com" in (tmp_path / "m.html").read_text(encoding="utf-8")


def test_usage_errors_exit_2(routed: Path, tmp_path: Path) -> None:
    code, out = run(routed)
    assert code == 2 and "pass -o/--output MAP.html, --per-owner DIR" in out
    code, out = run(routed, "-o", tmp_path / "m.html", "--no-districts", "--districts", routed)
    assert code == 2 and "exclude each other" in out


def test_refuses_to_overwrite_exit_2(routed: Path, tmp_path: Path) -> None:
    out_file = tmp_path / "m.html"
    out_file.write_text("old", encoding="utf-8")
    code, out = run(routed, "-o", out_file, "--no-districts")
    assert code == 2 and "already exists; pass --overwrite" in out
    assert out_file.read_text(encoding="utf-8") == "old"
    code, _ = run(routed, "-o", out_file, "--no-districts", "--overwrite")
    assert code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--owner", "nobody"], "--owner: 'nobody' has no remarks"),
        (["--category", "cykelvrak"], "--category: 'cykelvrak' not found"),
        (["--category", "brand"], "--category: 'brand' not found in the remarks; known: belysning"),
    ],
)
def test_bad_input_exit_1(routed: Path, tmp_path: Path, args: list[str], message: str) -> None:
    code, out = run(routed, "-o", tmp_path / "m.html", "--no-districts", *args)
    assert code == 1 and message in out
    assert "Traceback" not in out


def test_bad_date_is_a_usage_error(routed: Path, tmp_path: Path) -> None:
    code, out = run(routed, "-o", tmp_path / "m.html", "--no-districts", "--from", "2025-13-01")
    assert code == 2 and "--from: '2025-13-01' is not a date" in out
    assert "Traceback" not in out and not (tmp_path / "m.html").exists()


def test_missing_routed_exit_1(tmp_path: Path) -> None:
    code, out = run(tmp_path / "nope.gpkg", "-o", tmp_path / "m.html")
    assert code == 1 and "nope.gpkg: file not found" in out


def test_category_alias_selects_its_code(routed: Path, tmp_path: Path) -> None:
    pages = {}
    for name in ("graffiti", "klotter", "Klotter/tags", "belysning"):
        out = tmp_path / f"{name.replace('/', '_')}.html"
        code, text = run(routed, "-o", out, "--no-districts", "--category", name)
        assert code == 0, text
        pages[name] = out.read_text(encoding="utf-8")
    assert pages["graffiti"] == pages["klotter"] == pages["Klotter/tags"]
    assert pages["graffiti"] != pages["belysning"]

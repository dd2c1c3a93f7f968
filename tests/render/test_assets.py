"""Tests for geomap.render.assets: Leaflet and markercluster inlined from pip packages or on a CDN."""

from __future__ import annotations

import html
import re

import pytest

from geomap.render.assets import ASSETS, asset_notice, leaflet_head

EXTERNAL = re.compile(r"<(?:script|link)\b[^>]*(?:src|href)\s*=\s*[\"']?(?:https?:)?//", re.I)


def test_inline_head_needs_no_network() -> None:
    head = leaflet_head()
    assert not EXTERNAL.search(head)
    assert "L.MarkerClusterGroup" in head  # the plugin
    assert "Leaflet 1.9.3" in head  # the library banner
    assert "url(images/" not in head  # CSS images inlined as data: URIs
    assert "data:image/png;base64," in head
    assert "sourceMappingURL" not in head


def test_inline_head_cannot_close_its_script_element() -> None:
    head = leaflet_head()
    bodies = re.findall(r"<script>(.*?)</script>", head, flags=re.S)
    assert len(bodies) == 2
    assert all("</script" not in body.lower() for body in bodies)


def test_cdn_head_links_same_versions() -> None:
    head = leaflet_head(cdn=True)
    assert "https://unpkg.com/leaflet@1.9.3/dist/leaflet.js" in head
    assert "https://unpkg.com/leaflet.markercluster@1.4.1/dist/leaflet.markercluster.js" in head
    assert 'integrity="sha256-' in head
    assert len(head) < 2_000


def test_without_plugins_only_leaflet() -> None:
    assert "MarkerClusterGroup" not in leaflet_head(plugins=())


def test_unknown_plugin_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown plugin.*'heat'"):
        leaflet_head(plugins=("heat",))


def test_notice_names_versions_and_licences() -> None:
    notice = asset_notice()
    assert "Leaflet 1.9.3 (BSD-2-Clause" in notice
    assert "Leaflet.markercluster 1.4.1 (MIT" in notice
    assert "xstatic-leaflet-markercluster" in notice
    assert set(ASSETS) == {"leaflet", "markercluster"}


def test_shared_assets_are_written_once_and_linked_relatively(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from geomap.render.assets import asset_files, write_assets
    from geomap.render.page import html_page

    written = write_assets(tmp_path / "assets")
    names = [p.name for p in written]
    assert names == [
        "leaflet-1.9.3.css",
        "MarkerCluster-1.4.1.css",
        "MarkerCluster.Default-1.4.1.css",
        "leaflet-1.9.3.js",
        "leaflet.markercluster-1.4.1.js",
    ]
    css = (tmp_path / "assets" / "leaflet-1.9.3.css").read_text(encoding="utf-8")
    assert "url(images/" not in css and "data:image/png;base64," in css  # img-src stays data:
    assert "<style>" not in css and "sourceMappingURL" not in css
    assert asset_files() == {p.name: p.read_text(encoding="utf-8") for p in written}
    before = {p.name: p.stat().st_mtime_ns for p in written}
    write_assets(tmp_path / "assets")  # the same content: left alone
    assert {p.name: p.stat().st_mtime_ns for p in written} == before
    head = leaflet_head(assets="assets/")
    assert not EXTERNAL.search(head) and "<script>" not in head
    assert re.findall(r'(?:src|href)="([^"]+)"', head) == [f"assets/{n}" for n in names]
    page = html_page(title="t", head=head, script_files=["assets/map.js"])
    found = re.search(r'Content-Security-Policy" content="([^"]+)"', page)
    policy = html.unescape(found.group(1)) if found else ""
    assert "script-src 'self';" in policy  # the folder's files; no inline code, no other host
    assert "style-src 'unsafe-inline' 'self';" in policy and "img-src data:" in policy
    assert page.index('<script src="assets/map.js">') > page.index("</style>")

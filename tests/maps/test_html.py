"""Tests for geomap.maps.html: page assembly, its Content-Security-Policy and its labels."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path

import geomap.maps
from geomap.core.labels import LABELS, UNROUTED_OWNER_LABEL
from geomap.maps.html import build_map_html, render_page
from geomap.render.page import CARTO_TILES, html_page, script_json

from tests.maps.helpers import REGISTRY, make_remarks

MAPS = Path(geomap.maps.__file__).parent


def _policy(page: str) -> str:
    match = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert match is not None
    return html.unescape(match.group(1))


def test_every_inline_script_is_allowed_by_hash() -> None:
    page = render_page('{"r":{"n":0}}', title="T")
    policy = _policy(page)
    scripts = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert len(scripts) == 3  # Leaflet, markercluster, geomap
    for body in scripts:
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
        assert f"'sha256-{digest}'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]
    assert "default-src 'none'" in policy


def test_cdn_policy_allows_unpkg_only_for_cdn() -> None:
    assert "https://unpkg.com" in _policy(render_page("{}", title="T", cdn=True))
    assert "unpkg" not in _policy(render_page("{}", title="T"))


def test_policy_allows_tiles_and_data_images_only() -> None:
    policy = _policy(render_page("{}", title="T"))
    assert f"img-src data: {CARTO_TILES};" in policy
    assert "connect-src" not in policy and "base-uri 'none'" in policy


def test_shell_neutralises_end_tags_and_hashes_what_it_writes() -> None:
    page = html_page(
        title="T",
        css="a::after { content: '</style><b>x</b>'; }",
        body="<p>b</p>",
        data={"d": '{"a":"</script><img src=x>"}', "e": script_json([1])},
        scripts=['var s = "</script><img src=x onerror=alert(1)>";'],
    )
    assert "</script><img" not in page and "</style><b>" not in page
    assert '<script type="application/json" id="d">{"a":"\\u003c/script\\u003e' in page
    (body,) = re.findall(r"<script>(.*?)</script>", page, flags=re.S)
    assert "<\\/script>" in body
    digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode("ascii")
    assert f"'sha256-{digest}'" in _policy(page)
    assert page.index('id="e"') < page.index("<script>") < page.index("</body>")


def test_title_is_escaped() -> None:
    page = render_page("{}", title="<script>alert(1)</script>")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
    assert '<h1 id="gm-title">&lt;script&gt;' in page


def test_labels_come_only_from_core_labels() -> None:
    """No Swedish word of a route method, flag or source is written in geomap/maps itself."""
    words = {w for table in LABELS.values() for w in table.values()} | {UNROUTED_OWNER_LABEL}
    sources = [p for p in MAPS.rglob("*") if p.suffix in {".py", ".js", ".html", ".css"}]
    assert {p.name for p in sources} >= {"map.js", "data.py", "html.py", "render.py"}
    for path in sources:
        text = path.read_text(encoding="utf-8")
        found = sorted(w for w in words if re.search(rf'["\'>]{re.escape(w)}', text, re.I))
        assert found == [], f"{path.name} writes {found} itself; take them from geomap.core.labels"


def test_page_carries_the_label_tables() -> None:
    page = build_map_html(make_remarks(), owners=None, registry=REGISTRY, districts=None)
    data = re.search(r'<script type="application/json" id="geomap-data">(.*?)</script>', page)
    assert data is not None
    payload = json.loads(data.group(1))
    assert payload["labels"] == {kind: dict(table) for kind, table in LABELS.items()}
    assert payload["owners"][-1]["name"] == UNROUTED_OWNER_LABEL

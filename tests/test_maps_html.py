"""Tests for geomap.maps.html: page assembly and its Content-Security-Policy."""

from __future__ import annotations

import base64
import hashlib
import html
import re

from geomap.maps.html import render_page


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


def test_title_is_escaped() -> None:
    page = render_page("{}", title="<script>alert(1)</script>")
    assert "<title>&lt;script&gt;alert(1)&lt;/script&gt;</title>" in page
    assert '<h1 id="gm-title">&lt;script&gt;' in page

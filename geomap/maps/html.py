"""Assemble one self-contained HTML map page from the payload, the page template and Leaflet.

The page carries a Content-Security-Policy that only lets geomap's own scripts run (by hash): even
if a text from the data were ever inserted as HTML, an injected ``<script>`` or ``onerror=`` would
not execute. Texts from the data are set with ``textContent`` in ``templates/map.js``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import re
from importlib import resources
from string import Template

import geopandas as gpd
import pandas as pd

from geomap._version import __version__
from geomap.maps.data import MapText, build_payload, script_json
from geomap.render.assets import leaflet_head

__all__ = ["DEFAULT_TITLE", "build_map_html", "render_page"]

DEFAULT_TITLE = "Anmärkningar och ansvariga ägare – Huddinge"
_SCRIPTS = re.compile(r"<script>(.*?)</script>", re.DOTALL)
_TILES = "https://*.basemaps.cartocdn.com"
_CDN = "https://unpkg.com"


@functools.lru_cache(maxsize=4)
def _template(name: str) -> str:
    return (resources.files("geomap.maps") / "templates" / name).read_text(encoding="utf-8")


def _sha256(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _csp(head: str, script: str, *, cdn: bool) -> str:
    hashes = [_sha256(s) for s in _SCRIPTS.findall(head)] + [_sha256(script)]
    extra = f" {_CDN}" if cdn else ""
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {' '.join(hashes)}{extra}",
            f"style-src 'unsafe-inline'{extra}",
            f"img-src data: {_TILES}{extra}",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def render_page(payload_json: str, *, title: str, cdn: bool = False) -> str:
    """Fill the page template with Leaflet, geomap's CSS/JS and a payload already serialised.

    Parameters
    ----------
    payload_json : str
        Output of :func:`geomap.maps.data.script_json`.
    title : str
        Page title (HTML-escaped here; the visible heading is also set from the payload).
    cdn : bool, default False
        Link Leaflet on unpkg.com instead of inlining it.

    Returns
    -------
    str
        The complete HTML document.

    Examples
    --------
    >>> page = render_page('{"r":{"n":0}}', title="<Test>", cdn=True)
    >>> "<title>&lt;Test&gt;</title>" in page
    True
    """
    head = leaflet_head(cdn=cdn, plugins=("markercluster",))
    body = _template("map.js").strip("\n")
    script = "\n" + body + "\n"  # exactly the text between <script> and </script> in map.html
    return Template(_template("map.html")).substitute(
        csp=html.escape(_csp(head, script, cdn=cdn)),
        version=html.escape(__version__),
        title=html.escape(title),
        head=head,
        css=_template("map.css"),
        data=payload_json,
        js=body,
    )


def build_map_html(
    remarks: gpd.GeoDataFrame,
    *,
    owners: gpd.GeoDataFrame | None,
    registry: pd.DataFrame,
    districts: gpd.GeoDataFrame | None,
    boundary: gpd.GeoDataFrame | None = None,
    title: str | None = None,
    synthetic_label: str | None = None,
    cdn: bool = False,
    period: str = "",
    scope_owner: str | None = None,
    district_source: str = "",
) -> str:
    """Build the HTML of an interactive map from data frames.

    Parameters
    ----------
    remarks : geopandas.GeoDataFrame
        Routed remarks (layer ``remarks`` of routed.gpkg), Point geometry with a CRS.
    owners : geopandas.GeoDataFrame or None
        Owner polygons with column ``owner``.
    registry : pandas.DataFrame
        Owner registry: ``owner``, ``name``, ``colour``, ``priority``, ``contact``.
    districts : geopandas.GeoDataFrame or None
        District polygons with column ``name``.
    boundary : geopandas.GeoDataFrame, optional
        Municipality boundary.
    title : str, optional
        Heading; default "Anmärkningar och ansvariga ägare – Huddinge".
    synthetic_label : str, optional
        When given, a banner with this text is shown (use it for synthetic demo data).
    cdn : bool, default False
        Link Leaflet on unpkg.com instead of inlining it (the page then needs the network).
    period : str, default ""
        Period shown under the title, e.g. ``"2025-01-01 – 2025-12-31"``.
    district_source : str, default ""
        Attribution of the districts shown in the map corner (e.g. "SCB RegSO 2025").
    scope_owner : str, optional
        Make a per-owner map: nothing of other owners is included (see
        :func:`geomap.maps.data.build_payload`). ``remarks`` should already hold only that owner.

    Returns
    -------
    str
        A complete HTML document.

    Examples
    --------
    >>> import shapely
    >>> rem = gpd.GeoDataFrame({"remark_id": ["a"], "category": ["klotter"],
    ...     "category_label": ["Klotter"], "owner": ["huge"], "owner_name": ["Huge"]},
    ...     geometry=[shapely.Point(153000, 6567000)], crs=3011)
    >>> reg = pd.DataFrame({"owner": ["huge"], "name": ["Huge"], "colour": ["#e69f00"]})
    >>> page = build_map_html(rem, owners=None, registry=reg, districts=None)
    >>> page.startswith("<!DOCTYPE html>") and "L.MarkerClusterGroup" in page
    True
    """
    text = MapText(
        title=title or DEFAULT_TITLE,
        period=period,
        banner=synthetic_label or None,
        district_source=district_source,
    )
    payload = build_payload(
        remarks,
        registry=registry,
        owners=owners,
        districts=districts,
        boundary=boundary,
        text=text,
        scope_owner=scope_owner,
    )
    return render_page(script_json(payload), title=text.title, cdn=cdn)

"""Assemble one self-contained HTML map page from the payload, the page template and Leaflet.

The page is built in geomap's one page shell (:func:`geomap.render.page.html_page`), whose
Content-Security-Policy only lets geomap's own scripts run (by hash). Texts from the data are set
with ``textContent`` in ``templates/map.js``.
"""

from __future__ import annotations

import functools
import html
from importlib import resources
from string import Template

import geopandas as gpd
import pandas as pd

from geomap.maps.data import MapText, build_payload, script_json
from geomap.render.assets import leaflet_head
from geomap.render.page import CARTO_TILES, html_page

__all__ = ["DEFAULT_TITLE", "build_map_html", "render_page"]

DEFAULT_TITLE = "Anmärkningar och ansvariga ägare – Huddinge"
#: Element id of the payload's JSON block, read by ``templates/map.js``.
_DATA_ID = "geomap-data"


@functools.lru_cache(maxsize=4)
def _template(name: str) -> str:
    return (resources.files("geomap.maps") / "templates" / name).read_text(encoding="utf-8")


def render_page(payload_json: str, *, title: str, cdn: bool = False) -> str:
    """Fill the page shell with Leaflet, geomap's map CSS/JS and a payload already serialised.

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
    return html_page(
        title=title,
        head=leaflet_head(cdn=cdn, plugins=("markercluster",)),
        css=_template("map.css"),
        body=Template(_template("map.html")).substitute(title=html.escape(title)),
        data={_DATA_ID: payload_json},
        scripts=[_template("map.js")],
        cdn=cdn,
        image_hosts=[CARTO_TILES],
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
    remarks, registry, owners, districts, boundary
        As in :func:`geomap.maps.data.build_payload` (``owners`` and ``districts`` may be None).
    title : str, optional
        Heading; default "Anmärkningar och ansvariga ägare – Huddinge".
    synthetic_label : str, optional
        When given, a banner with this text is shown (use it for synthetic demo data).
    cdn : bool, default False
        Link Leaflet on unpkg.com instead of inlining it (the page then needs the network).
    scope_owner : str, optional
        Make a per-owner map with nothing of other owners (see ``build_payload``); ``remarks``
        should already hold only that owner's remarks.
    period, district_source : str, default ""
        Period under the title (e.g. ``"2025-01-01 – 2025-12-31"``) and attribution of the
        districts in the map corner (e.g. "SCB RegSO 2025").

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
    text = MapText(title or DEFAULT_TITLE, period, synthetic_label or None, district_source)
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

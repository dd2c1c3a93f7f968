"""Assemble an HTML map page from the payload, the page template and Leaflet.

The page is built in geomap's one page shell (:func:`geomap.render.page.html_page`), whose
Content-Security-Policy only lets geomap's own scripts run (by hash, or from the page's own
folder). Texts from the data are set with ``textContent`` in ``templates/map.js``. A page is
self-contained by default; with :class:`MapAssets` it links one shared copy of Leaflet, the map
script and style and the districts in a folder beside it (:func:`write_map_assets`), so many
maps in one folder cost only their own data.
"""

from __future__ import annotations

import functools
import hashlib
import html
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any

import geopandas as gpd
import pandas as pd

from geomap.maps.data import MapText, build_payload, script_json, shared_geography
from geomap.render.assets import leaflet_head, write_assets
from geomap.render.page import CARTO_TILES, html_page

__all__ = [
    "DEFAULT_TITLE",
    "MapAssets",
    "PageShell",
    "build_map_html",
    "render_page",
    "write_map_assets",
]

DEFAULT_TITLE = "Anmärkningar och ansvariga ägare – Huddinge"
#: Element id of the payload's JSON block, read by ``templates/map.js``.
_DATA_ID = "geomap-data"


@functools.lru_cache(maxsize=4)
def _template(name: str) -> str:
    return (resources.files("geomap.maps") / "templates" / name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class MapAssets:
    """The shared files that maps in one folder link, relative to the maps.

    Attributes
    ----------
    url : str
        The folder relative to the pages, ending in ``/`` (e.g. ``"assets/"``).
    files : tuple of str
        The map's style sheet, the shared districts script and the map script, in that order.
    """

    url: str
    files: tuple[str, str, str]


def _hashed(stem: str, text: str, suffix: str) -> str:
    return f"{stem}-{hashlib.sha256(text.encode('utf-8')).hexdigest()[:10]}.{suffix}"


def write_map_assets(
    directory: str | os.PathLike[str],
    *,
    districts: gpd.GeoDataFrame | None = None,
    boundary: gpd.GeoDataFrame | None = None,
    url: str = "assets/",
) -> MapAssets:
    """Write the files that many maps share into ``directory``: Leaflet, map script and style.

    Also the districts and boundary (``geografi-<hash>.js``, which sets ``window.geomapShared``);
    file names carry a hash of their content, so a folder never mixes versions.

    Parameters
    ----------
    directory : str or os.PathLike
        The shared folder (made if missing), e.g. ``owners/assets``.
    districts, boundary : geopandas.GeoDataFrame, optional
        As for :func:`build_map_html`; pages built with these assets must use the same ones.
    url : str, default "assets/"
        The folder as the pages link it (relative to them).

    Returns
    -------
    MapAssets

    Examples
    --------
    >>> import tempfile
    >>> assets = write_map_assets(tempfile.mkdtemp())
    >>> assets.url, [f.split("-")[0] for f in assets.files]
    ('assets/', ['map', 'geografi', 'map'])
    """
    folder = Path(directory)
    write_assets(folder, plugins=("markercluster",))
    css, script = _template("map.css"), _template("map.js")
    shared = "window.geomapShared = " + script_json(shared_geography(districts, boundary)) + ";\n"
    files = (
        _hashed("map", css, "css"),
        _hashed("geografi", shared, "js"),
        _hashed("map", script, "js"),
    )
    for name, text in zip(files, (css, shared, script), strict=True):
        path = folder / name
        if not path.is_file():
            path.write_text(text, encoding="utf-8")
    return MapAssets(url, files)


def render_page(
    payload_json: str, *, title: str, cdn: bool = False, assets: MapAssets | None = None
) -> str:
    """Fill the page shell with Leaflet, geomap's map CSS/JS and a payload already serialised.

    Parameters
    ----------
    payload_json : str
        Output of :func:`geomap.maps.data.script_json`.
    title : str
        Page title (HTML-escaped here; the visible heading is also set from the payload).
    cdn : bool, default False
        Link Leaflet on unpkg.com instead of inlining it.
    assets : MapAssets, optional
        Link the shared files of the folder (see :func:`write_map_assets`) instead of inlining.

    Returns
    -------
    str
        The complete HTML document.

    Examples
    --------
    >>> page = render_page('{"r":{"n":0}}', title="<Test>", cdn=True)
    >>> "<title>&lt;Test&gt;</title>" in page
    True
    >>> shared = MapAssets("assets/", ("map-1.css", "geografi-2.js", "map-3.js"))
    >>> '<script src="assets/map-3.js"></script>' in render_page("{}", title="T", assets=shared)
    True
    """
    if assets is not None:
        return html_page(
            title=title,
            head=leaflet_head(plugins=("markercluster",), assets=assets.url),
            body=Template(_template("map.html")).substitute(title=html.escape(title)),
            data={_DATA_ID: payload_json},
            stylesheets=[assets.url + assets.files[0]],
            script_files=[assets.url + f for f in assets.files[1:]],
            image_hosts=[CARTO_TILES],
        )
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


_TITLE_MARK = "\x00geomap-title\x00"
_DATA_MARK = "\x00geomap-data\x00"


@dataclass(frozen=True)
class PageShell:
    """A map page rendered once with stand-ins for the title and the data, to fill in per map.

    :func:`render_page` is the same for every map of one kind but its title and payload (the
    policy, Leaflet and the shared links do not depend on them), so many maps render it once:
    ``PageShell.of(cdn=..., assets=...).fill(title, payload_json)`` equals
    ``render_page(payload_json, title=title, cdn=..., assets=...)``.

    Attributes
    ----------
    parts : tuple of str
        The texts between the stand-ins: around the title's places, then the data's last.

    Examples
    --------
    >>> shell = PageShell.of(cdn=True)
    >>> shell.fill("<T>", '{"r":{"n":0}}') == render_page('{"r":{"n":0}}', title="<T>", cdn=True)
    True
    """

    parts: tuple[str, ...]

    @classmethod
    def of(cls, *, cdn: bool = False, assets: MapAssets | None = None) -> PageShell:
        """Render the shell of :func:`render_page` with these ``cdn`` and ``assets``."""
        page = render_page(_DATA_MARK, title=_TITLE_MARK, cdn=cdn, assets=assets)
        head, data = page.split(_DATA_MARK)
        return cls((*head.split(_TITLE_MARK), data))

    def fill(self, title: str, payload_json: str) -> str:
        """Return the page with this title and payload (JSON from ``script_json``)."""
        escaped = html.escape(title)
        return escaped.join(self.parts[:-1]) + payload_json + self.parts[-1]


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
    assets: MapAssets | None = None,
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
    assets : MapAssets, optional
        Link the folder's shared files (Leaflet, map script, districts) instead of inlining;
        ``districts`` and ``boundary`` must be those :func:`write_map_assets` was given.
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
    payload = _payload(remarks, registry, owners, districts, boundary, text, scope_owner, assets)
    return render_page(script_json(payload), title=text.title, cdn=cdn, assets=assets)


def _payload(
    remarks: gpd.GeoDataFrame,
    registry: pd.DataFrame,
    owners: gpd.GeoDataFrame | None,
    districts: gpd.GeoDataFrame | None,
    boundary: gpd.GeoDataFrame | None,
    text: MapText,
    scope_owner: str | None,
    assets: MapAssets | None,
) -> dict[str, Any]:
    """Return the map's data (see :func:`build_payload`), shared geography left out with ``assets``."""
    return build_payload(
        remarks,
        registry=registry,
        owners=owners,
        districts=districts,
        boundary=boundary,
        text=text,
        scope_owner=scope_owner,
        shared=assets is not None,
    )

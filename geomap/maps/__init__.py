"""Interactive HTML maps of routed remarks (``geomap map``).

Self-contained by default: Leaflet and Leaflet.markercluster are inlined from the pip packages
``xstatic-leaflet`` and ``xstatic-leaflet-markercluster``, so a map opens by double-click with no
network.

Examples
--------
>>> from geomap.maps import write_map
>>> write_map("out/demo/routed.gpkg", "out/demo/map.html", overwrite=True)  # doctest: +SKIP
PosixPath('out/demo/map.html')
"""

from __future__ import annotations

from geomap.core.routed import RoutedData, read_routed
from geomap.maps.html import build_map_html
from geomap.maps.render import owner_file_stem, write_map, write_owner_maps, write_run_maps
from geomap.render.assets import ASSETS, leaflet_head

__all__ = [
    "ASSETS",
    "RoutedData",
    "build_map_html",
    "leaflet_head",
    "owner_file_stem",
    "read_routed",
    "write_map",
    "write_owner_maps",
    "write_run_maps",
]

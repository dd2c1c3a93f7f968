"""geomap: route remarks to landowners, map them, share maintenance layers.

The Python API that the ``geomap`` command line wraps:

>>> import geomap
>>> result = geomap.route(["lagesbild.csv"], owners="owners.gpkg", registry="owners.toml")  # doctest: +SKIP
>>> geomap.write_outputs(result, "out/vecka47")  # doctest: +SKIP
"""

from __future__ import annotations

from geomap._version import __version__
from geomap.core.categories import Categories, load_categories
from geomap.core.crs import WORKING_CRS
from geomap.core.owners import OwnerRegistry, load_owner_layer, load_registry
from geomap.core.rules import CategoryRule, load_rules
from geomap.core.spatial import PolygonIndex, locate
from geomap.errors import ConfigError, CRSError, GeomapError, InputError, OutputExistsError
from geomap.routing import METHODS, Router, RouteResult, route, route_chunk, write_outputs
from geomap.routing.readers import read_remarks
from geomap.routing.summary import RouteSummary

__all__ = [
    "METHODS",
    "WORKING_CRS",
    "CRSError",
    "Categories",
    "CategoryRule",
    "ConfigError",
    "GeomapError",
    "InputError",
    "OutputExistsError",
    "OwnerRegistry",
    "PolygonIndex",
    "RouteResult",
    "RouteSummary",
    "Router",
    "__version__",
    "load_categories",
    "load_owner_layer",
    "load_registry",
    "load_rules",
    "locate",
    "read_remarks",
    "route",
    "route_chunk",
    "write_outputs",
]

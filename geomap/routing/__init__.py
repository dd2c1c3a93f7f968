"""Routing: decide, for every remark, which organisation must act on it and why, and write the run.

Examples
--------
>>> from geomap.routing import route
>>> result = route("data/hard_cases_synthetic.csv", owners="data/owners_synthetic.gpkg",
...                registry="data/owners.toml", crs="EPSG:3011")
>>> result.summary.total
20
"""

from __future__ import annotations

from geomap.routing.engine import METHODS, Router, route_chunk
from geomap.routing.outputs import write_outputs
from geomap.routing.pipeline import RouteResult, route

__all__ = ["METHODS", "RouteResult", "Router", "route", "route_chunk", "write_outputs"]

"""Router.build refuses distances that would silently switch nearest routing or boundary flags off."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
import shapely

from geomap.core.owners import registry_from_ids
from geomap.errors import ConfigError
from geomap.routing.engine import Router

OWNERS = gpd.GeoDataFrame({"owner": ["a"]}, geometry=[shapely.box(0, 0, 9, 9)], crs=3011)
REGISTRY = registry_from_ids(["a"])


@pytest.mark.parametrize("argument", ["tolerance", "max_distance"])
@pytest.mark.parametrize(
    "value", [math.nan, math.inf, -math.inf, -1, -0.5, np.float64("nan"), "2", None, True]
)
def test_bad_distances_are_refused(argument: str, value: object) -> None:
    with pytest.raises(
        ConfigError,
        match=rf"^`{argument}`: got .*; tolerance and max_distance must be ≥ 0 and finite",
    ):
        Router.build(REGISTRY, OWNERS, **{argument: value})  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [0, 0.0, 2, 25.0, np.float64(3.5), np.int64(4)])
def test_good_distances_are_kept_as_floats(value: float) -> None:
    router = Router.build(REGISTRY, OWNERS, tolerance=value, max_distance=value)
    assert router.tolerance == router.max_distance == float(value)
    assert isinstance(router.tolerance, float)

"""Synthetic demo data for geomap, built on real SCB RegSO 2025 geography of Huddinge.

Everything except the RegSO GeoPackage is synthetic: invented parcels, owners' areas,
maintenance agreements, the municipality's street space, incidents (the demo year 2025 and a
history from 2020, with a time structure per category, a place that grows — Masmo — and the
planted effects of the 2021 camera measures), the camera measures themselves and safety-walk
remarks. ``generate`` writes the files that ``make demo`` routes; with large
``points``/``parcels`` it makes benchmark data. The planted facts are listed in
``data/README.md``.

Examples
--------
>>> from geomap.demo import build
>>> data = build(seed=2025, points=10, parcels=200)
>>> sorted(data.parcels["owner"].unique())  # doctest: +NORMALIZE_WHITESPACE
['huddinge_kommun', 'huddinge_samhallsfastigheter', 'huge_bostader', 'privat', 'trafikverket']
"""

from __future__ import annotations

from .generate import DemoData, build, generate
from .geography import Geography, load_geography, regso_path
from .registry import SYNTHETIC_LABEL

__all__ = [
    "SYNTHETIC_LABEL",
    "DemoData",
    "Geography",
    "build",
    "generate",
    "load_geography",
    "regso_path",
]

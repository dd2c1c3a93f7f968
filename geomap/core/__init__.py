"""The concepts every capability shares, each defined once.

CRS handling, the spatial join, owners (layer and registry), districts, the remark model,
categories, rules, Swedish labels, periods, bundled resources and the ``routed.gpkg`` contract.
``core`` imports only :mod:`geomap.io` and :mod:`geomap.errors`.
"""

"""Hostile and unusual inputs for ``geomap route``, each with its expected outcome (see README.md)."""

"""File formats without domain knowledge: vector files, tables, TOML, sheets, atomic writes.

``io`` imports only :mod:`geomap.errors`.
"""

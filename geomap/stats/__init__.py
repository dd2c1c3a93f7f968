"""Statistics of remarks over space and time: hot spots, unusual counts, before/after measures.

Pure computations on frames and arrays (no files, no rendering); the reports in
:mod:`geomap.situation`, :mod:`geomap.protocols` and :mod:`geomap.evaluation` present them.
"""

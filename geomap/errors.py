"""Exceptions raised by geomap.

Every error a user can cause is one of these. Messages name the file, the column or argument, what
was received and how to fix it, so the CLI prints them as a single line without a traceback.
"""

from __future__ import annotations

__all__ = [
    "CRSError",
    "ConfigError",
    "GeomapError",
    "InputError",
    "OutputExistsError",
    "OutputLockedError",
]


class GeomapError(Exception):
    """Base class of every error geomap raises on purpose."""


class InputError(GeomapError):
    """An input file cannot be read or does not hold what geomap needs."""


class CRSError(InputError):
    """The coordinate reference system of an input is missing, unknown or contradicts its values."""


class ConfigError(GeomapError):
    """A registry, rules or vocabulary file (TOML/CSV) is malformed or inconsistent."""


class OutputExistsError(GeomapError):
    """An output already exists and ``overwrite`` was not requested."""


class OutputLockedError(OutputExistsError):
    """An output folder is being written by another geomap run right now."""
